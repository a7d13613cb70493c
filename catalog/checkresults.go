package catalog

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// CheckResultsFile is where `meshql check` records its last results,
// relative to the mesh folder; the loader skips folders starting with ".",
// and the server's mesh.quality_results and mesh.sla_status read it.
const CheckResultsFile = ".meshql/check-results.json"

// CheckResult is the outcome of one live check of one product.
type CheckResult struct {
	Product string `json:"product"` // qualified name
	Check   string `json:"check"`   // e.g. "schema:order_id", "not_null:order_id", "quality:positive_price", "freshness"
	Rule    string `json:"rule"`    // source, schema, schema-extra, not_null, unique, quality, freshness
	OK      bool   `json:"ok"`
	Detail  string `json:"detail,omitempty"` // what failed, or what was measured
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column,omitempty"`
	// DataAt is, for a freshness check, the moment the data reaches (zero
	// otherwise or when unknown).
	DataAt   time.Time `json:"data_at,omitzero"`
	Measured time.Time `json:"measured"`
}

// WriteCheckResults records rs as the mesh folder dir's last check results.
func WriteCheckResults(dir string, rs []CheckResult) error {
	path := filepath.Join(dir, filepath.FromSlash(CheckResultsFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return err
	}
	// Write then rename, so that a server reading the file never sees half of it.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadCheckResults returns the last check results of the mesh folder dir,
// or none when no check has run there.
func ReadCheckResults(dir string) ([]CheckResult, error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(CheckResultsFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rs []CheckResult
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, err
	}
	return rs, nil
}
