package history

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store on a Redis server, shared by every replica of the app. Its
// lists are the original app's: LPUSH to add, LRANGE 0 N-1 to read.
type Redis struct {
	cfg    Config
	client *redis.Client
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
	}
}

// NewRedis returns a store that uses client. It does not connect until used.
func NewRedis(client *redis.Client, cfg Config) *Redis {
	return &Redis{cfg: cfg, client: client}
}

// Add pushes p onto the list at key, trims the list and, if ttl > 0, sets its TTL, in one
// round trip. It needs no MULTI/EXEC: readers ask for at most Size entries, so
// none sees the list between the push and the trim as any different.
func (r *Redis) Add(ctx context.Context, key, p string, ttl time.Duration) error {
	_, err := r.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.LPush(ctx, key, p)
		pipe.LTrim(ctx, key, 0, int64(r.cfg.Size-1))
		if ttl > 0 {
			pipe.Expire(ctx, key, ttl)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis add: %w", err)
	}
	return nil
}

// Latest returns up to n entries of the list at key, newest first. A missing
// key is an empty list.
func (r *Redis) Latest(ctx context.Context, key string, n int) ([]string, error) {
	if n <= 0 {
		return []string{}, nil // LRANGE 0 -1 would return the whole list
	}
	items, err := r.client.LRange(ctx, key, 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis latest: %w", err)
	}
	return items, nil
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
