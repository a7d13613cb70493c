package connectors

import (
	"os"
	"strings"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// SourceOptions returns the options of src's mesh.yaml connection, which
// must be of the given kind, overridden by source.options. Errors: HV000
// for a connection of another kind.
func SourceOptions(src catalog.Source, kind string) (map[string]string, error) {
	merged := map[string]string{}
	if c := src.Connection; c != nil {
		if c.Kind != kind {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "%s source names connection %q of kind %s", kind, c.Name, c.Kind)
		}
		for k, v := range c.Options {
			merged[k] = v
		}
	}
	for k, v := range src.Options {
		merged[k] = v
	}
	return merged, nil
}

// Setting returns the value of option key from opts, where the value may
// be given literally (key), by an environment variable (key_env) or by a
// file holding it (key_file, surrounding white space trimmed). Secrets are
// only ever given the last two ways: the catalog rejects literal secrets.
// A named variable that is unset or a file that cannot be read is an HV000
// error naming the variable or file, never the value; ok is false when
// none of the three is set.
func Setting(opts map[string]string, key string) (v string, ok bool, err error) {
	if v, ok := opts[key]; ok {
		return v, true, nil
	}
	if name, ok := opts[key+"_env"]; ok {
		v, set := os.LookupEnv(name)
		if !set {
			return "", false, sqltypes.New(sqltypes.CodeFDWError, "environment variable %s (%s_env) is not set", name, key)
		}
		return v, true, nil
	}
	if file, ok := opts[key+"_file"]; ok {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", false, sqltypes.Wrap(err, sqltypes.CodeFDWError, "could not read %s_file %q: %v", key, file, err)
		}
		return strings.TrimSpace(string(data)), true, nil
	}
	return "", false, nil
}
