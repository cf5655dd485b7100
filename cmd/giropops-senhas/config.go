package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/server"
)

const defaultPort = 5000

// config is the program's configuration, read from the environment.
type config struct {
	addr            string
	redis           *redis.Options // nil: no Redis configured, history in memory
	autopipeline    bool           // REDIS_AUTOPIPELINE: concurrent requests share round trips
	history         history.Config
	scope           server.Scope
	sessionTTL      time.Duration
	sessionRotate   time.Duration
	sessionKey      []byte // SESSION_KEY, 32 bytes; nil: one made at start
	storeTimeout    time.Duration
	historyKey      []byte // HISTORY_KEY, 32 bytes; nil: the global list is plain
	cookieSecure    string
	clearGlobal     bool
	shutdownTimeout time.Duration
	logLevel        slog.Level
}

// loadConfig reads and checks the environment. Every error names the variable.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		addr:            ":" + strconv.Itoa(defaultPort),
		history:         history.Config{Size: 10, MaxLists: history.DefaultMaxLists},
		scope:           server.ScopeSession,
		sessionTTL:      24 * time.Hour,
		sessionRotate:   server.DefaultSessionRotate,
		storeTimeout:    time.Second,
		autopipeline:    true,
		shutdownTimeout: 10 * time.Second,
	}
	var err error
	if v := getenv("PORT"); v != "" {
		port, err := intIn("PORT", v, 0, 65535)
		if err != nil {
			return c, err
		}
		c.addr = ":" + strconv.Itoa(port)
	}
	if v := getenv("HISTORY_SIZE"); v != "" {
		if c.history.Size, err = intIn("HISTORY_SIZE", v, 1, 1000); err != nil {
			return c, err
		}
	}
	if v := getenv("HISTORY_MAX_SESSIONS"); v != "" {
		if c.history.MaxLists, err = intIn("HISTORY_MAX_SESSIONS", v, 1, 10_000_000); err != nil {
			return c, err
		}
	}
	if c.historyKey, err = key32("HISTORY_KEY", getenv); err != nil {
		return c, err
	}
	if c.sessionKey, err = key32("SESSION_KEY", getenv); err != nil {
		return c, err
	}
	switch v := strings.ToLower(getenv("COOKIE_SECURE")); v {
	case "", server.CookieSecureAuto, server.CookieSecureAlways, server.CookieSecureNever:
		c.cookieSecure = v
	default:
		return c, fmt.Errorf("COOKIE_SECURE=%q: want auto, always or never", v)
	}
	if v := getenv("HISTORY_ALLOW_CLEAR_GLOBAL"); v != "" {
		if c.clearGlobal, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("HISTORY_ALLOW_CLEAR_GLOBAL=%q: want true or false", v)
		}
	}
	if v := getenv("SESSION_TTL"); v != "" {
		if c.sessionTTL, err = duration("SESSION_TTL", v); err != nil {
			return c, err
		}
	}
	if v := getenv("SESSION_ROTATE"); v != "" {
		if c.sessionRotate, err = duration("SESSION_ROTATE", v); err != nil {
			return c, err
		}
	}
	switch s := server.Scope(strings.ToLower(getenv("HISTORY_SCOPE"))); s {
	case "":
	case server.ScopeSession, server.ScopeGlobal, server.ScopeOff:
		c.scope = s
	default:
		return c, fmt.Errorf("HISTORY_SCOPE=%q: want session, global or off", s)
	}
	if v := getenv("REDIS_TIMEOUT"); v != "" {
		if c.storeTimeout, err = duration("REDIS_TIMEOUT", v); err != nil {
			return c, err
		}
	}
	switch v := strings.ToLower(getenv("REDIS_AUTOPIPELINE")); v {
	case "", "on":
	case "off":
		c.autopipeline = false
	default:
		return c, fmt.Errorf("REDIS_AUTOPIPELINE=%q: want on or off", v)
	}
	if v := getenv("SHUTDOWN_TIMEOUT"); v != "" {
		if c.shutdownTimeout, err = duration("SHUTDOWN_TIMEOUT", v); err != nil {
			return c, err
		}
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.logLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	c.redis, err = redisOptions(getenv)
	return c, err
}

// redisOptions reads REDIS_URL, or else REDIS_HOST, REDIS_PORT, REDIS_PASSWORD
// and REDIS_DB, and then REDIS_USERNAME and the REDIS_TLS_* files. Neither
// REDIS_URL nor REDIS_HOST set means no Redis.
func redisOptions(getenv func(string) string) (*redis.Options, error) {
	o, err := redisAddr(getenv)
	if o == nil || err != nil {
		return o, err
	}
	if o.Username == "" {
		o.Username = getenv("REDIS_USERNAME")
	}
	return o, redisTLS(o, getenv)
}

// redisTLS sets up TLS when the URL is rediss:// or any of REDIS_TLS_CA,
// REDIS_TLS_CERT and REDIS_TLS_KEY is set: TLS 1.2 or newer, the server's
// certificate checked against REDIS_TLS_CA (else the system's CAs) for the
// host's name or IP address, and the client certificate for mutual TLS.
func redisTLS(o *redis.Options, getenv func(string) string) error {
	ca, cert, key := getenv("REDIS_TLS_CA"), getenv("REDIS_TLS_CERT"), getenv("REDIS_TLS_KEY")
	if ca == "" && cert == "" && key == "" && o.TLSConfig == nil {
		return nil
	}
	host, _, _ := net.SplitHostPort(o.Addr)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return fmt.Errorf("REDIS_TLS_CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("REDIS_TLS_CA: %s holds no PEM certificate", ca)
		}
	}
	if (cert == "") != (key == "") {
		return fmt.Errorf("REDIS_TLS_CERT and REDIS_TLS_KEY: set both (a client certificate and its key) or neither")
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("REDIS_TLS_CERT, REDIS_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	o.TLSConfig = cfg
	return nil
}

// redisAddr reads where Redis is and its password: REDIS_URL, or else
// REDIS_HOST, REDIS_PORT, REDIS_PASSWORD and REDIS_DB.
func redisAddr(getenv func(string) string) (*redis.Options, error) {
	if u := getenv("REDIS_URL"); u != "" {
		parsed, err := redis.ParseURL(u)
		if err != nil {
			// go-redis's error quotes the URL, password included: say less.
			return nil, fmt.Errorf("REDIS_URL: not a valid redis:// or rediss:// URL (redis://[user:password@]host:port/db)")
		}
		o := history.RedisOptions(parsed.Addr, parsed.Password, parsed.DB)
		o.Username, o.TLSConfig = parsed.Username, parsed.TLSConfig
		return o, nil
	}
	host := getenv("REDIS_HOST")
	if host == "" {
		return nil, nil
	}
	port, db := 6379, 0
	var err error
	if v := getenv("REDIS_PORT"); v != "" {
		if port, err = intIn("REDIS_PORT", v, 1, 65535); err != nil {
			return nil, err
		}
	}
	if v := getenv("REDIS_DB"); v != "" {
		if db, err = intIn("REDIS_DB", v, 0, 15); err != nil {
			return nil, err
		}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	return history.RedisOptions(addr, getenv("REDIS_PASSWORD"), db), nil
}

// key32 reads a key of 32 bytes in base64 from the variable name; nil if unset.
func key32(name string, getenv func(string) string) ([]byte, error) {
	v := getenv(name)
	if v == "" {
		return nil, nil
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(k) != 32 {
		// Never quote the value: it is a secret.
		return nil, fmt.Errorf("%s: want 32 random bytes in base64 (head -c 32 /dev/urandom | base64)", name)
	}
	return k, nil
}

func intIn(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func duration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 2s or 24h", name, v)
	}
	return d, nil
}
