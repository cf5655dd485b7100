package server

import (
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/giropops/giropops-senhas/internal/history"
)

// A client's session is a 32-byte secret that only its cookie carries: the
// store key of its list and the key that seals its entries derive from it
// (seal.go). The cookie also says when the secret was minted, and carries a MAC
// under SESSION_KEY:
//
//	base64url(secret (32) | minted, Unix milliseconds (8) | HMAC-SHA256(SESSION_KEY, label | secret | minted))
//
// So the server takes only secrets it minted itself: a planted or invented
// value, or a twin of a real one (the base64 is strict), starts a new session
// instead. SESSION_KEY alone opens no list: that takes the secret, which the
// server never stores.
//
// A secret is used for at most SESSION_ROTATE. The first request after that
// moves the list to a new secret, re-sealed, and leaves at the old store key a
// marker: the new secret, sealed under the old one, with its time. Requests
// already under way with the old cookie (another tab, another replica) follow
// it for rotateGrace; after that the old cookie opens nothing. "Limpar
// histórico" and DELETE /api/senhas leave a marker that opens to nothing. A
// marker lives SESSION_ROTATE: by then the old cookie is due for rotation
// anyway, which gives it a new, empty session. Nothing is looked up per
// request: a marked key answers the request's own LPUSH or LRANGE with an error.

// The session cookie's name; __Host-giropops_sessao whenever the cookie is Secure, so that no
// other host (a sibling subdomain) and no plain-HTTP answer can set it.
const sessionCookie = "giropops_sessao"

// unconfirmedTTL is how long the list of a session started by an API call
// lives until the client sends its cookie back. Clients that drop cookies (curl,
// load generators, bots) start a new session on every call; their lists must
// not pile up for the whole SESSION_TTL, and they are the first that a full
// store drops (Redis's volatile-ttl, the Memory store's shortest TTL first).
const unconfirmedTTL = 10 * time.Minute

// DefaultSessionRotate is SESSION_ROTATE's default.
const DefaultSessionRotate = time.Hour

// rotateGrace is how long after a rotation a request with the old cookie still
// follows it to the new secret: a request under way then (another tab, a slow
// network), not a stolen cookie used later (a quarter of SESSION_ROTATE if
// that is shorter). A thief who uses the cookie at least this often follows
// every rotation: rotation ends old and leaked cookies, not a live thief.
const rotateGrace = 10 * time.Second

// clockSkew is how far in the future a cookie's or flash's time may be: the
// replicas' clocks differ a little.
const clockSkew = time.Minute

// revoked is the marker of a session ended by its client. It opens to nothing.
const revoked = "-"

// The values of COOKIE_SECURE.
const (
	CookieSecureAuto   = "auto"   // when the request came over TLS or X-Forwarded-Proto: https
	CookieSecureAlways = "always" // behind a proxy that terminates TLS without saying so
	CookieSecureNever  = "never"
)

// sessions maps a request to the history list it reads and writes.
type sessions struct {
	scope  Scope
	ttl    time.Duration // SESSION_TTL, the idle limit
	rotate time.Duration // SESSION_ROTATE
	key    []byte        // SESSION_KEY, the MAC key of the cookies
	global list          // the shared list of global scope
	secure string        // COOKIE_SECURE
	// clearGlobal lets clients erase the global list (HISTORY_ALLOW_CLEAR_GLOBAL).
	clearGlobal bool
	hist        *observedHistory
	size        int // HISTORY_SIZE
	now         func() time.Time
	opened      opened
}

func newSessions(c Config, hist *observedHistory) *sessions {
	s := &sessions{scope: c.Scope, ttl: c.SessionTTL, rotate: c.SessionRotate, key: c.SessionKey,
		global: list{key: GlobalKey}, secure: c.CookieSecure, clearGlobal: c.AllowClearGlobal,
		hist: hist, size: c.HistorySize, now: c.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rotate <= 0 {
		s.rotate = DefaultSessionRotate
	}
	if s.key == nil {
		s.key = make([]byte, 32)
		rand.Read(s.key)
	}
	if c.HistoryKey != nil {
		_, s.global.aead = derive(c.HistoryKey, "giropops-senhas global v1")
	}
	return s
}

// session is a client's session: its secret, when that was minted, and its list.
type session struct {
	list
	secret []byte
	minted time.Time
	cookie string // its cookie's value, once encoded or read
}

// Who writes: a browser through the form, or a client of the JSON API.
const (
	fromForm = true
	fromAPI  = false
)

// cookieLen is the length of a session cookie's value: base64url of the
// secret, its time and the MAC.
var cookieLen = base64.RawURLEncoding.EncodedLen(secretSize + 8 + sha256.Size)

// strict64 refuses a base64 text whose unused bits are not zero: each value
// has one text only.
var strict64 = base64.RawURLEncoding.Strict()

// session is the session of secret, minted at minted, whose list lives ttl.
func (s *sessions) session(secret []byte, minted time.Time, ttl time.Duration) session {
	id, aead := derive(secret, "giropops-senhas sessao v1")
	return session{list: list{key: GlobalKey + ":sessao:" + id, ttl: ttl, aead: aead}, secret: secret, minted: minted}
}

// mint makes a new session. Its list lives unconfirmedTTL until its cookie
// comes back (the page's GET after the form's POST, an API client's next
// call): a client that drops cookies, or makes them up, cannot keep lists
// for SESSION_TTL.
func (s *sessions) mint() session {
	secret := make([]byte, secretSize)
	rand.Read(secret)
	return s.session(secret, s.now().Truncate(time.Millisecond), min(s.ttl, unconfirmedTTL))
}

// flashAEAD is the AEAD of sess's flash cookies: its key derives from both the
// secret and SESSION_KEY.
func (s *sessions) flashAEAD(sess session) cipher.AEAD { return s.withKey(sess, "flash") }

// mac is the MAC of a cookie's secret and time under SESSION_KEY.
func (s *sessions) mac(secretAndTime []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("giropops-senhas cookie v1\x00"))
	m.Write(secretAndTime)
	return m.Sum(nil)
}

// encode is the cookie value of sess.
func (s *sessions) encode(sess session) string {
	if sess.cookie != "" {
		return sess.cookie
	}
	b := appendTime(sess.secret, sess.minted)
	return base64.RawURLEncoding.EncodeToString(append(b, s.mac(b)...))
}

// decode returns the session of a cookie value if this deployment minted it
// and it can still be in use: a secret is used for SESSION_ROTATE and its list
// kept SESSION_TTL after its last use, so an older cookie opens nothing.
func (s *sessions) decode(v string) (session, bool) {
	if len(v) != cookieLen {
		return session{}, false
	}
	sess, ok := s.opened.get(v)
	if !ok {
		b, err := strict64.DecodeString(v)
		if err != nil || !hmac.Equal(b[secretSize+8:], s.mac(b[:secretSize+8])) {
			return session{}, false
		}
		sess = s.session(b[:secretSize], timeAt(b[secretSize:]), s.ttl)
		sess.cookie = v
		s.opened.put(v, sess)
	}
	if age := s.now().Sub(sess.minted); age < -clockSkew || age >= s.rotate+s.ttl {
		return session{}, false
	}
	return sess, true
}

// openedMax bounds the sessions an opened cache remembers.
const openedMax = 4096

// opened remembers the sessions of recent cookies. A browser sends the same
// cookie with every request, and checking its MAC and deriving its keys is
// most of what a session costs a request; only cookies whose MAC verified are
// kept, so made-up ones cannot fill it, and when full it starts afresh.
type opened struct {
	mu sync.Mutex
	m  map[string]session
}

func (o *opened) get(v string) (session, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	sess, ok := o.m[v]
	return sess, ok
}

func (o *opened) put(v string, sess session) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil || len(o.m) >= openedMax {
		o.m = make(map[string]session, openedMax)
	}
	o.m[v] = sess
}

// cookieName is the name of a cookie for r: with the __Host- prefix when it is
// Secure. Over TLS only that name is read, so a cookie that a sibling host or
// a plain-HTTP answer set is never taken.
func (s *sessions) cookieName(r *http.Request, name string) string {
	if s.secureRequest(r) {
		return "__Host-" + name
	}
	return name
}

// fromCookie returns the session of the request's cookie, if it carries one
// valid cookie. Two cookies of that name (one planted with another Domain or a
// longer Path rides along with the real one) are no session: the server
// cannot tell which is the client's.
func (s *sessions) fromCookie(r *http.Request) (session, bool) {
	cs := r.CookiesNamed(s.cookieName(r, sessionCookie))
	if len(cs) != 1 {
		return session{}, false
	}
	return s.decode(cs[0].Value)
}

// due reports whether sess's secret has been used for SESSION_ROTATE.
func (s *sessions) due(sess session) bool { return s.now().Sub(sess.minted) >= s.rotate }

// rotated returns the session that replaces old, which is due, and whether
// it holds old's list: its list moved to a new secret, or where a concurrent
// rotation moved it; false for a new session (old was revoked, or rotated long
// ago). If the store does not answer, old stays in use until it does.
func (s *sessions) rotated(ctx context.Context, old session) (session, bool) {
	next := s.mint()
	next.ttl = s.ttl // its cookie came back
	marker := sealBytes(s.markerAEAD(old), markerData(old.key), appendTime(next.secret, next.minted))
	err := s.hist.move(ctx, old.list, next.list, marker, s.markerTTL())
	switch {
	case err == nil:
		return next, true
	case errors.Is(err, history.ErrMarked):
		return s.follow(ctx, old)
	}
	return old, true
}

// markerTTL is how long a marker is kept: SESSION_ROTATE (by then the old
// cookie is due for rotation anyway), and never less than an unconfirmed
// session lives, so that a full store evicts those before any marker.
func (s *sessions) markerTTL() time.Duration { return max(s.rotate, unconfirmedTTL+time.Minute) }

// markerAEAD seals the markers left at old's key: its key takes both old's
// secret and SESSION_KEY, so that an old cookie and a copy of Redis (its AOF,
// a backup) cannot follow the session's rotations.
func (s *sessions) markerAEAD(old session) cipher.AEAD { return s.withKey(old, "marker") }

// withKey is an AEAD whose key derives from both sess's secret and SESSION_KEY,
// for what label names: neither a client's secret nor the server's key alone
// opens it.
func (s *sessions) withKey(sess session, label string) cipher.AEAD {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("giropops-senhas " + label + " v1\x00"))
	m.Write(sess.secret)
	_, aead := derive(m.Sum(nil), "giropops-senhas "+label+" v1")
	return aead
}

// grace is how long a rotation's marker is followed: rotateGrace, or a quarter
// of SESSION_ROTATE if that is shorter.
func (s *sessions) grace() time.Duration { return min(rotateGrace, s.rotate/4) }

// follow returns the session that old's marked list went to, and true: the
// new secret of a rotation less than grace ago; or else (revoked, or rotated
// long ago) a new session, and false. A cookie used again after its rotation's
// grace is either the owner's, whose history a thief rotated away, or a
// thief's: the list it was rotated to is revoked too, as a refresh token's
// reuse revokes its family, so that neither keeps a history the other lost.
func (s *sessions) follow(ctx context.Context, old session) (session, bool) {
	if m, ok, err := s.hist.marker(ctx, old.key); err == nil && ok {
		if next, ok := s.forward(old, m); ok {
			if s.now().Sub(next.minted) < s.grace() {
				return next, true
			}
			s.revoke(ctx, next) // a failure is counted and logged
		}
	}
	return s.mint(), false
}

// forward opens a rotation's marker m, left at old's key: the session the
// list moved to. A revocation's marker does not open.
func (s *sessions) forward(old session, m string) (session, bool) {
	b, err := openBytes(s.markerAEAD(old), markerData(old.key), m)
	if err != nil || len(b) != secretSize+8 {
		return session{}, false
	}
	return s.session(b[:secretSize], timeAt(b[secretSize:]), s.ttl), true
}

func markerData(key string) []byte { return []byte(key + ":marcador") }

// appendTime returns b and t, in Unix milliseconds; timeAt reads t back.
func appendTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), b...), uint64(t.UnixMilli()))
}

func timeAt(b []byte) time.Time { return time.UnixMilli(int64(binary.BigEndian.Uint64(b))) }

// load returns the request's latest passwords: the global list, or the
// client's session's list (none without a session), and whether the
// request's session is still in use (false: revoked, or moved long ago). A
// session due for rotation is rotated, and the client gets its new cookie. A
// read with the cookie of a session less than unconfirmedTTL old confirms it:
// its list lives SESSION_TTL (the page's GET after the form's POST does it).
func (s *sessions) load(w http.ResponseWriter, r *http.Request) ([]record, bool, error) {
	switch s.scope {
	case ScopeOff:
		return nil, true, nil
	case ScopeGlobal:
		rs, err := s.hist.latest(r.Context(), s.global, s.size)
		return rs, true, err
	}
	sess, ok := s.fromCookie(r)
	if !ok {
		return nil, true, nil
	}
	changed, live := false, true
	if s.due(sess) {
		sess, live = s.rotated(r.Context(), sess)
		changed = true
	}
	rs, err := s.hist.latest(r.Context(), sess.list, s.size)
	if errors.Is(err, history.ErrMarked) {
		sess, live = s.follow(r.Context(), sess)
		changed = true
		rs, err = s.hist.latest(r.Context(), sess.list, s.size)
	}
	if err == nil && len(rs) > 0 && s.now().Sub(sess.minted) < unconfirmedTTL {
		s.hist.expire(r.Context(), sess.key, s.ttl) // a failure is counted and logged
	}
	if changed {
		s.setSession(w, r, sess)
	}
	return rs, live, err
}

// save stores rs in the request's list and returns the client's session (the
// form's flash is sealed under it) and the store's error. In session scope, and
// for the form in every scope, a client without a session gets one, and the
// session's cookie is renewed, so that a session lives while it is used.
func (s *sessions) save(w http.ResponseWriter, r *http.Request, form bool, rs []record) (session, error) {
	if s.scope != ScopeSession && !form {
		if s.scope == ScopeGlobal {
			_, err := s.hist.add(r.Context(), s.global, rs...)
			return session{}, err
		}
		return session{}, nil
	}
	sess, ok := s.fromCookie(r)
	switch {
	case !ok:
		sess = s.mint()
	case s.due(sess) && s.scope == ScopeSession:
		sess, _ = s.rotated(r.Context(), sess)
	case s.due(sess): // no list to move
		sess = s.mint()
	}
	var err error
	switch s.scope {
	case ScopeSession:
		var made bool
		made, err = s.hist.add(r.Context(), sess.list, rs...)
		if errors.Is(err, history.ErrMarked) {
			sess, _ = s.follow(r.Context(), sess)
			made, err = s.hist.add(r.Context(), sess.list, rs...)
		}
		if made && s.now().Sub(sess.minted) >= s.grace() {
			// This secret's list was gone (expired, evicted, or its revocation
			// evicted under a flood): a secret never comes back to life. Revoke
			// it and start anew.
			if _, _, err = s.hist.mark(r.Context(), sess.key, revoked, s.markerTTL()); err == nil {
				sess = s.mint()
				_, err = s.hist.add(r.Context(), sess.list, rs...)
			}
		}
	case ScopeGlobal:
		_, err = s.hist.add(r.Context(), s.global, rs...)
	}
	s.setSession(w, r, sess)
	return sess, err
}

var errClearGlobal = &apiError{http.StatusForbidden, "o histórico é compartilhado por todos e não pode ser apagado (HISTORY_ALLOW_CLEAR_GLOBAL)"}

// clear erases the request's list, as DELETE /api/senhas and the page's button
// do, revokes its session's secret and deletes its cookie.
func (s *sessions) clear(w http.ResponseWriter, r *http.Request) error {
	if s.scope == ScopeGlobal && !s.clearGlobal {
		return errClearGlobal
	}
	if s.scope == ScopeGlobal && s.hist.clear(r.Context(), s.global.key) != nil {
		return errUnavailable
	}
	// Every session cookie the request carries that this deployment minted:
	// with two (one planted beside the real one) the server cannot tell which
	// is the client's, so forgetting revokes both.
	cs := r.CookiesNamed(s.cookieName(r, sessionCookie))
	for _, c := range cs {
		if sess, ok := s.decode(c.Value); ok && s.scope == ScopeSession && s.revoke(r.Context(), sess) != nil {
			return errUnavailable
		}
	}
	if len(cs) > 0 {
		s.setCookie(w, r, sessionCookie, "", -1, http.SameSiteLaxMode)
		s.setCookie(w, r, flashCookie, "", -1, http.SameSiteStrictMode)
	}
	return nil
}

// maxForwards bounds the rotations revoke follows.
const maxForwards = 8

// revoke erases sess's list and revokes its secret, and follows its rotations
// (however old) to do the same to the lists they moved it to: a client that
// asks to forget its history gets it forgotten, even if a thief with its
// cookie rotated it away first.
func (s *sessions) revoke(ctx context.Context, sess session) error {
	for range maxForwards {
		// One atomic step per key: a rotation that lands at the same moment
		// either moved the list before (its marker comes back, and is followed)
		// or finds the key revoked and moves nothing.
		m, marked, err := s.hist.mark(ctx, sess.key, revoked, s.markerTTL())
		if err != nil {
			return err
		}
		if !marked {
			return nil
		}
		if sess, marked = s.forward(sess, m); !marked {
			return nil
		}
	}
	return nil
}

// canClear reports whether a client may erase the list it reads.
func (s *sessions) canClear() bool {
	return s.scope == ScopeSession || s.scope == ScopeGlobal && s.clearGlobal
}

// setSession sets sess's cookie, for SESSION_TTL from now.
func (s *sessions) setSession(w http.ResponseWriter, r *http.Request, sess session) {
	s.setCookie(w, r, sessionCookie, s.encode(sess), int(s.ttl.Seconds()), http.SameSiteLaxMode)
}

// setCookie sets an HttpOnly cookie for the whole site, Secure (and named
// __Host-) as COOKIE_SECURE says.
func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureRequest(r), SameSite: sameSite,
	})
}

// secureRequest reports whether cookies must be Secure: always, never, or (auto)
// when the request came over TLS, directly or through a proxy that says so.
func (s *sessions) secureRequest(r *http.Request) bool {
	switch s.secure {
	case CookieSecureAlways:
		return true
	case CookieSecureNever:
		return false
	}
	return overTLS(r)
}

// overTLS reports whether the request came over TLS, directly or through a
// proxy that says so (X-Forwarded-Proto: https).
func overTLS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https")
}
