//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browser is an HTTP client with a cookie jar: the app keeps each visitor's history
// under the session its cookie names.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, addr string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: "http://" + addr, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// do sends a request and returns the status and body.
func (b *browser) do(method, path, contentType, body string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// session is the id in the app's session cookie, which names the Redis list.
func (b *browser) session() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "giropops_sessao" {
			return c.Value
		}
	}
	b.t.Fatal("no giropops_sessao cookie")
	return ""
}

// generate is POST /api/gerar-senha for one password of n characters.
func (b *browser) generate(n int) string {
	b.t.Helper()
	code, body := b.do("POST", "/api/gerar-senha", "application/json", fmt.Sprintf(`{"tamanho": %d}`, n))
	var resp struct{ Senha string }
	if err := json.Unmarshal([]byte(body), &resp); code != http.StatusOK || err != nil || len(resp.Senha) != n {
		b.t.Fatalf("POST /api/gerar-senha on %s: %d %s", b.base, code, body)
	}
	return resp.Senha
}

// history is GET /api/senhas: the session's passwords, newest first.
func (b *browser) history() []string {
	b.t.Helper()
	code, body := b.do("GET", "/api/senhas", "", "")
	if code != http.StatusOK {
		b.t.Fatalf("GET /api/senhas: %d %s", code, body)
	}
	var items []struct{ Senha string }
	if err := json.Unmarshal([]byte(body), &items); err != nil {
		b.t.Fatalf("GET /api/senhas: %v: %s", err, body)
	}
	var ps []string
	for _, it := range items {
		ps = append(ps, it.Senha)
	}
	return ps
}

// eventually retries check (a reconnecting client may fail once) for up to 30s.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// TestMakeUp is the course's flow: `make up` runs Redis and the app on a bridge network,
// hardened, and the app keeps its history in Redis across restarts of either container.
func TestMakeUp(t *testing.T) {
	name := uniqueName("gs-e2e-up-")
	redis := name + "-redis"
	env := []string{"UP_NAME=" + name, "PORT="} // empty: a port the engine picks
	t.Cleanup(func() {
		if out, err := tryRun(append(env, "DOWN_VOLUME=1"), "make", "--no-print-directory", "down"); err != nil {
			t.Errorf("make down: %v\n%s", err, out)
		}
	})
	run(t, env, "make", "--no-print-directory", "up")

	t.Run("hardened as the course documents", func(t *testing.T) {
		for _, c := range []string{name, redis} {
			got := inspect(t, "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.NetworkMode}}", c)
			if want := fmt.Sprintf("true [ALL] [no-new-privileges] %s", name); got != want {
				t.Errorf("%s: %q, want %q", c, got, want)
			}
		}
		if got := inspect(t, `{{.Config.User}} {{range .Config.Env}}{{if eq (index (split . "=") 0) "REDIS_HOST"}}{{.}}{{end}}{{end}}`, name); got != "65532:65532 REDIS_HOST="+redis {
			t.Errorf("app user and REDIS_HOST: %q", got)
		}
		if got := inspect(t, `{{range (index .NetworkSettings.Ports "5000/tcp")}}{{.HostIp}};{{end}}`, name); got != "127.0.0.1;" {
			t.Errorf("published on %q, want only 127.0.0.1", got)
		}
		if got := inspect(t, "{{.State.Health.Status}}", name); got != "healthy" {
			t.Errorf("Docker reports the app %q, want healthy", got)
		}
	})

	t.Run("Redis evicts by TTL below its memory limit", func(t *testing.T) {
		// The local image's options (deploy/docker/redis/Dockerfile) and up.sh's limit.
		limit, _ := strconv.ParseInt(inspect(t, "{{.HostConfig.Memory}}", redis), 10, 64)
		conf := strings.Fields(docker(t, "exec", redis, "redis-cli", "CONFIG", "GET", "maxmemory*"))
		got := map[string]string{}
		for i := 0; i+1 < len(conf); i += 2 {
			got[conf[i]] = conf[i+1]
		}
		maxmem, err := strconv.ParseInt(got["maxmemory"], 10, 64)
		if err != nil || maxmem <= 0 || maxmem >= limit || got["maxmemory-policy"] != "volatile-ttl" {
			t.Fatalf("Redis maxmemory %q, maxmemory-policy %q, container memory limit %d: want 0 < maxmemory < limit and volatile-ttl",
				got["maxmemory"], got["maxmemory-policy"], limit)
		}
		t.Logf("maxmemory %d (%d MiB), maxmemory-policy volatile-ttl, container limit %d MiB", maxmem, maxmem>>20, limit>>20)
	})

	b := newBrowser(t, published(t, name))
	var apiPass, formPass string

	t.Run("serves the page", func(t *testing.T) {
		code, body := b.do("GET", "/", "", "")
		if code != http.StatusOK || !strings.Contains(body, "<form") {
			t.Fatalf("GET /: %d, form in page: %v", code, strings.Contains(body, "<form"))
		}
	})

	t.Run("generates through the API", func(t *testing.T) {
		code, body := b.do("POST", "/api/gerar-senha", "application/json",
			`{"tamanho": 16, "incluir_numeros": true, "incluir_caracteres_especiais": true}`)
		var resp struct{ Senha string }
		if err := json.Unmarshal([]byte(body), &resp); code != http.StatusOK || err != nil || len(resp.Senha) != 16 {
			t.Fatalf("POST /api/gerar-senha: %d %s", code, body)
		}
		apiPass = resp.Senha
	})

	t.Run("generates through the form", func(t *testing.T) {
		// The client follows the 303 to the page, which shows the new password.
		code, body := b.do("POST", "/", "application/x-www-form-urlencoded", "tamanho=20&incluir_numeros=on")
		if code != http.StatusOK {
			t.Fatalf("POST / then GET: %d", code)
		}
		h := b.history()
		if len(h) != 2 || h[1] != apiPass || len(h[0]) != 20 {
			t.Fatalf("history after API and form: %q (API gave %q)", h, apiPass)
		}
		formPass = h[0]
		if !strings.Contains(body, formPass) {
			t.Errorf("the page after the form does not show %q", formPass)
		}
	})

	want := []string{formPass, apiPass}
	// The list's key derives from the session cookie one way, and its entries are
	// sealed under a key only the cookie carries: the one session list is found by
	// its prefix, and read quoted (--no-raw), as sealed bytes.
	key := docker(t, "exec", redis, "redis-cli", "--scan", "--pattern", "senhas:sessao:*")
	fromRedis := func(t *testing.T) []string {
		return strings.Split(docker(t, "exec", redis, "redis-cli", "--no-raw", "LRANGE", key, "0", "-1"), "\n")
	}
	var sealed []string

	t.Run("history is in Redis, sealed", func(t *testing.T) {
		if strings.Contains(key, "\n") || strings.Contains(key, b.session()) {
			t.Fatalf("session keys %q: want one, not holding the cookie", key)
		}
		sealed = fromRedis(t)
		if len(sealed) != len(want) {
			t.Fatalf("redis-cli LRANGE %s: %d entries, want %d", key, len(sealed), len(want))
		}
		for _, e := range sealed {
			for _, p := range want {
				if strings.Contains(e, p) {
					t.Fatalf("Redis holds the password %q in clear: %s", p, e)
				}
			}
		}
		if got := docker(t, "exec", redis, "redis-cli", "CONFIG", "GET", "appendonly"); !strings.HasSuffix(got, "yes") {
			t.Errorf("appendonly: %q", got)
		}
	})

	t.Run("metrics answer", func(t *testing.T) {
		code, body := b.do("GET", "/metrics", "", "")
		m := regexp.MustCompile(`(?m)^senha_gerada_total (\d+)$`).FindStringSubmatch(body)
		if code != http.StatusOK || m == nil || m[1] != "2" {
			t.Fatalf("GET /metrics: %d, senha_gerada_total %v", code, m)
		}
	})

	t.Run("docker stop exits cleanly within the grace period", func(t *testing.T) {
		start := time.Now()
		docker(t, "stop", "-t", "10", name)
		took := time.Since(start)
		code := inspect(t, "{{.State.ExitCode}}", name)
		if code != "0" || took >= 10*time.Second {
			t.Fatalf("docker stop: exit code %s after %v, want 0 well within 10s", code, took)
		}
		t.Logf("app stopped in %v, exit code 0", took.Round(time.Millisecond))
	})

	t.Run("history survives an app restart", func(t *testing.T) {
		docker(t, "start", name)
		b.base = "http://" + published(t, name)
		waitHealthy(t, name)
		if got := b.history(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after restarting the app: %q, want %q", got, want)
		}
	})

	t.Run("history survives a Redis restart", func(t *testing.T) {
		docker(t, "stop", "-t", "10", redis)
		if code := inspect(t, "{{.State.ExitCode}}", redis); code != "0" {
			t.Errorf("Redis exit code %s", code)
		}
		docker(t, "start", redis)
		waitHealthy(t, redis)
		if got := fromRedis(t); !reflect.DeepEqual(got, sealed) {
			t.Fatalf("Redis after its restart (AOF): %q, want %q", got, sealed)
		}
		eventually(t, "app reads the history after Redis restarted", func() error {
			// Decoded, not searched as text: a password may hold " or \, escaped in JSON.
			code, body := b.do("GET", "/api/senhas", "", "")
			var items []struct{ Senha string }
			if code != http.StatusOK || json.Unmarshal([]byte(body), &items) != nil {
				return fmt.Errorf("GET /api/senhas: %d %s", code, body)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Senha)
			}
			if !reflect.DeepEqual(got, want) {
				return fmt.Errorf("GET /api/senhas: %q, want %q", got, want)
			}
			return nil
		})
	})

	t.Run("make down removes containers and network, keeps the volume", func(t *testing.T) {
		run(t, env, "make", "--no-print-directory", "down")
		for _, obj := range []string{name, redis} {
			if _, err := tryRun(nil, "docker", "container", "inspect", obj); err == nil {
				t.Errorf("container %s still exists", obj)
			}
		}
		if _, err := tryRun(nil, "docker", "network", "inspect", name); err == nil {
			t.Errorf("network %s still exists", name)
		}
		docker(t, "volume", "inspect", name+"-redis-data")
	})
}
