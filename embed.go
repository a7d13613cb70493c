// Package meshql holds what the meshql binary ships inside itself: the
// descriptors of the built-in demo mesh (testdata/mesh), so that `meshql
// serve` works from any directory.
package meshql

import (
	"embed"
	"io/fs"
)

//go:embed testdata/mesh
var demoMesh embed.FS

// DemoMesh returns the demo mesh folder (mesh.yaml and one folder per domain).
func DemoMesh() fs.FS {
	sub, err := fs.Sub(demoMesh, "testdata/mesh")
	if err != nil {
		panic(err) // the embedded path is fixed at build time
	}
	return sub
}
