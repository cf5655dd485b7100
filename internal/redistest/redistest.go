// Package redistest runs a real redis-server for tests, on a loopback port in a
// temporary directory.
//
// Without redis-server on the PATH a test is skipped with a message, except
// under CI (CI=true), where a missing server fails the test (testenv.Missing).
package redistest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
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
	// exited closes when cmd has exited (its Wait returned).
	exited chan struct{}
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
		testenv.Missing(t, "redis-server not found on PATH: install it (apt-get install redis-server)")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), aof: aof, args: args}
	t.Cleanup(s.Stop)
	// redis-server cannot listen on port 0 and say which port it got (--port 0
	// turns TCP off), so take a port the kernel just gave out and try again with
	// another if something else bound it meanwhile.
	for try := 1; ; try++ {
		l := testenv.Listen(t)
		s.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
		err := s.start()
		if err == nil {
			return s
		}
		if !errors.Is(err, errPortTaken) || try == 5 {
			t.Fatal(err)
		}
	}
}

var errPortTaken = errors.New("the port was taken")

// StartAgain starts the server after Stop, on the same port and directory.
func (s *Server) StartAgain() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) start() error {
	aof := "no"
	if s.aof {
		aof = "yes"
	}
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", aof, "--appendfsync", "always",
		"--save", "", "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Args = append(s.cmd.Args, s.args...)
	logPath := filepath.Join(s.dir, "redis.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	cmd, exited := s.cmd, make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.exited = exited
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			s.cmd = nil
			log, _ := os.ReadFile(logPath)
			if bytes.Contains(log, []byte("Address already in use")) {
				return fmt.Errorf("redis-server on %s: %w", s.Addr, errPortTaken)
			}
			return fmt.Errorf("redis-server exited at start:\n%s", log)
		default:
		}
		if pong(s.Addr) {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("redis-server did not answer PING on %s:\n%s", s.Addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pong reports whether addr answers PING with PONG.
func pong(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 7)
	_, err = c.Write([]byte("PING\r\n"))
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	// -NOAUTH: a server whose default user is off (an ACL file) answers too.
	return err == nil && (string(buf) == "+PONG\r\n" || string(buf) == "-NOAUTH")
}

// Stop stops the server gracefully (it writes its append-only file first) and
// waits for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Dir is the server's data directory.
func (s *Server) Dir() string { return filepath.Clean(s.dir) }
