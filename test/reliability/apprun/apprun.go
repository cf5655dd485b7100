// Package apprun builds a program of this module and runs it as a process on a
// loopback port, for the reliability tests and the benchmark: they test the
// real binary, its signals and exit code, not a handler in the test's process.
package apprun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// ModuleRoot is the directory of this module's go.mod, found from the working
// directory up (go test runs a test in its package's directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Build compiles the package pkg (such as ./cmd/giropops-senhas) of this
// module into a new file under dir, stripped and -trimpath like the release,
// and returns its path.
func Build(t testing.TB, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = ModuleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// Proc is a running server process.
type Proc struct {
	Cmd  *exec.Cmd
	Port int
	URL  string // http://127.0.0.1:PORT
	// StartUp is the time from starting the process to its first 200 on the
	// health path.
	StartUp time.Duration

	out  *testenv.Buffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// Start runs bin with env (KEY=VALUE; PORT=0 is added, so the kernel picks the
// port, read back from /proc whatever LOG_LEVEL says) and waits up to 10 s for
// health (such as /healthz) to answer 200. The process is killed when the
// test ends if it is still running.
func Start(t testing.TB, bin, health string, env ...string) *Proc {
	t.Helper()
	p := &Proc{out: &testenv.Buffer{}, done: make(chan struct{})}
	p.Cmd = exec.Command(bin)
	p.Cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=0"}, env...)
	p.Cmd.Stdout, p.Cmd.Stderr = p.out, p.out
	start := time.Now()
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { p.err = p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		if !p.Exited() {
			p.Cmd.Process.Kill()
			<-p.done
		}
	})
	port, err := listeningPort(p.Cmd.Process.Pid, p.done, 10*time.Second)
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, p.Output())
	}
	p.Port, p.URL = port, "http://127.0.0.1:"+strconv.Itoa(port)
	if _, err := WaitFor200(p.URL+health, 10*time.Second, p.done); err != nil {
		t.Fatalf("%s did not answer 200 on %s: %v\n%s", bin, health, err, p.Output())
	}
	p.StartUp = time.Since(start)
	return p
}

// WaitFor200 polls url every millisecond until it answers 200, for at most
// timeout, and returns how long that took. It gives up early when stop closes
// (the process exited).
func WaitFor200(url string, timeout time.Duration, stop <-chan struct{}) (time.Duration, error) {
	start := time.Now()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var last error
	for time.Since(start) < timeout {
		select {
		case <-stop:
			return 0, errors.New("the process exited")
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("no 200 within %s: %v", timeout, last)
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Done is closed when the process exits.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error { return p.Cmd.Process.Signal(sig) }

// Wait waits at most timeout for the process to exit and returns its exit
// code, or an error if it is still running (it is then killed).
func (p *Proc) Wait(timeout time.Duration) (int, error) {
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.Cmd.Process.Kill()
		<-p.done
		return -1, fmt.Errorf("still running after %s: killed", timeout)
	}
	if ws, ok := p.Cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, fmt.Errorf("killed by %s", ws.Signal())
	}
	return p.Cmd.ProcessState.ExitCode(), nil
}

// Output is what the process wrote to stdout and stderr so far.
func (p *Proc) Output() string { return p.out.String() }

// Stop sends SIGTERM and waits up to 15 s for the process to exit.
func (p *Proc) Stop() {
	if p.Exited() {
		return
	}
	p.Signal(syscall.SIGTERM)
	p.Wait(15 * time.Second)
}

// RSS returns the resident set size of process pid and its peak (VmRSS and
// VmHWM in /proc/PID/status), in bytes.
func RSS(pid int) (rss, peak int64, err error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q", k, v)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, fmt.Errorf("no VmRSS/VmHWM in /proc/%d/status", pid)
	}
	return rss, peak, sc.Err()
}

// Metrics reads the series without labels (such as go_goroutines) from a
// Prometheus text endpoint.
func Metrics(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
			continue
		}
		name, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			m[name] = f
		}
	}
	return m, sc.Err()
}

// listeningPort waits up to timeout for the process pid to listen on a TCP port
// and returns it: the LISTEN sockets of /proc/net/tcp and tcp6 whose inode is one
// of the process's file descriptors. It gives up early when exited closes.
func listeningPort(pid int, exited <-chan struct{}, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if port := procListening(pid); port != 0 {
			return port, nil
		}
		select {
		case <-exited:
			return 0, errors.New("the process exited before listening")
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("pid %d listened on no TCP port within %s", pid, timeout)
}

func procListening(pid int) int {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	sockets := map[string]bool{}
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && strings.HasPrefix(l, "socket:[") {
			sockets[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !sockets[f[9]] { // 0A: LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if port, err := strconv.ParseUint(hexPort, 16, 16); err == nil {
				return int(port)
			}
		}
	}
	return 0
}
