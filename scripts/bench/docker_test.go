//go:build bench

package bench

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

// healthInterval replaces the image's HEALTHCHECK interval (5 s) for the
// start-up runs: with 5 s, "docker run to healthy" would measure the interval.
const healthInterval = "100ms"

// dockerStartRuns is startRuns for the containers: each docker run costs seconds.
const dockerStartRuns = 3

// harden is how `make up` runs both containers.
var harden = []string{"--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges", "--user", "65532:65532"}

// startImages runs the app's image the way `make up` does (a bridge network,
// the local Redis image, the app's port published on 127.0.0.1) and, beside
// it, the ceiling in an image of its own, so that the image is compared with a
// bare handler behind the same Docker networking (docker-proxy). It returns
// the ceiling's container and the app's.
func startImages(t *testing.T, image, redisImage, ceilBin string) (ceil, app *target) {
	t.Helper()
	name := "giropops-bench-" + strconv.Itoa(os.Getpid())
	docker(t, "network", "create", "--driver", "bridge", name)
	t.Cleanup(func() { exec.Command("docker", "network", "rm", name).Run() })
	redis := name + "-redis"
	docker(t, append(append([]string{"run", "-d", "--name", redis, "--network", name}, harden...),
		redisImage, "--save", "", "--appendonly", "no", "--protected-mode", "no")...)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", redis).Run() })

	ceilImage := name + "-ceiling:local"
	importBinary(t, ceilBin, ceilImage)
	ceil = &target{Name: "ceiling-docker"}
	app = &target{Name: "image"}
	var ceilURL, appURL string
	for i := range dockerStartRuns {
		last := i == dockerStartRuns-1
		ceilURL = runContainer(t, ceil, fmt.Sprintf("%s-ceiling-%d", name, i), name, last, nil, ceilImage)
		appURL = runContainer(t, app, fmt.Sprintf("%s-app-%d", name, i), name, last,
			[]string{"-e", "REDIS_HOST=" + redis, "-e", "HISTORY_SCOPE=global", "-e", "LOG_LEVEL=warn",
				"--health-interval", healthInterval}, image)
	}
	if _, err := apprun.WaitFor200(appURL+"/readyz", 10*time.Second, nil); err != nil {
		t.Fatalf("the image is not ready (Redis container %s): %v", redis, err)
	}
	ceil.URL, app.URL = ceilURL, appURL
	return ceil, app
}

// runContainer runs one container of tg, times docker run to its first 200
// (and to "healthy" when the image has a health check), and removes it unless
// keep, in which case tg takes its pid.
func runContainer(t *testing.T, tg *target, name, network string, keep bool, opts []string, image string) string {
	t.Helper()
	// 127.0.0.1::5000: the engine picks the host port, `docker port` reads it back.
	args := append([]string{"run", "-d", "--name", name, "--network", network, "-p", "127.0.0.1::5000"}, harden...)
	args = append(append(args, opts...), image)
	start := time.Now()
	docker(t, args...)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	url := "http://" + strings.TrimSpace(docker(t, "port", name, "5000/tcp"))
	if _, err := apprun.WaitFor200(url+"/healthz", 30*time.Second, nil); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, cmdOut("docker", "logs", name))
	}
	tg.StartUpRuns = append(tg.StartUpRuns, time.Since(start))
	for strings.TrimSpace(docker(t, "inspect", "-f", "{{if .State.Health}}yes{{end}}", name)) == "yes" {
		status := strings.TrimSpace(docker(t, "inspect", "-f", "{{.State.Health.Status}}", name))
		if status == "healthy" {
			tg.HealthyRuns = append(tg.HealthyRuns, time.Since(start))
			break
		}
		if status == "unhealthy" || time.Since(start) > 60*time.Second {
			t.Fatalf("%s: %s after %s", name, status, time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !keep {
		docker(t, "rm", "-f", name)
		return url
	}
	tg.StartUp = medianDur(tg.StartUpRuns)
	if len(tg.HealthyRuns) > 0 {
		tg.Healthy = medianDur(tg.HealthyRuns)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(docker(t, "inspect", "-f", "{{.State.Pid}}", name)))
	if err != nil || pid == 0 {
		t.Fatalf("pid of %s: %v", name, err)
	}
	tg.pid = func() int { return pid }
	tg.alive = func() bool {
		return strings.TrimSpace(cmdOut("docker", "inspect", "-f", "{{.State.Running}}", name)) == "true"
	}
	return url
}

// importBinary makes a one-file image of bin (the ceiling), listening on :5000.
func importBinary(t *testing.T, bin, image string) {
	t.Helper()
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "ceiling", Mode: 0o755, Size: int64(len(b)), Typeflag: tar.TypeReg})
	tw.Write(b)
	tw.Close()
	cmd := exec.Command("docker", "import", "-c", `ENTRYPOINT ["/ceiling"]`, "-c", "ENV ADDR=:5000", "-", image)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
}

// docker runs the docker CLI and returns its output, failing the test on error.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	b, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return string(b)
}
