package catalog

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// MinMaskKeyLen is the shortest mask key accepted, in bytes: a key is
// what keeps hashed identifiers from being inverted by enumeration, so it
// must not be guessable.
const MinMaskKeyLen = 16

// maskKeyConfig is mesh.yaml's mask_key_env / mask_key_file, with the
// nodes problems point at.
type maskKeyConfig struct {
	env, file         string
	envNode, fileNode *yaml.Node
}

// meshMaskKey decodes mask_key_env and mask_key_file. The key itself never
// appears in a descriptor: only where to find it.
func (y *yamlFile) meshMaskKey(f fields) maskKeyConfig {
	c := maskKeyConfig{env: y.str(f, "mask_key_env"), file: y.str(f, "mask_key_file"),
		envNode: f.get("mask_key_env"), fileNode: f.get("mask_key_file")}
	if c.env != "" && c.file != "" {
		y.problem(c.fileNode, "mask_key_file", "give either mask_key_env or mask_key_file, not both")
	}
	return c
}

// resolveMaskKey reads the configured key; a configured key that is
// missing, empty or too short is a load problem (never a silent fallback
// to a weaker key). With nothing configured it returns fallback.
func resolveMaskKey(c maskKeyConfig, meshFile, dir, fallback string, ps *problems) (key, source string) {
	switch {
	case c.env != "" && c.file != "":
		return "", "" // reported while decoding
	case c.env != "":
		v, ok := os.LookupEnv(c.env)
		v = strings.TrimSpace(v)
		switch {
		case !ok || v == "":
			ps.add(meshFile, c.envNode.Line, "mask_key_env", "environment variable %s is not set: it must hold the mesh's mask key", c.env)
		case len(v) < MinMaskKeyLen:
			ps.add(meshFile, c.envNode.Line, "mask_key_env", "the key in %s is shorter than %d bytes", c.env, MinMaskKeyLen)
		default:
			return v, "env " + c.env
		}
		return "", ""
	case c.file != "":
		path := c.file
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		data, err := os.ReadFile(path)
		v := strings.TrimSpace(string(data))
		switch {
		case err != nil:
			ps.add(meshFile, c.fileNode.Line, "mask_key_file", "cannot read the mask key: %v", err)
		case len(v) < MinMaskKeyLen:
			ps.add(meshFile, c.fileNode.Line, "mask_key_file", "the key in %s is empty or shorter than %d bytes", path, MinMaskKeyLen)
		default:
			return v, "file " + path
		}
		return "", ""
	case fallback != "":
		return fallback, "install"
	}
	return "", ""
}

// EnsureKeyFile returns the key stored in path, creating the file with a
// new random key (readable by its owner only) when it does not exist. It
// gives an installation a mask key that is secret and stable across
// restarts without any configuration.
func EnsureKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if k := strings.TrimSpace(string(data)); len(k) >= MinMaskKeyLen {
			return k, nil
		}
		return "", errors.New(path + ": mask key is shorter than 16 bytes")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	// O_EXCL: when two processes start at once, one key wins and the
	// other re-reads it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return EnsureKeyFile(path)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return key, f.Close()
}
