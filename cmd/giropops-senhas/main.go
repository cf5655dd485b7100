// Command giropops-senhas serves the Giropops Senhas password generator.
//
//	giropops-senhas               serve on :$PORT (5000)
//	giropops-senhas gerar [flags] print passwords (the API's fields as flags: -tamanho 20 -quantidade 5)
//	giropops-senhas healthcheck   exit 0 if the local server's /healthz answers 200
//	giropops-senhas version       print the version
//
// Configuration comes from the environment; see config.go and the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/server"
)

// Set at build time with -ldflags "-X main.version=... -X main.revision=...".
var (
	version  = "dev"
	revision = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "giropops-senhas:", err)
		if e, ok := errors.AsType[*exitCode](err); ok {
			os.Exit(e.code)
		}
		os.Exit(1)
	}
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "":
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, args[1:], getenv)
	case "gerar":
		return gerar(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "giropops-senhas %s (revision %s, %s, %s/%s)\n", version, revision, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	fmt.Fprintln(stderr, "usage: giropops-senhas [gerar [flags] | healthcheck [URL] | version]")
	return &exitCode{2, fmt.Errorf("unknown command %q", cmd)}
}

// serve runs the HTTP server until ctx is cancelled, then shuts down
// gracefully: the listener closes, in-flight requests finish within
// SHUTDOWN_TIMEOUT. Taking the pod out of the Service first is the chart's preStop
// sleep: the process cannot tell its load balancer anything a probe would see in time.
func serve(ctx context.Context, cfg config, stdout io.Writer) error {
	logger := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.logLevel}))
	// go-redis prints its own plain-text lines on every failed dial; route them into
	// the JSON log at debug level (the server logs each outage once, as a warning).
	redis.SetLogger(redisLog{logger})

	var hist server.History
	switch {
	case cfg.scope == server.ScopeOff:
		logger.Info("history disabled (HISTORY_SCOPE=off): no store")
	case cfg.redis != nil:
		client := redis.NewClient(cfg.redis)
		defer client.Close()
		store := history.NewRedis(client, cfg.history)
		if cfg.autopipeline {
			var err error
			if store, err = history.NewRedisAutoPipelined(client, cfg.history); err != nil {
				return err
			}
			defer store.Close()
		}
		hist = store
		logger.Info("history in Redis", "addr", cfg.redis.Addr, "db", cfg.redis.DB, "scope", cfg.scope, "autopipeline", cfg.autopipeline)
	default:
		hist = history.NewMemory(cfg.history)
		logger.Info("no REDIS_HOST or REDIS_URL: history in memory, lost on restart and not shared between replicas", "scope", cfg.scope)
	}

	if cfg.sessionKey == nil {
		logger.Warn("no SESSION_KEY: made one for this process, so sessions (and their history) end when it stops and are not shared between replicas")
	}
	if cfg.scope == server.ScopeGlobal && cfg.historyKey == nil {
		logger.Warn("global history kept in plain text, as the original app kept it: set HISTORY_KEY to seal it")
	}

	handler := server.New(server.Deps{
		Config: server.Config{
			Scope: cfg.scope, HistorySize: cfg.history.Size,
			SessionTTL: cfg.sessionTTL, SessionRotate: cfg.sessionRotate, SessionKey: cfg.sessionKey, StoreTimeout: cfg.storeTimeout,
			HistoryKey: cfg.historyKey, CookieSecure: cfg.cookieSecure, AllowClearGlobal: cfg.clearGlobal,
		},
		History: hist, Logger: logger, Registry: prometheus.NewRegistry(),
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String(), "version", version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// redisLog is go-redis's logger, writing into slog.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// healthcheck GETs the URL (by default this host's /healthz on $PORT) and fails
// unless it answers 200. It is the image's HEALTHCHECK: the image has no curl.
func healthcheck(ctx context.Context, args []string, getenv func(string) string) error {
	url := "http://127.0.0.1:" + strconv.Itoa(defaultPort) + "/healthz"
	if p := getenv("PORT"); p != "" {
		url = "http://127.0.0.1:" + p + "/healthz"
	}
	if len(args) > 0 {
		url = args[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}
