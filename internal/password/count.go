package password

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// requirement asks for at least min characters from set.
type requirement struct {
	set charset
	min int
}

// problem is a password request reduced to what counting and sampling need:
// the passwords of length n over alphabet that meet every requirement and hold
// no run of one character longer than maxRun (0: no limit).
type problem struct {
	n        int
	alphabet charset
	reqs     []requirement
	maxRun   int
	// classes are the selected classes of a password request, disjoint, in
	// the order lower, upper, digits, special; with letterMin, the fewest
	// letters of either case. Only minimums above 1 need them (classEngine).
	classes   []class
	letterMin int
}

// Limits of the inclusion–exclusion engine. Only regras can come near them:
// a password request has at most four requirements.
const (
	// maxRequired is the most requirements left after reduction (2^8 terms).
	maxRequired = 8
	// maxWork bounds (atoms+1) * 2^requirements * length, the big-integer
	// operations of one exact draw, so that no request costs more than
	// tens of milliseconds.
	maxWork = 1 << 20
)

var (
	errTooManyRequired = errors.New("regras: no máximo 8 linhas required diferentes")
	errTooComplex      = errors.New("regras: classes sobrepostas demais para gerar com exatidão; simplifique as linhas required")
)

// ieEngine counts and draws passwords whose requirements all ask for one
// character (every minimum 0 or 1), by inclusion–exclusion over the
// requirements. See the package documentation for the method.
type ieEngine struct {
	n, k     int       // length; longest run allowed (n when unlimited)
	alphabet charset   // every character a password may hold
	reqs     []charset // requirement sets after reduction
	full     uint32    // one bit per requirement
	mask     [128]uint8
	sizes    [1 << maxRequired]uint8 // sizes[T]: characters outside the union of the requirements in T
	count    *big.Int

	// Exact sampling tables, built by prepareExact: the atoms, the
	// inclusion–exclusion sum over the subsets of each set U of unmet
	// requirements, by alphabet size, and pv[s][j] = v_s(0) + ... + v_s(j)
	// (also filled by counting with a run limit).
	atoms []atom
	terms [][]ieTerm
	pv    [][]big.Int
}

// atom is a set of characters that belong to the same requirements.
type atom struct {
	chars []byte
	set   charset
	mask  uint32
}

// ieTerm is coef copies of the count over an alphabet of size characters.
type ieTerm struct {
	size int
	coef int64
}

// reduce keeps the requirements that say something: it drops those met by any
// character of the alphabet and those implied by a smaller one (any character
// of a subset meets the superset too), duplicates included.
func reduce(reqs []requirement, alphabet charset) []charset {
	sets := make([]charset, 0, len(reqs))
	for _, r := range reqs {
		if r.min == 0 {
			continue
		}
		s := r.set.and(alphabet)
		if alphabet.within(s) {
			continue
		}
		sets = append(sets, s)
	}
	slices.SortStableFunc(sets, func(a, b charset) int { return a.size() - b.size() })
	kept := sets[:0]
	for _, s := range sets {
		if !slices.ContainsFunc(kept, func(k charset) bool { return k.within(s) }) {
			kept = append(kept, s)
		}
	}
	return kept
}

func newIEEngine(p problem) (*ieEngine, error) {
	e := &ieEngine{n: p.n, k: p.maxRun, alphabet: p.alphabet}
	if e.k <= 0 || e.k > p.n {
		e.k = p.n
	}
	e.reqs = reduce(p.reqs, p.alphabet)
	r := len(e.reqs)
	if r > maxRequired {
		return nil, errTooManyRequired
	}
	e.full = 1<<r - 1
	for i, s := range e.reqs {
		for w := range 2 {
			for x := s[w]; x != 0; x &= x - 1 {
				e.mask[w*64+bits.TrailingZeros64(x)] |= 1 << i
			}
		}
	}
	if r > 0 {
		var seen [1 << maxRequired]bool
		atoms := 0
		for w := range 2 {
			for x := p.alphabet[w]; x != 0; x &= x - 1 {
				if m := e.mask[w*64+bits.TrailingZeros64(x)]; !seen[m] {
					seen[m], atoms = true, atoms+1
				}
			}
		}
		if (atoms+1)<<r*p.n > maxWork {
			return nil, errTooComplex
		}
	}

	// Inclusion–exclusion: count = sum over subsets T of the requirements of
	// (-1)^|T| h(s_T), s_T the characters left once those of T are removed.
	var small [16]charset // requests without regras have at most 4 requirements
	unions := small[:]
	if r > 4 {
		unions = make([]charset, 1<<r)
	}
	var coef [96]int64
	for t := range 1 << r {
		if t > 0 {
			unions[t] = unions[t&(t-1)].or(e.reqs[bits.TrailingZeros(uint(t))])
		}
		e.sizes[t] = uint8(p.alphabet.minus(unions[t]).size())
		coef[e.sizes[t]] += sign(t)
	}
	e.count = new(big.Int)
	var h, w big.Int
	for s, c := range coef {
		switch {
		case c == 0:
			continue
		case c == 1 && e.count.Sign() == 0:
			e.h(e.count, s)
			continue
		}
		e.h(&h, s)
		switch c {
		case 1:
			e.count.Add(e.count, &h)
		case -1:
			e.count.Sub(e.count, &h)
		default:
			e.count.Add(e.count, h.Mul(&h, w.SetInt64(c)))
		}
	}
	return e, nil
}

// pow sets z to s^n for 0 <= s <= 255, multiplying by word-sized chunks
// s^k in place: one allocation, where big.Int.Exp makes several.
func pow(z *big.Int, s, n int) *big.Int {
	if s <= 1 || n == 0 {
		return z.SetInt64(int64(min(s, 1)) | int64(b2i(n == 0)))
	}
	chunk, k := uint64(1), 0
	for chunk <= math.MaxUint64/uint64(s) {
		chunk, k = chunk*uint64(s), k+1
	}
	buf := z.Bits()[:0]
	if need := n*bits.Len(uint(s))/bits.UintSize + 2; cap(buf) < need {
		buf = make([]big.Word, 0, need)
	}
	z.SetBits(buf).SetInt64(1)
	var w big.Int
	for ; n >= k; n -= k {
		z.Mul(z, w.SetUint64(chunk))
	}
	rest := uint64(1)
	for range n {
		rest *= uint64(s)
	}
	return z.Mul(z, w.SetUint64(rest))
}

// sign is (-1)^|t|.
func sign(t int) int64 {
	if bits.OnesCount(uint(t))%2 == 0 {
		return 1
	}
	return -1
}

// h sets dst to the number of strings of length n over s characters with no
// run longer than k: s^n without a limit on runs.
func (e *ieEngine) h(dst *big.Int, s int) {
	if e.k >= e.n {
		pow(dst, s, e.n)
		return
	}
	pv := e.pvFor(s)
	// The first run is one of s characters, of length l in 1..k; what follows
	// starts with another character: h = s * (v(n-1) + ... + v(n-k)).
	dst.Set(&pv[e.n-1])
	if j := e.n - 1 - e.k; j >= 0 {
		dst.Sub(dst, &pv[j])
	}
	dst.Mul(dst, big.NewInt(int64(s)))
}

// prefixV returns pv[j] = v(0) + ... + v(j) for j < n, where v(j) counts the
// strings of length j over s characters, runs at most k long, whose first
// character differs from a given one of the s: v(0) = 1 and
// v(j) = (s-1) * (v(j-1) + ... + v(j-k)).
func (e *ieEngine) prefixV(s int) []big.Int {
	pv := make([]big.Int, e.n)
	pv[0].SetInt64(1)
	sm1 := big.NewInt(int64(max(s-1, 0)))
	var v big.Int
	for j := 1; j < e.n; j++ {
		v.Set(&pv[j-1])
		if i := j - 1 - e.k; i >= 0 {
			v.Sub(&v, &pv[i])
		}
		v.Mul(&v, sm1)
		pv[j].Add(&pv[j-1], &v)
	}
	return pv
}

// pvFor returns prefixV(s), computed once.
func (e *ieEngine) pvFor(s int) []big.Int {
	if e.pv == nil {
		e.pv = make([][]big.Int, e.alphabet.size()+1)
	}
	if e.pv[s] == nil {
		e.pv[s] = e.prefixV(s)
	}
	return e.pv[s]
}

// prepareExact builds the tables that unrank needs.
func (e *ieEngine) prepareExact() {
	var bySet [1 << maxRequired]charset
	for _, b := range e.alphabet.bytes() {
		bySet[e.mask[b]].add(b)
	}
	for m, set := range bySet {
		if !set.isEmpty() {
			e.atoms = append(e.atoms, atom{chars: set.bytes(), set: set, mask: uint32(m)})
		}
	}
	r := len(e.reqs)
	e.terms = make([][]ieTerm, 1<<r)
	var coef [96]int64
	for u := range 1 << r {
		clear(coef[:])
		for t := u; ; t = (t - 1) & u {
			coef[e.sizes[t]] += sign(t)
			if t == 0 {
				break
			}
		}
		for s, c := range coef {
			if c == 0 {
				continue
			}
			e.terms[u] = append(e.terms[u], ieTerm{size: s, coef: c})
			e.pvFor(s)
		}
	}
}

// completions sets dst to the number of ways to fill m more positions after a
// character c that extends its run by up to l more copies, when the
// requirements in u are still unmet. No requirement in u holds c (else it
// would be met), so c stays in every alphabet of the sum, and the count of
// each term is v(m) + ... + v(m-min(l,m)).
func (e *ieEngine) completions(dst *big.Int, u uint32, l, m int) {
	dst.SetInt64(0)
	lo := m - min(l, m) - 1
	var d big.Int
	for _, t := range e.terms[u] {
		pv := e.pv[t.size]
		d.Set(&pv[m])
		if lo >= 0 {
			d.Sub(&d, &pv[lo])
		}
		switch t.coef {
		case 1:
			dst.Add(dst, &d)
		case -1:
			dst.Sub(dst, &d)
		default:
			dst.Add(dst, d.Mul(&d, big.NewInt(t.coef)))
		}
	}
}

// unrank writes the password of rank rank (0 <= rank < count) in a fixed
// order: position by position, first "repeat the last character", then the
// atoms in order and their characters in order. Each choice takes a block of
// ranks as large as the number of passwords that begin with it, so a uniform
// rank gives a uniform password. rank is consumed.
func (e *ieEngine) unrank(rank *big.Int, out []byte) {
	u, run := e.full, 0
	var last byte
	var c, block big.Int
	for p := range out {
		m := len(out) - p - 1
		if p > 0 && run < e.k {
			e.completions(&c, u, e.k-run-1, m)
			if rank.Cmp(&c) < 0 {
				out[p], run = last, run+1
				continue
			}
			rank.Sub(rank, &c)
		}
		chosen := false
		for _, a := range e.atoms {
			n := len(a.chars)
			skip := p > 0 && a.set.has(last)
			if skip {
				n--
			}
			if n == 0 {
				continue
			}
			e.completions(&c, u&^a.mask, e.k-1, m)
			if c.Sign() == 0 {
				continue
			}
			block.Mul(&c, big.NewInt(int64(n)))
			if rank.Cmp(&block) >= 0 {
				rank.Sub(rank, &block)
				continue
			}
			var idx big.Int
			idx.QuoRem(rank, &c, rank)
			i := int(idx.Int64())
			for _, ch := range a.chars {
				if skip && ch == last {
					continue
				}
				if i == 0 {
					out[p] = ch
					break
				}
				i--
			}
			last, run, u, chosen = out[p], 1, u&^a.mask, true
			break
		}
		if !chosen {
			panic("password: rank out of range")
		}
	}
}

func (e *ieEngine) exact(_ *source, out []byte) { e.unrank(below(e.count), out) }

// valid reports whether p meets every requirement and run limit, for
// rejection sampling from the alphabet.
func (e *ieEngine) valid(p []byte) bool {
	var met uint8
	run := 0
	for i, b := range p {
		met |= e.mask[b]
		if i > 0 && b == p[i-1] {
			if run++; run > e.k {
				return false
			}
		} else {
			run = 1
		}
	}
	return uint32(met) == e.full
}

// constrained reports whether some password over the alphabet is not valid.
func (e *ieEngine) constrained() bool { return e.full != 0 || e.k < e.n }
