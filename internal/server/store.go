package server

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/giropops/giropops-senhas/internal/history"
)

// observedHistory wraps the store: it bounds every call by a deadline, counts
// and logs failures, and remembers whether the store was up at its last call.
type observedHistory struct {
	h       History
	timeout time.Duration
	logger  *slog.Logger
	errors  *prometheus.CounterVec

	mu     sync.Mutex
	up     bool
	seenAt time.Time // time of the last call; zero before the first
}

// add stores rs at the head of l, the last newest, sealed if l is, all
// within one deadline; it stops at the first failure. It reports whether the
// first write made the list (it did not exist).
func (o *observedHistory) add(ctx context.Context, l list, rs ...record) (made bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	for i, r := range rs {
		v := r.senha
		if l.aead != nil {
			v = seal(l.aead, l.key, r)
		}
		var n int64
		if n, err = o.h.Add(ctx, l.key, v, l.ttl); err != nil {
			break
		}
		made = made || i == 0 && n == 1
	}
	o.observe("add", err)
	return made, err
}

// expire keeps the list at key for ttl from now.
func (o *observedHistory) expire(ctx context.Context, key string, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err := o.h.Expire(ctx, key, ttl)
	o.observe("expire", err)
	return err
}

// move moves the entries of from to to, re-sealed, and leaves marker at from
// for markerTTL, all at once (see History.Move).
func (o *observedHistory) move(ctx context.Context, from, to list, marker string, markerTTL time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	reseal := func(items []string) []string {
		out := make([]string, 0, len(items))
		for _, v := range items {
			if r, err := open(from.aead, from.key, v); err == nil {
				out = append(out, seal(to.aead, to.key, r))
			}
		}
		return out
	}
	err := o.h.Move(ctx, from.key, to.key, reseal, to.ttl, marker, markerTTL)
	o.observe("move", err)
	return err
}

// mark replaces the list at key with marker for ttl, and returns the marker
// it replaced, if any.
func (o *observedHistory) mark(ctx context.Context, key, marker string, ttl time.Duration) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	prev, had, err := o.h.Mark(ctx, key, marker, ttl)
	o.observe("mark", err)
	return prev, had, err
}

// marker returns the marker at key, if it holds one.
func (o *observedHistory) marker(ctx context.Context, key string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	m, ok, err := o.h.Marker(ctx, key)
	o.observe("marker", err)
	return m, ok, err
}

// latest returns up to n records of l, newest first. Entries of a sealed list
// that do not open (written before it was sealed, or under another key) are
// left out; entries of a plain list are passwords, their strength unknown.
func (o *observedHistory) latest(ctx context.Context, l list, n int) ([]record, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	items, err := o.h.Latest(ctx, l.key, n)
	o.observe("latest", err)
	rs := make([]record, 0, len(items))
	for _, v := range items {
		if l.aead == nil {
			rs = append(rs, record{senha: v, bits: math.NaN()})
		} else if r, err := open(l.aead, l.key, v); err == nil {
			rs = append(rs, r)
		}
	}
	return rs, err
}

func (o *observedHistory) clear(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err := o.h.Clear(ctx, key)
	o.observe("clear", err)
	return err
}

// ping asks the store whether it answers; without one (HISTORY_SCOPE=off) there
// is nothing to be down.
func (o *observedHistory) ping(ctx context.Context) error {
	if o.h == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err := o.h.Ping(ctx)
	o.observe("ping", err)
	return err
}

func (o *observedHistory) observe(op string, err error) {
	if errors.Is(err, history.ErrMarked) {
		err = nil // an answer: the store is up
	}
	o.mu.Lock()
	wasUp := o.up || o.seenAt.IsZero()
	o.up, o.seenAt = err == nil, time.Now()
	o.mu.Unlock()
	if err == nil {
		if !wasUp {
			o.logger.Info("history store is back")
		}
		return
	}
	o.errors.WithLabelValues(op).Inc()
	// Every failure is counted; the log says it once per outage, not once per request.
	if wasUp {
		o.logger.Warn("history store unavailable", "operation", op, "err", err)
	}
}

// upValue is giropops_history_up: the latest call's outcome, refreshed by a
// ping when no call was made in the last 10 seconds.
func (o *observedHistory) upValue() float64 {
	o.mu.Lock()
	stale := time.Since(o.seenAt) > 10*time.Second
	o.mu.Unlock()
	if stale {
		o.ping(context.Background())
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.up {
		return 1
	}
	return 0
}
