package catalog

import (
	"strings"
	"testing"
)

const connMesh = baseMesh + `connections:
  lake:
    kind: s3
    endpoint: http://127.0.0.1:9000
    access_key_id_env: LAKE_KEY
    secret_access_key_file: /run/secrets/lake
`

func TestSourceConnection(t *testing.T) {
	dir := writeMesh(t, map[string]string{
		"mesh.yaml":            connMesh,
		"sales/orders_v1.yaml": withLine(6, "source: {connector: parquet, path: s3://lake/orders/*.parquet, connection: lake}"),
	})
	m, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Products[0].Source.Connection
	if c == nil || c.Name != "lake" || c.Kind != "s3" || c.Options["endpoint"] != "http://127.0.0.1:9000" || c.Options["secret_access_key_file"] != "/run/secrets/lake" {
		t.Fatalf("source connection = %+v", c)
	}
}

func TestConnectionErrors(t *testing.T) {
	for name, tc := range map[string]struct{ mesh, source, want string }{
		"secret in mesh.yaml": {
			mesh:   baseMesh + "connections:\n  lake: {kind: s3, secret_access_key: hunter2}\n",
			source: "source: {connector: parquet, path: s3://lake/o/*.parquet, connection: lake}",
			want:   "connections.lake.secret_access_key: must not hold a secret; name where it is with secret_access_key_env",
		},
		"secret in descriptor": {
			mesh:   baseMesh,
			source: "source: {connector: postgres, table: t, options: {password: hunter2}}",
			want:   "source.options.password: must not hold a secret",
		},
		"unknown connection": {
			mesh:   connMesh,
			source: "source: {connector: parquet, path: s3://lake/o/*.parquet, connection: lak}",
			want:   `source.connection: connection "lak" is not defined in mesh.yaml (did you mean "lake"?)`,
		},
		"bad kind": {
			mesh:   baseMesh + "connections:\n  lake: {kind: ftp}\n",
			source: "source: {connector: parquet, path: o/*.parquet}",
			want:   `connections.lake.kind: "ftp" is not one of s3, flightsql, postgres`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeMesh(t, map[string]string{"mesh.yaml": tc.mesh, "sales/orders_v1.yaml": withLine(6, tc.source)})
			_, err := Load(dir, LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
