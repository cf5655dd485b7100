package password

import (
	"math"
	"testing"
)

// EntropyOf estimates from the classes a password uses what a request for
// exactly those classes (one of each required) would have given.
func TestEntropyOf(t *testing.T) {
	r := DefaultRequest()
	r.Length, r.Digits, r.MinDigits, r.Special, r.MinSpecial = 4, true, 1, true, 1
	g, err := r.Generator()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := EntropyOf("ab1!"), g.Entropy(); math.Abs(got-want) > 1e-9 {
		t.Errorf("EntropyOf(ab1!) = %f, want %f", got, want)
	}
	if got, want := EntropyOf("abcdefgh"), 8*math.Log2(52); math.Abs(got-want) > 1e-9 {
		t.Errorf("EntropyOf(abcdefgh) = %f, want %f", got, want)
	}
	if EntropyOf("") != 0 {
		t.Error("EntropyOf(\"\") != 0")
	}
}

func TestCharset(t *testing.T) {
	c := setOf("cab\x80")
	if c.String() != "abc" || c.size() != 3 || !c.has('a') || c.has('d') || c.has(200) {
		t.Errorf("setOf: %q", c)
	}
	if !setOf("ab").within(c) || c.within(setOf("ab")) || c.minus(setOf("a")).String() != "bc" || !(charset{}).isEmpty() {
		t.Error("set operations")
	}
}
