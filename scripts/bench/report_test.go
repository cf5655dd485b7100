//go:build bench

package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The goals of issue 6, checked against the ceiling of the same run.
const (
	goalRPSRatio     = 0.5 // generate with Redis at 32 connections, share of the ceiling's req/s
	goalP99Ratio     = 2.0 // its p99, times the ceiling's
	goalStartUpRatio = 1.5 // start-up to the first 200, times the ceiling's
	goalIdleRSS      = 15e6
	goalPeakRSS      = 40e6
	goalConns        = 32
)

func (r *report) cell(scenario string, conns int, target string) (cell, bool) {
	for _, c := range r.Cells {
		if c.Scenario == scenario && c.Conns == conns && c.Target == target {
			return c, true
		}
	}
	return cell{}, false
}

// baseline is the ceiling a server's figures are divided by, nil for a ceiling.
func (r *report) baseline(name string) *target {
	if t := r.target(name); t != nil && t.Baseline != "" {
		return r.target(t.Baseline)
	}
	return nil
}

func (r *report) target(name string) *target {
	for _, t := range r.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// write renders the report into out: results.json, results.md, bench.svg.
func (r *report) write(out string) error {
	js, _ := json.MarshalIndent(r, "", "  ")
	for name, b := range map[string][]byte{"results.json": js, "results.md": []byte(r.markdown()), "bench.svg": []byte(r.svg())} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// markdown is the report as README-ready tables.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("Run of %s, %s: `make bench` (wrk, %s per cell in %d interleaved rounds after a 1 s warm-up, 2 threads; "+
		"Redis on loopback, `HISTORY_SCOPE=global`).\n\n", r.Started.Format("2006-01-02 15:04 UTC"), r.Elapsed, r.Duration, r.Rounds)
	for _, kv := range r.Machine {
		w("- %s: %s\n", kv[0], kv[1])
	}
	w("\nEach figure of the app is followed by its ratio to the ceiling, a bare net/http handler answering a fixed\n" +
		"JSON body, measured in the same rounds: the binary against the ceiling process, the image against the ceiling\n" +
		"in a container behind the same Docker networking (ceiling-docker). req/s: higher is better; the rest: lower is better.\n" +
		"A cell is the median of its rounds; errors are summed. CPU µs/req is the server process's own CPU time\n" +
		"(user + system, from /proc/PID/stat) per request over the cell: its cost, which the machine's other load changes little.\n\n")

	w("| scenario | conns | server | req/s | p50 ms | p95 ms | p99 ms | CPU µs/req | errors |\n")
	w("|---|--:|---|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.Cells {
		var base cell
		own := true
		if b := r.baseline(c.Target); b != nil {
			base, _ = r.cell(c.Scenario, c.Conns, b.Name)
			own = false
		}
		w("| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", scenarioTitle[c.Scenario], c.Conns, c.Target,
			withRatio(c.RPS, base.RPS, 0, own), withRatio(c.P50, base.P50, 2, own),
			withRatio(c.P95, base.P95, 2, own), withRatio(c.P99, base.P99, 2, own),
			withRatio(c.CPUPerReq, base.CPUPerReq, 0, own), errorsCell(c))
	}

	w("\n| server | start-up to first 200 ms | docker run to healthy ms | idle RSS MB | idle RSS: anonymous + file MB | peak RSS MB |\n")
	w("|---|--:|--:|--:|--:|--:|\n")
	for _, t := range r.Targets {
		b := r.baseline(t.Name)
		own := b == nil
		if own {
			b = t
		}
		healthy := "–"
		if t.Healthy > 0 {
			healthy = fmt.Sprintf("%.0f", ms(t.Healthy))
		}
		w("| %s | %s | %s | %s | %.1f + %.1f | %s |\n", t.Name,
			withRatio(ms(t.StartUp), ms(b.StartUp), 1, own), healthy,
			withRatio(float64(t.IdleRSS)/1e6, float64(b.IdleRSS)/1e6, 1, own),
			float64(t.IdleAnon)/1e6, float64(t.IdleFile)/1e6,
			withRatio(float64(t.PeakRSS)/1e6, float64(b.PeakRSS)/1e6, 1, own))
	}
	w("\nStart-up is the median of %d starts (%d for the containers), alternating with the ceiling's: process start to the first 200 on /healthz; "+
		"for the containers, `docker run` (network and Redis already up, port published on 127.0.0.1) to the first 200, "+
		"and for the image also to Docker's \"healthy\", with `--health-interval %s` instead of the image's 5 s. "+
		"RSS is VmRSS (idle: started, health checked, no load yet; anonymous is the heap and stacks, file the pages "+
		"of the executable) and VmHWM (peak over the whole run) of the server process.\n", startRuns, dockerStartRuns, healthInterval)

	if notes := r.notes(); notes != "" {
		w("\nThe servers, in the same rounds (all but ceiling, binary and the Docker pair run the generate scenario only):\n\n%s", notes)
	}
	w("\n| goal | server | measured | met |\n|---|---|--:|:-:|\n")
	r.goals13(w)
	for _, t := range r.Targets {
		b := r.baseline(t.Name)
		if b == nil || t.Scenarios != nil {
			continue
		}
		app, ok1 := r.cell("generate", goalConns, t.Name)
		base, ok2 := r.cell("generate", goalConns, b.Name)
		if ok1 && ok2 {
			rr, pr := app.RPS/base.RPS, app.P99/base.P99
			w("| generate with Redis, %d conns: req/s ≥ %.0f %% of the ceiling's | %s | %.0f %% (%.0f vs %.0f) | %s |\n",
				goalConns, goalRPSRatio*100, t.Name, rr*100, app.RPS, base.RPS, yes(rr >= goalRPSRatio))
			w("| generate with Redis, %d conns: p99 ≤ %.0f× the ceiling's | %s | %.2f× (%.2f vs %.2f ms) | %s |\n",
				goalConns, goalP99Ratio, t.Name, pr, app.P99, base.P99, yes(pr <= goalP99Ratio))
		}
		sr := float64(t.StartUp) / float64(b.StartUp)
		w("| start-up to first 200 ≤ %.1f× the ceiling's | %s | %.2f× (%.0f vs %.0f ms) | %s |\n",
			goalStartUpRatio, t.Name, sr, ms(t.StartUp), ms(b.StartUp), yes(sr <= goalStartUpRatio))
		w("| idle RSS < %.0f MB | %s | %.1f MB | %s |\n", goalIdleRSS/1e6, t.Name, float64(t.IdleRSS)/1e6, yes(float64(t.IdleRSS) < goalIdleRSS))
		w("| peak RSS < %.0f MB | %s | %.1f MB | %s |\n", goalPeakRSS/1e6, t.Name, float64(t.PeakRSS)/1e6, yes(float64(t.PeakRSS) < goalPeakRSS))
	}
	return b.String()
}

func (r *report) notes() string {
	var b strings.Builder
	for _, t := range r.Targets {
		if t.Note != "" {
			fmt.Fprintf(&b, "- %s: %s\n", t.Name, t.Note)
		}
	}
	return b.String()
}

// goals13 checks the targets of issue 13 (throughput with a Redis write on
// every request) and issue 11 (a cookie-less flood costs the in-memory history
// little), each as a ratio of two servers of the same rounds.
func (r *report) goals13(w func(string, ...any)) {
	ratio := func(sc string, conns int, a, b string, f func(cell) float64) (float64, cell, cell, bool) {
		x, ok1 := r.cell(sc, conns, a)
		y, ok2 := r.cell(sc, conns, b)
		if !ok1 || !ok2 || f(y) == 0 {
			return 0, x, y, false
		}
		return f(x) / f(y), x, y, true
	}
	rps := func(c cell) float64 { return c.RPS }
	for _, g := range []struct {
		title     string
		conns     int
		a, b      string
		f         func(cell) float64
		atLeast   bool
		goal      float64
		unit, fmt string
	}{
		{"req/s ≥ 0.5× the ceiling's", 32, "binary", "ceiling", rps, true, 0.5, "req/s", "%.0f"},
		{"CPU per request ≤ 2× the ceiling's", 32, "binary", "ceiling", func(c cell) float64 { return c.CPUPerReq }, false, 2, "µs", "%.0f"},
		{"p99 ≤ 2× the ceiling's", 32, "binary", "ceiling", func(c cell) float64 { return c.P99 }, false, 2, "ms", "%.2f"},
		{"req/s ≥ 0.5× the ceiling's", 128, "binary", "ceiling", rps, true, 0.5, "req/s", "%.0f"},
		{"session scope, cookies kept: req/s ≥ 0.9× global scope's", 32, "binary-session", "binary", rps, true, 0.9, "req/s", "%.0f"},
		{"1 connection: p50 ≤ 1.1× the app without automatic pipelining", 1, "binary", "binary-plain", func(c cell) float64 { return c.P50 }, false, 1.1, "ms", "%.3f"},
		{"in memory, cookie-less clients: req/s ≥ 0.8× global scope's (issue 11)", 32, "memory-session", "memory-global", rps, true, 0.8, "req/s", "%.0f"},
	} {
		v, x, y, ok := ratio("generate", g.conns, g.a, g.b, g.f)
		if !ok {
			continue
		}
		met := v <= g.goal
		if g.atLeast {
			met = v >= g.goal
		}
		w("| generate, %d conns: %s | %s | %.2f× ("+g.fmt+" vs "+g.fmt+" %s) | %s |\n", g.conns, g.title, g.a, v, g.f(x), g.f(y), g.unit, yes(met))
	}
	if c, ok := r.cell("generate", 128, "binary"); ok {
		w("| generate, 128 conns: zero errors | binary | %d | %s |\n", c.Errors, yes(c.Errors == 0))
	}
}

func withRatio(v, ceil float64, prec int, own bool) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if prec == 0 {
		s = thousands(int64(math.Round(v)))
	}
	if own || ceil == 0 {
		return s
	}
	return fmt.Sprintf("%s (%.2f×)", s, v/ceil)
}

func errorsCell(c cell) string {
	if c.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", c.Errors, c.Detail)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtDur(d time.Duration) string { return strconv.FormatFloat(ms(d), 'f', 1, 64) + " ms" }

func mb(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB" }

var colors = map[string]string{"ceiling": "#9e9e9e", "binary": "#1f77b4", "ceiling-docker": "#cfcfcf", "image": "#ff7f0e",
	"ceiling+redis": "#616161", "binary-plain": "#aec7e8", "binary-session": "#2ca02c", "memory-global": "#9467bd", "memory-session": "#c5b0d5"}

// svg draws req/s, p99 latency and CPU per request (one row each) for each scenario,
// grouped by concurrency, one bar per server.
func (r *report) svg() string {
	const (
		pw, ph     = 230, 200 // panel
		left, top  = 50, 70
		gapX, gapY = 60, 70
	)
	width := left + len(scenarios)*(pw+gapX)
	height := top + 3*(ph+gapY)
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		width, height, width, height)
	w(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	cpu := ""
	for _, kv := range r.Machine {
		if kv[0] == "CPU" {
			cpu = kv[1]
		}
	}
	w(`<text x="%d" y="20" font-size="14" font-weight="bold">giropops-senhas under wrk: the binary and the image against a bare net/http handler (ceiling)</text>`+"\n", left)
	w(`<text x="%d" y="38" fill="#555">%s · %s · %s per cell · Redis, HISTORY_SCOPE=global</text>`+"\n",
		left, html.EscapeString(r.Started.Format("2006-01-02 15:04 UTC")), html.EscapeString(cpu), r.Duration)
	lx := left
	for _, t := range r.Targets {
		w(`<rect x="%d" y="48" width="12" height="12" fill="%s"/><text x="%d" y="58">%s</text>`+"\n", lx, colors[t.Name], lx+16, t.Name)
		lx += 120
	}
	rows := []struct {
		title string
		val   func(cell) float64
	}{
		{"requests/s", func(c cell) float64 { return c.RPS }},
		{"p99 latency, ms", func(c cell) float64 { return c.P99 }},
		{"server CPU µs/request", func(c cell) float64 { return c.CPUPerReq }},
	}
	for ri, row := range rows {
		for si, sc := range scenarios {
			x0, y0 := left+si*(pw+gapX), top+ri*(ph+gapY)+20
			maxV := 0.0
			for _, c := range r.Cells {
				if c.Scenario == sc {
					maxV = math.Max(maxV, row.val(c))
				}
			}
			maxV = niceMax(maxV)
			w(`<text x="%d" y="%d" font-weight="bold">%s — %s</text>`+"\n", x0, y0-8, html.EscapeString(scenarioTitle[sc]), row.title)
			for i := 0; i <= 4; i++ {
				y := float64(y0+ph) - float64(ph)*float64(i)/4
				w(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e0e0e0"/>`, x0, x0+pw, y, y)
				w(`<text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>`+"\n", x0-4, y+4, short(maxV*float64(i)/4))
			}
			groupW := float64(pw) / float64(len(r.Conns))
			barW := groupW * 0.8 / float64(len(r.Targets))
			for ci, conns := range r.Conns {
				gx := float64(x0) + groupW*float64(ci) + groupW*0.1
				for ti, t := range r.Targets {
					c, ok := r.cell(sc, conns, t.Name)
					if !ok || maxV == 0 {
						continue
					}
					h := float64(ph) * row.val(c) / maxV
					w(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s c=%d: %.2f</title></rect>`+"\n",
						gx+barW*float64(ti), float64(y0+ph)-h, barW-1, h, colors[t.Name], t.Name, sc, conns, row.val(c))
				}
				w(`<text x="%.1f" y="%d" text-anchor="middle" fill="#555">c=%d</text>`+"\n", gx+groupW*0.4, y0+ph+14, conns)
			}
		}
	}
	w("</svg>\n")
	return b.String()
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func short(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	case v >= 10 || v == 0:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
