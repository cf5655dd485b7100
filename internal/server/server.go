// Package server is Giropops Senhas over HTTP: the page, the JSON API, health
// checks and metrics.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// History is the store of generated passwords the server reads and writes:
// bounded lists under keys, newest first, each kept for the TTL of its last
// write (0: forever; see package history).
type History interface {
	// Add returns the list's length after the push: 1 for a list it made.
	Add(ctx context.Context, key, p string, ttl time.Duration) (int64, error)
	// Expire keeps whatever key holds for ttl from now.
	Expire(ctx context.Context, key string, ttl time.Duration) error
	Latest(ctx context.Context, key string, n int) ([]string, error)
	Clear(ctx context.Context, key string) error
	Ping(ctx context.Context) error
	// Mark replaces the list at key with a marker kept for ttl, and returns
	// the marker it replaced, if any, atomically; until then Add and Latest on
	// key fail with history.ErrMarked. Marker reads it back.
	Mark(ctx context.Context, key, marker string, ttl time.Duration) (string, bool, error)
	Marker(ctx context.Context, key string) (string, bool, error)
	// Move appends convert(the list at from) to the list at to (kept for ttl)
	// and marks from, atomically; history.ErrMarked if from is marked already.
	Move(ctx context.Context, from, to string, convert func([]string) []string, ttl time.Duration, marker string, markerTTL time.Duration) error
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
	Scope       Scope
	HistorySize int           // passwords shown (LRANGE 0 N-1)
	SessionTTL  time.Duration // lifetime of a session's cookie and list after its last use
	// SessionRotate (SESSION_ROTATE) is how long a session's secret is used
	// before its list moves to a new one; 0: DefaultSessionRotate.
	SessionRotate time.Duration
	// SessionKey (SESSION_KEY, 32 bytes) is the MAC key of the session cookies:
	// the app takes only cookies it minted. nil: a random key, so sessions end
	// with the process.
	SessionKey   []byte
	StoreTimeout time.Duration // deadline of each call to the history store
	// HistoryKey (HISTORY_KEY, 32 bytes) seals the global list; nil keeps it
	// the original app's plain list.
	HistoryKey []byte
	// CookieSecure is COOKIE_SECURE: CookieSecureAuto (""), Always or Never.
	CookieSecure string
	// AllowClearGlobal lets DELETE /api/senhas clear the global list.
	AllowClearGlobal bool
	// Now is the clock of sessions and flashes; nil: time.Now. Tests move it.
	Now func() time.Time
}

// Deps are the server's dependencies.
type Deps struct {
	Config   Config
	History  History // nil with ScopeOff: nothing is stored
	Logger   *slog.Logger
	Registry *prometheus.Registry
}

var errCrossOrigin = &apiError{http.StatusForbidden, "requisição de outra origem recusada"}

// New returns the app's handler, with every route and middleware.
func New(d Deps) http.Handler {
	hist := &observedHistory{h: d.History, timeout: d.Config.StoreTimeout, logger: d.Logger}
	m := newMetrics(d.Registry, hist)
	hist.errors = m.historyErrors
	sessions := newSessions(d.Config, hist)
	mux := http.NewServeMux()
	addRoutes(mux, d, m, hist, sessions)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, d.Logger, errCrossOrigin)
			return
		}
		http.Error(w, errCrossOrigin.msg, errCrossOrigin.status)
	}))
	return securityHeaders(cop.Handler(mux), d.Config.CookieSecure == CookieSecureAlways)
}
