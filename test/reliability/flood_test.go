//go:build reliability

package reliability

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

// floodRequests is how many POST /api/gerar-senha a flood sends, half without
// a cookie and half with a well-formed cookie it made up: each starts a new
// session, so each would be a new list kept 10 minutes.
const floodRequests = 200_000

// floodMaxMemory is the Redis bound of the flood test: small, so that the
// flood passes it many times over.
const floodMaxMemory = 16 << 20

// projectRedisArgs returns the options of the project's Redis (the local
// image's CMD, which make up and compose run too), with the data directory
// and maxmemory left to the test.
func projectRedisArgs(t *testing.T) []string {
	t.Helper()
	df, err := os.ReadFile(filepath.Join(apprun.ModuleRoot(t), "deploy/docker/redis/Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindSubmatch(df)
	var args []string
	if m == nil || json.Unmarshal(m[1], &args) != nil || !slices.Contains(args, "volatile-ttl") {
		t.Fatalf("no CMD with the maxmemory policy in deploy/docker/redis/Dockerfile")
	}
	var out []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--dir", "--maxmemory", "--protected-mode":
			i++ // the test's own
		default:
			out = append(out, args[i])
		}
	}
	// Redis's own fsync default (redistest asks for always, too slow for a flood).
	return append(out, "--appendfsync", "everysec", "--maxmemory", strconv.Itoa(floodMaxMemory))
}

// A flood of cookie-less and made-up-cookie calls against Redis with the project's settings and a
// 16 MB maxmemory: Redis stays at or under maxmemory and never exits, every
// call answers 200, and a browser session confirmed before the flood, and the
// global list, keep their whole histories.
func TestFloodRedis(t *testing.T) {
	srv := redistest.StartWith(t, true, projectRedisArgs(t)...)
	rc := redis.NewClient(history.RedisOptions(srv.Addr, "", 0))
	defer rc.Close()
	app := startApp(t, srv.Addr)
	global := startApp(t, srv.Addr, "HISTORY_SCOPE=global", "HISTORY_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")

	browser, made := confirmedSession(t, app.URL)
	globalClient := newClient(5 * time.Second)
	var globalMade []string
	for range 10 {
		globalMade = append(globalMade, generate(t, globalClient, global.URL))
	}
	slices.Reverse(globalMade)

	// Redis holds used_memory less mem_not_counted_for_evict (its AOF and
	// replication buffers) under maxmemory; both peaks are reported.
	var peak, rawPeak, maxmemory atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			info, err := rc.Info(context.Background(), "memory").Result()
			if err == nil {
				used, limit := infoField(info, "used_memory"), infoField(info, "maxmemory")
				maxmemory.Store(limit)
				rawPeak.Store(max(rawPeak.Load(), used))
				peak.Store(max(peak.Load(), used-infoField(info, "mem_not_counted_for_evict")))
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	f := flood(t, app.URL)
	close(stop)
	<-sampled

	stats, _ := rc.Info(t.Context(), "stats").Result()
	evicted := infoField(stats, "evicted_keys")
	t.Logf("%d requests in %v (%.0f/s), %d not 200; Redis maxmemory %d, peak used_memory %d counted for eviction, %d in all (with AOF buffers); %d keys evicted",
		f.n, f.took.Round(time.Millisecond), float64(f.n)/f.took.Seconds(), f.bad, maxmemory.Load(), peak.Load(), rawPeak.Load(), evicted)
	if f.bad != 0 {
		t.Errorf("%d of %d flood requests did not answer 200 (first: %s)", f.bad, f.n, f.firstBad)
	}
	// Redis evicts before each command until it is under maxmemory, so a reading
	// between two commands may pass it by what the last command added: at most
	// one write (one sealed entry and its key, under writeSlack bytes).
	const writeSlack = 1 << 10
	if maxmemory.Load() != floodMaxMemory || peak.Load() > maxmemory.Load()+writeSlack {
		t.Errorf("used_memory peaked at %d, maxmemory %d (want %d) plus one write", peak.Load(), maxmemory.Load(), floodMaxMemory)
	}
	if evicted == 0 {
		t.Errorf("no key was evicted: the flood never reached maxmemory")
	}
	if err := rc.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis after the flood: %v", err)
	}
	if got := list(t, browser, app.URL); !slices.Equal(got, made) {
		t.Errorf("the confirmed session reads %q after the flood, want %q", got, made)
	}
	if got := list(t, globalClient, global.URL); !slices.Equal(got, globalMade) {
		t.Errorf("the global list reads %q after the flood, want %q", got, globalMade)
	}
}

// The same flood against the in-memory history: the process's memory stays
// bounded (HISTORY_MAX_SESSIONS, 10,000 by default), every call answers 200,
// and the confirmed session keeps its history.
func TestFloodMemory(t *testing.T) {
	app := startApp(t, "")
	browser, made := confirmedSession(t, app.URL)
	f := flood(t, app.URL)
	_, peak, err := apprun.RSS(app.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests in %v (%.0f/s), %d not 200; peak RSS %.1f MiB",
		f.n, f.took.Round(time.Millisecond), float64(f.n)/f.took.Seconds(), f.bad, float64(peak)/(1<<20))
	if f.bad != 0 {
		t.Errorf("%d of %d flood requests did not answer 200 (first: %s)", f.bad, f.n, f.firstBad)
	}
	// 10,000 sessions of one sealed entry are a few MiB; 200,000 kept would be far more.
	if peak > 64<<20 {
		t.Errorf("peak RSS %.1f MiB: the in-memory history is not bounded", float64(peak)/(1<<20))
	}
	if got := list(t, browser, app.URL); !slices.Equal(got, made) {
		t.Errorf("the confirmed session reads %q after the flood, want %q", got, made)
	}
}

// confirmedSession is a browser that used the form (a session that lives
// SESSION_TTL) and generated ten passwords; it returns them newest first.
func confirmedSession(t *testing.T, base string) (*http.Client, []string) {
	t.Helper()
	c := newClient(5 * time.Second)
	resp, err := c.PostForm(base+"/", map[string][]string{"tamanho": {"16"}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %v %v", resp, err)
	}
	resp.Body.Close()
	for range 9 {
		generate(t, c, base)
	}
	made := list(t, c, base)
	if len(made) != 10 {
		t.Fatalf("the browser's history has %d passwords, want 10", len(made))
	}
	return c, made
}

type floodResult struct {
	n, bad   int
	took     time.Duration
	firstBad string
}

// flood sends floodRequests POST /api/gerar-senha from 32 workers, every other
// one with a made-up session cookie.
func flood(t *testing.T, base string) floodResult {
	t.Helper()
	var next, bad atomic.Int64
	var firstBad sync.Once
	var res floodResult
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}} // no cookie jar
			for i := next.Add(1); i <= floodRequests; i = next.Add(1) {
				req, _ := http.NewRequest("POST", base+"/api/gerar-senha", strings.NewReader(genBody))
				req.Header.Set("Content-Type", "application/json")
				if i%2 == 0 {
					req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: madeUpCookie()})
				}
				resp, err := c.Do(req)
				status := 0
				if err == nil {
					var g struct{ Senha string }
					if json.NewDecoder(resp.Body).Decode(&g) != nil || g.Senha == "" {
						status = -1
					} else {
						status = resp.StatusCode
					}
					resp.Body.Close()
				}
				if status != http.StatusOK {
					bad.Add(1)
					firstBad.Do(func() { res.firstBad = strconv.Itoa(status) + " " + errString(err) })
				}
			}
		}()
	}
	wg.Wait()
	res.n, res.bad, res.took = floodRequests, int(bad.Load()), time.Since(start)
	return res
}

// madeUpCookie is a well-formed session cookie the app never minted: a random
// secret, the time now, a random MAC.
func madeUpCookie() string {
	b := make([]byte, 72)
	rand.Read(b)
	binary.BigEndian.PutUint64(b[32:], uint64(time.Now().UnixMilli()))
	return base64.RawURLEncoding.EncodeToString(b)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// infoField reads a number from Redis's INFO text.
func infoField(info, name string) int64 {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}
