package password

import (
	"fmt"
	"sync"
	"testing"
)

func TestCache(t *testing.T) {
	c := NewCache(1 << 20)
	r := mustRequest(t, fields{"tamanho": "12", "incluir_numeros": "true", "minimo_numeros": "3"})
	g1, err := c.Generator(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Count = 7
	if g2, _ := c.Generator(r); g2 != g1 {
		t.Error("a request that differs only in Count was prepared again")
	}
	r.Count = 0
	if _, err := c.Generator(r); err == nil || err.Error() != "quantidade deve ser um número inteiro entre 1 e 100" {
		t.Errorf("Count 0: %v", err)
	}
	if _, err := c.Generator(Request{Kind: KindPassword, Count: 1}); err == nil {
		t.Error("an invalid request was accepted")
	}

	// Many distinct requests: the cache stays within its bound, evicting
	// the least recently used.
	first := mustRequest(t, fields{"tamanho": "4"})
	c.Generator(first)
	for n := 5; n <= MaxLength; n++ {
		r := mustRequest(t, fields{"tamanho": fmt.Sprint(n), "incluir_numeros": "true", "minimo_numeros": "2"})
		if _, err := c.Generator(r); err != nil {
			t.Fatal(err)
		}
		if c.used > c.max || c.used < 0 || len(c.items) != c.order.Len() {
			t.Fatalf("used %d of %d, %d items, %d in order", c.used, c.max, len(c.items), c.order.Len())
		}
	}
	if _, ok := c.items[first]; ok {
		t.Error("the least recently used request is still cached")
	}

	// A Generator larger than a quarter of the cache is not kept.
	small := NewCache(1000)
	large := mustRequest(t, fields{"tamanho": "128", "incluir_numeros": "true", "minimo_numeros": "60"})
	if _, err := small.Generator(large); err != nil || len(small.items) != 0 {
		t.Errorf("a large generator was kept: %d items, %v", len(small.items), err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache(1 << 20)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				f := fields{"tamanho": fmt.Sprint(4 + (i+j)%10), "incluir_numeros": "true", "minimo_numeros": "2"}
				if j%2 == 1 { // exact unranking, shared tables
					f = fields{"regras": fmt.Sprintf("allowed: [abc]; required: [a]; max-consecutive: 1; maxlength: %d", 4+(i+j)%10)}
				}
				r := mustRequest(t, f)
				g, err := c.Generator(r)
				if err != nil {
					t.Error(err)
					return
				}
				if p := g.Generate(); !satisfies(r, p) {
					t.Errorf("%q does not satisfy %+v", p, r)
				}
			}
		})
	}
	wg.Wait()
}
