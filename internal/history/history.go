// Package history keeps the latest generated passwords, in Redis or in memory.
//
// Both stores hold bounded lists under string keys, newest first: each Add
// trims its list to the configured size and, with a TTL above zero, sets how
// long the list lives from then on. A list only ever written with TTL zero
// never expires (the original app's shared list). The stores keep whatever
// bytes they are given: the server seals entries before they get here.
//
// A key can also hold a marker instead of a list (Mark, Move): a short string
// that says the list is gone and why (the server's sessions use it for a list
// moved to a new key, or revoked). Add and Latest on a marked key answer
// ErrMarked, so that the caller learns it in the round trip it was making.
package history

import "errors"

// Config bounds every list a store keeps.
type Config struct {
	Size int // entries kept per list (the original app showed 10 and kept all)
	// MaxLists bounds how many lists a Memory store keeps (HISTORY_MAX_SESSIONS;
	// 0: DefaultMaxLists). Redis is bounded by its own maxmemory instead.
	MaxLists int
}

// ErrFull is the error of an Add that needs a new list when the store holds
// its maximum and none of its lists can be dropped (all are kept forever).
var ErrFull = errors.New("history store full")

// ErrMarked is the error of Add, Latest and Move on a key that holds a marker.
var ErrMarked = errors.New("history list replaced by a marker")
