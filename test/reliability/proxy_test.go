//go:build reliability

package reliability

import (
	"io"
	"net"
	"sync"
	"testing"
)

// blackhole is a TCP proxy on 127.0.0.1 in front of a Redis server. Cut makes
// it a network partition: it stops forwarding on every connection and accepts
// new ones without answering, so the app's calls hang until its own timeouts
// end them. Heal closes the stuck connections and forwards again.
type blackhole struct {
	Addr     string
	upstream string
	ln       net.Listener

	mu    sync.Mutex
	cut   bool
	conns []net.Conn // every connection open on both sides
}

func newBlackhole(t *testing.T, upstream string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{Addr: ln.Addr().String(), upstream: upstream, ln: ln}
	go b.serve()
	t.Cleanup(func() { ln.Close(); b.closeAll() })
	return b
}

func (b *blackhole) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		cut := b.cut
		b.mu.Unlock()
		if cut {
			continue // held open, never read: the client's call hangs
		}
		up, err := net.Dial("tcp", b.upstream)
		if err != nil {
			c.Close()
			continue
		}
		b.mu.Lock()
		b.conns = append(b.conns, up)
		b.mu.Unlock()
		go b.pipe(up, c)
		go b.pipe(c, up)
	}
}

// pipe copies src to dst until either closes, or until the cut, after which
// what it read is dropped and the connection is left hanging.
func (b *blackhole) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			b.mu.Lock()
			cut := b.cut
			b.mu.Unlock()
			if !cut {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					src.Close()
					return
				}
			}
		}
		if err != nil {
			if err != io.EOF {
				dst.Close()
			} else if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}

// Cut starts the partition.
func (b *blackhole) Cut() {
	b.mu.Lock()
	b.cut = true
	b.mu.Unlock()
}

// Heal ends it: every stuck connection is closed, and new ones are forwarded.
func (b *blackhole) Heal() {
	b.closeAll()
	b.mu.Lock()
	b.cut = false
	b.mu.Unlock()
}

func (b *blackhole) closeAll() {
	b.mu.Lock()
	conns := b.conns
	b.conns = nil
	b.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}
