// Command loadgen sends a steady mix of requests to the app until it is told to stop
// (SIGINT/SIGTERM or -duration), then prints what it saw and exits 1 if any request
// was lost. A request is lost when it fails (transport error or a 5xx answer) on every
// one of its 1+retries attempts. scripts/k8s/test.sh runs it while it upgrades the
// release or deletes pods, against the Service's cluster IP. With -flood every client
// drops its cookies and only generates (each request starts a new session, as a script
// that ignores cookies does), and any answer but 200 is lost: the Redis flood check.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// result is one request's outcome after its retries.
type result struct {
	latency time.Duration
	retried bool  // the first attempt failed
	err     error // the last attempt's error: the request is lost
}

func run() error {
	base := flag.String("url", "", "base URL of the app, e.g. http://10.96.0.20:5000")
	workers := flag.Int("c", 4, "concurrent clients (each keeps its connections and session)")
	retries := flag.Int("retries", 0, "retries allowed per request before it counts as lost")
	duration := flag.Duration("duration", 10*time.Minute, "stop after this long at the latest")
	rate := flag.Int("rate", 200, "requests per second, all clients together (0: as fast as possible)")
	flood := flag.Bool("flood", false, "cookie-less POST /api/gerar-senha only; any answer but 200 is lost")
	flag.Parse()
	if *base == "" {
		return errors.New("-url is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()

	var tick <-chan time.Time
	if *rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(*rate))
		defer t.Stop()
		tick = t.C
	}
	results := make(chan result, 1024)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client(ctx, w, *base, *retries, *flood, tick, results)
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var lats []time.Duration
	var lost, retried int
	var samples []string
	for r := range results {
		lats = append(lats, r.latency)
		if r.retried {
			retried++
		}
		if r.err != nil {
			lost++
			if len(samples) < 10 {
				samples = append(samples, r.err.Error())
			}
		}
	}
	elapsed := time.Since(start)
	slices.Sort(lats)
	pct := func(p float64) time.Duration {
		if len(lats) == 0 {
			return 0
		}
		return lats[int(p*float64(len(lats)-1))]
	}
	fmt.Printf("requests=%d lost=%d retried=%d duration=%s rps=%.0f p50=%s p99=%s max=%s\n",
		len(lats), lost, retried, elapsed.Round(time.Millisecond), float64(len(lats))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	for _, s := range samples {
		fmt.Println("  lost:", s)
	}
	if len(lats) == 0 {
		return errors.New("no request was sent")
	}
	if lost > 0 {
		return fmt.Errorf("%d of %d requests lost", lost, len(lats))
	}
	return nil
}

// client cycles through the page, a password and the history, as a browser would,
// with its own cookie jar (one session) and keep-alive connections; with flood, it
// only generates, without a jar.
func client(ctx context.Context, id int, base string, retries int, flood bool, tick <-chan time.Time, out chan<- result) {
	c := &http.Client{Timeout: 5 * time.Second}
	steps := []struct{ method, path, body string }{
		{"POST", "/api/gerar-senha", "{}"},
	}
	if !flood {
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
		err := do(c, s.method, base+s.path, s.body, flood)
		r := result{err: err}
		for attempt := 0; r.err != nil && attempt < retries; attempt++ {
			r.retried = true
			r.err = do(c, s.method, base+s.path, s.body, flood)
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
