package history

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultMaxLists is how many lists a Memory store keeps when Config.MaxLists
// is not set (HISTORY_MAX_SESSIONS).
const DefaultMaxLists = 10_000

// Memory is a store for one process: what it holds is lost on restart and not
// shared between replicas. It is what the app uses when no Redis is configured.
//
// Every call does a bounded amount of work, whatever the traffic: no call scans
// the lists. Memory is bounded too: at most MaxLists lists of at most Size
// entries. When a new list would pass MaxLists, one with a TTL is dropped, like
// Redis's volatile-ttl policy: first from the lists written with the shortest
// TTL (the app's unconfirmed sessions), least recently written first. Lists
// without a TTL (the global list) are never dropped.
type Memory struct {
	cfg Config
	now func() time.Time

	mu    sync.Mutex
	lists map[string]*memList
	// byTTL holds the keys of the lists with a TTL, one queue per TTL, least
	// recently written first. Since every write sets expires = now + ttl, each
	// queue is also ordered by expiry: its front is the next to expire.
	byTTL map[time.Duration]*list.List
}

type memList struct {
	items   []string // newest first
	marker  *string  // non-nil: the key holds this marker, not a list
	ttl     time.Duration
	expires time.Time     // zero: never
	elem    *list.Element // in byTTL[ttl]; nil for a list without TTL
}

// NewMemory returns an empty in-memory store.
func NewMemory(cfg Config) *Memory {
	if cfg.MaxLists <= 0 {
		cfg.MaxLists = DefaultMaxLists
	}
	return &Memory{cfg: cfg, now: time.Now, lists: make(map[string]*memList), byTTL: make(map[time.Duration]*list.List)}
}

// Add puts p at the head of the list at key, trims the list and, if ttl > 0,
// keeps it for ttl from now (ttl 0 leaves its expiry as it was, like Redis).
// It returns the list's length after the push: 1 for a list it made.
func (m *Memory) Add(_ context.Context, key, p string, ttl time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.dropExpired(now)
	l, err := m.list(key, now)
	if errors.Is(err, ErrMarked) {
		m.keep(key, m.lists[key], ttl, now) // as Redis's EXPIRE after its failed LPUSH
	}
	if err != nil {
		return 0, err
	}
	n := int64(len(l.items) + 1)
	if len(l.items) < m.cfg.Size {
		l.items = append(l.items, "")
	}
	copy(l.items[1:], l.items)
	l.items[0] = p
	m.keep(key, l, ttl, now)
	return n, nil
}

// Expire keeps whatever key holds for ttl from now; a missing key stays missing.
func (m *Memory) Expire(_ context.Context, key string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if l := m.lists[key]; l != nil && !expired(l, now) {
		m.keep(key, l, ttl, now)
	}
	return nil
}

// list returns the live list at key, made empty if there is none, or
// ErrMarked. A new list may evict another, or fail with ErrFull.
func (m *Memory) list(key string, now time.Time) (*memList, error) {
	l := m.lists[key]
	if l != nil && !expired(l, now) {
		if l.marker != nil {
			return nil, ErrMarked
		}
		return l, nil
	}
	if l != nil {
		m.remove(key, l)
	}
	if len(m.lists) >= m.cfg.MaxLists && !m.evict() {
		return nil, ErrFull
	}
	l = &memList{}
	m.lists[key] = l
	return l, nil
}

// keep sets l to expire ttl from now, if ttl > 0 (0 leaves its expiry as it was).
func (m *Memory) keep(key string, l *memList, ttl time.Duration, now time.Time) {
	if ttl <= 0 {
		return
	}
	if l.elem != nil {
		m.byTTL[l.ttl].Remove(l.elem)
	}
	q := m.byTTL[ttl]
	if q == nil {
		q = list.New()
		m.byTTL[ttl] = q
	}
	l.ttl, l.expires, l.elem = ttl, now.Add(ttl), q.PushBack(key)
}

// Mark replaces whatever key holds with marker, kept for ttl (> 0), and
// returns the marker it replaced, if key held one, in one step.
func (m *Memory) Mark(_ context.Context, key, marker string, ttl time.Duration) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var prev string
	l := m.lists[key]
	had := l != nil && l.marker != nil && !expired(l, now)
	if had {
		prev = *l.marker
	}
	return prev, had, m.mark(key, marker, ttl, now)
}

func (m *Memory) mark(key, marker string, ttl time.Duration, now time.Time) error {
	m.dropExpired(now)
	if l := m.lists[key]; l != nil {
		m.remove(key, l)
	}
	if len(m.lists) >= m.cfg.MaxLists && !m.evict() {
		return ErrFull
	}
	l := &memList{marker: &marker}
	m.lists[key] = l
	m.keep(key, l, ttl, now)
	return nil
}

// Marker returns the marker at key, and false if key holds none.
func (m *Memory) Marker(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.lists[key]
	if l == nil || l.marker == nil || expired(l, m.now()) {
		return "", false, nil
	}
	return *l.marker, true, nil
}

// Move puts convert(the entries of the list at from) after the entries of the
// list at to, trims it, keeps it for ttl, and marks from with marker for
// markerTTL, all at once. A marked from is ErrMarked, and nothing changes.
func (m *Memory) Move(_ context.Context, from, to string, convert func([]string) []string, ttl time.Duration, marker string, markerTTL time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var items []string
	if l := m.lists[from]; l != nil && !expired(l, now) {
		if l.marker != nil {
			return ErrMarked
		}
		items = l.items
	}
	if moved := convert(items); len(moved) > 0 {
		l, err := m.list(to, now)
		if err != nil {
			return err
		}
		l.items = append(l.items, moved...)[:min(len(l.items)+len(moved), m.cfg.Size)]
		m.keep(to, l, ttl, now)
	}
	return m.mark(from, marker, markerTTL, now)
}

// Latest returns up to n entries of the list at key, newest first.
func (m *Memory) Latest(_ context.Context, key string, n int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.lists[key]
	if l == nil || expired(l, m.now()) {
		return []string{}, nil
	}
	if l.marker != nil {
		return nil, ErrMarked
	}
	if n <= 0 {
		return []string{}, nil
	}
	n = min(n, len(l.items))
	return append([]string(nil), l.items[:n]...), nil
}

// Clear removes the list at key.
func (m *Memory) Clear(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.lists[key]; l != nil {
		m.remove(key, l)
	}
	return nil
}

// Ping always succeeds: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

func expired(l *memList, now time.Time) bool {
	return !l.expires.IsZero() && !now.Before(l.expires)
}

func (m *Memory) remove(key string, l *memList) {
	if l.elem != nil {
		m.byTTL[l.ttl].Remove(l.elem)
	}
	delete(m.lists, key)
}

// dropExpired drops the lists that have expired. Each queue's front expires
// first, so it stops at the first live list of each queue: the work is one
// step per TTL plus one per list dropped, which each list pays once.
func (m *Memory) dropExpired(now time.Time) {
	for _, q := range m.byTTL {
		for e := q.Front(); e != nil; e = q.Front() {
			key := e.Value.(string)
			if !expired(m.lists[key], now) {
				break
			}
			m.remove(key, m.lists[key])
		}
	}
}

// evict drops the least recently written list of the shortest TTL, and
// reports false if every list is kept forever (then nothing can be dropped).
func (m *Memory) evict() bool {
	var shortest time.Duration
	for ttl, q := range m.byTTL {
		if q.Len() > 0 && (shortest == 0 || ttl < shortest) {
			shortest = ttl
		}
	}
	if shortest == 0 {
		return false
	}
	key := m.byTTL[shortest].Front().Value.(string)
	m.remove(key, m.lists[key])
	return true
}
