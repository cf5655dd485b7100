package password

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestGenerateClasses(t *testing.T) {
	tests := []struct {
		opts    Options
		allowed string
		must    []string
	}{
		{Options{Length: 8}, Letters, []string{Letters}},
		{Options{Length: 4, Digits: true}, Letters + Digits, []string{Letters, Digits}},
		{Options{Length: 4, Special: true}, Letters + Punctuation, []string{Letters, Punctuation}},
		{Options{Length: 4, Digits: true, Special: true}, Letters + Digits + Punctuation, []string{Letters, Digits, Punctuation}},
		{Options{Length: 128, Digits: true, Special: true}, Letters + Digits + Punctuation, []string{Letters, Digits, Punctuation}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.opts), func(t *testing.T) {
			// Short passwords miss a class often, so many draws exercise the redraw.
			for range 2000 {
				p, err := Generate(tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if len(p) != tt.opts.Length {
					t.Fatalf("len(%q) = %d, want %d", p, len(p), tt.opts.Length)
				}
				for _, r := range p {
					if !strings.ContainsRune(tt.allowed, r) {
						t.Fatalf("%q holds %q, outside the selected classes", p, r)
					}
				}
				for _, c := range tt.must {
					if !strings.ContainsAny(p, c) {
						t.Fatalf("%q lacks a character of %q", p, c)
					}
				}
			}
		})
	}
}

func TestGenerateRejectsBadLength(t *testing.T) {
	for _, n := range []int{-1, 0, 3, 129, 1 << 30} {
		if p, err := Generate(Options{Length: n}); err == nil {
			t.Errorf("Generate(Length: %d) = %q, want an error", n, p)
		}
	}
	for _, n := range []int{MinLength, MaxLength} {
		if _, err := Generate(Options{Length: n}); err != nil {
			t.Errorf("Generate(Length: %d): %v", n, err)
		}
	}
}

func TestPunctuationIsPythonsSet(t *testing.T) {
	if len(Punctuation) != 32 || len(Letters) != 52 || len(Digits) != 10 {
		t.Fatalf("class sizes %d/%d/%d, want 52/10/32", len(Letters), len(Digits), len(Punctuation))
	}
	for i := 0; i < len(Punctuation); i++ {
		if classOf(Punctuation[i]) != 2 || Punctuation[i] <= ' ' || Punctuation[i] > '~' {
			t.Fatalf("%q is not ASCII punctuation", Punctuation[i])
		}
	}
}

// chiSquare returns Pearson's statistic for counts expected to be uniform.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	want := float64(total) / float64(len(counts))
	x := 0.0
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x
}

// The statistical checks use a critical value far in the tail (p < 1e-6 for
// these degrees of freedom), so an honest generator fails them about never,
// while a modulo-biased or non-shuffled one fails them every time.
func TestUniformCharacters(t *testing.T) {
	alphabet := Letters + Digits + Punctuation
	counts := make([]int, len(alphabet))
	// Length 64 with all classes almost never redraws, so characters are i.i.d. uniform.
	for range 3000 {
		p, _ := Generate(Options{Length: 64, Digits: true, Special: true})
		for i := 0; i < len(p); i++ {
			counts[strings.IndexByte(alphabet, p[i])]++
		}
	}
	// 93 degrees of freedom: the 1e-6 tail starts near 175.
	if x := chiSquare(counts); x > 175 {
		t.Fatalf("chi-square %.1f over %d characters: not uniform", x, len(alphabet))
	}
}

// A selected class must not sit in a fixed place: where the one guaranteed digit
// of a short password lands must be uniform over the positions.
func TestClassPositionsUniform(t *testing.T) {
	const n = 8
	counts := make([]int, n)
	for range 40000 {
		p, _ := Generate(Options{Length: n, Digits: true})
		if strings.IndexAny(p, Digits) != strings.LastIndexAny(p, Digits) {
			continue // keep only passwords with exactly one digit
		}
		counts[strings.IndexAny(p, Digits)]++
	}
	// 7 degrees of freedom: the 1e-6 tail starts near 40.
	if x := chiSquare(counts); x > 40 {
		t.Fatalf("chi-square %.1f: the digit's position is not uniform: %v", x, counts)
	}
}

func TestIntnUnbiased(t *testing.T) {
	// 3 does not divide 256: a plain b%3 would favour 0 by 86 to 85.
	s := newByteSource()
	counts := make([]int, 3)
	for range 3_000_000 {
		counts[s.intn(3)]++
	}
	if x := chiSquare(counts); x > 30 {
		t.Fatalf("chi-square %.1f: intn(3) is biased: %v", x, counts)
	}
}

func TestEntropy(t *testing.T) {
	tests := []struct {
		opts Options
		want float64
	}{
		// Letters only: every string of letters counts.
		{Options{Length: 8}, 8 * math.Log2(52)},
		// Letters and digits, length 4: 62^4 - 52^4 - 10^4 strings hold both.
		{Options{Length: 4, Digits: true}, math.Log2(math.Pow(62, 4) - math.Pow(52, 4) - math.Pow(10, 4))},
		// At 128 characters the constraint costs almost nothing.
		{Options{Length: 128, Digits: true, Special: true}, 128 * math.Log2(94)},
	}
	for _, tt := range tests {
		if got := Entropy(tt.opts); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("Entropy(%+v) = %f, want %f", tt.opts, got, tt.want)
		}
	}
	if got, want := EntropyOf("ab1!"), Entropy(Options{Length: 4, Digits: true, Special: true}); got != want {
		t.Errorf("EntropyOf(ab1!) = %f, want %f", got, want)
	}
	if got := EntropyOf(""); got != 0 {
		t.Errorf("EntropyOf(\"\") = %f, want 0", got)
	}
}

func ExampleGenerate() {
	p, err := Generate(Options{Length: 16, Digits: true, Special: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(p), math.Round(Entropy(Options{Length: 16, Digits: true, Special: true})))
	// Output: 16 105
}

func BenchmarkGenerate(b *testing.B) {
	for _, o := range []Options{{Length: 8}, {Length: 16, Digits: true, Special: true}, {Length: 128, Digits: true, Special: true}} {
		b.Run(fmt.Sprintf("len=%d", o.Length), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
