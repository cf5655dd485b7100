//go:build k8s

package k8s

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/k8s/loadgen"
)

// Redis' memory: bounded by maxmemory below its container's limit, and a flood of
// cookie-less clients evicts their short-lived sessions, not a browser's.

// redis is the release's Redis pod, read through redis-cli in it.
type redis struct {
	c   *cluster
	pod string
}

func (c *cluster) redis(t *testing.T) redis {
	t.Helper()
	return redis{c, c.names(t, "pods", "redis")[0]}
}

func (r redis) cli(t *testing.T, args ...string) string {
	t.Helper()
	out := r.c.kc(t, append([]string{"exec", "-n", ns, r.pod, "-c", "redis", "--", "/usr/bin/redis-cli"}, args...)...)
	return strings.ReplaceAll(out, "\r", "")
}

// config reads one CONFIG GET value as a string.
func (r redis) config(t *testing.T, name string) string {
	t.Helper()
	lines := strings.Split(r.cli(t, "CONFIG", "GET", name), "\n")
	return lines[len(lines)-1]
}

// info reads INFO's numeric fields.
func (r redis) info(t *testing.T) map[string]int64 {
	t.Helper()
	fields := map[string]int64{}
	for line := range strings.Lines(r.cli(t, "INFO")) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if n, err := strconv.ParseInt(value, 10, 64); ok && err == nil {
			fields[name] = n
		}
	}
	return fields
}

// memory returns the container's memory limit and Redis' maxmemory and policy, and fails
// t unless maxmemory is set below the limit with policy volatile-ttl.
func (r redis) memory(t *testing.T) (limit, maxmem int64) {
	t.Helper()
	q := r.c.kc(t, "get", "pod", "-n", ns, r.pod, "-o", `jsonpath={.spec.containers[?(@.name=="redis")].resources.limits.memory}`)
	limit, err := quantity(q)
	if err != nil {
		t.Fatal(err)
	}
	maxmem, err = strconv.ParseInt(r.config(t, "maxmemory"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if policy := r.config(t, "maxmemory-policy"); maxmem <= 0 || maxmem >= limit || policy != "volatile-ttl" {
		t.Fatalf("Redis runs with maxmemory %d and policy %s under a %d-byte limit", maxmem, policy, limit)
	}
	return limit, maxmem
}

// quantity reads a memory quantity in bytes or with a binary suffix (Ki, Mi, Gi).
func quantity(q string) (int64, error) {
	shift := map[string]int{"Ki": 10, "Mi": 20, "Gi": 30}
	for suffix, s := range shift {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			return v << s, err
		}
	}
	v, err := strconv.ParseInt(q, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("memory limit %q: %w", q, err)
	}
	return v, nil
}

func TestRedisMaxmemory(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	limit, maxmem := k.redis(t).memory(t)
	k.pass(t, "Redis: maxmemory %d bytes (%d MiB) below its container limit of %d (%d MiB), maxmemory-policy volatile-ttl",
		maxmem, maxmem>>20, limit, limit>>20)
}

// TestRedisFlood: cookie-less clients each start a session (10-minute TTL) until Redis is
// at its maxmemory and evicting. volatile-ttl must evict those and not a session whose
// cookie came back (24 h TTL); every request must still answer 200, Redis must not be
// OOM-killed, and its memory must stay at maxmemory, below the container's limit.
func TestRedisFlood(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	r := k.redis(t)
	limit, maxmem := r.memory(t)
	uid := k.kc(t, "get", "pod", "-n", ns, r.pod, "-o", "jsonpath={.metadata.uid}")
	// A browser: its cookie comes back, so its session has the long TTL.
	browser := newSession()
	var mine []string
	for range 3 {
		senha, err := browser.generate(k.url)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, senha)
	}
	ev0 := r.info(t)["evicted_keys"]
	t0 := time.Now()
	stop := k.load("flood", loadgen.Config{Clients: 16, Flood: true})
	var peak int64
	var evictingAt time.Duration
	for time.Since(t0) < 4*time.Minute {
		time.Sleep(time.Second)
		info := r.info(t)
		peak = max(peak, info["used_memory"])
		if evictingAt == 0 && info["evicted_keys"] > ev0 {
			evictingAt = time.Since(t0)
		}
		// Keep flooding 10 s past the first eviction: Redis stays at maxmemory, evicting.
		if evictingAt > 0 && time.Since(t0) >= evictingAt+10*time.Second {
			break
		}
	}
	load := stop()
	if evictingAt == 0 {
		t.Fatalf("the flood did not bring Redis to its maxmemory in 240 s: %s", load)
	}
	if err := load.Err(); err != nil {
		t.Fatalf("flood: not every request was answered 200: %v", err)
	}
	time.Sleep(5 * time.Second) // Redis' cron trims the query buffers of clients idle for 2 s, all within a second
	info := r.info(t)
	used, evicted := info["used_memory"], info["evicted_keys"]-ev0
	k.figure("flood: %s; Redis evicting after %.0fs; used_memory sampled peak %d, after %d, maxmemory %d, limit %d; used_memory_peak %d, used_memory_rss %d; %d keys evicted, %s keys left",
		load, evictingAt.Seconds(), peak, used, maxmem, limit, info["used_memory_peak"], info["used_memory_rss"], evicted, r.cli(t, "DBSIZE"))
	restarts := k.kc(t, "get", "pod", "-n", ns, r.pod, "-o",
		"jsonpath={.metadata.uid} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.reason}")
	if restarts != uid+" 0" {
		t.Errorf("Redis was restarted during the flood (uid, restarts, last termination: %s)", restarts)
	}
	if used > maxmem {
		t.Errorf("after the flood Redis reports used_memory %d above maxmemory %d", used, maxmem)
	}
	for _, s := range mine {
		if err := browser.remembers(k.url, s); err != nil {
			t.Errorf("the browser's session lost a password in the flood: %v", err)
		}
	}
	if !t.Failed() {
		k.pass(t, "flood of %d cookie-less requests, all answered 200: Redis evicting after %.0fs (%d keys evicted), used_memory %d <= maxmemory %d after it, no restart; the browser's session still lists its %d passwords",
			load.Requests, evictingAt.Seconds(), evicted, used, maxmem, len(mine))
	}
}
