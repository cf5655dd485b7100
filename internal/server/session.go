package server

import (
	"crypto/rand"
	"net/http"
	"time"
)

const sessionCookie = "giropops_sessao"

// unconfirmedTTL is how long the list of a session started by an API call
// lives until the client sends its cookie back. Clients that drop cookies (curl,
// load generators, bots) start a new session on every call; their lists must
// not pile up in Redis for the whole SESSION_TTL.
const unconfirmedTTL = 10 * time.Minute

// sessions maps a request to the history list it reads and writes.
type sessions struct {
	scope Scope
	ttl   time.Duration
}

// list is a history list and how long a write keeps it (0: forever).
type list struct {
	key string
	ttl time.Duration
}

// Who writes: a browser through the form, or a client of the JSON API.
const (
	fromForm = true
	fromAPI  = false
)

// read returns the request's list, and false when it has none: the scope is
// off, or the client has no session yet.
func (s sessions) read(r *http.Request) (list, bool) {
	switch s.scope {
	case ScopeOff:
		return list{}, false
	case ScopeGlobal:
		return list{key: GlobalKey}, true
	}
	if id, ok := sessionID(r); ok {
		return list{key: GlobalKey + ":sessao:" + id, ttl: s.ttl}, true
	}
	return list{}, false
}

// write returns the list a new password goes to. A client without a session
// gets one; every session's cookie is renewed, so a session lives while it is
// used. A session that an API call started lives unconfirmedTTL until its
// cookie comes back.
func (s sessions) write(w http.ResponseWriter, r *http.Request, form bool) (list, bool) {
	if s.scope != ScopeSession {
		return s.read(r)
	}
	id, ok := sessionID(r)
	l := list{ttl: s.ttl}
	if !ok {
		id = rand.Text()
		if !form {
			l.ttl = min(s.ttl, unconfirmedTTL)
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/",
		MaxAge: int(s.ttl.Seconds()), HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	l.key = GlobalKey + ":sessao:" + id
	return l, true
}

// sessionID returns the request's valid session cookie.
func sessionID(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || !validSessionID(c.Value) {
		return "", false
	}
	return c.Value, true
}

// validSessionID accepts only what rand.Text makes (26 base32 characters), so a
// client cannot choose another Redis key through its cookie.
func validSessionID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}
