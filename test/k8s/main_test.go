//go:build k8s

// Package k8s tests the Helm chart on a real single-node Kubernetes cluster (make
// test-k8s; docs/k8s-local.md). Each check is a test of its own, so that `-list .` names
// them and `-run` repeats one. TestMain brings the cluster up with scripts/k8s/up.sh when
// none is running, and then tears it down with down.sh and fails if the host state
// (scripts/k8s/hoststate.sh) differs from before; a cluster that was already running is
// reused and left up, without the host check.
//
// The checks run in the order of their files (cluster, install, load, netpol, redismem)
// and of their declarations. A check that needs an earlier step (a fresh namespace, the
// images imported, the chart installed, the release upgraded, the HPA scaled out) runs
// that step itself when no earlier check has: see the step fields of cluster. So
// `-run TestHelmTest` installs the chart first, and `-run TestHPAScalesIn` scales out
// first. The steps run once per `go test`; tests must not run in parallel.
//
// make passes the paths (see mk/k8s.mk): HELM, CHART, IMAGE_OCI (the app's OCI layout),
// IMAGE_DIGEST (the file holding its digest), REDIS_IMAGE (a Docker image name), K8S_DIR,
// K8S_SCRIPTS and K8S_TEST_OUT (figures.txt, results.txt, logs and diagnostics). Without
// root, the chart's inputs or Docker, the checks skip locally and fail under CI=true.
package k8s

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

const (
	ns  = "giropops"
	rel = "giropops-senhas"
)

// k is the cluster every test uses, made by TestMain.
var k *cluster

// cluster holds the paths from make, the settings of scripts/k8s/env.sh, the artefacts
// directory, and what the shared steps found.
type cluster struct {
	scripts, out                                    string
	helmBin, chart, imageOCI, imageDigest, redisImg string
	env                                             map[string]string // from env.sh
	bin                                             string            // kubectl and friends
	missing                                         string            // why no check can run here
	upErr                                           error             // up.sh failed

	mu sync.Mutex // results.txt and figures.txt

	// Steps that more than one check needs, each run once by the first check that does.
	namespace, images, install, upgrade, hpaOut step

	// What the steps found.
	digest, appImage string // the app's index digest and image reference
	svc, url         string // the app's Service and its cluster IP URL
	keyBefore        string // the history key before the upgrade
	upgradeSenha     string // a password generated before the upgrade...
	upgradeSession   *session
	podsBefore       []string // the app pods before and after the upgrade
	podsAfter        []string
	hpaPeak          string
}

// step is a piece of set-up that several checks need: done once, its error kept.
type step struct {
	done bool
	err  error
}

// run does f the first time and fails t (then and later) if f failed.
func (s *step) run(t *testing.T, what string, f func() error) {
	t.Helper()
	if !s.done {
		s.done = true
		if err := f(); err != nil {
			s.err = fmt.Errorf("%s: %w", what, err)
		}
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.list").Value.String() != "" {
		os.Exit(m.Run())
	}
	os.Exit(run(m))
}

// run brings the cluster up if none runs, runs the checks, and tears down what it brought up.
func run(m *testing.M) int {
	t0 := time.Now()
	var err error
	k, err = newCluster()
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s:", err)
		return 1
	}
	if k.missing != "" {
		return m.Run() // each check skips, or fails under CI
	}
	own := !k.alive("kube-apiserver")
	if own {
		k.hostState("host-before.txt")
		start := time.Now()
		k.upErr = k.script("up.sh")
		k.figure("k8s-up: %.0fs", time.Since(start).Seconds())
	} else {
		logf("reusing the running cluster: it stays up, no host-state check")
	}
	code := m.Run()
	if code != 0 {
		k.diagnostics()
	}
	if own {
		if err := k.script("down.sh"); err != nil {
			logf("FAIL: down.sh: %v", err)
			code = 1
		}
		k.hostState("host-after.txt")
		diff, err := exec.Command("diff", "-u", filepath.Join(k.out, "host-before.txt"), filepath.Join(k.out, "host-after.txt")).CombinedOutput()
		os.WriteFile(filepath.Join(k.out, "host-diff.txt"), diff, 0o644)
		if err != nil {
			k.record("FAIL: host state after k8s-down differs from the state before k8s-up")
			logf("FAIL: the host state changed:\n%s", diff)
			code = 1
		} else {
			k.record("PASS: host state after k8s-down equals the state before k8s-up (host-*.txt)")
		}
	}
	verdict := "passed"
	if code != 0 {
		verdict = "FAILED"
	}
	logf("test-k8s %s in %.0fs (results and figures in %s)", verdict, time.Since(t0).Seconds(), k.out)
	return code
}

// newCluster reads the paths make passes and the settings of env.sh, and empties the
// artefacts directory.
func newCluster() (*cluster, error) {
	c := &cluster{
		scripts:     envOr("K8S_SCRIPTS", "../../scripts/k8s"),
		out:         os.Getenv("K8S_TEST_OUT"),
		helmBin:     os.Getenv("HELM"),
		chart:       os.Getenv("CHART"),
		imageOCI:    os.Getenv("IMAGE_OCI"),
		imageDigest: os.Getenv("IMAGE_DIGEST"),
		redisImg:    os.Getenv("REDIS_IMAGE"),
	}
	if c.out == "" {
		dir, err := os.MkdirTemp("", "k8s-test-")
		if err != nil {
			return nil, err
		}
		c.out = dir
	}
	if err := os.RemoveAll(c.out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nil, err
	}
	names := []string{"K8S_VERSION", "K8S_DIR", "NODE_NAME", "NODE_IP", "POD_CIDR", "PAUSE_IMAGE", "CTRD_SOCK", "KUBECONFIG"}
	script := `source "$1/env.sh" && shift && for v; do printf '%s=%s\n' "$v" "${!v}"; done`
	out, err := exec.Command("bash", append([]string{"-c", script, "env", c.scripts}, names...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("reading %s/env.sh: %v", c.scripts, err)
	}
	c.env = map[string]string{}
	for line := range strings.Lines(string(out)) {
		name, value, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		c.env[name] = value
	}
	c.bin = filepath.Join(c.env["K8S_DIR"], "bin")
	if os.Geteuid() != 0 {
		c.missing = "the cluster needs root (containerd, kubelet, iptables)"
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s k8s: %s\n", time.Now().UTC().Format(time.TimeOnly), fmt.Sprintf(format, args...))
}

// alive reports whether the component recorded in K8S_DIR/pids runs.
func (c *cluster) alive(component string) bool {
	b, err := os.ReadFile(filepath.Join(c.env["K8S_DIR"], "pids", component+".pid"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return err == nil && syscall.Kill(pid, 0) == nil
}

// script runs one of scripts/k8s, its output on ours.
func (c *cluster) script(name string) error {
	cmd := exec.Command(filepath.Join(c.scripts, name))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func (c *cluster) hostState(file string) {
	out, err := exec.Command(filepath.Join(c.scripts, "hoststate.sh")).Output()
	if err != nil {
		logf("hoststate.sh: %v", err)
	}
	os.WriteFile(filepath.Join(c.out, file), out, 0o644)
}

// record appends a line to results.txt.
func (c *cluster) record(format string, args ...any) {
	c.appendTo("results.txt", fmt.Sprintf(format, args...))
}

// figure logs a measurement and keeps it in figures.txt.
func (c *cluster) figure(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	logf("FIGURE: %s", line)
	c.appendTo("figures.txt", line)
}

func (c *cluster) appendTo(file, line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(filepath.Join(c.out, file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		logf("%v", err)
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

// begin starts a check: it records the check's outcome in results.txt when it ends, and
// ends it at once if this machine cannot run the cluster or the cluster did not come up.
func (c *cluster) begin(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		switch {
		case t.Failed():
			c.record("FAIL: %s", t.Name())
		case t.Skipped():
			c.record("SKIP: %s", t.Name())
		}
	})
	if c.missing != "" {
		testenv.Missing(t, "%s", c.missing)
	}
	if c.upErr != nil {
		t.Fatalf("the cluster did not come up: %v", c.upErr)
	}
}

// pass logs what a check saw and records it in results.txt.
func (c *cluster) pass(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log("PASS: " + line)
	c.record("PASS: %s: %s", t.Name(), line)
}

// diagnostics keeps the cluster's state and logs after a failure.
func (c *cluster) diagnostics() {
	if _, err := os.Stat(filepath.Join(c.bin, "kubectl")); err != nil {
		return
	}
	path := filepath.Join(c.out, "diagnostics.txt")
	f, err := os.Create(path)
	if err != nil {
		logf("%v", err)
		return
	}
	for _, args := range [][]string{
		{"get", "nodes,pods,svc,endpointslices,pvc,pv,hpa", "-A", "-o", "wide"},
		{"get", "events", "-A", "--sort-by=.lastTimestamp"},
		{"describe", "pods", "-n", ns},
		{"logs", "-n", ns, "-l", "app.kubernetes.io/instance=" + rel, "--all-containers", "--tail", "50"},
	} {
		fmt.Fprintf(f, "### kubectl %s\n", strings.Join(args, " "))
		cmd := exec.Command(filepath.Join(c.bin, "kubectl"), args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.env["KUBECONFIG"])
		cmd.Stdout, cmd.Stderr = f, f
		cmd.Run()
	}
	f.Close()
	exec.Command("cp", "-r", filepath.Join(c.env["K8S_DIR"], "logs"), filepath.Join(c.out, "cluster-logs")).Run()
	logf("diagnostics in %s; its last lines:", path)
	tail(path, 50)
}

// tail prints the last n lines of a file.
func tail(path string, n int) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	var lines []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	for _, l := range lines[max(0, len(lines)-n):] {
		fmt.Fprintln(os.Stderr, l)
	}
}
