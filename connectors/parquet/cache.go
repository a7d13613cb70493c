package parquet

import (
	"sync"

	"github.com/meshql/meshql/connectors/objstore"
)

// footerCache keeps the decoded footers of recently opened files, so that
// reopening a source (a reload, a new session) does not fetch them again.
// An entry is keyed by path, size and version (ETag or modification
// time): a rewritten file misses. Oldest entries go first.
type footerCache struct {
	mu    sync.Mutex
	max   int
	byKey map[footerKey]*fileInfo
	order []footerKey
}

type footerKey struct {
	path, version string
	size          int64
}

func newFooterCache(max int) *footerCache {
	return &footerCache{max: max, byKey: map[footerKey]*fileInfo{}}
}

func keyOf(o objstore.Object) footerKey { return footerKey{o.Path, o.Version, o.Size} }

func (c *footerCache) get(o objstore.Object) *fileInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[keyOf(o)]
}

func (c *footerCache) put(o objstore.Object, fi *fileInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := keyOf(o)
	if _, ok := c.byKey[k]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.byKey, c.order[0])
		c.order = c.order[1:]
	}
	c.byKey[k] = fi
	c.order = append(c.order, k)
}
