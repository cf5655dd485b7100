package password

import (
	"math/big"
	"strings"
	"sync"

	"github.com/sethvargo/go-diceware/diceware"
)

// effWords returns the EFF large word list (7,776 words, lowercase ASCII) in
// dice order, from github.com/sethvargo/go-diceware. It is built once and
// never written to afterwards: a constant that is too large to spell out.
var effWords = sync.OnceValue(func() []string {
	list := diceware.WordListEffLarge()
	words := make([]string, 0, 7776)
	for i := range 7776 {
		key := 0
		for d := 4; d >= 0; d-- { // the five dice of index i, most significant first
			key = key*10 + (i/pow6[d])%6 + 1
		}
		words = append(words, list.WordAt(key))
	}
	return words
})

var pow6 = [5]int{1, 6, 36, 216, 1296}

// phraseGen draws passphrases: n words, each uniform over the list and
// independent (a word may repeat), joined by sep; with digit, one random
// digit is appended to one random word, as Bitwarden does.
type phraseGen struct {
	words      []string
	n          int
	sep        string
	capitalize bool
	digit      bool
}

func newPhraseGenerator(r Request) *Generator {
	g := &phraseGen{words: effWords(), n: r.Words, sep: r.Separator, capitalize: r.Capitalize, digit: r.Digits}
	// Distinct outputs: len(words)^n, times n positions * 10 digits. The
	// package documentation shows why no two choices give the same string.
	count := new(big.Int).Exp(big.NewInt(int64(len(g.words))), big.NewInt(int64(g.n)), nil)
	if g.digit {
		count.Mul(count, big.NewInt(int64(10*g.n)))
	}
	return &Generator{count: count, entropy: log2(count), phrase: g, bytes: 256}
}

func (g *phraseGen) generate() string {
	var src source
	digitAt, digit := -1, byte(0)
	if g.digit {
		digitAt, digit = src.intn(g.n), '0'+byte(src.intn(10))
	}
	var b strings.Builder
	b.Grow(g.n * (10 + len(g.sep)))
	for i := range g.n {
		if i > 0 {
			b.WriteString(g.sep)
		}
		w := g.words[src.intn16(len(g.words))]
		if g.capitalize {
			b.WriteByte(w[0] - 'a' + 'A')
			w = w[1:]
		}
		b.WriteString(w)
		if i == digitAt {
			b.WriteByte(digit)
		}
	}
	return b.String()
}
