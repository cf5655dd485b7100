// Package history keeps the latest generated passwords, in Redis or in memory.
//
// Both stores hold bounded lists under string keys, newest first: each Add
// trims its list to the configured size, and a list that is not written to for
// its time to live is dropped (a TTL of zero keeps it forever).
package history

import "time"

// Config bounds every list a store keeps.
type Config struct {
	Size int           // entries kept per list (the original app showed 10 and kept all)
	TTL  time.Duration // idle time after which a list is dropped; 0 keeps it
}
