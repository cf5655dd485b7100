package password

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// alpha is the significance level of every statistical test here: a test
// fails when its p-value is below it. At 1e-6 an honest generator fails one
// of the ~30 checks of a run about once in 30,000 runs, while the biased
// samplers below, at the same sample sizes, reach p-values far below it.
const alpha = 1e-6

// chiSquareP returns P(X >= x) for X chi-square with dof degrees of freedom:
// the regularized upper incomplete gamma function Q(dof/2, x/2).
func chiSquareP(x float64, dof int) float64 {
	a, x := float64(dof)/2, x/2
	if x <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(a)
	front := math.Exp(-x + a*math.Log(x) - lg)
	if x < a+1 { // series for P(a, x)
		sum, term := 1/a, 1/a
		for n := 1; n < 10000 && term > sum*1e-16; n++ {
			term *= x / (a + float64(n))
			sum += term
		}
		return 1 - sum*front
	}
	// Continued fraction for Q(a, x), by the modified Lentz method.
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return front * h
}

func TestChiSquareP(t *testing.T) {
	for _, c := range []struct {
		x    float64
		dof  int
		want float64
	}{
		{3.841458820694124, 1, 0.05},   // tables
		{18.307038053275146, 10, 0.05}, // tables
		{6.634896601021214, 1, 0.01},
		{2 * math.Log(1e6), 2, 1e-6}, // dof 2: P = exp(-x/2) exactly
		{2 * math.Log(1e12), 2, 1e-12},
		{100, 100, 0.48119},
		{0, 5, 1},
	} {
		if got := chiSquareP(c.x, c.dof); math.Abs(got-c.want) > 1e-4*c.want+1e-15 {
			t.Errorf("chiSquareP(%g, %d) = %g, want %g", c.x, c.dof, got, c.want)
		}
	}
}

// chiTest is the result of one Pearson chi-square test.
type chiTest struct {
	stat    float64
	dof     int
	samples int
	p       float64
}

func (c chiTest) String() string {
	return fmt.Sprintf("chi-square %.1f, %d dof, %d samples, p = %.3g", c.stat, c.dof, c.samples, c.p)
}

// categoryTest draws samples outputs, files each under cat(output), and
// tests the counts against want, the exact probability of each category.
// An output in a category of probability zero fails the test outright.
func categoryTest(t *testing.T, want map[string]float64, samples int, draw func() string, cat func(string) string) chiTest {
	t.Helper()
	counts := map[string]int{}
	for range samples {
		p := draw()
		c := cat(p)
		if want[c] == 0 {
			t.Fatalf("output %q falls in category %q, which has probability 0", p, c)
		}
		counts[c]++
	}
	res := chiTest{dof: len(want) - 1, samples: samples}
	for _, k := range slices.Sorted(mapsKeys(want)) {
		e := want[k] * float64(samples)
		if e < 5 {
			t.Fatalf("category %q expects %.1f samples: too few for the chi-square approximation", k, e)
		}
		d := float64(counts[k]) - e
		res.stat += d * d / e
	}
	res.p = chiSquareP(res.stat, res.dof)
	return res
}

func mapsKeys(m map[string]float64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// distribution returns the probability of each category when the output is
// uniform over valid.
func distribution(valid []string, cat func(string) string) map[string]float64 {
	want := map[string]float64{}
	for _, v := range valid {
		want[cat(v)] += 1 / float64(len(valid))
	}
	return want
}
