//go:build reliability

package reliability

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

// TestRedisRestartKeepsHistory writes history through the app, restarts Redis
// (append-only file on) and then the app too, and requires the same history,
// both the global list and a browser session's.
func TestRedisRestartKeepsHistory(t *testing.T) {
	redis := startRedis(t, true)
	for _, scope := range []string{"global", "session"} {
		t.Run(scope, func(t *testing.T) {
			app := startApp(t, redis.Addr, "HISTORY_SCOPE="+scope)
			c := newClient(5 * time.Second) // one browser: its cookie is its session
			var made []string
			for range 5 {
				made = append(made, generate(t, c, app.URL))
			}
			slices.Reverse(made) // the history is newest first
			before := list(t, c, app.URL)
			if !slices.Equal(before[:len(made)], made) {
				t.Fatalf("history %q does not start with the passwords just made %q", before, made)
			}

			redis.Stop()
			redis.StartAgain()
			app.Stop()
			app = startApp(t, redis.Addr, "HISTORY_SCOPE="+scope)
			if _, err := apprun.WaitFor200(app.URL+"/readyz", 2*time.Second, app.Done()); err != nil {
				t.Fatalf("not ready 2 s after the restarts: %v", err)
			}
			after := list(t, c, app.URL)
			if !slices.Equal(after, before) {
				t.Fatalf("after restarting Redis and the app the history is %q, was %q", after, before)
			}
			t.Logf("%d passwords kept across a Redis and an app restart", len(after))
		})
	}
}

func generate(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Post(base+"/api/gerar-senha", "application/json", strings.NewReader(genBody))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var g struct{ Senha string }
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil || resp.StatusCode != 200 || g.Senha == "" {
		t.Fatalf("generate: %s %v", resp.Status, err)
	}
	return g.Senha
}

func list(t *testing.T, c *http.Client, base string) []string {
	t.Helper()
	resp, err := c.Get(base + "/api/senhas")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var items []struct{ Senha string }
	if err := json.Unmarshal(body, &items); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %s %q", resp.Status, body)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Senha)
	}
	return out
}
