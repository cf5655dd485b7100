package history_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/internal/server"
)

// store is what the server needs from a history store: both implementations
// must satisfy it and pass the same contract.
type store = server.History

// testContract runs the contract every store must keep. newStore returns an
// empty store with the given config.
func testContract(t *testing.T, newStore func(t *testing.T, cfg history.Config) store) {
	ctx := context.Background()
	t.Run("empty key reads as an empty list", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		got, err := s.Latest(ctx, "nada", 10)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("Latest = %#v, %v; want an empty non-nil list", got, err)
		}
	})
	t.Run("newest first and trimmed to size", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 3})
		for i := 1; i <= 5; i++ {
			n, err := s.Add(ctx, "k", fmt.Sprint(i), 0)
			if err != nil {
				t.Fatal(err)
			}
			// The length after the push, before the trim: 1 says the list was made.
			if n != int64(min(i, 3+1)) {
				t.Fatalf("Add %d answered length %d", i, n)
			}
		}
		got, err := s.Latest(ctx, "k", 10)
		if err != nil || !slices.Equal(got, []string{"5", "4", "3"}) {
			t.Fatalf("Latest = %v, %v; want [5 4 3]", got, err)
		}
		got, _ = s.Latest(ctx, "k", 2)
		if !slices.Equal(got, []string{"5", "4"}) {
			t.Fatalf("Latest(2) = %v, want [5 4]", got)
		}
		for _, n := range []int{0, -1} {
			if got, _ := s.Latest(ctx, "k", n); len(got) != 0 {
				t.Fatalf("Latest(%d) = %v, want none", n, got)
			}
		}
	})
	t.Run("keys are separate", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		s.Add(ctx, "a", "1", 0)
		s.Add(ctx, "b", "2", 0)
		a, _ := s.Latest(ctx, "a", 10)
		b, _ := s.Latest(ctx, "b", 10)
		if !slices.Equal(a, []string{"1"}) || !slices.Equal(b, []string{"2"}) {
			t.Fatalf("a = %v, b = %v", a, b)
		}
	})
	t.Run("any bytes round-trip", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		p := "a\"b'c\\d`e{f}g|h~i<j>k&l%m$n#o@p!q?r*s"
		s.Add(ctx, "k", p, 0)
		if got, _ := s.Latest(ctx, "k", 1); !slices.Equal(got, []string{p}) {
			t.Fatalf("Latest = %q, want %q", got, p)
		}
	})
	t.Run("lists expire after their TTL", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		s.Add(ctx, "k", "1", time.Second)
		s.Add(ctx, "forever", "1", 0)
		if got, _ := s.Latest(ctx, "k", 10); len(got) != 1 {
			t.Fatalf("before TTL: %v", got)
		}
		time.Sleep(1500 * time.Millisecond)
		if got, _ := s.Latest(ctx, "k", 10); len(got) != 0 {
			t.Fatalf("after TTL: %v, want none", got)
		}
		if got, _ := s.Latest(ctx, "forever", 10); len(got) != 1 {
			t.Fatalf("a list without TTL expired: %v", got)
		}
		// A write with a TTL starts it anew; a write with none leaves it running.
		s.Add(ctx, "k", "2", time.Second)
		time.Sleep(700 * time.Millisecond)
		s.Add(ctx, "k", "3", 2*time.Second)
		time.Sleep(700 * time.Millisecond)
		if got, _ := s.Latest(ctx, "k", 10); len(got) != 2 {
			t.Fatalf("a new TTL did not replace the old one: %v", got)
		}
		s.Add(ctx, "k", "4", 0)
		time.Sleep(1500 * time.Millisecond)
		if got, _ := s.Latest(ctx, "k", 10); len(got) != 0 {
			t.Fatalf("a write without TTL cancelled the running one: %v", got)
		}
	})
	t.Run("expire keeps a list for a new TTL", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		s.Add(ctx, "k", "1", time.Second)
		if err := s.Expire(ctx, "k", time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := s.Expire(ctx, "nada", time.Hour); err != nil {
			t.Fatalf("Expire of a missing key: %v", err)
		}
		time.Sleep(1500 * time.Millisecond)
		if got, _ := s.Latest(ctx, "k", 10); len(got) != 1 {
			t.Fatalf("after Expire(1h) the list expired with its first TTL: %v", got)
		}
		if got, _ := s.Latest(ctx, "nada", 10); len(got) != 0 {
			t.Fatalf("Expire made a list: %v", got)
		}
	})
	t.Run("clear removes one list", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		s.Add(ctx, "a", "1", time.Hour)
		s.Add(ctx, "b", "2", 0)
		if err := s.Clear(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Clear(ctx, "nada"); err != nil {
			t.Fatalf("Clear of a missing key: %v", err)
		}
		a, _ := s.Latest(ctx, "a", 10)
		b, _ := s.Latest(ctx, "b", 10)
		if len(a) != 0 || !slices.Equal(b, []string{"2"}) {
			t.Fatalf("after Clear(a): a = %v, b = %v", a, b)
		}
		s.Add(ctx, "a", "3", time.Hour)
		if a, _ := s.Latest(ctx, "a", 10); !slices.Equal(a, []string{"3"}) {
			t.Fatalf("a list written after Clear = %v", a)
		}
	})
	t.Run("a marker replaces a list until it expires", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 10})
		s.Add(ctx, "k", "1", time.Hour)
		if m, ok, err := s.Marker(ctx, "k"); ok || err != nil {
			t.Fatalf("Marker of a list = %q, %v, %v; want none", m, ok, err)
		}
		if prev, had, err := s.Mark(ctx, "k", "movida", time.Second); err != nil || had {
			t.Fatalf("Mark of a list = %q, %v, %v; want no marker replaced", prev, had, err)
		}
		if prev, had, err := s.Mark(ctx, "k", "movida", time.Second); prev != "movida" || !had || err != nil {
			t.Fatalf("Mark of a marker = %q, %v, %v; want the marker it replaced", prev, had, err)
		}
		if got, err := s.Latest(ctx, "k", 10); !errors.Is(err, history.ErrMarked) {
			t.Fatalf("Latest on a marker: %v, %v; want ErrMarked", got, err)
		}
		if m, ok, err := s.Marker(ctx, "k"); m != "movida" || !ok || err != nil {
			t.Fatalf("Marker = %q, %v, %v", m, ok, err)
		}
		time.Sleep(1500 * time.Millisecond)
		if m, ok, _ := s.Marker(ctx, "k"); ok {
			t.Fatalf("an expired marker reads %q", m)
		}
		if _, err := s.Add(ctx, "k", "3", time.Hour); err != nil {
			t.Fatalf("Add after the marker expired: %v", err)
		}
		if got, _ := s.Latest(ctx, "k", 10); !slices.Equal(got, []string{"3"}) {
			t.Fatalf("after the marker: %v, want [3]", got)
		}
		// A write to a marker fails, and keeps the marker as long as it would
		// have kept the list (Redis runs the write's EXPIRE whatever the type).
		s.Mark(ctx, "m", "revogada", time.Second)
		if _, err := s.Add(ctx, "m", "4", 3*time.Second); !errors.Is(err, history.ErrMarked) {
			t.Fatalf("Add on a marker: %v, want ErrMarked", err)
		}
		time.Sleep(1500 * time.Millisecond)
		if m, ok, _ := s.Marker(ctx, "m"); m != "revogada" || !ok {
			t.Fatalf("after a refused write the marker reads %q, %v", m, ok)
		}
	})
	t.Run("move converts, appends, trims and marks at once", func(t *testing.T) {
		s := newStore(t, history.Config{Size: 4})
		for _, v := range []string{"a", "b", "c"} {
			s.Add(ctx, "de", v, time.Hour)
		}
		s.Add(ctx, "para", "novo", time.Hour) // written by a request that followed first
		upper := func(items []string) []string {
			out := make([]string, len(items))
			for i, v := range items {
				out[i] = strings.ToUpper(v)
			}
			return out
		}
		if err := s.Move(ctx, "de", "para", upper, time.Hour, "foi", time.Hour); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Latest(ctx, "para", 10); !slices.Equal(got, []string{"novo", "C", "B", "A"}) {
			t.Fatalf("moved list = %v, want [novo C B A]", got)
		}
		if m, ok, _ := s.Marker(ctx, "de"); m != "foi" || !ok {
			t.Fatalf("the moved list's key holds %q, %v", m, ok)
		}
		if err := s.Move(ctx, "de", "outra", upper, time.Hour, "de novo", time.Hour); !errors.Is(err, history.ErrMarked) {
			t.Fatalf("Move of a marked key: %v, want ErrMarked", err)
		}
		if m, _, _ := s.Marker(ctx, "de"); m != "foi" {
			t.Fatalf("a refused Move changed the marker to %q", m)
		}
		if got, _ := s.Latest(ctx, "outra", 10); len(got) != 0 {
			t.Fatalf("a refused Move wrote %v", got)
		}
		if err := s.Move(ctx, "nada", "vazia", upper, time.Hour, "x", time.Hour); err != nil {
			t.Fatal(err)
		}
		if m, ok, _ := s.Marker(ctx, "nada"); m != "x" || !ok {
			t.Fatal("Move of a missing list left no marker")
		}
	})
	t.Run("ping", func(t *testing.T) {
		if err := newStore(t, history.Config{Size: 1}).Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemoryContract(t *testing.T) {
	testContract(t, func(t *testing.T, cfg history.Config) store { return history.NewMemory(cfg) })
}

func TestRedisContract(t *testing.T) {
	srv := redistest.Start(t, false)
	testContract(t, func(t *testing.T, cfg history.Config) store { return redisStore(t, srv.Addr, cfg, false) })
}

func TestRedisAutoPipelinedContract(t *testing.T) {
	srv := redistest.Start(t, false)
	testContract(t, func(t *testing.T, cfg history.Config) store { return redisStore(t, srv.Addr, cfg, true) })
}

// redisStore is a Redis store on the server at addr, with automatic pipelining
// or without, emptied and closed when the test ends.
func redisStore(t testing.TB, addr string, cfg history.Config, pipelined bool) *history.Redis {
	client := redis.NewClient(history.RedisOptions(addr, "", 0))
	s := history.NewRedis(client, cfg)
	if pipelined {
		var err error
		if s, err = history.NewRedisAutoPipelined(client, cfg); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { client.FlushAll(context.Background()); s.Close(); client.Close() })
	return s
}

// The original app's data stays readable: the list is a plain Redis list that
// LRANGE senhas 0 9 reads, newest first.
func TestRedisUsesPlainList(t *testing.T) {
	srv := redistest.Start(t, false)
	ctx := context.Background()
	client := redis.NewClient(history.RedisOptions(srv.Addr, "", 0))
	defer client.Close()
	s := history.NewRedis(client, history.Config{Size: 10})
	s.Add(ctx, "senhas", "primeira", 0)
	s.Add(ctx, "senhas", "segunda", 0)
	got, err := client.LRange(ctx, "senhas", 0, 9).Result()
	if err != nil || !slices.Equal(got, []string{"segunda", "primeira"}) {
		t.Fatalf("LRANGE = %v, %v", got, err)
	}
	if ttl := client.TTL(ctx, "senhas").Val(); ttl != -1 {
		t.Fatalf("TTL after Add with ttl 0 = %v, want none (-1)", ttl)
	}
}

// A stopped Redis makes calls fail fast, and the same client works again once
// the server is back, with and without automatic pipelining.
func TestRedisDownAndRecovery(t *testing.T) {
	for _, pipelined := range []bool{false, true} {
		t.Run(fmt.Sprint("autopipeline=", pipelined), func(t *testing.T) {
			srv := redistest.Start(t, false)
			ctx := context.Background()
			s := redisStore(t, srv.Addr, history.Config{Size: 10}, pipelined)
			if _, err := s.Add(ctx, "k", "antes", 0); err != nil {
				t.Fatal(err)
			}
			srv.Stop()
			start := time.Now()
			if _, err := s.Add(ctx, "k", "durante", 0); err == nil {
				t.Fatal("Add with Redis down succeeded")
			}
			if _, err := s.Latest(ctx, "k", 10); err == nil {
				t.Fatal("Latest with Redis down succeeded")
			}
			if err := s.Ping(ctx); err == nil {
				t.Fatal("Ping with Redis down succeeded")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("three calls to a stopped Redis took %v", d)
			}
			srv.StartAgain()
			deadline := time.Now().Add(2 * time.Second)
			for s.Ping(ctx) != nil {
				if time.Now().After(deadline) {
					t.Fatal("client did not recover within 2s of Redis coming back")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if _, err := s.Add(ctx, "k", "depois", 0); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Latest(ctx, "k", 10); err != nil || !slices.Equal(got, []string{"depois"}) { // no AOF: "antes" went with the server
				t.Fatalf("after recovery: %v %v", got, err)
			}
		})
	}
}

// A call waits no longer than its context, even when Redis takes the command
// and never answers (a paused server), with and without automatic pipelining.
func TestRedisCallsKeepTheirDeadline(t *testing.T) {
	for _, pipelined := range []bool{false, true} {
		t.Run(fmt.Sprint("autopipeline=", pipelined), func(t *testing.T) {
			srv := redistest.Start(t, false)
			s := redisStore(t, srv.Addr, history.Config{Size: 10}, pipelined)
			admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
			defer admin.Close()
			if err := admin.Do(t.Context(), "CLIENT", "PAUSE", "1500", "ALL").Err(); err != nil {
				t.Fatal(err)
			}
			// Eight calls at once: with automatic pipelining all but one queue on
			// the pipeliner, the path that must keep the deadline too.
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
					defer cancel()
					start := time.Now()
					var err error
					if i%2 == 0 {
						_, err = s.Add(ctx, "k", "x", time.Minute)
					} else {
						_, err = s.Latest(ctx, "k", 10)
					}
					if err == nil || time.Since(start) > 600*time.Millisecond {
						t.Errorf("a call to a paused Redis: %v after %v, want an error within its 200ms deadline", err, time.Since(start))
					}
				}()
			}
			wg.Wait()
		})
	}
}

// Concurrent clients each read what they wrote, whichever path their calls
// took (plain when alone, the pipeliner when others are under way).
func TestRedisConcurrentReadYourWrites(t *testing.T) {
	srv := redistest.Start(t, false)
	s := redisStore(t, srv.Addr, history.Config{Size: 3}, true)
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, key := context.Background(), fmt.Sprint("cliente:", w)
			for i := range 50 {
				p := fmt.Sprint(w, "-", i)
				if _, err := s.Add(ctx, key, p, time.Minute); err != nil {
					t.Error(err)
					return
				}
				got, err := s.Latest(ctx, key, 3)
				if err != nil || len(got) == 0 || got[0] != p || len(got) > 3 {
					t.Errorf("%s after adding %s reads %v, %v", key, p, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A flood of short-lived lists cannot push out longer-lived ones or lists
// without TTL: the Memory store drops the shortest TTL first, least recently
// written first, and holds at most MaxLists.
func TestMemoryBoundsLists(t *testing.T) {
	ctx := context.Background()
	const max = 100
	m := history.NewMemory(history.Config{Size: 2, MaxLists: max})
	m.Add(ctx, "global", "g", 0)
	for i := range 10 {
		m.Add(ctx, fmt.Sprint("confirmed", i), "c", 24*time.Hour)
	}
	for i := range 10 * max {
		m.Add(ctx, fmt.Sprint("flood", i), "f", 10*time.Minute)
	}
	has := func(key string) bool { got, _ := m.Latest(ctx, key, 1); return len(got) == 1 }
	if !has("global") {
		t.Error("the list without TTL was dropped")
	}
	for i := range 10 {
		if !has(fmt.Sprint("confirmed", i)) {
			t.Errorf("confirmed%d (long TTL) was dropped before the flood's short-TTL lists", i)
		}
	}
	kept := 0
	for i := range 10 * max {
		if has(fmt.Sprint("flood", i)) {
			kept++
			if i < 9*max {
				t.Fatalf("flood%d survived, newer flood lists were dropped", i)
			}
		}
	}
	if want := max - 11; kept != want {
		t.Fatalf("%d flood lists kept, want %d (MaxLists %d less 11 others)", kept, want, max)
	}
	// A list written again moves to the back of its queue.
	m.Add(ctx, fmt.Sprint("flood", 9*max+11), "again", 10*time.Minute)
	m.Add(ctx, "new", "n", 10*time.Minute)
	if has(fmt.Sprint("flood", 9*max+12)) || !has(fmt.Sprint("flood", 9*max+11)) {
		t.Fatal("eviction did not take the least recently written list")
	}
	// With only lists that never expire, a new list is refused, none dropped.
	full := history.NewMemory(history.Config{Size: 1, MaxLists: 2})
	full.Add(ctx, "a", "1", 0)
	full.Add(ctx, "b", "1", 0)
	if _, err := full.Add(ctx, "c", "1", 0); !errors.Is(err, history.ErrFull) {
		t.Fatalf("Add to a full store of permanent lists = %v, want ErrFull", err)
	}
}

// Expired lists are dropped as writes go by, so they do not count against MaxLists.
func TestMemoryDropsExpired(t *testing.T) {
	ctx := context.Background()
	m := history.NewMemory(history.Config{Size: 1, MaxLists: 3})
	m.Add(ctx, "short", "1", 50*time.Millisecond)
	m.Add(ctx, "long", "1", time.Hour)
	time.Sleep(100 * time.Millisecond)
	m.Add(ctx, "a", "1", time.Hour)
	m.Add(ctx, "b", "1", time.Hour) // fits: "short" expired and was dropped
	for _, k := range []string{"long", "a", "b"} {
		if got, _ := m.Latest(ctx, k, 1); len(got) != 1 {
			t.Errorf("%s was dropped although an expired list could go", k)
		}
	}
}

// The cost of a write does not grow with the number of lists held.
func BenchmarkMemoryAddFull(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := history.NewMemory(history.Config{Size: 10, MaxLists: n})
			for i := range n {
				m.Add(ctx, fmt.Sprint(i), "x", 10*time.Minute)
			}
			keys := make([]string, 4096)
			for i := range keys {
				keys[i] = fmt.Sprint("new", i)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m.Add(ctx, keys[i%len(keys)]+fmt.Sprint(i), "x", 10*time.Minute)
			}
		})
	}
}

// The Redis store's Add (LPUSH, LTRIM, EXPIRE) from 1, 8 and 64 goroutines,
// one round trip per call (plain) and sharing round trips (pipelined), against
// a real redis-server. ns/op is wall time per call: 1/throughput.
//
//	go test -run '^$' -bench RedisAdd ./internal/history/
func BenchmarkRedisAdd(b *testing.B) {
	srv := redistest.Start(b, false)
	for _, pipelined := range []bool{false, true} {
		for _, g := range []int{1, 8, 64} {
			name := fmt.Sprintf("plain/goroutines=%d", g)
			if pipelined {
				name = fmt.Sprintf("pipelined/goroutines=%d", g)
			}
			b.Run(name, func(b *testing.B) {
				s := redisStore(b, srv.Addr, history.Config{Size: 10}, pipelined)
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for w := range g {
					wg.Add(1)
					go func() {
						defer wg.Done()
						ctx := context.Background()
						key := fmt.Sprint("bench:", w)
						for next.Add(1) <= int64(b.N) {
							if _, err := s.Add(ctx, key, "sealed-entry-of-about-fifty-bytes-0123456789abcdef", 10*time.Minute); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
