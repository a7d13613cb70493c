package memtable

import (
	"context"
	"sync"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Connector serves registered in-memory tables for sources with
// connector "memory"; the source's Path names the table. The zero value
// is ready to use; it is safe for concurrent use.
type Connector struct {
	mu     sync.RWMutex
	tables map[string]connectors.Table
}

var _ connectors.Connector = (*Connector)(nil)

// NewConnector returns an empty Connector.
func NewConnector() *Connector { return &Connector{} }

// Kind returns "memory".
func (c *Connector) Kind() string { return "memory" }

// Register makes t available under name, replacing any table registered
// before under that name; a nil t removes the name. The Connector does not
// take ownership: the caller releases t (for a *Table) once no engine can
// open it any more.
func (c *Connector) Register(name string, t connectors.Table) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t == nil {
		delete(c.tables, name)
		return
	}
	if c.tables == nil {
		c.tables = make(map[string]connectors.Table)
	}
	c.tables[name] = t
}

// Open returns the table registered under src.Path, or an HV00R error.
func (c *Connector) Open(ctx context.Context, src catalog.Source) (connectors.Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	c.mu.RLock()
	t, ok := c.tables[src.Path]
	c.mu.RUnlock()
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeFDWTableNotFound, "memory table %q does not exist", src.Path)
	}
	return t, nil
}
