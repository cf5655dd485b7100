package password

import (
	"crypto/rand"
	"math/big"
)

// source hands out uniform integers from buffered crypto/rand bytes. Its zero
// value is ready; it lives on the stack of one Generate call, so a Generator
// shares no mutable state between goroutines.
type source struct {
	buf  [64]byte
	left int // unread bytes at the end of buf
}

func (s *source) byte() byte {
	if s.left == 0 {
		rand.Read(s.buf[:]) // never fails since Go 1.24: it crashes the program instead
		s.left = len(s.buf)
	}
	b := s.buf[len(s.buf)-s.left]
	s.left--
	return b
}

// intn returns a uniform integer in [0, n) for 0 < n <= 256. A byte is kept only
// below the largest multiple of n that fits in a byte, so that every residue is
// equally likely (no modulo bias).
func (s *source) intn(n int) int {
	limit := 256 - 256%n
	for {
		if b := int(s.byte()); b < limit {
			return b % n
		}
	}
}

// intn16 returns a uniform integer in [0, n) for 0 < n <= 65536, by the same
// rejection on two bytes.
func (s *source) intn16(n int) int {
	limit := 65536 - 65536%n
	for {
		if v := int(s.byte())<<8 | int(s.byte()); v < limit {
			return v % n
		}
	}
}

// below returns a uniform integer in [0, n) for n > 0; crypto/rand.Int draws
// whole bit strings and rejects those not below n, so it is unbiased too.
func below(n *big.Int) *big.Int {
	r, err := rand.Int(rand.Reader, n)
	if err != nil {
		panic(err) // only for n <= 0, which callers never pass
	}
	return r
}
