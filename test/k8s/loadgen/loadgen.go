// Package loadgen sends a steady mix of requests to the app until its context ends, then
// reports what it saw. A request is lost when it fails (transport error or a 5xx answer)
// on every one of its 1+Retries attempts. The Kubernetes tests (test/k8s) run it while
// they upgrade the release or delete pods, against the Service's cluster IP. With Flood
// every client drops its cookies and only generates (each request starts a new session,
// as a script that ignores cookies does), and any answer but 200 is lost: the Redis
// flood check. cmd/loadgen runs it from a shell.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config says where to send requests and how.
type Config struct {
	URL     string // base URL of the app, e.g. http://10.96.0.20:5000
	Clients int    // concurrent clients (each keeps its connections and session)
	Retries int    // retries allowed per request before it counts as lost
	Rate    int    // requests per second, all clients together (0: as fast as possible)
	Flood   bool   // cookie-less POST /api/gerar-senha only; any answer but 200 is lost
}

// Report is what a run saw.
type Report struct {
	Requests, Lost, Retried int
	Duration                time.Duration
	P50, P99, Max           time.Duration
	Samples                 []string // the errors of the first lost requests, at most 10
}

// String is the one-line summary the tests keep as a figure.
func (r Report) String() string {
	return fmt.Sprintf("requests=%d lost=%d retried=%d duration=%s rps=%.0f p50=%s p99=%s max=%s",
		r.Requests, r.Lost, r.Retried, r.Duration.Round(time.Millisecond), float64(r.Requests)/r.Duration.Seconds(),
		r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
}

// Err says why the run failed: no request sent, or some lost.
func (r Report) Err() error {
	if r.Requests == 0 {
		return errors.New("no request was sent")
	}
	if r.Lost > 0 {
		return fmt.Errorf("%d of %d requests lost, the first: %s", r.Lost, r.Requests, r.Samples[0])
	}
	return nil
}

// result is one request's outcome after its retries.
type result struct {
	latency time.Duration
	retried bool  // the first attempt failed
	err     error // the last attempt's error: the request is lost
}

// Run sends requests until ctx ends.
func Run(ctx context.Context, cfg Config) Report {
	var tick <-chan time.Time
	if cfg.Rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(cfg.Rate))
		defer t.Stop()
		tick = t.C
	}
	results := make(chan result, 1024)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.Clients {
		wg.Go(func() { client(ctx, w, cfg, tick, results) })
	}
	go func() { wg.Wait(); close(results) }()

	var lats []time.Duration
	var r Report
	for res := range results {
		lats = append(lats, res.latency)
		if res.retried {
			r.Retried++
		}
		if res.err != nil {
			r.Lost++
			if len(r.Samples) < 10 {
				r.Samples = append(r.Samples, res.err.Error())
			}
		}
	}
	r.Duration = time.Since(start)
	r.Requests = len(lats)
	slices.Sort(lats)
	pct := func(p float64) time.Duration {
		if len(lats) == 0 {
			return 0
		}
		return lats[int(p*float64(len(lats)-1))]
	}
	r.P50, r.P99, r.Max = pct(0.50), pct(0.99), pct(1)
	return r
}

// client cycles through the page, a password and the history, as a browser would,
// with its own cookie jar (one session) and keep-alive connections; with Flood, it
// only generates, without a jar.
func client(ctx context.Context, id int, cfg Config, tick <-chan time.Time, out chan<- result) {
	c := &http.Client{Timeout: 5 * time.Second}
	steps := []struct{ method, path, body string }{
		{"POST", "/api/gerar-senha", "{}"},
	}
	if !cfg.Flood {
		c.Jar, _ = cookiejar.New(nil)
		steps = []struct{ method, path, body string }{
			{"GET", "/", ""},
			{"POST", "/api/gerar-senha", "{}"},
			{"GET", "/api/senhas", ""},
		}
	}
	for i := id; ; i++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		} else if ctx.Err() != nil {
			return
		}
		s := steps[i%len(steps)]
		t0 := time.Now()
		err := do(c, s.method, cfg.URL+s.path, s.body, cfg.Flood)
		r := result{err: err}
		for attempt := 0; r.err != nil && attempt < cfg.Retries; attempt++ {
			r.retried = true
			r.err = do(c, s.method, cfg.URL+s.path, s.body, cfg.Flood)
		}
		if r.retried && r.err != nil {
			r.err = fmt.Errorf("%w (first attempt: %v)", r.err, err)
		}
		r.latency = time.Since(t0)
		out <- r
	}
}

// do sends one request and reads the whole answer; a transport error or a 5xx (with
// only200, any answer but 200) is a failure.
func do(c *http.Client, method, url, body string, only200 bool) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	}
	if resp.StatusCode >= 500 || (only200 && resp.StatusCode != http.StatusOK) {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return nil
}
