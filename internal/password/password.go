package password

import "math"

// The character classes. Letters, Digits and Punctuation are the original
// app's; Punctuation is the 32 ASCII punctuation characters (Python's
// string.punctuation), the special characters of a password request.
const (
	Lowercase   = "abcdefghijklmnopqrstuvwxyz"
	Uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Letters     = Lowercase + Uppercase
	Digits      = "0123456789"
	Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// Bounds of the length. Four is the shortest length that can hold every class
// with room for one more; 128 is far beyond any password policy.
const (
	MinLength = 4
	MaxLength = 128
)

// Options is the original app's request: Length characters, letters always,
// and at least one digit and one special character when asked.
//
// Deprecated: use ParseRequest and Request.Generator; Options stays while the
// server moves to them.
type Options struct {
	Length  int
	Digits  bool // include at least one of Digits
	Special bool // include at least one of Punctuation
}

func (o Options) request() Request {
	r := DefaultRequest()
	r.Length = o.Length
	r.Digits, r.MinDigits = o.Digits, b2i(o.Digits)
	r.Special, r.MinSpecial = o.Special, b2i(o.Special)
	return r
}

// Validate reports whether the options can be generated.
func (o Options) Validate() error {
	if o.Length < MinLength || o.Length > MaxLength {
		return integerError(fieldLength, MinLength, MaxLength)
	}
	return nil
}

// Generate returns a new password. Its only error is an invalid Options.
//
// Deprecated: use Request.Generator.
func Generate(o Options) (string, error) {
	g, err := o.request().Generator()
	if err != nil {
		return "", err
	}
	return g.Generate(), nil
}

// Entropy returns the strength of a password generated with o, in bits (0 for
// invalid options).
//
// Deprecated: use Generator.Entropy.
func Entropy(o Options) float64 {
	g, err := o.request().Generator()
	if err != nil {
		return 0
	}
	return g.Entropy()
}

// EntropyOf estimates the strength of an existing password, in bits, from the
// classes it uses: letters, digits and anything else (counted as the 32
// special characters), as if it were drawn from exactly those classes with one
// of each required. It knows nothing of exclusions, rules or passphrases,
// whose strength only their Generator knows.
func EntropyOf(p string) float64 {
	var seen [3]bool
	for i := 0; i < len(p); i++ {
		seen[classOf(p[i])] = true
	}
	var sizes []int
	for i, c := range []string{Letters, Digits, Punctuation} {
		if seen[i] {
			sizes = append(sizes, len(c))
		}
	}
	if len(sizes) == 0 {
		return 0
	}
	return estimate(len(p), sizes)
}

// classOf returns 0 for a letter, 1 for a digit and 2 for anything else.
func classOf(b byte) int {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z':
		return 0
	case '0' <= b && b <= '9':
		return 1
	}
	return 2
}

// estimate is log2 of the strings of length n over disjoint classes of the
// given sizes that use every class, by inclusion–exclusion in floating point
// (the ratio to total^n keeps every term in range).
func estimate(n int, sizes []int) float64 {
	total := 0
	for _, s := range sizes {
		total += s
	}
	ratio := 0.0
	for mask := 0; mask < 1<<len(sizes); mask++ {
		missing, sign := 0, 1.0
		for i, s := range sizes {
			if mask&(1<<i) != 0 {
				missing += s
				sign = -sign
			}
		}
		ratio += sign * math.Pow(float64(total-missing)/float64(total), float64(n))
	}
	if ratio <= 0 {
		return 0
	}
	return float64(n)*math.Log2(float64(total)) + math.Log2(ratio)
}
