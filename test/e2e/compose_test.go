//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
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

// TestComposeBuild runs `docker-compose up --build` in a fresh clone of the commit: compose
// builds the app's image from the Dockerfile and the app serves. The one addition is a
// second compose file with the build arguments of `make image-docker` (the local Go image,
// since the golang image cannot be pulled here; its version and revision, so that the
// build reuses that build's layers); the image gets a tag of its own.
func TestComposeBuild(t *testing.T) {
	need(t, "docker-compose")
	dockerBuilt(t)
	src := filepath.Join(t.TempDir(), "src")
	run(t, nil, "git", "clone", "--quiet", root, src)
	runIn(t, src, nil, "git", "checkout", "--quiet", "--detach", run(t, nil, "git", "rev-parse", "HEAD"))
	offline := "services:\n  app:\n    build:\n      args:\n"
	for _, a := range buildArgs(t) {
		k, v, _ := strings.Cut(a, "=")
		offline += fmt.Sprintf("        %s: %q\n", k, v)
	}
	if err := os.WriteFile(filepath.Join(src, "offline.yaml"), []byte(offline), 0o644); err != nil {
		t.Fatal(err)
	}

	project := uniqueName("gse2ecomposebuild")
	env := []string{"PORT=", "APP_TAG=" + project}
	compose := func(args ...string) string {
		t.Helper()
		return runIn(t, src, env, "docker-compose", append([]string{"-p", project, "-f", "compose.yaml", "-f", "offline.yaml"}, args...)...)
	}
	t.Cleanup(func() {
		if out, err := tryRunIn(src, env, "docker-compose", "-p", project, "-f", "compose.yaml", "-f", "offline.yaml", "down", "-v"); err != nil {
			t.Errorf("docker-compose down: %v\n%s", err, out)
		}
		_, _ = tryRun(nil, "docker", "image", "rm", "giropops-senhas:"+project)
	})
	start := time.Now()
	compose("up", "-d", "--build")
	t.Logf("docker-compose up --build: %s", time.Since(start).Round(time.Second))

	app := compose("ps", "-q", "app")
	if got, want := inspect(t, "{{.Config.Image}}", app), "giropops-senhas:"+project; got != want {
		t.Fatalf("compose's app runs %s, want the image it built, %s", got, want)
	}
	waitHealthy(t, app)
	b := newBrowser(t, published(t, app))
	if senha, got := b.generate(16), b.history(); len(got) != 1 || got[0] != senha {
		t.Fatalf("history: %q, want [%q]", got, senha)
	}
	// The same files as the image make image-docker built from the checkout, unless the
	// checkout is modified (the clone has the commit, not the changes).
	if v := dockerStamp(t).version; strings.HasSuffix(v, "-dirty") {
		t.Logf("the checkout is modified (%s): its image is not compared", v)
		return
	}
	want, _ := savedImage(t, dockerImage)
	if got, _ := savedImage(t, "giropops-senhas:"+project); !reflect.DeepEqual(got, want) {
		t.Errorf("compose's image files:\n got %v\nwant %v (make image-docker's)", got, want)
	}
}
