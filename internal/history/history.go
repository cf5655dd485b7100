// Package history keeps the latest generated passwords, in Redis or in memory.
//
// Both stores hold bounded lists under string keys, newest first: each Add
// trims its list to the configured size and, with a TTL above zero, sets how
// long the list lives from then on. A list only ever written with TTL zero
// never expires (the original app's shared list).
package history

// Config bounds every list a store keeps.
type Config struct {
	Size int // entries kept per list (the original app showed 10 and kept all)
}
