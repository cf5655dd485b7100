package server_test

import (
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/server"
)

// The session tests act as an attacker would: with cookies they plant, keep,
// alter or make up, against the real handler and real stores.

// clock is a clock the tests move; Redis's TTLs still run on real time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// withCookie sends a request with exactly the session cookie value v (none if
// v is "") and no jar, and returns the answer and the session cookie it sets.
func withCookie(t *testing.T, method, url, v, contentType, body string) (response, string) {
	t.Helper()
	req := mustRequest(t, method, url, contentType, body)
	if v != "" {
		req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: v})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: readAll(t, resp)}
	set := ""
	for _, c := range resp.Cookies() {
		if c.Name == "giropops_sessao" {
			set = c.Value
		}
	}
	return r, set
}

// noRedirect is a client without a cookie jar that does not follow redirects.
var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// gen generates one password with cookie v: the password and the cookie set.
func gen(t *testing.T, base, v string) (string, string) {
	t.Helper()
	r, set := withCookie(t, "POST", base+"/api/gerar-senha", v, "application/json", `{"tamanho": 16}`)
	return generated(t, r), set
}

// list reads the history with cookie v: the passwords and the cookie set.
func list(t *testing.T, base, v string) ([]string, string) {
	t.Helper()
	r, set := withCookie(t, "GET", base+"/api/senhas", v, "", "")
	return listOf(t, r), set
}

// A planted or invented cookie is never taken: the client gets a new session,
// and whoever planted the value reads nothing of what the victim then makes.
func TestPlantedCookieStartsNewSession(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			ts := newServer(t, server.ScopeSession, newStore(t))
			other := newServerWith(t, withKey(testConfig(server.ScopeSession), randomKey()), memoryStore())
			_, foreign := gen(t, other.URL, "") // minted by another deployment (another SESSION_KEY)
			for what, planted := range map[string]string{
				"43 A":                    strings.Repeat("A", 43),
				"96 A":                    strings.Repeat("A", 96),
				"another deployment's":    foreign,
				"random bytes":            base64.RawURLEncoding.EncodeToString(randomBytes(72)),
				"a real one's first 43":   foreign[:43],
				"path in the store's key": "x:../../senhas",
			} {
				senha, set := gen(t, ts.URL, planted)
				if set == "" || set == planted {
					t.Fatalf("%s: planted cookie kept (Set-Cookie %q)", what, set)
				}
				if got, _ := list(t, ts.URL, planted); len(got) != 0 {
					t.Fatalf("%s: the planted value reads %q", what, got)
				}
				if got, _ := list(t, ts.URL, set); !slices.Equal(got, []string{senha}) {
					t.Fatalf("%s: the victim's new session reads %q, want [%s]", what, got, senha)
				}
			}
		})
	}
}

// Any text other than the one the server set, even one that decodes to the
// same bytes or differs in a bit, is a new session.
func TestMalleatedCookieStartsNewSession(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	senha, real := gen(t, ts.URL, "")
	raw, err := base64.RawURLEncoding.DecodeString(real)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	twins := map[string]string{
		"padded":            real + "=",
		"standard alphabet": base64.RawStdEncoding.EncodeToString(raw),
		"one bit of MAC":    base64.RawURLEncoding.EncodeToString(flipped),
		"last character":    real[:len(real)-1] + map[bool]string{true: "B", false: "A"}[real[len(real)-1] == 'A'],
		"with a space":      real[:10] + " " + real[10:],
	}
	for what, twin := range twins {
		if twin == real {
			continue
		}
		if got, set := list(t, ts.URL, twin); len(got) != 0 || set != "" && set == real {
			t.Fatalf("%s twin %q reads %q (Set-Cookie %q)", what, twin, got, set)
		}
	}
	if got, _ := list(t, ts.URL, real); !slices.Equal(got, []string{senha}) {
		t.Fatalf("the real cookie reads %q", got)
	}
}

// DELETE /api/senhas revokes the secret: the old cookie, sent again, opens
// nothing and what it writes goes to a new session.
func TestDeleteRevokesSecret(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			ts := newServer(t, server.ScopeSession, newStore(t))
			_, c := gen(t, ts.URL, "")
			gen(t, ts.URL, c)
			if r, _ := withCookie(t, "DELETE", ts.URL+"/api/senhas", c, "", ""); r.status != http.StatusNoContent {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
			if got, _ := list(t, ts.URL, c); len(got) != 0 {
				t.Fatalf("after DELETE the old cookie reads %q", got)
			}
			senha, set := gen(t, ts.URL, c)
			if set == c || set == "" {
				t.Fatalf("after DELETE the old cookie was taken again (Set-Cookie %q)", set)
			}
			if got, _ := list(t, ts.URL, c); len(got) != 0 {
				t.Fatalf("the revoked cookie reads %q after writing", got)
			}
			if got, _ := list(t, ts.URL, set); !slices.Equal(got, []string{senha}) {
				t.Fatalf("the new session reads %q", got)
			}
		})
	}
}

// Every SESSION_ROTATE of use the secret changes: the history follows the new
// cookie, and the old one, after the grace for requests under way, opens
// nothing, and revokes what it was rotated to.
func TestSessionRotation(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			clk, cfg := rotating()
			ts := newServerWith(t, cfg, newStore(t))
			var want []string
			s, c := gen(t, ts.URL, "")
			want = append(want, s)
			for range 3 {
				s, set := gen(t, ts.URL, c)
				if set != c {
					t.Fatalf("the cookie changed before SESSION_ROTATE")
				}
				want = append(want, s)
			}
			slices.Reverse(want)
			clk.add(time.Hour)
			got, c2 := list(t, ts.URL, c)
			if c2 == "" || c2 == c || !slices.Equal(got, want) {
				t.Fatalf("after an hour: Set-Cookie %q, history %q; want a new cookie and %q", c2, got, want)
			}
			// A request with the old cookie a moment later (another tab) follows.
			clk.add(time.Second)
			s, c3 := gen(t, ts.URL, c)
			if c3 != c2 {
				t.Fatalf("a request under way with the old cookie got %q, want the new one", c3)
			}
			want = append([]string{s}, want...)
			if got, _ := list(t, ts.URL, c2); !slices.Equal(got, want) {
				t.Fatalf("the new cookie reads %q, want %q", got, want)
			}
			clk.add(time.Minute)
			got, c4 := list(t, ts.URL, c)
			if len(got) != 0 || c4 == c2 {
				t.Fatalf("the old cookie a minute after the rotation reads %q (Set-Cookie %q)", got, c4)
			}
			// The old cookie used again past the grace is a stolen cookie or a
			// stolen history: as a refresh token's reuse, it revokes the session
			// it was rotated to, so that neither side keeps what the other lost.
			if got, _ := list(t, ts.URL, c2); len(got) != 0 {
				t.Fatalf("the new cookie reads %q after the old one was used again", got)
			}
			// Idle past SESSION_ROTATE + SESSION_TTL, a cookie is refused outright.
			_, c5 := gen(t, ts.URL, "")
			clk.add(2*time.Hour + time.Second)
			if _, set := gen(t, ts.URL, c5); set == c5 || set == "" {
				t.Fatal("a cookie past SESSION_ROTATE + SESSION_TTL was taken")
			}
		})
	}
}

// Two replicas rotating one session at once, under concurrent requests with the
// old cookie, lose no entry and agree on the new cookie.
func TestTwoReplicasRotateAtOnce(t *testing.T) {
	hist, _, _ := redisStore(t)
	clk, cfg := rotating()
	a, b := newServerWith(t, cfg, hist), newServerWith(t, cfg, hist)
	for round := range 5 {
		_, c := gen(t, a.URL, "")
		want := listFor(t, a.URL, c)
		clk.add(time.Hour)
		const n = 8 // within HISTORY_SIZE (10) with the first password
		var mu sync.Mutex
		var wg sync.WaitGroup
		sets := map[string]int{}
		for i := range n {
			wg.Go(func() {
				base := a.URL
				if i%2 == 1 {
					base = b.URL
				}
				s, set := gen(t, base, c)
				mu.Lock()
				want = append(want, s)
				sets[set]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(sets) != 1 {
			t.Fatalf("round %d: the concurrent requests got %d different cookies: %v", round, len(sets), sets)
		}
		var next string
		for k := range sets {
			next = k
		}
		got := listFor(t, b.URL, next)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: after the rotation the history holds %d entries %q, want %q", round, len(got), got, want)
		}
	}
}

func listFor(t *testing.T, base, c string) []string {
	got, _ := list(t, base, c)
	return got
}

// Made-up cookies are unconfirmed sessions like cookie-less calls: a flood of
// them is evicted first and a browser's session survives.
func TestInventedCookieFlood(t *testing.T) {
	hist := history.NewMemory(history.Config{Size: 10, MaxLists: 20})
	ts := newServer(t, server.ScopeSession, hist)
	browser := client(t)
	do(t, browser, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=12")
	before := listOf(t, do(t, browser, "GET", ts.URL+"/api/senhas", "", ""))
	for range 200 {
		gen(t, ts.URL, invented())
	}
	if after := listOf(t, do(t, browser, "GET", ts.URL+"/api/senhas", "", "")); len(before) != 1 || !slices.Equal(after, before) {
		t.Fatalf("the browser's history was %q before 200 invented cookies, %q after", before, after)
	}
}

// Sealed entries are padded: what Redis keeps tells nothing of a password's
// length up to 47 characters, and takes few sizes above.
func TestSealedEntrySizes(t *testing.T) {
	_, _, rc := redisStore(t)
	cfg := testConfig(server.ScopeSession)
	cfg.HistorySize = 200
	ts := newServerWith(t, cfg, history.NewRedis(rc, history.Config{Size: 200}))
	c := ""
	for n := 4; n <= 128; n++ {
		_, set := withCookie(t, "POST", ts.URL+"/api/gerar-senha", c, "application/json", `{"tamanho": `+strconv.Itoa(n)+`}`)
		c = cmp.Or(set, c)
	}
	keys := rc.Keys(t.Context(), "senhas:sessao:*").Val()
	if len(keys) != 1 {
		t.Fatalf("%d session lists, want 1", len(keys))
	}
	entries := rc.LRange(t.Context(), keys[0], 0, -1).Val() // newest (128 characters) first
	if len(entries) != 125 {
		t.Fatalf("%d entries, want 125", len(entries))
	}
	sizes := map[string]map[int]bool{}
	for i, e := range entries {
		n, bucket := 128-i, "4-47"
		switch {
		case n >= 96:
			bucket = "96-128"
		case n >= 48:
			bucket = "48-95"
		}
		if sizes[bucket] == nil {
			sizes[bucket] = map[int]bool{}
		}
		sizes[bucket][len(e)] = true
	}
	t.Logf("entry sizes in Redis by password length: %v", sizes)
	for bucket, seen := range sizes {
		if len(seen) != 1 {
			t.Errorf("passwords of %s characters seal to %d sizes %v, want one", bucket, len(seen), seen)
		}
	}
}

// A restart with the same SESSION_KEY keeps every session; with another one,
// old cookies start new sessions cleanly.
func TestSessionKeyRestart(t *testing.T) {
	hist, _, _ := redisStore(t)
	first := newServer(t, server.ScopeSession, hist)
	senha, c := gen(t, first.URL, "")
	first.Close()
	same := newServer(t, server.ScopeSession, hist)
	if got, _ := list(t, same.URL, c); !slices.Equal(got, []string{senha}) {
		t.Fatalf("after a restart with the same SESSION_KEY: %q, want [%s]", got, senha)
	}
	other := newServerWith(t, withKey(testConfig(server.ScopeSession), randomKey()), hist)
	r, _ := withCookie(t, "GET", other.URL+"/api/senhas", c, "", "")
	if r.status != http.StatusOK || len(listOf(t, r)) != 0 {
		t.Fatalf("with another SESSION_KEY: %d %s", r.status, r.body)
	}
	if p := do(t, client(t), "GET", other.URL+"/", "", ""); p.status != http.StatusOK {
		t.Fatalf("page: %d", p.status)
	}
	s2, set := gen(t, other.URL, c)
	if set == c || set == "" {
		t.Fatal("a cookie of another SESSION_KEY was taken")
	}
	if got, _ := list(t, other.URL, set); !slices.Equal(got, []string{s2}) {
		t.Fatalf("the new session reads %q", got)
	}
}

// The flash that carries a form's new passwords to the page opens for a
// minute, and only for the session that made it.
func TestFlashExpires(t *testing.T) {
	clk := newClock()
	cfg := testConfig(server.ScopeSession)
	cfg.Now = clk.now
	ts := newServerWith(t, cfg, memoryStore())
	for _, tt := range []struct {
		wait  time.Duration
		shown bool
	}{{0, true}, {59 * time.Second, true}, {61 * time.Second, false}} {
		c := client(t)
		r := do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=12")
		var flash *http.Cookie
		for _, ck := range r.header.Values("Set-Cookie") {
			if strings.HasPrefix(ck, "giropops_nova=") {
				flash = &http.Cookie{Name: "giropops_nova", Value: strings.TrimPrefix(strings.Split(ck, ";")[0], "giropops_nova=")}
			}
		}
		if flash == nil {
			t.Fatal("no flash cookie")
		}
		clk.add(tt.wait)
		// Replay the captured cookies by hand: a browser would drop the flash at its Max-Age.
		req := mustRequest(t, "GET", ts.URL+"/", "", "")
		req.AddCookie(flash)
		for _, ck := range c.Jar.Cookies(mustURL(t, ts.URL)) {
			if ck.Name == "giropops_sessao" {
				req.AddCookie(ck)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if shown := strings.Contains(body, "Sua nova senha"); shown != tt.shown {
			t.Errorf("flash %v old: shown %v, want %v", tt.wait, shown, tt.shown)
		}
	}
}

// A link cannot make the server generate, or the page offer, a weakened
// password: the redirect carries no options, a GET's query fills nothing, and
// options with a single possible output are refused.
func TestNoForgedForms(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	forged := "/?salva=1&tamanho=4&incluir_minusculas=false&incluir_maiusculas=false&incluir_numeros=true&excluir=123456789"
	page := do(t, client(t), "GET", ts.URL+forged, "", "")
	if !strings.Contains(page.body, `value="16"`) || strings.Contains(page.body, `value="123456789"`) {
		t.Fatalf("a GET with options in its query pre-filled the form")
	}
	r := postJSON(t, client(t), ts.URL, `{"tamanho": 4, "incluir_minusculas": false, "incluir_maiusculas": false, "incluir_numeros": true, "excluir": "123456789"}`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "0 bits") {
		t.Fatalf("options with one possible password: %d %s, want 400 saying why", r.status, r.body)
	}
	form := do(t, client(t), "POST", ts.URL+"/", "application/x-www-form-urlencoded", "opcoes=1&tamanho=4&incluir_numeros=on&excluir=123456789")
	if form.status != http.StatusBadRequest || !strings.Contains(form.body, "0 bits") {
		t.Fatalf("the form with one possible password: %d", form.status)
	}
	pin := postJSON(t, client(t), ts.URL, `{"tamanho": 4, "incluir_minusculas": false, "incluir_maiusculas": false, "incluir_numeros": true}`)
	if pin.status != http.StatusOK || !strings.Contains(pin.body, `"entropia_bits":13.29`) {
		t.Fatalf("a 4-digit PIN: %d %s, want 200 with 13.29 bits", pin.status, pin.body)
	}
}

// Every API error is JSON, the cross-origin 403 and the wrong method's 405 too.
func TestAPIErrorsAreJSON(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	req := mustRequest(t, "POST", ts.URL+"/api/gerar-senha", "application/json", `{}`)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"erro"`) {
		t.Fatalf("cross-origin POST: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, m := range []string{"PUT", "PATCH", "POST"} {
		r := do(t, client(t), m, ts.URL+"/api/senhas", "application/json", `{}`)
		if r.status != http.StatusMethodNotAllowed || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !strings.Contains(r.body, `"erro"`) {
			t.Fatalf("%s /api/senhas: %d %q %s", m, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
}

// Over TLS the cookies are __Host- cookies (Secure, Path=/, no Domain), a
// plain-named cookie (set by a sibling host or over HTTP) is not read, and the
// answers carry Strict-Transport-Security.
func TestHostCookiesAndHSTS(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	tlsSrv := httptest.NewTLSServer(ts.Config.Handler)
	defer tlsSrv.Close()
	c := tlsSrv.Client()
	req := mustRequest(t, "POST", tlsSrv.URL+"/", "application/x-www-form-urlencoded", "tamanho=8")
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	names := map[string]*http.Cookie{}
	for _, ck := range resp.Cookies() {
		names[ck.Name] = ck
	}
	sess, flash := names["__Host-giropops_sessao"], names["__Host-giropops_nova"]
	if sess == nil || flash == nil || len(names) != 2 {
		t.Fatalf("cookies over TLS: %v, want __Host-giropops_sessao and __Host-giropops_nova", names)
	}
	for _, ck := range []*http.Cookie{sess, flash} {
		if !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
			t.Errorf("%s: Secure %v Path %q Domain %q HttpOnly %v", ck.Name, ck.Secure, ck.Path, ck.Domain, ck.HttpOnly)
		}
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("over TLS: Strict-Transport-Security %q", hsts)
	}
	// A cookie under the plain name, however valid, is not read over TLS.
	_, plain := gen(t, ts.URL, "")
	req = mustRequest(t, "GET", tlsSrv.URL+"/api/senhas", "", "")
	req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: plain})
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); strings.TrimSpace(body) != "[]" {
		t.Fatalf("over TLS the plain-named cookie opened %s", body)
	}
	for _, tt := range []struct {
		proto string
		hsts  bool
	}{{"", false}, {"http", false}, {"https", true}} {
		req := mustRequest(t, "GET", ts.URL+"/healthz", "", "")
		if tt.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security") != ""; got != tt.hsts {
			t.Errorf("X-Forwarded-Proto %q: HSTS %v, want %v", tt.proto, got, tt.hsts)
		}
	}
}

// rotating is the configuration of session scope with SESSION_ROTATE 1h, on a
// clock the test moves.
func rotating() (*clock, server.Config) {
	clk := newClock()
	cfg := testConfig(server.ScopeSession)
	cfg.SessionRotate, cfg.Now = time.Hour, clk.now
	return clk, cfg
}

// sessionKeys derives, from a cookie alone, what an attacker who holds it
// can (seal.go): its list's store key and the AEAD that seals the list.
func sessionKeys(t *testing.T, cookie string) (string, cipher.AEAD) {
	t.Helper()
	raw, _ := base64.RawURLEncoding.DecodeString(cookie)
	k, err := hkdf.Expand(sha256.New, raw[:32], "giropops-senhas sessao v1", 48)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k[16:])
	aead, _ := cipher.NewGCM(block)
	return "senhas:sessao:" + hex.EncodeToString(k[:16]), aead
}

// stores are the two stores the session tests run on.
func stores() map[string]func(t *testing.T) server.History {
	return map[string]func(t *testing.T) server.History{
		"memory": func(*testing.T) server.History { return memoryStore() },
		"redis":  func(t *testing.T) server.History { h, _, _ := redisStore(t); return h },
	}
}

func withKey(cfg server.Config, key []byte) server.Config {
	cfg.SessionKey = key
	return cfg
}

func randomKey() []byte { return randomBytes(32) }

// invented is a well-formed cookie nobody minted: a random secret, the time
// now, and a random MAC.
func invented() string {
	b := binary.BigEndian.AppendUint64(randomBytes(32), uint64(time.Now().UnixMilli()))
	return base64.RawURLEncoding.EncodeToString(append(b, randomBytes(32)...))
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Two session cookies in one request (one planted under another Domain or a
// longer Path rides along with the real one) are no session: neither is read
// or written.
func TestTwoSessionCookiesAreNone(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	_, planted := gen(t, ts.URL, "") // the attacker's own, minted by the server
	senha, victim := gen(t, ts.URL, "")
	req := mustRequest(t, "POST", ts.URL+"/api/gerar-senha", "application/json", `{}`)
	req.Header.Set("Cookie", "giropops_sessao="+planted+"; giropops_sessao="+victim)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if got := listFor(t, ts.URL, planted); len(got) != 1 {
		t.Fatalf("the planted session holds %q after a request with both cookies, want its own one password", got)
	}
	if got := listFor(t, ts.URL, victim); !slices.Equal(got, []string{senha}) {
		t.Fatalf("the victim's session holds %q, want [%s]", got, senha)
	}
}

// A client that knows its session's secret (a planted cookie's maker) cannot
// seal a flash that the page shows: the flash's key takes SESSION_KEY too.
func TestForgedFlashNotShown(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	_, c := gen(t, ts.URL, "")
	_, aead := sessionKeys(t, c)
	plain := fmt.Sprintf(`{"t":%d,"s":["Attacker-Knows-This-1"],"b":128,"f":"tamanho=4","ok":true}`, time.Now().UnixMilli())
	padded := append([]byte(plain), 0x80)
	for len(padded)%48 != 0 {
		padded = append(padded, 0)
	}
	nonce := randomBytes(12)
	sealed := append([]byte{2}, nonce...)
	sealed = aead.Seal(sealed, nonce, padded, []byte("giropops_nova"))
	req := mustRequest(t, "GET", ts.URL+"/", "", "")
	req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: c})
	req.AddCookie(&http.Cookie{Name: "giropops_nova", Value: base64.RawURLEncoding.EncodeToString(sealed)})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); strings.Contains(body, "Attacker-Knows-This-1") {
		t.Fatal("the page showed a flash sealed by a client")
	}
}

// "Forget me" forgets, even after a thief with the cookie rotated the session
// away: the revocation follows the rotation to the list it moved to.
func TestDeleteFollowsRotation(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			clk, cfg := rotating()
			ts := newServerWith(t, cfg, newStore(t))
			_, c := gen(t, ts.URL, "")
			gen(t, ts.URL, c)
			clk.add(time.Hour)
			got, thief := list(t, ts.URL, c) // the thief rotates first
			if len(got) != 2 || thief == c {
				t.Fatalf("the thief's rotation read %q (cookie changed %v)", got, thief != c)
			}
			clk.add(time.Minute) // past the grace: the owner's cookie no longer follows
			if r, _ := withCookie(t, "DELETE", ts.URL+"/api/senhas", c, "", ""); r.status != http.StatusNoContent {
				t.Fatalf("DELETE: %d", r.status)
			}
			if got := listFor(t, ts.URL, thief); len(got) != 0 {
				t.Fatalf("after the owner's DELETE the thief's rotated cookie still reads %q", got)
			}
		})
	}
}

// A flood that evicts a revocation's marker does not bring the revoked secret
// back: a write that finds its list gone, for a secret minted before, gets a
// new secret.
func TestRevokedSecretStaysRevokedAfterEviction(t *testing.T) {
	clk := newClock()
	cfg := testConfig(server.ScopeSession)
	cfg.Now = clk.now
	ts := newServerWith(t, cfg, history.NewMemory(history.Config{Size: 10, MaxLists: 20}))
	_, c := gen(t, ts.URL, "")
	withCookie(t, "DELETE", ts.URL+"/api/senhas", c, "", "")
	for range 60 { // cookie-less form posts: their lists evict the marker
		withCookie(t, "POST", ts.URL+"/", "", "application/x-www-form-urlencoded", "tamanho=8")
	}
	clk.add(time.Minute)
	senha, set := gen(t, ts.URL, c)
	if set == c || set == "" {
		t.Fatalf("a revoked cookie was taken again after its marker was evicted (Set-Cookie %q)", set)
	}
	if got := listFor(t, ts.URL, c); len(got) != 0 {
		t.Fatalf("the revoked cookie reads %q", got)
	}
	if got := listFor(t, ts.URL, set); !slices.Equal(got, []string{senha}) {
		t.Fatalf("the new session reads %q", got)
	}
}

// Cookie-less form posts start unconfirmed sessions: a flood of them evicts
// each other, not a browser whose cookie came back.
func TestFormFloodKeepsBrowser(t *testing.T) {
	ts := newServer(t, server.ScopeSession, history.NewMemory(history.Config{Size: 10, MaxLists: 20}))
	browser := client(t)
	do(t, browser, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=12")
	do(t, browser, "GET", ts.URL+"/", "", "") // the redirect, with the cookie
	before := listOf(t, do(t, browser, "GET", ts.URL+"/api/senhas", "", ""))
	for range 200 {
		withCookie(t, "POST", ts.URL+"/", "", "application/x-www-form-urlencoded", "tamanho=16")
	}
	if after := listOf(t, do(t, browser, "GET", ts.URL+"/api/senhas", "", "")); len(before) != 1 || !slices.Equal(after, before) {
		t.Fatalf("the browser's history was %q before 200 cookie-less form posts, %q after", before, after)
	}
}

// After "Limpar histórico" the flash of the cleared session shows nothing, and
// the answers that set or delete cookies are not cached.
func TestFlashAfterClearAndNoStore(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	c := client(t)
	r := do(t, c, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=12")
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the form's 303: Cache-Control %q", r.header.Get("Cache-Control"))
	}
	var flash, sess *http.Cookie
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		switch ck.Name {
		case "giropops_nova":
			flash = ck
		case "giropops_sessao":
			sess = ck
		}
	}
	if flash == nil || sess == nil {
		t.Fatal("no flash or session cookie")
	}
	cl := do(t, c, "POST", ts.URL+"/limpar", "application/x-www-form-urlencoded", "")
	if cl.header.Get("Cache-Control") != "no-store" {
		t.Errorf("/limpar's 303: Cache-Control %q", cl.header.Get("Cache-Control"))
	}
	req := mustRequest(t, "GET", ts.URL+"/", "", "")
	req.AddCookie(sess)
	req.AddCookie(flash)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); strings.Contains(body, "Sua nova senha") {
		t.Fatal("the flash of a cleared session was shown")
	}
	_, ck := gen(t, ts.URL, "")
	if r, _ := withCookie(t, "DELETE", ts.URL+"/api/senhas", ck, "", ""); r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("DELETE's 204: Cache-Control %q", r.header.Get("Cache-Control"))
	}
}

// With COOKIE_SECURE=always the operator says the site is HTTPS: every answer
// carries Strict-Transport-Security.
func TestHSTSWhenAlwaysSecure(t *testing.T) {
	cfg := testConfig(server.ScopeSession)
	cfg.CookieSecure = server.CookieSecureAlways
	ts := newServerWith(t, cfg, memoryStore())
	if r := do(t, client(t), "GET", ts.URL+"/healthz", "", ""); !strings.Contains(r.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("COOKIE_SECURE=always: Strict-Transport-Security %q", r.header.Get("Strict-Transport-Security"))
	}
}

// A thief who rotates first, and the owner who comes back past the grace with
// the old cookie: the owner's request revokes what the thief rotated to.
func TestOwnerBackAfterThiefRotated(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			clk, cfg := rotating()
			ts := newServerWith(t, cfg, newStore(t))
			_, c := gen(t, ts.URL, "")
			clk.add(time.Hour)
			got, thief := list(t, ts.URL, c)
			if len(got) != 1 || thief == c {
				t.Fatalf("the thief's rotation: %q", got)
			}
			clk.add(11 * time.Second)
			do(t, client(t), "GET", ts.URL+"/", "", "") // unrelated traffic
			if got, _ := list(t, ts.URL, c); len(got) != 0 {
				t.Fatalf("the owner's old cookie reads %q", got)
			}
			if got := listFor(t, ts.URL, thief); len(got) != 0 {
				t.Fatalf("after the owner came back, the thief's cookie still reads %q", got)
			}
		})
	}
}

// DELETE racing a rotation (the same cookie's GET on another replica, at the
// same moment) never answers 204 while the history survives somewhere.
func TestDeleteRacingRotation(t *testing.T) {
	hist, _, _ := redisStore(t)
	clk, cfg := rotating()
	a, b := newServerWith(t, cfg, hist), newServerWith(t, cfg, hist)
	const n = 60
	cookies := make([]string, n)
	for i := range cookies {
		_, cookies[i] = gen(t, a.URL, "")
		gen(t, a.URL, cookies[i])
	}
	clk.add(time.Hour)
	var survived int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range cookies {
		wg.Go(func() {
			var del response
			var set string
			var inner sync.WaitGroup
			inner.Go(func() { del, _ = withCookie(t, "DELETE", a.URL+"/api/senhas", c, "", "") })
			inner.Go(func() { _, set = withCookie(t, "GET", b.URL+"/api/senhas", c, "", "") })
			inner.Wait()
			if del.status == http.StatusNoContent && set != "" && len(listFor(t, a.URL, set)) != 0 {
				mu.Lock()
				survived++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if survived != 0 {
		t.Fatalf("%d of %d histories survived a DELETE answered 204, under the cookie a concurrent rotation gave", survived, n)
	}
}

// A rotation's marker does not open with the old cookie alone: a copy of
// Redis (its AOF, a backup) and an old cookie cannot follow the session.
func TestMarkerNeedsSessionKey(t *testing.T) {
	hist, _, rc := redisStore(t)
	clk, cfg := rotating()
	ts := newServerWith(t, cfg, hist)
	_, c := gen(t, ts.URL, "")
	key, aead := sessionKeys(t, c)
	clk.add(time.Hour)
	if _, next := list(t, ts.URL, c); next == c || next == "" {
		t.Fatal("no rotation")
	}
	marker, err := rc.Get(t.Context(), key).Result()
	if err != nil || len(marker) < 29 {
		t.Fatalf("no marker at the old key %s: %q %v", key, marker, err)
	}
	if _, err := aead.Open(nil, []byte(marker[1:13]), []byte(marker[13:]), []byte(key+":marcador")); err == nil {
		t.Fatal("the rotation's marker opens with the old cookie's key alone")
	}
}

// The flash of a cleared session is not shown, even once its session is due
// for rotation, and clearing deletes the flash cookie too; with two session
// cookies, clearing revokes both.
func TestClearEndsFlashAndBothCookies(t *testing.T) {
	clk, cfg := rotating()
	ts := newServerWith(t, cfg, memoryStore())
	_, s := gen(t, ts.URL, "")
	clk.add(59*time.Minute + 30*time.Second)
	req := mustRequest(t, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=12")
	req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: s})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	var flash *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "giropops_nova" {
			flash = ck
		}
	}
	if flash == nil {
		t.Fatal("no flash")
	}
	r, _ := withCookie(t, "POST", ts.URL+"/limpar", s, "application/x-www-form-urlencoded", "")
	if !slices.ContainsFunc(r.header.Values("Set-Cookie"), func(v string) bool { return strings.HasPrefix(v, "giropops_nova=;") }) {
		t.Errorf("Limpar histórico does not delete the flash cookie: %q", r.header.Values("Set-Cookie"))
	}
	clk.add(40 * time.Second) // the session is due (its rotation finds it revoked), the flash still young
	req = mustRequest(t, "GET", ts.URL+"/", "", "")
	req.AddCookie(&http.Cookie{Name: "giropops_sessao", Value: s})
	req.AddCookie(flash)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(readAll(t, resp), "Sua nova senha") {
		t.Fatal("the flash of a cleared session was shown once the session was due")
	}

	_, v := gen(t, ts.URL, "")
	_, planted := gen(t, ts.URL, "")
	del := mustRequest(t, "DELETE", ts.URL+"/api/senhas", "", "")
	del.Header.Set("Cookie", "giropops_sessao=junk; giropops_sessao="+planted+"; giropops_sessao="+v)
	resp, err = http.DefaultClient.Do(del)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	for _, c := range []string{v, planted} {
		if got := listFor(t, ts.URL, c); len(got) != 0 {
			t.Fatalf("a DELETE with three session cookies left %q readable", got)
		}
	}
}
