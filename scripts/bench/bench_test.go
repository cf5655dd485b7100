//go:build bench

// Package bench is make bench: it runs the app's binary (and its image, when a
// Docker engine answers) with a real Redis, and a bare net/http handler (the
// ceiling, ./ceiling), and drives them in the same run with wrk at several
// concurrency levels. It writes results.json, results.md and bench.svg under
// $BENCH_OUT. It is a test only to reuse the test helpers that start Redis and
// the binary; run it with make bench, not make test.
package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

// scenarios are the request mixes of wrk.lua, in the order they run: generate
// first, so that the list and page read a full history.
var scenarios = []string{"generate", "list", "index", "mix"}

var scenarioTitle = map[string]string{
	"generate": "POST /api/gerar-senha",
	"list":     "GET /api/senhas",
	"index":    "GET /",
	"mix":      "mix 1 generate : 2 list",
}

// startRuns is how many times each server is started to time its start-up;
// the median is reported.
const startRuns = 5

// target is one server under load.
type target struct {
	Name        string          `json:"name"`
	URL         string          `json:"url"`
	StartUp     time.Duration   `json:"startup_ns"` // median, start of the process (or docker run) to the first 200
	StartUpRuns []time.Duration `json:"startup_runs_ns"`
	Healthy     time.Duration   `json:"healthy_ns,omitempty"` // image: docker run to the health check's "healthy"
	HealthyRuns []time.Duration `json:"healthy_runs_ns,omitempty"`
	IdleRSS     int64           `json:"idle_rss_bytes"`
	IdleAnon    int64           `json:"idle_rss_anon_bytes"` // heap, stacks: the process's own memory
	IdleFile    int64           `json:"idle_rss_file_bytes"` // pages of the executable, shared with the page cache
	PeakRSS     int64           `json:"peak_rss_bytes"`
	Baseline    string          `json:"baseline,omitempty"` // the ceiling it is compared with
	// Scenarios it runs (nil: all) and the wrk.lua scenario each one sends, when
	// another (the cookie-keeping generate).
	Scenarios []string          `json:"scenarios,omitempty"`
	Wrk       map[string]string `json:"wrk,omitempty"`
	Note      string            `json:"note,omitempty"`
	pid       func() int
	alive     func() bool
}

// cell is one wrk run: one scenario, one concurrency, one target.
type cell struct {
	Scenario string  `json:"scenario"`
	Conns    int     `json:"connections"`
	Target   string  `json:"target"`
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"requests_per_second"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	Errors   int     `json:"errors"`
	Detail   string  `json:"error_detail,omitempty"`
	// CPUPerReq is the server process's CPU time (user and system) per
	// request, in microseconds: its cost, whatever the machine's other load.
	CPUPerReq float64 `json:"cpu_us_per_request"`

	kinds map[string]int // errors by wrk's kind: connect, read, write, status, timeout
	cpu   time.Duration  // the server's CPU time during the run
}

// report is everything a run measured.
type report struct {
	Started  time.Time   `json:"started"`
	Machine  [][2]string `json:"machine"`
	Duration string      `json:"duration_per_cell"`
	Rounds   int         `json:"rounds"`
	Conns    []int       `json:"connections"`
	Targets  []*target   `json:"targets"`
	Cells    []cell      `json:"cells"`
	Elapsed  string      `json:"elapsed"`
}

func TestBench(t *testing.T) {
	root := apprun.ModuleRoot(t)
	out := envOr("BENCH_OUT", filepath.Join(root, "dist", "bench"))
	if from := os.Getenv("BENCH_FROM"); from != "" { // render an earlier run again
		var rep report
		b, err := os.ReadFile(from)
		if err == nil {
			err = json.Unmarshal(b, &rep)
		}
		if err == nil {
			err = rep.write(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	total, err := time.ParseDuration(envOr("BENCH_DURATION", "5s"))
	if err != nil {
		t.Fatalf("BENCH_DURATION: %v", err)
	}
	rounds, err := strconv.Atoi(envOr("BENCH_ROUNDS", "5"))
	if err != nil || rounds < 1 {
		t.Fatalf("BENCH_ROUNDS=%q: want a whole number, 1 or more", os.Getenv("BENCH_ROUNDS"))
	}
	// wrk takes whole seconds.
	slice := max(time.Second, (total / time.Duration(rounds)).Round(time.Second))
	dur := (slice * time.Duration(rounds)).String()
	var conns []int
	for _, s := range strings.Split(envOr("BENCH_CONCURRENCY", "1,32,128"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			t.Fatalf("BENCH_CONCURRENCY: %q is not a connection count", s)
		}
		conns = append(conns, n)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Fatal("wrk is not installed: apt-get install wrk (listed in .ci/apt/bench.txt)")
	}
	tmp := t.TempDir()
	appBin := os.Getenv("BENCH_APP_BIN")
	if appBin == "" {
		appBin = apprun.Build(t, tmp, "./cmd/giropops-senhas")
	}
	ceilBin := apprun.Build(t, tmp, "./scripts/bench/ceiling")
	lua := filepath.Join(root, "scripts", "bench", "wrk.lua")

	rep := &report{Started: time.Now().UTC(), Duration: dur, Rounds: rounds, Conns: conns}
	begin := time.Now()
	rep.Machine = machine(appBin)

	redis := redistest.Start(t, false)
	host, port, _ := net.SplitHostPort(redis.Addr)
	appEnv := []string{"REDIS_HOST=" + host, "REDIS_PORT=" + port, "HISTORY_SCOPE=global", "LOG_LEVEL=warn"}

	// Start-up, alternating the two so that both see the same noise; the last
	// of each stays up for the load.
	ceil := &target{Name: "ceiling"}
	bin := &target{Name: "binary", Baseline: "ceiling"}
	var cp, ap *apprun.Proc
	for i := range startRuns {
		cp = apprun.Start(t, ceilBin, "/healthz")
		ap = apprun.Start(t, appBin, "/healthz", appEnv...)
		ceil.StartUpRuns = append(ceil.StartUpRuns, cp.StartUp)
		bin.StartUpRuns = append(bin.StartUpRuns, ap.StartUp)
		if i < startRuns-1 {
			cp.Stop()
			ap.Stop()
		}
	}
	for _, tp := range []struct {
		t *target
		p *apprun.Proc
	}{{ceil, cp}, {bin, ap}} {
		p := tp.p
		tp.t.URL, tp.t.StartUp = p.URL, medianDur(tp.t.StartUpRuns)
		tp.t.pid = func() int { return p.Cmd.Process.Pid }
		tp.t.alive = func() bool { return !p.Exited() }
	}
	if _, err := apprun.WaitFor200(bin.URL+"/readyz", 5*time.Second, ap.Done()); err != nil {
		t.Fatalf("the app is not ready (Redis at %s): %v", redis.Addr, err)
	}
	bin.Note = "Redis, HISTORY_SCOPE=global, automatic pipelining"
	targets := []*target{ceil, bin}
	// The issue 13 and 11 comparisons, generate only, in the same rounds: what a
	// Redis round trip costs a bare handler; the app before automatic pipelining;
	// session scope with browsers that keep their cookies; and the in-memory
	// history, global and with cookie-less clients (a new session each call).
	generateOnly := []string{"generate"}
	for _, extra := range []struct {
		name, note, bin string
		env             []string
		wrk             string
	}{
		{"ceiling+redis", "the bare handler, plus LPUSH and LTRIM with plain go-redis (one round trip)", ceilBin, []string{"REDIS_ADDR=" + redis.Addr}, ""},
		{"binary-plain", "Redis, HISTORY_SCOPE=global, REDIS_AUTOPIPELINE=off (one round trip per request)", appBin, append(slices.Clone(appEnv), "REDIS_AUTOPIPELINE=off"), ""},
		{"binary-session", "Redis, HISTORY_SCOPE=session, 64 session cookies per wrk thread", appBin, []string{"REDIS_HOST=" + host, "REDIS_PORT=" + port, "HISTORY_SCOPE=session", "LOG_LEVEL=warn"}, "generate-cookies"},
		{"memory-global", "no Redis (in-memory history), HISTORY_SCOPE=global", appBin, []string{"HISTORY_SCOPE=global", "LOG_LEVEL=warn"}, ""},
		{"memory-session", "no Redis, HISTORY_SCOPE=session, cookie-less clients: a new session per request", appBin, []string{"HISTORY_SCOPE=session", "LOG_LEVEL=warn"}, ""},
	} {
		p := apprun.Start(t, extra.bin, "/healthz", extra.env...)
		tg := &target{Name: extra.name, Note: extra.note, Baseline: "ceiling", URL: p.URL, StartUp: p.StartUp,
			StartUpRuns: []time.Duration{p.StartUp}, Scenarios: generateOnly}
		if extra.wrk != "" {
			tg.Wrk = map[string]string{"generate": extra.wrk}
		}
		tg.pid = func() int { return p.Cmd.Process.Pid }
		tg.alive = func() bool { return !p.Exited() }
		if extra.wrk == "generate-cookies" {
			// The app takes only cookies it minted (SESSION_KEY): ask it for them.
			t.Setenv("WRK_COOKIES", mintCookies(t, p.URL, 256))
		}
		targets = append(targets, tg)
	}
	if img := os.Getenv("BENCH_DOCKER"); img != "" {
		dceil, dapp := startImages(t, img, envOr("BENCH_REDIS_IMAGE", "giropops-senhas-redis:local"), ceilBin)
		dapp.Baseline = dceil.Name
		targets = append(targets, dceil, dapp)
	}
	rep.Targets = targets

	time.Sleep(time.Second) // idle: started, answered its health check, no load yet
	for _, tg := range targets {
		st, err := procStatus(tg.pid())
		if err != nil {
			t.Fatal(err)
		}
		tg.IdleRSS, tg.IdleAnon, tg.IdleFile = st["VmRSS"], st["RssAnon"], st["RssFile"]
		t.Logf("%s: start-up %s (runs %v), idle RSS %s (anonymous %s, file %s)", tg.Name, fmtDur(tg.StartUp),
			tg.StartUpRuns, mb(tg.IdleRSS), mb(tg.IdleAnon), mb(tg.IdleFile))
	}

	for _, tg := range targets { // warm-up: connections, caches, the history
		if _, err := runWrk(lua, tg.URL, tg.wrk("mix"), 32, "1s"); err != nil {
			t.Fatalf("warm-up of %s: %v", tg.Name, err)
		}
	}
	// Each cell is cut into rounds, and the rounds of the servers interleave,
	// each round in another order: every server sees the same noise of a
	// shared machine. A cell reports the median of its rounds.
	for _, sc := range scenarios {
		for _, c := range conns {
			byTarget := map[string][]cell{}
			var in []*target
			for _, tg := range targets {
				if tg.Scenarios == nil || slices.Contains(tg.Scenarios, sc) {
					in = append(in, tg)
				}
			}
			for r := range rounds {
				for i := range in {
					tg := in[(i+r)%len(in)]
					cpu0 := cpuTime(tg.pid())
					res, err := runWrk(lua, tg.URL, tg.wrk(sc), c, slice.String())
					if err != nil {
						t.Fatalf("%s %s c=%d: %v", tg.Name, sc, c, err)
					}
					res.cpu = cpuTime(tg.pid()) - cpu0
					byTarget[tg.Name] = append(byTarget[tg.Name], res)
				}
			}
			for _, tg := range in {
				res := merge(byTarget[tg.Name])
				res.Scenario, res.Conns, res.Target = sc, c, tg.Name
				rep.Cells = append(rep.Cells, res)
				t.Logf("%-8s %-14s c=%-4d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  CPU %5.0f µs/req  errors %d %s",
					sc, tg.Name, c, res.RPS, res.P50, res.P99, res.CPUPerReq, res.Errors, res.Detail)
				if !tg.alive() {
					t.Fatalf("%s is no longer running", tg.Name)
				}
			}
		}
	}
	for _, tg := range targets {
		_, peak, err := apprun.RSS(tg.pid())
		if err != nil {
			t.Fatal(err)
		}
		tg.PeakRSS = peak
	}
	rep.Machine = append(rep.Machine, [2]string{"load average at the end", loadavg()})
	rep.Elapsed = time.Since(begin).Round(time.Second).String()

	if err := rep.write(out); err != nil {
		t.Fatal(err)
	}
	fmt.Println(rep.markdown())
	fmt.Printf("wrote %s/{results.md,results.json,bench.svg} in %s\n", out, rep.Elapsed)
}

// mintCookies asks the app at url for n session cookies (one POST each, without
// a cookie) and writes their values, one a line, to a file whose path it returns.
func mintCookies(t *testing.T, url string, n int) string {
	var b strings.Builder
	for range n {
		resp, err := http.Post(url+"/api/gerar-senha", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == "giropops_sessao" {
				b.WriteString(c.Value + "\n")
			}
		}
	}
	if strings.Count(b.String(), "\n") != n {
		t.Fatalf("the app set %d session cookies for %d requests", strings.Count(b.String(), "\n"), n)
	}
	path := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wrk is the wrk.lua scenario tg sends for the scenario sc.
func (tg *target) wrk(sc string) string {
	if w, ok := tg.Wrk[sc]; ok {
		return w
	}
	if sc == "mix" && tg.Wrk["generate"] != "" { // warm-up of a generate-only target
		return tg.Wrk["generate"]
	}
	return sc
}

// runWrk runs one cell: wrk with 2 threads (1 for 1 connection), and requests
// slower than 2 s counted as timeouts.
func runWrk(lua, url, scenario string, conns int, dur string) (cell, error) {
	threads := min(conns, 2)
	cmd := exec.Command("wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", dur,
		"--timeout", "2s", "-s", lua, url, "--", scenario)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return cell{}, fmt.Errorf("wrk: %v\n%s%s", err, b, stderr.Bytes())
	}
	var last []byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("{")) {
			last = line
		}
	}
	var raw map[string]float64
	if err := json.Unmarshal(last, &raw); err != nil {
		return cell{}, fmt.Errorf("wrk printed no result line: %v\n%s", err, b)
	}
	secs := raw["duration_us"] / 1e6
	c := cell{
		Requests: int(raw["requests"]), Seconds: secs, RPS: raw["requests"] / secs,
		P50: raw["p50_us"] / 1000, P95: raw["p95_us"] / 1000, P99: raw["p99_us"] / 1000, Max: raw["max_us"] / 1000,
	}
	c.kinds = map[string]int{}
	for _, k := range errorKinds {
		c.kinds[k] = int(raw[k])
	}
	return c, nil
}

var errorKinds = []string{"connect", "read", "write", "status", "timeout"}

// merge sums the rounds of a cell's requests and errors, and takes the median
// of their rates and percentiles (the maximum of their maximums).
func merge(rs []cell) cell {
	var m cell
	m.kinds = map[string]int{}
	med := func(f func(cell) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	var cpu time.Duration
	for _, r := range rs {
		cpu += r.cpu
		m.Requests += r.Requests
		m.Seconds += r.Seconds
		m.Max = max(m.Max, r.Max)
		for k, n := range r.kinds {
			m.kinds[k] += n
		}
	}
	m.RPS = med(func(c cell) float64 { return c.RPS })
	m.P50 = med(func(c cell) float64 { return c.P50 })
	m.P95 = med(func(c cell) float64 { return c.P95 })
	m.P99 = med(func(c cell) float64 { return c.P99 })
	if m.Requests > 0 {
		m.CPUPerReq = float64(cpu.Microseconds()) / float64(m.Requests)
	}
	var detail []string
	for _, k := range errorKinds {
		if n := m.kinds[k]; n > 0 {
			m.Errors += n
			detail = append(detail, fmt.Sprintf("%s %d", k, n))
		}
	}
	m.Detail = strings.Join(detail, ", ")
	return m
}

// cpuTime is the CPU time (user and system) process pid has used so far, from
// /proc/PID/stat in clock ticks of 10 ms (USER_HZ is 100 on Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// procStatus reads the memory lines of /proc/PID/status, in bytes.
func procStatus(pid int) (map[string]int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			m[k] = n << 10
		}
	}
	if m["VmRSS"] == 0 {
		return nil, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, nil
}

// machine describes where the run happened: the figures mean little without it.
func machine(appBin string) [][2]string {
	var m [][2]string
	add := func(k, v string) { m = append(m, [2]string{k, strings.TrimSpace(v)}) }
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	add("CPU", fmt.Sprintf("%d × %s", runtime.NumCPU(), cpu))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			add("memory", fmt.Sprintf("%.0f GiB", kb/(1<<20)))
		}
	}
	osName := "linux"
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	add("OS", osName+", kernel "+string(kernel))
	add("app", cmdOut(appBin, "version"))
	add("wrk", firstLine(cmdOut("wrk", "-v")))
	add("Redis", cmdOut("redis-server", "--version"))
	if v := cmdOut("docker", "version", "-f", "{{.Server.Version}}"); v != "" && !strings.Contains(v, "rror") {
		add("Docker engine", v)
	}
	add("load average at the start", loadavg())
	return m
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1, 5, 15 min)"
}

func cmdOut(name string, args ...string) string {
	b, _ := exec.Command(name, args...).CombinedOutput()
	return strings.TrimSpace(string(b))
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func medianDur(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
