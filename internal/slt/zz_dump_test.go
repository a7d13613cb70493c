package slt

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func TestZZDump(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1500; i++ {
		g := &qgen{r: rand.New(rand.NewPCG(1, uint64(i)))}
		sql, _, _ := g.query()
		b.WriteString(sql + "\n;;\n")
	}
	os.WriteFile("/tmp/s14qgen-dump.sql", []byte(b.String()), 0o644)
}
