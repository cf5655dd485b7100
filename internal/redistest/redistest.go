// Package redistest runs a real redis-server for tests, on a free loopback port
// in a temporary directory.
//
// Without redis-server on the PATH a test is skipped with a message, except
// under CI (CI=true), where a missing server fails the test.
package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a redis-server process that can be stopped and started again on
// the same port and data directory, to test outages and persistence.
type Server struct {
	Addr string
	t    testing.TB
	bin  string
	dir  string
	port int
	aof  bool
	args []string
	cmd  *exec.Cmd
}

// Start starts a redis-server and stops it when the test ends. With aof, it
// persists every write to an append-only file in its directory.
func Start(t testing.TB, aof bool) *Server {
	t.Helper()
	return StartWith(t, aof)
}

// StartWith is Start with more redis-server options, which come last and so
// win over the defaults (such as --maxmemory 16mb).
func StartWith(t testing.TB, aof bool, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; CI must install it (apt-get install redis-server)")
		}
		t.Skip("redis-server not found on PATH: install it (apt-get install redis-server) to run this test")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), port: freePort(t), aof: aof, args: args}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	s.StartAgain()
	t.Cleanup(s.Stop)
	return s
}

// StartAgain starts the server after Stop, on the same port and directory.
func (s *Server) StartAgain() {
	s.t.Helper()
	aof := "no"
	if s.aof {
		aof = "yes"
	}
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", aof, "--appendfsync", "always",
		"--save", "", "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Args = append(s.cmd.Args, s.args...)
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server did not listen on %s: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server gracefully (it writes its append-only file first) and
// waits for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Dir is the server's data directory.
func (s *Server) Dir() string { return filepath.Clean(s.dir) }

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(fmt.Errorf("find a free port: %w", err))
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
