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
