//go:build e2e

package e2e

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// TestCourseCommands runs the README's "As the course runs it" commands exactly as
// written (the block between the course:begin and course:end markers), then checks that
// the app answers on 127.0.0.1:5000 and keeps its history in the Redis container, and
// runs the block's clean-up commands (course-cleanup markers) at the end. It runs them
// twice: with the image `make image` built, then with the image docker build built from
// the Dockerfile (make image-docker), the block's one change being that image's name.
func TestCourseCommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	up, cleanup := shellBlock(t, string(readme), "course"), shellBlock(t, string(readme), "course-cleanup")
	// The commands take fixed names and port 5000, as the course's do: a machine that
	// already uses them (a developer's own run) cannot run them as written.
	for _, name := range []string{"redis", "giropops-senhas-app"} {
		if _, err := tryRun(nil, "docker", "container", "inspect", name); err == nil {
			testenv.Missing(t, "a container named %s exists already: remove it to run the course's commands", name)
		}
	}
	if _, err := tryRun(nil, "docker", "network", "inspect", "giropops"); err == nil {
		testenv.Missing(t, "a Docker network named giropops exists already")
	}
	if l, err := net.Listen("tcp", "127.0.0.1:5000"); err != nil {
		testenv.Missing(t, "port 5000 is in use: %v", err)
	} else {
		l.Close()
	}
	t.Run("make_image", func(t *testing.T) { courseCommands(t, up, cleanup) })
	t.Run("docker_build", func(t *testing.T) {
		dockerBuilt(t)
		// The app's image is the last word of a line: giropops-senhas, that is :latest.
		app := regexp.MustCompile(`(?m) giropops-senhas$`)
		if len(app.FindAllString(up, -1)) != 1 {
			t.Fatalf("the course's commands name the app's image giropops-senhas at the end of one line, no more:\n%s", up)
		}
		courseCommands(t, app.ReplaceAllString(up, " "+dockerImage), cleanup)
	})
}

// courseCommands runs the commands up, checks the app and its history, and runs cleanup.
func courseCommands(t *testing.T, up, cleanup string) {
	t.Cleanup(func() {
		if out, err := tryRun(nil, "bash", "-c", cleanup); err != nil {
			t.Errorf("the README's clean-up commands: %v\n%s", err, out)
		}
	})
	run(t, nil, "bash", "-euo", "pipefail", "-c", up)

	waitHealthy(t, "giropops-senhas-app")
	b := newBrowser(t, "127.0.0.1:5000")
	senha := b.generate(20)
	if got := b.history(); len(got) != 1 || got[0] != senha {
		t.Fatalf("history: %q, want [%q]", got, senha)
	}
	// The history is in the Redis container, sealed.
	key := docker(t, "exec", "redis", "redis-cli", "--scan", "--pattern", "senhas:sessao:*")
	if key == "" || strings.Contains(key, "\n") {
		t.Fatalf("session keys in the Redis container: %q, want one", key)
	}
	if got := docker(t, "exec", "redis", "redis-cli", "--no-raw", "LRANGE", key, "0", "-1"); strings.Contains(got, senha) {
		t.Fatalf("Redis holds the password in clear: %s", got)
	}
}

// shellBlock returns the commands of the README's ```sh block that follows the line
// <!-- NAME:begin --> and ends before <!-- NAME:end -->, comments dropped.
func shellBlock(t *testing.T, readme, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "<!-- "+name+":begin -->\n")
	block, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("README.md has no %s:begin/%s:end block", name, name)
	}
	block = strings.TrimPrefix(strings.TrimSpace(block), "```sh\n")
	block = strings.TrimSuffix(block, "```")
	if !strings.Contains(block, "docker") {
		t.Fatalf("the README's %s block runs no docker command:\n%s", name, block)
	}
	return block
}
