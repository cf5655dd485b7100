// Package server is Giropops Senhas over HTTP: the page, the JSON API, health
// checks and metrics.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// History is the store of generated passwords the server reads and writes:
// bounded lists under keys, newest first, each kept for the TTL of its last
// write (0: forever; see package history).
type History interface {
	Add(ctx context.Context, key, p string, ttl time.Duration) error
	Latest(ctx context.Context, key string, n int) ([]string, error)
	Clear(ctx context.Context, key string) error
	Ping(ctx context.Context) error
}

// Scope says whose passwords a visitor sees.
type Scope string

// The scopes HISTORY_SCOPE takes.
const (
	ScopeSession Scope = "session" // each browser (cookie) sees its own
	ScopeGlobal  Scope = "global"  // everyone sees the original app's shared list
	ScopeOff     Scope = "off"     // nothing is stored
)

// GlobalKey is the original app's Redis list.
const GlobalKey = "senhas"

// Config is what the handlers need to know.
type Config struct {
	Scope        Scope
	HistorySize  int           // passwords shown (LRANGE 0 N-1)
	SessionTTL   time.Duration // lifetime of a session's cookie and list
	StoreTimeout time.Duration // deadline of each call to the history store
	// HistoryKey (HISTORY_KEY, 32 bytes) seals the global list; nil keeps it
	// the original app's plain list.
	HistoryKey []byte
	// CookieSecure is COOKIE_SECURE: CookieSecureAuto (""), Always or Never.
	CookieSecure string
	// AllowClearGlobal lets DELETE /api/senhas clear the global list.
	AllowClearGlobal bool
}

// Deps are the server's dependencies.
type Deps struct {
	Config   Config
	History  History // nil with ScopeOff: nothing is stored
	Logger   *slog.Logger
	Registry *prometheus.Registry
}

// New returns the app's handler, with every route and middleware.
func New(d Deps) http.Handler {
	hist := &observedHistory{h: d.History, timeout: d.Config.StoreTimeout, logger: d.Logger}
	m := newMetrics(d.Registry, hist)
	hist.errors = m.historyErrors
	sessions := newSessions(d.Config)
	mux := http.NewServeMux()
	addRoutes(mux, d, m, hist, sessions)
	return securityHeaders(http.NewCrossOriginProtection().Handler(mux))
}
