package history

import (
	"context"
	"sync"
	"time"
)

// MaxMemoryKeys bounds how many lists a Memory store keeps, so that a client
// creating sessions in a loop cannot exhaust the process's memory. Past it, the
// least recently written list is dropped.
const MaxMemoryKeys = 10_000

// Memory is a Store for one process: what it holds is lost on restart and not
// shared between replicas. It is what the app uses when no Redis is configured.
type Memory struct {
	cfg   Config
	now   func() time.Time
	mu    sync.Mutex
	lists map[string]*memList
}

type memList struct {
	items   []string  // newest first
	written time.Time // time of the last Add
	expires time.Time // zero: never
}

// NewMemory returns an empty in-memory store.
func NewMemory(cfg Config) *Memory {
	return &Memory{cfg: cfg, now: time.Now, lists: make(map[string]*memList)}
}

// Add puts p at the head of the list at key, trims the list and, if ttl > 0,
// keeps it for ttl from now (ttl 0 leaves its expiry as it was, like Redis).
func (m *Memory) Add(_ context.Context, key, p string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	l := m.lists[key]
	if l == nil || m.expired(l, now) {
		if len(m.lists) >= MaxMemoryKeys {
			m.evict(now)
		}
		l = &memList{}
		m.lists[key] = l
	}
	l.items = append([]string{p}, l.items...)
	if len(l.items) > m.cfg.Size {
		l.items = l.items[:m.cfg.Size]
	}
	l.written = now
	if ttl > 0 {
		l.expires = now.Add(ttl)
	}
	return nil
}

// Latest returns up to n entries of the list at key, newest first.
func (m *Memory) Latest(_ context.Context, key string, n int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.lists[key]
	if n <= 0 || l == nil || m.expired(l, m.now()) {
		return []string{}, nil
	}
	n = min(n, len(l.items))
	return append([]string(nil), l.items[:n]...), nil
}

// Ping always succeeds: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

func (m *Memory) expired(l *memList, now time.Time) bool {
	return !l.expires.IsZero() && !now.Before(l.expires)
}

// evict drops the expired lists, or the least recently written one if none is.
func (m *Memory) evict(now time.Time) {
	oldest := ""
	for k, l := range m.lists {
		if m.expired(l, now) {
			delete(m.lists, k)
			continue
		}
		if oldest == "" || l.written.Before(m.lists[oldest].written) {
			oldest = k
		}
	}
	if len(m.lists) >= MaxMemoryKeys {
		delete(m.lists, oldest)
	}
}
