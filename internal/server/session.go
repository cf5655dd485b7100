package server

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

const sessionCookie = "giropops_sessao"

// unconfirmedTTL is how long the list of a session started by an API call
// lives until the client sends its cookie back. Clients that drop cookies (curl,
// load generators, bots) start a new session on every call; their lists must
// not pile up for the whole SESSION_TTL, and they are the first that a full
// store drops (Redis's volatile-ttl, the Memory store's shortest TTL first).
const unconfirmedTTL = 10 * time.Minute

// The values of COOKIE_SECURE.
const (
	CookieSecureAuto   = "auto"   // when the request came over TLS or X-Forwarded-Proto: https
	CookieSecureAlways = "always" // behind a proxy that terminates TLS without saying so
	CookieSecureNever  = "never"
)

// sessions maps a request to the history list it reads and writes.
type sessions struct {
	scope  Scope
	ttl    time.Duration
	global list   // the shared list of global scope
	secure string // COOKIE_SECURE
	// clearGlobal lets clients erase the global list (HISTORY_ALLOW_CLEAR_GLOBAL).
	clearGlobal bool
}

func newSessions(c Config) sessions {
	s := sessions{scope: c.Scope, ttl: c.SessionTTL, global: list{key: GlobalKey}, secure: c.CookieSecure, clearGlobal: c.AllowClearGlobal}
	if c.HistoryKey != nil {
		_, s.global.aead = derive(c.HistoryKey, "giropops-senhas global v1")
	}
	return s
}

// list is a history list, how long a write keeps it (0: forever) and the AEAD
// that seals its entries (nil: a plain list).
type list struct {
	key  string
	ttl  time.Duration
	aead cipher.AEAD
}

// Who writes: a browser through the form, or a client of the JSON API.
const (
	fromForm = true
	fromAPI  = false
)

// A client's session is a secret that only its cookie carries; its list's
// store key and the key that seals its entries derive from it (see session).

// get returns the list of the request's session, if its cookie holds a valid secret.
func (s sessions) get(r *http.Request) (list, bool) {
	sess, _, ok := s.fromCookie(r)
	return sess, ok
}

// fromCookie is get, with the cookie's value.
func (s sessions) fromCookie(r *http.Request) (list, string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != base64.RawURLEncoding.EncodedLen(secretSize) {
		return list{}, "", false
	}
	secret, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return list{}, "", false
	}
	return s.session(secret, s.ttl), c.Value, true
}

// session is the list of the session whose secret is secret.
func (s sessions) session(secret []byte, ttl time.Duration) list {
	id, aead := derive(secret, "giropops-senhas sessao v1")
	return list{key: GlobalKey + ":sessao:" + id, ttl: ttl, aead: aead}
}

// read returns the list the request reads, and false when it has none: the
// scope is off, or the client has no session yet.
func (s sessions) read(r *http.Request) (list, bool) {
	switch s.scope {
	case ScopeOff:
		return list{}, false
	case ScopeGlobal:
		return s.global, true
	}
	return s.get(r)
}

// write returns the list a new password goes to (false: none, the scope is
// off) and the client's session. In session scope, and for the form in every
// scope (its session seals the new password on its way to the page), a client
// without a session gets one. Every session's cookie is renewed, so a session
// lives while it is used; one that an API call started lives unconfirmedTTL
// until its cookie comes back.
func (s sessions) write(w http.ResponseWriter, r *http.Request, form bool) (list, list, bool) {
	var sess list
	if s.scope == ScopeSession || form {
		sess = s.start(w, r, form)
	}
	switch s.scope {
	case ScopeSession:
		return sess, sess, true
	case ScopeGlobal:
		return s.global, sess, true
	}
	return list{}, sess, false
}

func (s sessions) start(w http.ResponseWriter, r *http.Request, form bool) list {
	sess, value, ok := s.fromCookie(r)
	if !ok {
		secret := make([]byte, secretSize)
		rand.Read(secret)
		ttl := s.ttl
		if !form {
			ttl = min(s.ttl, unconfirmedTTL)
		}
		sess, value = s.session(secret, ttl), base64.RawURLEncoding.EncodeToString(secret)
	}
	s.setCookie(w, r, sessionCookie, value, int(s.ttl.Seconds()), http.SameSiteLaxMode)
	return sess
}

// canClear reports whether a client may erase the list it reads.
func (s sessions) canClear() bool {
	return s.scope == ScopeSession || s.scope == ScopeGlobal && s.clearGlobal
}

// end deletes the session's cookie.
func (s sessions) end(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, sessionCookie, "", -1, http.SameSiteLaxMode)
}

// setCookie sets an HttpOnly cookie for the whole site, Secure as COOKIE_SECURE says.
func (s sessions) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: sameSite,
	})
}

// secureRequest reports whether cookies must be Secure: always, never, or (auto)
// when the request came over TLS, directly or through a proxy that says so.
func (s sessions) secureRequest(r *http.Request) bool {
	switch s.secure {
	case CookieSecureAlways:
		return true
	case CookieSecureNever:
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https")
}
