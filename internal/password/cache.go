package password

import (
	"container/list"
	"sync"
)

// Cache keeps the Generators of recent requests, so that a request whose
// count is costly (minimums above 1, regras with max-consecutive, exact
// sampling tables) is prepared once. It holds at most about maxBytes of
// tables, by estimate, and evicts the least recently used Generator first; a
// Generator larger than a quarter of maxBytes is returned but not kept. It is
// safe for concurrent use; every lookup is O(1).
type Cache struct {
	mu    sync.Mutex
	max   int
	used  int
	items map[Request]*list.Element
	order *list.List // of *cacheItem, most recently used first
}

type cacheItem struct {
	key   Request
	g     *Generator
	bytes int
}

// NewCache returns a cache of about maxBytes.
func NewCache(maxBytes int) *Cache {
	return &Cache{max: maxBytes, items: map[Request]*list.Element{}, order: list.New()}
}

// Generator returns r.Generator(), from the cache when r (whatever its Count)
// was prepared before.
func (c *Cache) Generator(r Request) (*Generator, error) {
	if r.Count < 1 || r.Count > MaxCount {
		return nil, integerError(fieldCount, 1, MaxCount)
	}
	key := r
	key.Count = 1
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		g := e.Value.(*cacheItem).g
		c.mu.Unlock()
		return g, nil
	}
	c.mu.Unlock()

	g, err := r.Generator()
	if err != nil {
		return nil, err
	}
	bytes := g.bytes + len(key.Rules) + len(key.Exclude) + len(key.SpecialChars) + 256
	if bytes > c.max/4 {
		return g, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok { // prepared meanwhile by another caller
		c.order.MoveToFront(e)
		return e.Value.(*cacheItem).g, nil
	}
	c.items[key] = c.order.PushFront(&cacheItem{key: key, g: g, bytes: bytes})
	c.used += bytes
	for c.used > c.max {
		last := c.order.Back()
		it := last.Value.(*cacheItem)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.used -= it.bytes
	}
	return g, nil
}
