// Package testenv holds what the tests of every package share: the rule for a service
// or program a test needs and cannot find, a log buffer that a process and a test may
// use at once, and listeners on a port the kernel picks.
package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// CI reports whether the tests run under CI (CI=true), where nothing may be skipped
// for want of a service.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing ends a test that lacks a service, a program or an input: skipped locally
// with the message, failed under CI (CI=true), which must provide everything.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Listen listens on a port of 127.0.0.1 that the kernel picks, closed when the test
// ends: read the address back from the listener instead of guessing a free port.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:0: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Buffer is a bytes.Buffer that a process (or a server's logger) writes while a test
// reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ListeningPort waits up to timeout for the app's {"msg":"listening","addr":"HOST:PORT"}
// log line in out (started with PORT=0, the kernel picks the port) and returns the
// port. It gives up early when exited closes.
func ListeningPort(out *Buffer, exited <-chan struct{}, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(out.String()) {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "listening" {
				continue
			}
			_, port, err := net.SplitHostPort(l.Addr)
			if err != nil {
				return 0, fmt.Errorf("listening line %q: %v", line, err)
			}
			return strconv.Atoi(port)
		}
		select {
		case <-exited:
			return 0, errors.New("the process exited before listening")
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("no \"listening\" log line within %s", timeout)
}
