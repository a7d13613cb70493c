package slt

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// engineConn runs statements on an in-process meshql session and renders
// values with meshql's own text output (what psql would print).
type engineConn struct {
	eng     *engine.Engine
	startup map[string]string // the startup parameters of every session
	s       *engine.Session
}

// ResetSession implements SessionConn: a new session of the same engine.
func (c *engineConn) ResetSession(context.Context) error {
	s, err := c.eng.NewSession("admin", c.startup)
	if err != nil {
		return err
	}
	c.s.Close()
	c.s = s
	return nil
}

func (c *engineConn) Query(ctx context.Context, sql string) (*Rows, error) {
	res, err := c.s.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	// timestamptz text is in the session's TimeZone, and dates, timestamps
	// and intervals in its DateStyle and IntervalStyle, as the wire writes them.
	style := c.s.DateStyle()
	loc := time.UTC
	if tz, ok := c.s.Setting("timezone"); ok {
		if _, l, ok := sqltypes.TimeZoneSetting(tz); ok {
			loc = l
		}
	}
	out := &Rows{}
	for _, col := range res.Columns {
		out.Columns = append(out.Columns, col.Name)
	}
	for {
		b, err := res.Next(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		texts := make([]func(int) *string, len(res.Columns))
		for i, col := range res.Columns {
			texts[i] = col.Texts(b.Column(i), loc, style)
		}
		for r := 0; r < int(b.NumRows()); r++ {
			row := make([]*string, len(res.Columns))
			for i := range res.Columns {
				row[i] = texts[i](r)
			}
			out.Values = append(out.Values, row)
		}
		b.Release()
	}
}

// TestSLTAgainstMeshQL runs the corpus against meshql over the same
// fixture data PostgreSQL produced the expectations from, with a checked
// allocator: a query that leaks Arrow memory fails the test.
func TestSLTAgainstMeshQL(t *testing.T) {
	mesh, err := GenerateFixture(t.Context(), filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	RunCorpus(t, newMeshQLConn(t, mesh, nil), EngineMeshQL)
}
