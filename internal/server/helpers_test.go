package server_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/internal/server"
	"github.com/giropops/giropops-senhas/internal/testenv"
)

type testServer struct {
	*httptest.Server
	logs *testenv.Buffer
}

// newServer serves the app over a real loopback listener with hist as its store.
func newServer(t *testing.T, scope server.Scope, hist server.History) *testServer {
	return newServerWith(t, testConfig(scope), hist)
}

// testSessionKey is the SESSION_KEY of the tests' servers: all the servers a
// test starts are replicas of one deployment, or one app restarted.
var testSessionKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

// testConfig is the tests' usual configuration in scope.
func testConfig(scope server.Scope) server.Config {
	return server.Config{Scope: scope, HistorySize: 10, SessionTTL: time.Hour, StoreTimeout: 500 * time.Millisecond, SessionKey: testSessionKey}
}

func newServerWith(t *testing.T, cfg server.Config, hist server.History) *testServer {
	t.Helper()
	logs := &testenv.Buffer{}
	h := server.New(server.Deps{
		Config:  cfg,
		History: hist, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registry: prometheus.NewRegistry(),
	})
	ts := &testServer{Server: httptest.NewServer(h), logs: logs}
	t.Cleanup(ts.Close)
	return ts
}

func memoryStore() server.History { return history.NewMemory(history.Config{Size: 10}) }

// redisStore returns a store on a fresh real redis-server, and the server.
func redisStore(t testing.TB) (server.History, *redistest.Server, *redis.Client) {
	srv := redistest.Start(t, false)
	client := redis.NewClient(history.RedisOptions(srv.Addr, "", 0))
	t.Cleanup(func() { client.Close() })
	return history.NewRedis(client, history.Config{Size: 10}), srv, client
}

// client returns an HTTP client with its own cookie jar (a browser, or an API
// client that keeps cookies) that does not follow redirects.
func client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, method, url, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func postJSON(t *testing.T, c *http.Client, base, body string) response {
	return do(t, c, "POST", base+"/api/gerar-senha", "application/json", body)
}

// grep returns the lines of s that contain sub.
func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
