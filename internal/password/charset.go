package password

import "math/bits"

// charset is a set of ASCII characters: bit b%64 of word b/64 stands for byte b.
// Every class, exclusion and rule of a request becomes one, so that unions,
// differences and sizes cost a few instructions.
type charset [2]uint64

// setOf returns the set of the ASCII bytes of s; other bytes are ignored.
func setOf(s string) charset {
	var c charset
	for i := 0; i < len(s); i++ {
		c.add(s[i])
	}
	return c
}

func (c *charset) add(b byte) {
	if b < 128 {
		c[b>>6] |= 1 << (b & 63)
	}
}

func (c charset) has(b byte) bool { return b < 128 && c[b>>6]&(1<<(b&63)) != 0 }

func (c charset) size() int { return bits.OnesCount64(c[0]) + bits.OnesCount64(c[1]) }

func (c charset) isEmpty() bool { return c[0]|c[1] == 0 }

func (c charset) or(d charset) charset { return charset{c[0] | d[0], c[1] | d[1]} }

func (c charset) and(d charset) charset { return charset{c[0] & d[0], c[1] & d[1]} }

func (c charset) minus(d charset) charset { return charset{c[0] &^ d[0], c[1] &^ d[1]} }

// within reports whether every character of c is in d.
func (c charset) within(d charset) bool { return c.minus(d).isEmpty() }

// bytes returns the characters of c in ascending order.
func (c charset) bytes() []byte {
	out := make([]byte, 0, c.size())
	for w := range 2 {
		for x := c[w]; x != 0; x &= x - 1 {
			out = append(out, byte(w*64+bits.TrailingZeros64(x)))
		}
	}
	return out
}

func (c charset) String() string { return string(c.bytes()) }
