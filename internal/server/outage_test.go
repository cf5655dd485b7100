package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/internal/server"
)

// With Redis down, generating still works, the history says it is unavailable
// (503 in the API, a notice on the page), /readyz fails, nothing waits past
// the store's timeout; when Redis returns everything recovers by itself.
func TestRedisDown(t *testing.T) {
	hist, redisSrv, _ := redisStore(t)
	ts := newServer(t, server.ScopeSession, hist)
	c := client(t)
	before := generated(t, postJSON(t, c, ts.URL, `{}`))
	if r := do(t, c, "GET", ts.URL+"/readyz", "", ""); r.status != 200 {
		t.Fatalf("/readyz with Redis up: %d", r.status)
	}

	redisSrv.Stop()
	start := time.Now()
	var passwords []string
	for range 3 {
		passwords = append(passwords, generated(t, postJSON(t, c, ts.URL, `{"tamanho": 12}`)))
	}
	list := do(t, c, "GET", ts.URL+"/api/senhas", "", "")
	var e struct{ Erro string }
	if list.status != http.StatusServiceUnavailable || json.Unmarshal([]byte(list.body), &e) != nil || !strings.Contains(e.Erro, "indisponível") {
		t.Fatalf("GET /api/senhas with Redis down: %d %s, want 503 with erro", list.status, list.body)
	}
	if r := do(t, c, "GET", ts.URL+"/readyz", "", ""); r.status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with Redis down: %d, want 503", r.status)
	}
	if r := do(t, c, "GET", ts.URL+"/healthz", "", ""); r.status != 200 {
		t.Fatalf("/healthz with Redis down: %d, want 200 (the process is alive)", r.status)
	}
	page := do(t, c, "GET", ts.URL+"/", "", "")
	if page.status != 200 || !strings.Contains(page.body, "Histórico indisponível no momento") {
		t.Fatalf("page with Redis down: %d, want 200 with a notice", page.status)
	}
	form := do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=10")
	if form.status != http.StatusSeeOther || form.header.Get("Location") != "/" {
		t.Fatalf("form with Redis down: %d %q", form.status, form.header.Get("Location"))
	}
	if after := do(t, c, "GET", ts.URL+form.header.Get("Location"), "", ""); !strings.Contains(after.body, "não foi salva") {
		t.Fatalf("the page does not say the new password was not saved")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("requests with Redis down took %v in all; the store timeout is 500ms", d)
	}
	metrics := do(t, c, "GET", ts.URL+"/metrics", "", "").body
	if !strings.Contains(metrics, "\ngiropops_history_up 0\n") || strings.Contains(metrics, `giropops_history_errors_total{operation="add"} 0`) {
		t.Fatalf("metrics do not show the outage:\n%s", grep(metrics, "giropops_history"))
	}

	redisSrv.StartAgain()
	deadline := time.Now().Add(2 * time.Second)
	for do(t, c, "GET", ts.URL+"/readyz", "", "").status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover within 2s of Redis coming back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	now := generated(t, postJSON(t, c, ts.URL, `{}`))
	got := listOf(t, do(t, c, "GET", ts.URL+"/api/senhas", "", ""))
	// The server's Redis keeps no persistence here: what it held is gone, and
	// what was made during the outage was never stored.
	if len(got) == 0 || got[0] != now {
		t.Fatalf("after recovery the history is %q, want %s first", got, now)
	}
	for _, p := range append(passwords, before, now) {
		if strings.Contains(ts.logs.String(), p) {
			t.Fatalf("the logs contain a password:\n%s", ts.logs.String())
		}
	}
	if n := strings.Count(ts.logs.String(), "history store unavailable"); n != 1 {
		t.Fatalf("the outage was logged %d times, want once:\n%s", n, ts.logs.String())
	}
	if !strings.Contains(ts.logs.String(), "history store is back") {
		t.Fatalf("the recovery was not logged")
	}
}

func TestMetrics(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	for range 3 {
		generated(t, postJSON(t, c, ts.URL, `{}`))
	}
	postJSON(t, c, ts.URL, `{"tamanho": 0}`)
	do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=8")
	r := do(t, c, "GET", ts.URL+"/metrics", "", "")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("/metrics Content-Type %q, want the Prometheus text format", ct)
	}
	for _, want := range []string{
		"# TYPE senha_gerada_total counter\nsenha_gerada_total 4\n",
		`giropops_http_requests_total{code="200",handler="gerar-senha",method="post"} 3`,
		`giropops_http_requests_total{code="400",handler="gerar-senha",method="post"} 1`,
		`giropops_http_requests_total{code="303",handler="form",method="post"} 1`,
		`giropops_http_request_duration_seconds_count{handler="gerar-senha",method="post"} 4`,
		"giropops_history_up 1",
		`giropops_history_errors_total{operation="add"} 0`,
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A Redis at maxmemory with nothing it may evict refuses writes (OOM): each is
// counted, the log says it once, and generating still answers 200.
func TestRedisFull(t *testing.T) {
	srv := redistest.StartWith(t, false, "--maxmemory", "2mb", "--maxmemory-policy", "volatile-ttl")
	rc := redis.NewClient(history.RedisOptions(srv.Addr, "", 0))
	defer rc.Close()
	junk := strings.Repeat("x", 4096)
	for i := 0; ; i++ {
		if err := rc.Set(t.Context(), fmt.Sprint("junk", i), junk, 0).Err(); err != nil {
			if !strings.Contains(err.Error(), "OOM") {
				t.Fatalf("filling Redis: %v", err)
			}
			break
		}
	}
	ts := newServer(t, server.ScopeSession, history.NewRedis(rc, history.Config{Size: 10}))
	for range 5 {
		generated(t, postJSON(t, client(t), ts.URL, `{}`))
	}
	metrics := do(t, client(t), "GET", ts.URL+"/metrics", "", "").body
	if !strings.Contains(metrics, `giropops_history_errors_total{operation="add"} 5`) {
		t.Fatalf("refused writes not counted:\n%s", grep(metrics, "giropops_history_errors_total"))
	}
	if n := strings.Count(ts.logs.String(), "history store unavailable"); n != 1 {
		t.Fatalf("the log says the store is unavailable %d times, want once:\n%s", n, ts.logs.String())
	}
	if !strings.Contains(ts.logs.String(), "OOM") {
		t.Fatalf("the log does not say why:\n%s", ts.logs.String())
	}
}
