package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/internal/testenv"
)

// started is a run() serving in the background.
type started struct {
	base string
	done chan error
	stop context.CancelFunc
	logs *testenv.Buffer
}

// start calls run on a free port with env, and waits for its "listening" log line.
func start(t *testing.T, env map[string]string) *started {
	t.Helper()
	env["PORT"] = "0"
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{done: make(chan error, 1), stop: cancel, logs: &testenv.Buffer{}}
	exited := make(chan struct{})
	var err error
	go func() {
		err = run(ctx, nil, func(k string) string { return env[k] }, s.logs, io.Discard)
		close(exited)
		s.done <- err
	}()
	port, perr := testenv.ListeningPort(s.logs, exited, 10*time.Second)
	if perr != nil {
		cancel()
		<-exited
		t.Fatalf("run: %v (it returned %v)\n%s", perr, err, s.logs)
	}
	s.base = "http://127.0.0.1:" + strconv.Itoa(port)
	t.Cleanup(func() { cancel(); <-s.done })
	return s
}

func TestRunWithRedis(t *testing.T) {
	srv := redistest.Start(t, false)
	host, port, _ := net.SplitHostPort(srv.Addr)
	s := start(t, map[string]string{"REDIS_HOST": host, "REDIS_PORT": port, "HISTORY_SCOPE": "global"})
	resp, err := http.Post(s.base+"/api/gerar-senha", "application/json", strings.NewReader(`{"tamanho": 12}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Senha string }
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	// The original app's clients and data: the password is in the Redis list senhas.
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rc.Close()
	list, err := rc.LRange(t.Context(), "senhas", 0, 9).Result()
	if err != nil || len(list) != 1 || list[0] != got.Senha || len(got.Senha) != 12 {
		t.Fatalf("LRANGE senhas = %q, %v; want [%s]", list, err, got.Senha)
	}
	if !strings.Contains(s.logs.String(), `"msg":"history in Redis"`) {
		t.Fatalf("no log line saying where the history is:\n%s", s.logs)
	}
}

func TestRunInMemorySaysSo(t *testing.T) {
	s := start(t, map[string]string{})
	if !strings.Contains(s.logs.String(), "history in memory") {
		t.Fatalf("no log line saying the history is in memory:\n%s", s.logs)
	}
	if err := healthcheck(t.Context(), []string{s.base + "/healthz"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
}

// Cancelling run's context (SIGTERM in main) lets a request in flight finish,
// refuses new connections, and returns nil.
func TestGracefulShutdown(t *testing.T) {
	s := start(t, map[string]string{"SHUTDOWN_TIMEOUT": "5s"})
	body, w := io.Pipe()
	result := make(chan int, 1)
	go func() {
		resp, err := http.Post(s.base+"/api/gerar-senha", "application/json", body)
		if err != nil {
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	w.Write([]byte(`{"tamanho":`)) // the request is in flight, its body half sent
	time.Sleep(200 * time.Millisecond)
	s.stop()
	time.Sleep(200 * time.Millisecond)
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Fatal("a new request was served after shutdown began")
	}
	w.Write([]byte(` 10}`))
	w.Close()
	if code := <-result; code != http.StatusOK {
		t.Fatalf("the request in flight got %d, want 200", code)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run returned %v, want nil", err)
		}
		s.done <- nil // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
}

// The real binary exits 0 on SIGTERM.
func TestSIGTERMExitsZero(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "giropops-senhas")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT=0")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.Contains(sc.Text(), `"msg":"listening"`) {
	}
	go io.Copy(io.Discard, out)
	cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want 0", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 10s of SIGTERM")
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ok.URL, "http://"))
	noenv := func(string) string { return "" }
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		ok     bool
	}{
		{"URL argument", []string{ok.URL + "/healthz"}, noenv, true},
		{"default URL on $PORT", nil, func(k string) string { return map[string]string{"PORT": port}[k] }, true},
		{"503", []string{failing.URL + "/healthz"}, noenv, false},
		{"404", []string{ok.URL + "/outra"}, noenv, false},
		{"nothing listening", []string{"http://127.0.0.1:1/healthz"}, noenv, false},
		{"bad URL", []string{"::"}, noenv, false},
	}
	for _, tt := range tests {
		err := run(t.Context(), append([]string{"healthcheck"}, tt.args...), tt.getenv, io.Discard, io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("%s: healthcheck error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"version"}, os.Getenv, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "giropops-senhas dev (revision unknown, go1.") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	var usage strings.Builder
	if err := run(t.Context(), []string{"servir"}, os.Getenv, io.Discard, &usage); err == nil || !strings.Contains(usage.String(), "usage:") {
		t.Fatalf("unknown command: %v, %q", err, usage.String())
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	err := run(t.Context(), nil, func(k string) string { return map[string]string{"PORT": "cinco mil"}[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("run with PORT=cinco mil: %v", err)
	}
	var opErr *net.OpError
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	err = run(t.Context(), nil, func(k string) string { return map[string]string{"PORT": port}[k] }, io.Discard, io.Discard)
	if !errors.As(err, &opErr) {
		t.Fatalf("run on a busy port: %v, want a listen error", err)
	}
}
