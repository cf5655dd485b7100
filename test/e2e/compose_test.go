//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCompose runs compose.yaml with Debian's docker-compose: both services healthy and
// hardened, a password generated and found in Redis, and the volume kept across `down`.
func TestCompose(t *testing.T) {
	need(t, "docker-compose")
	project := uniqueName("gse2ecompose")
	// PORT empty: a port the engine picks; SESSION_KEY, as .env would give it, so
	// that sessions outlive the containers.
	sessionKey := make([]byte, 32)
	rand.Read(sessionKey)
	env := []string{"PORT=", "SESSION_KEY=" + base64.StdEncoding.EncodeToString(sessionKey)}
	compose := func(args ...string) string {
		t.Helper()
		return run(t, env, "docker-compose", append([]string{"-p", project, "-f", "compose.yaml"}, args...)...)
	}
	t.Cleanup(func() {
		if out, err := tryRun(env, "docker-compose", "-p", project, "-f", "compose.yaml", "down", "-v"); err != nil {
			t.Errorf("docker-compose down -v: %v\n%s", err, out)
		}
	})
	compose("up", "-d")

	app, redis := compose("ps", "-q", "app"), compose("ps", "-q", "redis")
	waitHealthy(t, redis)
	waitHealthy(t, app)
	// compose.yaml repeats the local image's CMD (deploy/docker/redis/Dockerfile), the one
	// list of Redis options, and bounds the container above its maxmemory.
	cmd, imageCmd := inspect(t, "{{json .Config.Cmd}}", redis), inspect(t, "{{json .Config.Cmd}}", "giropops-senhas-redis:local")
	if mem := inspect(t, "{{.HostConfig.Memory}}", redis); cmd != imageCmd || mem != "268435456" {
		t.Errorf("compose's Redis runs %s with a memory limit of %s bytes: want the image's CMD %s and 256m", cmd, mem, imageCmd)
	}
	for _, c := range []string{app, redis} {
		if got := inspect(t, "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}", c); got != "true [ALL]" {
			t.Errorf("%s: %q, want read-only and no capabilities", c, got)
		}
		if got := inspect(t, "{{.HostConfig.SecurityOpt}}", c); !strings.Contains(got, "no-new-privileges") {
			t.Errorf("%s: security options %q", c, got)
		}
	}

	b := newBrowser(t, published(t, app))
	code, body := b.do("POST", "/api/gerar-senha", "application/json", `{"tamanho": 24, "incluir_numeros": true}`)
	var resp struct{ Senha string }
	if err := json.Unmarshal([]byte(body), &resp); code != http.StatusOK || err != nil || len(resp.Senha) != 24 {
		t.Fatalf("POST /api/gerar-senha: %d %s", code, body)
	}
	// One session list, under a key that is not the cookie, holding one sealed entry.
	key := compose("exec", "-T", "redis", "redis-cli", "--scan", "--pattern", "senhas:sessao:*")
	if strings.Contains(key, "\n") || strings.Contains(key, b.session()) {
		t.Fatalf("session keys %q: want one, not holding the cookie", key)
	}
	if got := compose("exec", "-T", "redis", "redis-cli", "--no-raw", "LRANGE", key, "0", "-1"); strings.Count(got, "\n") != 0 || strings.Contains(got, resp.Senha) {
		t.Fatalf("Redis has %q under %s, want one sealed entry without %q", got, key, resp.Senha)
	}

	// down without -v, then up again: the history is still there.
	compose("down")
	compose("up", "-d")
	app = compose("ps", "-q", "app")
	waitHealthy(t, app)
	b.base = "http://" + published(t, app)
	if got := b.history(); len(got) != 1 || got[0] != resp.Senha {
		t.Fatalf("history after down and up: %q, want [%q]", got, resp.Senha)
	}
}
