//go:build e2e

// Package e2e tests the image with a real Docker engine: the `make up` flow the course
// documents, compose, the image's contents, the Dockerfile's equivalence, the arm64
// binary under qemu, and a reproducible build. Run it with `make test-image`, or
// `go test -tags e2e ./test/e2e/`. Without an engine it skips, except under CI=true,
// where a missing engine, qemu or docker-compose is a failure.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

const (
	appImage   = "giropops-senhas:latest"
	redisImage = "giropops-senhas-redis:local"
)

// root is the repository: this package is test/e2e.
var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}()

func TestMain(m *testing.M) {
	if out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("no Docker engine (%v: %s); start one with .ci/start.d/10-dockerd.sh", err, bytes.TrimSpace(out))
		if testenv.CI() {
			fmt.Fprintln(os.Stderr, "FAIL:", msg)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "skipping the end-to-end tests:", msg)
		os.Exit(0)
	}
	// Every test uses the images as `make image` and `make redis-image` build them now.
	cmd := exec.Command("make", "--no-print-directory", "image", "redis-image")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: make image redis-image:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// need fails under CI and skips elsewhere when a program the test needs is missing.
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		testenv.Missing(t, "%s is not installed (see .ci/apt/image.txt)", program)
	}
	return p
}

// run runs a command in the repository and returns its trimmed stdout; stderr goes to
// the test log on failure.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	return runIn(t, root, env, name, args...)
}

// runIn is run in another directory.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := tryRunIn(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func tryRun(env []string, name string, args ...string) (string, error) {
	return tryRunIn(root, env, name, args...)
}

func tryRunIn(dir string, env []string, name string, args ...string) (string, error) {
	// Long enough for a cold build of both arches on a busy 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return strings.TrimSpace(stdout.String() + "\n" + stderr.String()), err
	}
	return strings.TrimSpace(stdout.String()), nil
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, nil, "docker", args...)
}

// inspect reads one Go template field of a container or image.
func inspect(t *testing.T, format, object string) string {
	t.Helper()
	return docker(t, "inspect", "-f", format, object)
}

// waitHealthy waits until Docker reports the container healthy.
func waitHealthy(t *testing.T, container string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	status := ""
	for time.Now().Before(deadline) {
		status = inspect(t, "{{if .State.Health}}{{.State.Health.Status}}{{end}}", container)
		if status == "healthy" {
			return
		}
		time.Sleep(time.Second)
	}
	logs, _ := tryRun(nil, "docker", "logs", "--tail", "30", container)
	t.Fatalf("%s: health %q after 90s; logs:\n%s", container, status, logs)
}

// published is the host address ("127.0.0.1:PORT") where container publishes port
// 5000: the tests publish on a port the engine picks (-p 127.0.0.1::5000, or PORT= empty
// for make up and compose), so no free port is guessed; a restart may pick another.
func published(t *testing.T, container string) string {
	t.Helper()
	return run(t, nil, "docker", "port", container, "5000/tcp")
}

// uniqueName names the test's containers, network and volume so that they clash
// neither with a user's `make up` nor with another run.
func uniqueName(prefix string) string {
	return prefix + strconv.Itoa(os.Getpid())
}
