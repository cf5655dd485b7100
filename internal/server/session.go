package server

import (
	"crypto/rand"
	"net/http"
	"time"
)

const sessionCookie = "giropops_sessao"

// sessions maps a request to the history list it reads and writes.
type sessions struct {
	scope Scope
	ttl   time.Duration
}

// key returns the request's history key, and false when it has none: the scope
// is off, or it is a browser's first visit and create is false. With create, a
// browser without a valid session gets a new one, and every session's cookie is
// renewed, so a session lives while it is used.
func (s sessions) key(w http.ResponseWriter, r *http.Request, create bool) (string, bool) {
	switch s.scope {
	case ScopeOff:
		return "", false
	case ScopeGlobal:
		return GlobalKey, true
	}
	id := ""
	if c, err := r.Cookie(sessionCookie); err == nil && validSessionID(c.Value) {
		id = c.Value
	}
	if id == "" && !create {
		return "", false
	}
	if id == "" {
		id = rand.Text()
	}
	if create {
		http.SetCookie(w, &http.Cookie{
			Name: sessionCookie, Value: id, Path: "/",
			MaxAge: int(s.ttl.Seconds()), HttpOnly: true, Secure: r.TLS != nil,
			SameSite: http.SameSiteLaxMode,
		})
	}
	return GlobalKey + ":sessao:" + id, true
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
