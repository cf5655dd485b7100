package password

import "math/big"

// class is one selected character class of a password request.
type class struct {
	set    charset
	min    int
	letter bool
}

// classEngine counts and draws passwords whose classes are disjoint and ask
// for minimums above 1, which inclusion–exclusion over single characters
// cannot express. It groups the classes into blocks (the letter classes form
// one, which must hold letterMin letters; every other class is a block of its
// own) and counts by binomial convolution; see the package documentation.
type classEngine struct {
	n       int
	chars   [][]byte     // by class
	mins    []int        // by class
	weights [][]*big.Int // weights[c][k]: strings of k characters of class c, nil below its minimum
	classOf [128]int8    // class index + 1; 0 outside the alphabet
	blocks  []block
	prefix  [][]*big.Int // prefix[b][j]: passwords of length j over blocks 0..b
	count   *big.Int
}

// block is a group of classes with a minimum for the group as a whole. In
// the tables a nil entry stands for zero.
type block struct {
	classes []int
	min     int
	inner   [][]*big.Int // inner[i][j]: strings of length j over classes[0..i] that meet their minimums
	w       []*big.Int   // w[j]: inner[last][j], nil below min
}

func newClassEngine(p problem) *classEngine {
	e := &classEngine{n: p.n}
	var letters, others []int
	for i, c := range p.classes {
		e.chars = append(e.chars, c.set.bytes())
		e.mins = append(e.mins, c.min)
		for _, b := range e.chars[i] {
			e.classOf[b] = int8(i + 1)
		}
		w := make([]*big.Int, p.n+1)
		s := big.NewInt(int64(len(e.chars[i])))
		pow := big.NewInt(1)
		for k := range w {
			if k >= c.min {
				w[k] = new(big.Int).Set(pow)
			}
			pow.Mul(pow, s)
		}
		e.weights = append(e.weights, w)
		if c.letter {
			letters = append(letters, i)
		} else {
			others = append(others, i)
		}
	}
	if len(letters) > 0 {
		e.blocks = append(e.blocks, block{classes: letters, min: p.letterMin})
	}
	for _, c := range others {
		e.blocks = append(e.blocks, block{classes: []int{c}})
	}
	for i := range e.blocks {
		b := &e.blocks[i]
		b.inner = [][]*big.Int{e.weights[b.classes[0]]}
		for _, c := range b.classes[1:] {
			b.inner = append(b.inner, convolve(e.weights[c], b.inner[len(b.inner)-1]))
		}
		b.w = append([]*big.Int(nil), b.inner[len(b.inner)-1]...)
		for j := 0; j < b.min && j < len(b.w); j++ {
			b.w[j] = nil
		}
		if i == 0 {
			e.prefix = append(e.prefix, b.w)
		} else {
			e.prefix = append(e.prefix, convolve(b.w, e.prefix[i-1]))
		}
	}
	e.count = new(big.Int)
	if c := e.prefix[len(e.prefix)-1][p.n]; c != nil {
		e.count.Set(c)
	}
	return e
}

// convolve returns out[j] = sum over k of C(j,k) * a[k] * b[j-k]: the strings
// of length j whose positions split between the a part (k of them, anywhere)
// and the b part. nil entries are zeros.
func convolve(a, b []*big.Int) []*big.Int {
	out := make([]*big.Int, len(a))
	for j := range out {
		splits(j, a, b, func(_ int, t *big.Int) bool {
			if out[j] == nil {
				out[j] = new(big.Int)
			}
			out[j].Add(out[j], t)
			return true
		})
	}
	return out
}

// splits calls f with k and C(j,k) * a[k] * b[j-k] for k = 0..j, skipping
// zeros, until f returns false. t is reused between calls.
func splits(j int, a, b []*big.Int, f func(k int, t *big.Int) bool) {
	var binom, t, u, w big.Int
	binom.SetInt64(1)
	for k := 0; k <= j; k++ {
		if k > 0 { // C(j,k) = C(j,k-1) * (j-k+1) / k
			binom.Mul(&binom, w.SetInt64(int64(j-k+1)))
			binom.Quo(&binom, w.SetInt64(int64(k)))
		}
		if a[k] == nil || b[j-k] == nil {
			continue
		}
		u.Mul(&binom, a[k])
		if !f(k, t.Mul(&u, b[j-k])) { // not t.Mul(&t, ...), which allocates
			return
		}
	}
}

// pick draws k in [0, j] with probability C(j,k) * a[k] * b[j-k] / total,
// where total is the sum of those weights.
func pick(j int, a, b []*big.Int, total *big.Int) int {
	r, picked := below(total), -1
	splits(j, a, b, func(k int, t *big.Int) bool {
		if r.Cmp(t) < 0 {
			picked = k
			return false
		}
		r.Sub(r, t)
		return true
	})
	if picked < 0 {
		panic("password: weights do not add up to their total")
	}
	return picked
}

// exact draws the number of characters of each class with probability
// proportional to the passwords that have those numbers, spreads the classes
// over the positions by a uniform shuffle and draws each character uniformly
// within its class: every password of a given class-count vector is then
// equally likely, and so is every password.
func (e *classEngine) exact(src *source, out []byte) {
	counts := make([]int, len(e.chars))
	j := e.n
	for bi := len(e.blocks) - 1; bi >= 0; bi-- {
		b := &e.blocks[bi]
		k := j
		if bi > 0 {
			k = pick(j, b.w, e.prefix[bi-1], e.prefix[bi][j])
		}
		j -= k
		for i := len(b.classes) - 1; i > 0; i-- {
			c := b.classes[i]
			counts[c] = pick(k, e.weights[c], b.inner[i-1], b.inner[i][k])
			k -= counts[c]
		}
		counts[b.classes[0]] = k
	}
	labels := out[:0]
	for c, k := range counts {
		for range k {
			labels = append(labels, byte(c))
		}
	}
	for i := len(labels) - 1; i > 0; i-- {
		k := src.intn(i + 1)
		labels[i], labels[k] = labels[k], labels[i]
	}
	for i, c := range labels {
		chars := e.chars[c]
		out[i] = chars[src.intn(len(chars))]
	}
}

// valid reports whether p meets every minimum, for rejection sampling.
func (e *classEngine) valid(p []byte) bool {
	var counts [8]int
	for _, b := range p {
		counts[e.classOf[b]-1]++
	}
	for c, m := range e.mins {
		if counts[c] < m {
			return false
		}
	}
	for _, b := range e.blocks {
		total := 0
		for _, c := range b.classes {
			total += counts[c]
		}
		if total < b.min {
			return false
		}
	}
	return true
}
