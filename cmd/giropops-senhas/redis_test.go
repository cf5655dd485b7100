package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/redistest"
)

// client is a browser of the app at base: its own cookie jar.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t, base, &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (c *client) do(method, path, body string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// generate makes one password and returns it.
func (c *client) generate() string {
	c.t.Helper()
	code, body := c.do("POST", "/api/gerar-senha", `{"tamanho": 20}`)
	var g struct{ Senha string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &g) != nil || g.Senha == "" {
		c.t.Fatalf("POST /api/gerar-senha: %d %s", code, body)
	}
	return g.Senha
}

// history is the client's history, newest first.
func (c *client) history() []string {
	c.t.Helper()
	code, body := c.do("GET", "/api/senhas", "")
	var items []struct{ Senha string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &items) != nil {
		c.t.Fatalf("GET /api/senhas: %d %s", code, body)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Senha)
	}
	return out
}

// A Redis that speaks only TLS under a private CA and wants a client
// certificate: with REDIS_TLS_CA, REDIS_TLS_CERT and REDIS_TLS_KEY the app
// keeps its history there; with the wrong CA, or no client certificate, it
// says why in its log, /readyz fails and generation still answers.
func TestRedisTLS(t *testing.T) {
	srv := redistest.StartTLS(t)
	host, port, _ := net.SplitHostPort(srv.TLSAddr)
	env := func(kv ...string) map[string]string {
		m := map[string]string{"REDIS_HOST": host, "REDIS_PORT": port, "REDIS_TLS_CA": srv.CA,
			"REDIS_TLS_CERT": srv.ClientCert, "REDIS_TLS_KEY": srv.ClientKey, "REDIS_TIMEOUT": "2s"}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	t.Run("mutual TLS under the operator's CA", func(t *testing.T) {
		for _, h := range []string{"127.0.0.1", "localhost"} { // an IP SAN and a DNS name
			s := start(t, env("REDIS_HOST", h))
			c := newClient(t, s.base)
			p := c.generate()
			if got := c.history(); !slices.Equal(got, []string{p}) {
				t.Fatalf("REDIS_HOST=%s: history %q, want [%s]", h, got, p)
			}
			if code, _ := c.do("GET", "/readyz", ""); code != http.StatusOK {
				t.Fatalf("REDIS_HOST=%s: /readyz %d", h, code)
			}
		}
	})
	t.Run("rediss URL", func(t *testing.T) {
		s := start(t, env("REDIS_HOST", "", "REDIS_PORT", "", "REDIS_URL", "rediss://"+srv.TLSAddr+"/0"))
		c := newClient(t, s.base)
		p := c.generate()
		if got := c.history(); !slices.Equal(got, []string{p}) {
			t.Fatalf("history %q, want [%s]", got, p)
		}
	})
	for _, tt := range []struct {
		name string
		env  map[string]string
		log  string
	}{
		{"another CA", env("REDIS_TLS_CA", srv.OtherCA), "certificate signed by unknown authority"},
		// Under TLS 1.3 the server refuses the missing certificate after the
		// client's side of the handshake is done: the client reads the alert
		// (certificate required) or, when its write comes first, a reset.
		{"no client certificate", env("REDIS_TLS_CERT", "", "REDIS_TLS_KEY", ""), "certificate required|connection reset by peer|broken pipe"},
		{"a name the certificate does not hold", env("REDIS_HOST", "127.0.0.2"), "certificate is valid for"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.env)
			c := newClient(t, s.base)
			c.generate() // generation stays up
			if code, _ := c.do("GET", "/readyz", ""); code != http.StatusServiceUnavailable {
				t.Fatalf("/readyz %d, want 503", code)
			}
			if !regexp.MustCompile(tt.log).MatchString(s.logs.String()) {
				t.Fatalf("the log does not say %q:\n%s", tt.log, s.logs)
			}
			for _, l := range strings.Split(s.logs.String(), "\n") {
				if strings.Contains(l, "unavailable") {
					t.Logf("log: %s", l)
				}
			}
		})
	}
	t.Run("bad files are refused at start", func(t *testing.T) {
		for _, e := range []map[string]string{
			env("REDIS_TLS_CA", filepath.Join(t.TempDir(), "missing.pem")),
			env("REDIS_TLS_CA", srv.ClientKey),
			env("REDIS_TLS_KEY", ""),
		} {
			if _, err := loadConfig(func(k string) string { return e[k] }); err == nil || !strings.Contains(err.Error(), "REDIS_TLS_") {
				t.Errorf("config %v: %v, want an error naming the variable", e, err)
			}
		}
	})
}

// deploy/redis/users.acl is least privilege, and every feature of the app
// works against a Redis that has exactly that user and the default user off.
func TestRedisACL(t *testing.T) {
	acl, err := os.ReadFile("../../deploy/redis/users.acl")
	if err != nil {
		t.Fatal(err)
	}
	for _, broad := range []string{"+@all", "~*", "allkeys", "allcommands", "+@admin", "+@dangerous", "nopass", "%RW~*"} {
		for _, line := range strings.Split(string(acl), "\n") {
			if strings.HasPrefix(line, "user giropops ") && slices.Contains(strings.Fields(line), broad) {
				t.Errorf("users.acl grants the app %s", broad)
			}
		}
	}
	if !regexp.MustCompile(`(?m)^user default off\b`).Match(acl) {
		t.Error("users.acl leaves the default user on")
	}
	pw := make([]byte, 24)
	rand.Read(pw)
	password := hex.EncodeToString(pw)
	sum := sha256.Sum256([]byte(password))
	file := filepath.Join(t.TempDir(), "users.acl")
	real := regexp.MustCompile(`#[0-9a-f]{64}`).ReplaceAllString(string(acl), "#"+hex.EncodeToString(sum[:]))
	if err := os.WriteFile(file, []byte(real), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := redistest.StartWith(t, false, "--aclfile", file)
	host, port, _ := net.SplitHostPort(srv.Addr)
	base := map[string]string{"REDIS_HOST": host, "REDIS_PORT": port, "REDIS_USERNAME": "giropops", "REDIS_PASSWORD": password, "SESSION_ROTATE": "2s"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	s := start(t, base)
	if !strings.Contains(s.logs.String(), `"msg":"history in Redis"`) {
		t.Fatalf("no Redis: %s", s.logs)
	}
	c := newClient(t, s.base)
	var want []string
	for range 3 {
		want = append([]string{c.generate()}, want...)
	}
	if got := c.history(); !slices.Equal(got, want) {
		t.Fatalf("session history %q, want %q", got, want)
	}
	time.Sleep(2100 * time.Millisecond) // SESSION_ROTATE: the next request moves the list (WATCH, MULTI, RPUSH, SET, EXEC)
	want = append([]string{c.generate()}, want...)
	if got := c.history(); !slices.Equal(got, want) {
		t.Fatalf("after a rotation: %q, want %q", got, want)
	}
	if code, _ := c.do("DELETE", "/api/senhas", ""); code != http.StatusNoContent { // GET, SET
		t.Fatalf("DELETE: %d", code)
	}
	if got := c.history(); len(got) != 0 {
		t.Fatalf("after DELETE: %q", got)
	}
	if code, _ := c.do("GET", "/readyz", ""); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
	// Automatic pipelining: concurrent clients share round trips.
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			cc := newClient(t, s.base)
			for range 20 {
				cc.generate()
			}
			if len(cc.history()) != 10 {
				t.Error("a concurrent client lost its history")
			}
		})
	}
	wg.Wait()
	g := start(t, with("HISTORY_SCOPE", "global", "HISTORY_ALLOW_CLEAR_GLOBAL", "true", "REDIS_DB", "0"))
	gc := newClient(t, g.base)
	p := gc.generate()
	if got := gc.history(); len(got) == 0 || got[0] != p {
		t.Fatalf("global history %q, want %s first", got, p)
	}
	if code, _ := gc.do("DELETE", "/api/senhas", ""); code != http.StatusNoContent {
		t.Fatalf("DELETE of the global list: %d", code)
	}
	for _, st := range []*started{s, g} {
		if strings.Contains(st.logs.String(), "NOPERM") || strings.Contains(st.logs.String(), "history store unavailable") {
			t.Fatalf("a command the ACL refused:\n%s", st.logs)
		}
	}
	// The same without the ACL's password: refused, and said so.
	bad := start(t, with("REDIS_PASSWORD", "errada"))
	newClient(t, bad.base).generate()
	if code, _ := newClient(t, bad.base).do("GET", "/readyz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with a wrong password: %d", code)
	}
}
