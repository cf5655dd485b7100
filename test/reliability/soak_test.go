//go:build reliability

package reliability

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

// soakRequests is the soak's length: enough requests that a leak of one
// goroutine or a few hundred bytes per request shows clearly.
const soakRequests = 200_000

// sample is the app's own view of itself at one moment of the soak.
type sample struct {
	done       int64 // requests finished when it was taken
	goroutines float64
	heap       float64 // go_memstats_heap_inuse_bytes
}

// TestSoak sends 200,000 mixed requests (1 generate : 2 list reads : 1 page,
// each client in its own session, Redis behind) and requires every answer to
// be a correct 200, and the goroutines and heap of the last quarter to be no
// larger than those of the first.
func TestSoak(t *testing.T) {
	redis := startRedis(t, false)
	app := startApp(t, redis.Addr)

	mix := []op{opGenerate, opList, opList, opPage}
	var done atomic.Int64 // requests begun; the sampler reads it

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	samples := make(chan []sample, 1)
	go func() { // the app's metrics, every 100 ms
		var ss []sample
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				samples <- ss
				return
			case <-tick.C:
			}
			n := done.Load()
			m, err := apprun.Metrics(ctx, app.URL+"/metrics")
			if err != nil {
				continue
			}
			ss = append(ss, sample{n, m["go_goroutines"], m["go_memstats_heap_inuse_bytes"]})
		}
	}()

	start := time.Now()
	all := load(app.URL, 16, mix, func() bool { return done.Add(1) <= soakRequests })
	elapsed := time.Since(start)
	cancel()
	ss := <-samples

	counts := map[op]int{}
	var errs []result
	for _, r := range all {
		counts[r.op]++
		if r.err != nil || r.status != 200 {
			errs = append(errs, r)
		}
	}
	t.Logf("%d requests (%d generate, %d list, %d page) in %s: %.0f req/s, %d errors, %d metric samples",
		len(all), counts[opGenerate], counts[opList], counts[opPage], elapsed.Round(time.Millisecond),
		float64(len(all))/elapsed.Seconds(), len(errs), len(ss))
	if len(all) < soakRequests {
		t.Fatalf("only %d requests sent", len(all))
	}
	for i, r := range errs {
		if i == 5 {
			t.Errorf("... and %d more", len(errs)-5)
			break
		}
		t.Errorf("%s: status %d err %v erro %q after %s", r.op, r.status, r.err, r.erro, ms(r.dur()))
	}
	if app.Exited() {
		t.Fatalf("the app exited during the soak:\n%s", app.Output())
	}

	first, last := quarter(ss, 0), quarter(ss, 3)
	if len(first) < 3 || len(last) < 3 {
		t.Fatalf("too few metric samples (%d in the first quarter, %d in the last) to judge growth", len(first), len(last))
	}
	g1, g4 := median(first, func(s sample) float64 { return s.goroutines }), median(last, func(s sample) float64 { return s.goroutines })
	h1, h4 := median(first, func(s sample) float64 { return s.heap }), median(last, func(s sample) float64 { return s.heap })
	t.Logf("goroutines: median %.0f in the first quarter, %.0f in the last", g1, g4)
	t.Logf("heap in use: median %.1f MiB in the first quarter, %.1f MiB in the last", h1/(1<<20), h4/(1<<20))
	// The clients hold a fixed number of connections (16), so the goroutines
	// are flat; a few come and go with connections and scrapes. A leak of one
	// per request would add thousands.
	if g4 > g1+16 {
		t.Errorf("goroutines grew from %.0f to %.0f between the first and last quarter: a leak", g1, g4)
	}
	// The heap breathes with the garbage collector: allow a quarter and 1 MiB.
	if h4 > h1*1.25+(1<<20) {
		t.Errorf("heap in use grew from %.1f MiB to %.1f MiB between the first and last quarter: a leak", h1/(1<<20), h4/(1<<20))
	}
}

// quarter returns the samples taken during quarter q (0 to 3) of the requests.
func quarter(ss []sample, q int) []sample {
	lo, hi := int64(q)*soakRequests/4, int64(q+1)*soakRequests/4
	var out []sample
	for _, s := range ss {
		if s.done >= lo && s.done < hi {
			out = append(out, s)
		}
	}
	return out
}

func median(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
