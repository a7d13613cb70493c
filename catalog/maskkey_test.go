package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaskKeySources(t *testing.T) {
	const secret = "0123456789abcdef-secret"
	t.Setenv("MESHQL_TEST_MASK_KEY", "  "+secret+"\n")
	t.Setenv("MESHQL_TEST_SHORT_KEY", "short")
	cases := []struct {
		name, config, keyFile, fallback string
		wantKey, wantSource, wantErr    string
	}{
		{name: "none", wantKey: "", wantSource: ""},
		{name: "fallback", fallback: "install-key-0123456789", wantKey: "install-key-0123456789", wantSource: "install"},
		{name: "env", config: "mask_key_env: MESHQL_TEST_MASK_KEY", fallback: "ignored-0123456789", wantKey: secret, wantSource: "env MESHQL_TEST_MASK_KEY"},
		{name: "file", config: "mask_key_file: keys/mask.key", keyFile: secret + "\n", wantKey: secret, wantSource: "file "},
		{name: "env unset", config: "mask_key_env: MESHQL_TEST_NO_SUCH_VAR", fallback: "ignored-0123456789",
			wantErr: "mesh.yaml:9: mask_key_env: environment variable MESHQL_TEST_NO_SUCH_VAR is not set"},
		{name: "env short", config: "mask_key_env: MESHQL_TEST_SHORT_KEY", wantErr: "mesh.yaml:9: mask_key_env: the key in MESHQL_TEST_SHORT_KEY is shorter than 16 bytes"},
		{name: "file missing", config: "mask_key_file: nope.key", wantErr: "mesh.yaml:9: mask_key_file: cannot read the mask key"},
		{name: "file empty", config: "mask_key_file: keys/mask.key", keyFile: "\n", wantErr: "mesh.yaml:9: mask_key_file: the key in "},
		{name: "both", config: "mask_key_env: MESHQL_TEST_MASK_KEY\nmask_key_file: keys/mask.key", keyFile: secret,
			wantErr: "mesh.yaml:10: mask_key_file: give either mask_key_env or mask_key_file, not both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"mesh.yaml": baseMesh + c.config + "\n", "sales/orders_v1.yaml": baseOrders}
			if c.keyFile != "" {
				files["keys/mask.key"] = c.keyFile
			}
			dir := writeMesh(t, files)
			m, err := Load(dir, LoadOptions{MaskKey: c.fallback})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the load error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.MaskKey != c.wantKey || !strings.HasPrefix(m.MaskKeySource, c.wantSource) {
				t.Errorf("key %q from %q, want %q from %q", m.MaskKey, m.MaskKeySource, c.wantKey, c.wantSource)
			}
		})
	}
}

func TestEnsureKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "mask.key")
	k1, err := EnsureKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := EnsureKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if k1 != k2 || len(k1) != 64 {
		t.Errorf("the key changed between calls or is not 32 random bytes in hex: %q %q", k1, k2)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("key file mode %v: others may read it", st.Mode().Perm())
	}
	other, _ := EnsureKeyFile(filepath.Join(t.TempDir(), "mask.key"))
	if other == k1 {
		t.Errorf("two installations got the same key")
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureKeyFile(path); err == nil {
		t.Errorf("a short key file was accepted")
	}
}
