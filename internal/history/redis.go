package history

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a store on a Redis server, shared by every replica of the app. Its
// lists are the original app's: LPUSH to add, LRANGE 0 N-1 to read.
//
// With automatic pipelining (NewRedisAutoPipelined) the commands of concurrent
// requests share round trips: go-redis's deferred autopipeliner queues them
// and sends what has queued as one pipeline on one connection while the
// previous one is answered. A request waits only for its own commands, and for
// no longer than its context allows. A call made while no other is under way
// goes straight to Redis, as without pipelining. Every call waits for its
// replies, so a client's later call never overtakes its earlier one.
type Redis struct {
	cfg    Config
	client *redis.Client
	ap     *redis.AutoPipeliner // nil: one pipeline (round trip) per call
	// busy counts the calls under way. A call with no other under way has no
	// round trip to share: it takes the plain path, which costs a lone client
	// less latency than a hand-off to the pipeliner's goroutines.
	busy atomic.Int64
}

// RedisOptions returns client options with the timeouts a request path needs:
// a dead or unreachable Redis costs a request at most these, never a hang.
func RedisOptions(addr, password string, db int) *redis.Options {
	return &redis.Options{
		Addr:         addr,
		Password:     password,
		DB:           db,
		DialTimeout:  2 * time.Second,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		PoolTimeout:  time.Second,
		// Requests carry their own deadlines; let them cut network calls short.
		ContextTimeoutEnabled: true,
		// A failed call is reported, not retried: the caller decides what to do.
		MaxRetries: -1,
		// RESP2: the app uses no RESP3 feature, and go-redis then skips looking for
		// push notifications before every reply (about 5% of a request's CPU).
		Protocol: 2,
		// No CLIENT SETINFO on connect: one command fewer for the app's ACL user
		// (deploy/redis/users.acl) to be granted.
		DisableIdentity: true,
	}
}

// NewRedis returns a store that uses client, one round trip per call. It does
// not connect until used.
func NewRedis(client *redis.Client, cfg Config) *Redis {
	return &Redis{cfg: cfg, client: client}
}

// NewRedisAutoPipelined returns a store whose calls from concurrent requests
// share round trips (go-redis's automatic pipelining, experimental in v9.22+).
// Close releases the pipeliner's goroutines.
func NewRedisAutoPipelined(client *redis.Client, cfg Config) (*Redis, error) {
	opts := redis.DefaultAutoPipelineOptions()
	// A Redis that does not answer must not let the queue grow without bound:
	// past this many queued commands a call fails at once, like an outage.
	opts.MaxQueuedCommands = 100_000
	ap, err := client.AsyncAutoPipelineWithOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("redis autopipeline: %w", err)
	}
	return &Redis{cfg: cfg, client: client, ap: ap}, nil
}

// Close stops the autopipeliner, if any (the client is the caller's to close).
func (r *Redis) Close() error {
	if r.ap != nil {
		return r.ap.Close()
	}
	return nil
}

// Add pushes p onto the list at key, trims the list and, if ttl > 0, sets its
// TTL, in one round trip, and returns the list's length after the push (1: a
// list it made). It needs no MULTI/EXEC: readers ask for at most Size entries,
// so none sees the list between the push and the trim as any different. On a
// marker the push fails (ErrMarked) but the EXPIRE still runs: a marker that
// clients keep writing to lives as long as their list would.
func (r *Redis) Add(ctx context.Context, key, p string, ttl time.Duration) (int64, error) {
	push := redis.NewIntCmd(ctx, "lpush", key, p)
	cmds := []redis.Cmder{push, redis.NewStatusCmd(ctx, "ltrim", key, 0, r.cfg.Size-1)}
	if ttl > 0 {
		cmds = append(cmds, redis.NewBoolCmd(ctx, "expire", key, int64(ttl/time.Second)))
	}
	if err := r.run(ctx, cmds...); err != nil {
		return 0, fmt.Errorf("redis add: %w", marked(err))
	}
	return push.Val(), nil
}

// Expire keeps whatever key holds for ttl from now; a missing key stays missing.
func (r *Redis) Expire(ctx context.Context, key string, ttl time.Duration) error {
	if err := r.run(ctx, redis.NewBoolCmd(ctx, "expire", key, int64(ttl/time.Second))); err != nil {
		return fmt.Errorf("redis expire: %w", err)
	}
	return nil
}

// Latest returns up to n entries of the list at key, newest first. A missing
// key is an empty list.
func (r *Redis) Latest(ctx context.Context, key string, n int) ([]string, error) {
	if n <= 0 {
		return []string{}, nil // LRANGE 0 -1 would return the whole list
	}
	cmd := redis.NewStringSliceCmd(ctx, "lrange", key, 0, n-1)
	if err := r.run(ctx, cmd); err != nil {
		return nil, fmt.Errorf("redis latest: %w", marked(err))
	}
	return cmd.Val(), nil
}

// marked maps Redis's WRONGTYPE, the answer of a list command on a key that
// holds a string (a marker), to ErrMarked.
func marked(err error) error {
	if strings.HasPrefix(err.Error(), "WRONGTYPE") {
		return ErrMarked
	}
	return err
}

// Mark replaces whatever key holds with marker (a string), kept for ttl, and
// returns the marker it replaced, if key held one, atomically: WATCH key, GET
// it, then MULTI/SET/EXEC, started again if key changed in between (a Move).
func (r *Redis) Mark(ctx context.Context, key, marker string, ttl time.Duration) (string, bool, error) {
	var prev string
	var had bool
	mark := func(tx *redis.Tx) error {
		v, err := tx.Get(ctx, key).Result()
		switch {
		case err == nil:
			prev, had = v, true
		case err == redis.Nil || marked(err) == ErrMarked: // nothing, or a list
			prev, had = "", false
		default:
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, marker, ttl)
			return nil
		})
		return err
	}
	if err := r.watch(ctx, mark, key); err != nil {
		return "", false, fmt.Errorf("redis mark: %w", err)
	}
	return prev, had, nil
}

// Marker returns the marker at key, and false if key holds none.
func (r *Redis) Marker(ctx context.Context, key string) (string, bool, error) {
	v, err := r.client.Get(ctx, key).Result()
	switch {
	case err == redis.Nil:
		return "", false, nil
	case err != nil && marked(err) == ErrMarked: // a list
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("redis marker: %w", err)
	}
	return v, true, nil
}

// moveTries bounds how often Move starts again when another client changed
// the list it was moving; each try is one read and one transaction.
const moveTries = 10

// Move puts convert(the entries of the list at from) after the entries of the
// list at to, trims it, keeps it for ttl, and marks from with marker for
// markerTTL, atomically: WATCH from, read it, then MULTI/EXEC, started again
// if from changed in between (a write by a concurrent request). A marked from
// is ErrMarked, and nothing changes.
func (r *Redis) Move(ctx context.Context, from, to string, convert func([]string) []string, ttl time.Duration, marker string, markerTTL time.Duration) error {
	move := func(tx *redis.Tx) error {
		items, err := tx.LRange(ctx, from, 0, int64(r.cfg.Size)-1).Result()
		if err != nil {
			return marked(err)
		}
		moved := convert(items)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if len(moved) > 0 {
				args := make([]any, len(moved))
				for i, v := range moved {
					args[i] = v
				}
				p.RPush(ctx, to, args...)
				p.LTrim(ctx, to, 0, int64(r.cfg.Size)-1)
				p.Expire(ctx, to, ttl)
			}
			p.Set(ctx, from, marker, markerTTL)
			return nil
		})
		return err
	}
	if err := r.watch(ctx, move, from); err != nil {
		return fmt.Errorf("redis move: %w", err)
	}
	return nil
}

// watch runs fn in a WATCH of key, again while its transaction fails because
// key changed meanwhile, at most moveTries times.
func (r *Redis) watch(ctx context.Context, fn func(*redis.Tx) error, key string) error {
	var err error
	for range moveTries {
		if err = r.client.Watch(ctx, fn, key); err != redis.TxFailedErr {
			break
		}
	}
	return err
}

// run sends cmds in one round trip (a pipeline of their own) or, while other
// calls are under way, on the autopipeliner. It returns the first error.
func (r *Redis) run(ctx context.Context, cmds ...redis.Cmder) error {
	if r.ap != nil {
		defer r.busy.Add(-1)
		if r.busy.Add(1) > 1 {
			return r.queue(ctx, cmds)
		}
	}
	if len(cmds) == 1 {
		return r.client.Process(ctx, cmds[0])
	}
	_, err := r.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, c := range cmds {
			pipe.Process(ctx, c)
		}
		return nil
	})
	return err
}

// queue runs cmds on the autopipeliner and waits, within ctx, for the last:
// the stream is ordered, so the others ran before it.
func (r *Redis) queue(ctx context.Context, cmds []redis.Cmder) error {
	var last redis.AutoFuture
	for _, c := range cmds {
		last = r.ap.Submit(ctx, c)
	}
	if err := last.WaitContext(ctx); err != nil {
		return err
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Clear removes the list at key.
func (r *Redis) Clear(ctx context.Context, key string) error {
	if err := r.client.Del(ctx, key).Err(); err != nil {
		return fmt.Errorf("redis clear: %w", err)
	}
	return nil
}

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}
