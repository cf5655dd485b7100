// Package password generates random passwords from ASCII character classes.
//
// Randomness comes from crypto/rand. Characters are drawn without modulo bias
// (rejection sampling on random bytes), and a password that lacks one of the
// selected classes is drawn again from scratch, so the result is uniform over
// every password of that length that uses only, and all of, the selected classes.
package password

import (
	"crypto/rand"
	"fmt"
	"math"
)

// The character classes of the original app: ASCII letters, digits and the 32
// ASCII punctuation characters (Python's string.punctuation).
const (
	Letters     = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Digits      = "0123456789"
	Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// Bounds of the length. Four is the shortest length that can hold every class
// with room for one more; 128 is far beyond any password policy.
const (
	MinLength = 4
	MaxLength = 128
)

// Options says what to generate.
type Options struct {
	Length  int
	Digits  bool // include at least one of Digits
	Special bool // include at least one of Punctuation
}

// classes returns the selected character classes, letters always first.
func (o Options) classes() []string {
	c := []string{Letters}
	if o.Digits {
		c = append(c, Digits)
	}
	if o.Special {
		c = append(c, Punctuation)
	}
	return c
}

// Validate reports whether the options can be generated.
func (o Options) Validate() error {
	if o.Length < MinLength || o.Length > MaxLength {
		return fmt.Errorf("tamanho deve ser um número inteiro entre %d e %d", MinLength, MaxLength)
	}
	return nil
}

// Generate returns a new password. Its only error is an invalid Options.
func Generate(o Options) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	classes := o.classes()
	alphabet := ""
	for _, c := range classes {
		alphabet += c
	}
	buf := make([]byte, o.Length)
	src := newByteSource()
	for {
		for i := range buf {
			buf[i] = alphabet[src.intn(len(alphabet))]
		}
		if hasAll(buf, classes) {
			return string(buf), nil
		}
	}
}

// hasAll reports whether p holds at least one character of each class.
func hasAll(p []byte, classes []string) bool {
	var seen [3]bool
	for _, b := range p {
		seen[classOf(b)] = true
	}
	for _, c := range classes {
		if !seen[classOf(c[0])] {
			return false
		}
	}
	return true
}

// classOf returns 0 for a letter, 1 for a digit and 2 for anything else
// (punctuation, in what Generate draws from).
func classOf(b byte) int {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z':
		return 0
	case '0' <= b && b <= '9':
		return 1
	}
	return 2
}

// byteSource hands out uniform integers from buffered crypto/rand bytes.
type byteSource struct {
	buf [64]byte
	pos int
}

func newByteSource() *byteSource { return &byteSource{pos: 64} }

// intn returns a uniform integer in [0, n) for 0 < n <= 256. A byte is accepted
// only below the largest multiple of n that fits in a byte, so that every
// residue is equally likely (no modulo bias).
func (s *byteSource) intn(n int) int {
	limit := 256 - 256%n
	for {
		if s.pos == len(s.buf) {
			rand.Read(s.buf[:]) // never fails since Go 1.24: it crashes the program instead
			s.pos = 0
		}
		b := int(s.buf[s.pos])
		s.pos++
		if b < limit {
			return b % n
		}
	}
}

// Entropy returns the strength of a password generated with o, in bits: the
// base-2 logarithm of how many passwords Generate can return, counted by
// inclusion-exclusion over the classes that must appear.
func Entropy(o Options) float64 {
	return entropy(o.Length, o.classes())
}

// EntropyOf estimates the strength of an existing password, in bits, from the
// classes it uses (as generated here, a password uses exactly the selected classes).
func EntropyOf(p string) float64 {
	var seen [3]bool
	for i := 0; i < len(p); i++ {
		seen[classOf(p[i])] = true
	}
	var classes []string
	for i, c := range []string{Letters, Digits, Punctuation} {
		if seen[i] {
			classes = append(classes, c)
		}
	}
	if len(classes) == 0 {
		return 0
	}
	return entropy(len(p), classes)
}

func entropy(length int, classes []string) float64 {
	total := 0
	for _, c := range classes {
		total += len(c)
	}
	// count = sum over subsets S of classes of (-1)^|S| * (total - |S chars|)^length.
	// Dividing every term by total^length keeps the sum in float64 range.
	ratio := 0.0
	for mask := 0; mask < 1<<len(classes); mask++ {
		missing, sign := 0, 1.0
		for i, c := range classes {
			if mask&(1<<i) != 0 {
				missing += len(c)
				sign = -sign
			}
		}
		ratio += sign * math.Pow(float64(total-missing)/float64(total), float64(length))
	}
	if ratio <= 0 {
		return 0
	}
	return float64(length)*math.Log2(float64(total)) + math.Log2(ratio)
}
