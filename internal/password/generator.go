package password

import (
	"errors"
	"fmt"
	"math"
	"math/big"
)

// Generator makes passwords or passphrases for one request. It holds no
// mutable state, so it is safe for concurrent use and may be kept (see Cache).
type Generator struct {
	count   *big.Int // distinct outputs
	entropy float64
	chars   *charGen
	phrase  *phraseGen
	bytes   int // estimated memory, for Cache
}

// Generator checks r and prepares what drawing needs: the exact count of the
// outputs r allows and, where rejection sampling would be slow, the tables of
// exact sampling. Its error is a Portuguese message, as ParseRequest's.
func (r Request) Generator() (*Generator, error) { return r.generator(auto) }

// Generate returns a new password or passphrase; every output that satisfies
// the request is equally likely.
func (g *Generator) Generate() string {
	if g.phrase != nil {
		return g.phrase.generate()
	}
	return g.chars.generate()
}

// Entropy returns the strength of the request, in bits: the exact base-2
// logarithm of the number of distinct outputs Generate can return.
func (g *Generator) Entropy() float64 { return g.entropy }

// mode chooses how a password is drawn; tests force each.
type mode int

const (
	auto mode = iota
	forceRejection
	forceExact
	countOnly // validation: the count, no sampling tables
)

// acceptanceFactor: rejection sampling is used when at least one draw in
// acceptanceFactor is valid. A draw costs about a byte of randomness and a
// few nanoseconds per character; an exact draw costs as much as 20 to 30 draws
// of a short password (benchmarked), so at most 16 are expected.
const acceptanceFactor = 16

// engine is what a counting method provides for drawing.
type engine interface {
	valid(p []byte) bool           // for rejection sampling
	exact(src *source, out []byte) // an exact uniform draw
	tableBytes() int               // estimated memory of its tables
}

// charGen draws passwords of n characters over alphabet.
type charGen struct {
	n        int
	alphabet []byte
	eng      engine
	reject   bool // draw from alphabet^n until a draw is valid
	check    bool // some draws are not valid
}

func (g *charGen) generate() string {
	var src source
	out := make([]byte, g.n)
	if !g.reject {
		g.eng.exact(&src, out)
		return string(out)
	}
	for {
		for i := range out {
			out[i] = g.alphabet[src.intn(len(g.alphabet))]
		}
		if !g.check || g.eng.valid(out) {
			return string(out)
		}
	}
}

func (r Request) generator(m mode) (*Generator, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if r.Kind == KindPassphrase {
		return newPhraseGenerator(r), nil
	}
	return r.charGenerator(m)
}

func (r Request) charGenerator(m mode) (*Generator, error) {
	var p problem
	if r.Rules != "" {
		if len(r.Rules) > maxRules {
			return nil, fmt.Errorf("%s deve ter no máximo %d caracteres", fieldRules, maxRules)
		}
		rs, err := parseRules(r.Rules)
		if err != nil {
			return nil, err
		}
		if p, err = rs.problem(); err != nil {
			return nil, err
		}
	} else {
		var err error
		if p, err = r.passwordProblem(); err != nil {
			return nil, err
		}
	}
	return newCharGenerator(p, m)
}

// errOneOutput refuses options that can make only one password (0 bits).
var errOneOutput = errors.New("estas opções só podem gerar uma senha (0 bits de entropia): permita mais caracteres ou um tamanho diferente")

func newCharGenerator(p problem, m mode) (*Generator, error) {
	var (
		eng   engine
		count *big.Int
		check = true
	)
	if needsClasses(p) {
		e := newClassEngine(p)
		eng, count = e, e.count
	} else {
		e, err := newIEEngine(p)
		if err != nil {
			return nil, err
		}
		eng, count, check = e, e.count, e.constrained()
	}
	if count.Sign() == 0 {
		// Validation leaves only regras here: a password request always has room.
		return nil, fmt.Errorf("regras: nenhuma senha de %d caracteres atende a estas regras", p.n)
	}
	if count.Cmp(big.NewInt(1)) == 0 {
		// Not a secret: whoever knows the options knows the password.
		return nil, errOneOutput
	}
	g := &charGen{n: p.n, alphabet: p.alphabet.bytes(), eng: eng, check: check}
	switch m {
	case auto:
		g.reject = !check || acceptable(count, len(g.alphabet), p.n)
	case forceRejection:
		g.reject = true
	}
	if e, ok := eng.(*ieEngine); ok && !g.reject && m != countOnly {
		e.prepareExact()
	}
	return &Generator{count: count, entropy: log2(count), chars: g, bytes: 256 + eng.tableBytes()}, nil
}

// needsClasses reports whether a minimum above 1 calls for the class engine.
func needsClasses(p problem) bool {
	for _, r := range p.reqs {
		if r.min > 1 {
			return true
		}
	}
	return false
}

// acceptable reports whether a uniform draw from the alphabet^n is valid with
// probability at least 1/acceptanceFactor.
func acceptable(count *big.Int, alphabet, n int) bool {
	var all, c big.Int
	return c.Mul(count, big.NewInt(acceptanceFactor)).Cmp(pow(&all, alphabet, n)) >= 0
}

// log2 returns the base-2 logarithm of x > 0, from its 64 leading bits.
func log2(x *big.Int) float64 {
	n := x.BitLen()
	if n <= 64 {
		return math.Log2(float64(x.Uint64()))
	}
	top := new(big.Int).Rsh(x, uint(n-64)).Uint64()
	return math.Log2(float64(top)) + float64(n-64)
}

// bigBytes estimates the memory of n big integers no larger than x.
func bigBytes(n int, x *big.Int) int { return n * (32 + 8*len(x.Bits())) }

func (e *ieEngine) tableBytes() int {
	entries := 0
	for _, pv := range e.pv {
		entries += len(pv)
	}
	terms := 0
	for _, t := range e.terms {
		terms += len(t)
	}
	return bigBytes(entries, e.count) + 16*terms + 8*len(e.sizes) + 512
}

func (e *classEngine) tableBytes() int {
	entries := len(e.weights) * (e.n + 1)
	for _, b := range e.blocks {
		entries += (len(b.inner) + 2) * (e.n + 1)
	}
	return bigBytes(entries, e.count) + 512
}
