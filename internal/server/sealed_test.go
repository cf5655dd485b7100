package server_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/internal/server"
)

// owner is a client and the passwords it generated, oldest first.
type owner struct {
	c     *http.Client
	base  string
	made  []string
	label string
}

// latest is what the owner's history must show: its last n passwords, newest first.
func (o owner) latest(n int) []string {
	out := slices.Clone(o.made[max(0, len(o.made)-n):])
	slices.Reverse(out)
	return out
}

// workload is what generateMany made: the owners, every generated password and
// session cookie (the secrets), and every Set-Cookie and Location header sent.
type workload struct {
	owners  []owner
	secrets []string
	headers []string
}

var newPassword = regexp.MustCompile(`id="senha-nova-1">([^<]*)</code>`)

// generateMany makes 1,000 passwords in session scope on sess (500 through the
// API by 10 clients that keep their cookies, 500 through the form by 10
// browsers) and 1,000 through the API in global scope on glob.
func generateMany(t *testing.T, sess, glob string) workload {
	t.Helper()
	var w workload
	var mu sync.Mutex
	var wg sync.WaitGroup
	keep := func(r response) {
		mu.Lock()
		defer mu.Unlock()
		w.headers = append(w.headers, r.header.Values("Set-Cookie")...)
		w.headers = append(w.headers, r.header.Values("Location")...)
	}
	body := `{"tamanho": 12, "incluir_numeros": true}` // letters and digits: no character MONITOR would escape
	run := func(o *owner, form bool) {
		defer wg.Done()
		for range 50 {
			var p string
			if form {
				r := do(t, o.c, "POST", o.base+"/", "application/x-www-form-urlencoded", "tamanho=12&incluir_numeros=on")
				keep(r)
				if r.status != http.StatusSeeOther {
					t.Errorf("form: %d %s", r.status, r.body)
					return
				}
				page := do(t, o.c, "GET", o.base+r.header.Get("Location"), "", "")
				keep(page)
				m := newPassword.FindStringSubmatch(page.body)
				if m == nil {
					t.Errorf("the page after the form shows no new password")
					return
				}
				p = html.UnescapeString(m[1])
			} else {
				r := postJSON(t, o.c, o.base, body)
				keep(r)
				p = generated(t, r)
			}
			o.made = append(o.made, p)
		}
	}
	for i := range 10 {
		w.owners = append(w.owners, owner{c: client(t), base: sess, label: fmt.Sprint("api", i)})
		w.owners = append(w.owners, owner{c: client(t), base: sess, label: fmt.Sprint("form", i)})
	}
	for i := range w.owners {
		wg.Add(1)
		go run(&w.owners[i], i%2 == 1)
	}
	global := owner{base: glob, label: "global"}
	for range 1000 {
		r := postJSON(t, http.DefaultClient, glob, body) // no cookie jar: the global list is everyone's
		keep(r)
		global.made = append(global.made, generated(t, r))
	}
	global.c = client(t)
	wg.Wait()
	w.owners = append(w.owners, global)
	for _, o := range w.owners {
		w.secrets = append(w.secrets, o.made...)
		if o.c.Jar == nil {
			continue
		}
		u, _ := url.Parse(o.base)
		for _, c := range o.c.Jar.Cookies(u) {
			if c.Name == "giropops_sessao" {
				w.secrets = append(w.secrets, c.Value)
			}
		}
	}
	if n := len(w.secrets); n < 2000+20 {
		t.Fatalf("%d secrets collected, want 2,000 passwords and 20 cookies", n)
	}
	return w
}

// findAny returns the first secret that haystack holds, in plain text or in
// base64 (standard or URL alphabet, padded or not), and "" if none.
func findAny(haystack string, secrets []string) string {
	byLen := map[int]map[string]string{}
	add := func(needle, secret string) {
		if byLen[len(needle)] == nil {
			byLen[len(needle)] = map[string]string{}
		}
		byLen[len(needle)][needle] = secret
	}
	for _, s := range secrets {
		add(s, s)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			add(enc.EncodeToString([]byte(s)), s)
		}
	}
	for n, set := range byLen {
		for i := 0; i+n <= len(haystack); i++ {
			if s, ok := set[haystack[i:i+n]]; ok {
				return s
			}
		}
	}
	return ""
}

// monitor records what Redis's MONITOR shows until the returned function is
// called; that function returns the whole stream.
func monitor(t *testing.T, addr string, rc *redis.Client) func() string {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(conn, "MONITOR\r\n")
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("MONITOR: %q %v", line, err)
	}
	var b strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			line, err := r.ReadString('\n')
			b.WriteString(line)
			if err != nil || strings.Contains(line, `"fim-do-monitor"`) {
				return
			}
		}
	}()
	return func() string {
		rc.Echo(context.Background(), "fim-do-monitor")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("MONITOR did not show the end marker")
		}
		conn.Close()
		return b.String()
	}
}

// A Redis with AOF on, its RDB, its every key and value and a MONITOR of the
// whole run hold no password and no session cookie after 1,000 passwords in
// session scope and 1,000 in global scope with HISTORY_KEY; the owners still
// read their histories in clear, from a restarted app too.
func TestNothingReadableInRedis(t *testing.T) {
	srv := redistest.Start(t, true)
	rc := redis.NewClient(history.RedisOptions(srv.Addr, "", 0))
	defer rc.Close()
	hist := history.NewRedis(rc, history.Config{Size: 10})
	// A long deadline: every write must land, even on a busy machine (AOF fsyncs each).
	sessionCfg := testConfig(server.ScopeSession)
	sessionCfg.StoreTimeout = 10 * time.Second
	globalCfg := testConfig(server.ScopeGlobal)
	globalCfg.StoreTimeout = 10 * time.Second
	globalCfg.HistoryKey = make([]byte, 32)
	rand.Read(globalCfg.HistoryKey)

	stop := monitor(t, srv.Addr, rc)
	w := generateMany(t, newServerWith(t, sessionCfg, hist).URL, newServerWith(t, globalCfg, hist).URL)
	mon := stop()
	if !strings.Contains(strings.ToLower(mon), `"lpush"`) {
		t.Fatalf("MONITOR saw no LPUSH: %.300q", mon)
	}
	if err := rc.Save(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}

	var stored strings.Builder
	keys, err := rc.Keys(t.Context(), "*").Result()
	if err != nil || len(keys) != 21 {
		t.Fatalf("keys: %d %v, want 20 sessions and the global list", len(keys), err)
	}
	for _, k := range keys {
		stored.WriteString(k + "\n")
		vs, err := rc.LRange(t.Context(), k, 0, -1).Result()
		if err != nil || len(vs) != 10 {
			t.Fatalf("LRANGE %s: %d entries, %v", k, len(vs), err)
		}
		stored.WriteString(strings.Join(vs, "\n"))
	}
	var files strings.Builder
	filepath.WalkDir(srv.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(path, ".aof") || strings.HasSuffix(path, ".rdb")) {
			b, _ := os.ReadFile(path)
			files.Write(b)
		}
		return nil
	})
	if files.Len() < 2000*30 {
		t.Fatalf("AOF and RDB hold %d bytes: not the files of this run", files.Len())
	}
	for what, data := range map[string]string{"keys and values": stored.String(), "AOF and RDB": files.String(), "MONITOR": mon} {
		if s := findAny(data, w.secrets); s != "" {
			t.Errorf("Redis's %s hold the secret %q", what, s)
		}
	}
	checkHeaders(t, w)

	// A new app on the same Redis (a restart, or another replica) opens them for their owners.
	sess := newServerWith(t, sessionCfg, hist)
	glob := newServerWith(t, globalCfg, hist)
	for _, o := range w.owners {
		base := sess.URL
		if o.label == "global" {
			base = glob.URL
		}
		checkHistory(t, o, base)
		// The page lists them too.
		page := do(t, o.c, "GET", base+"/", "", "")
		if !strings.Contains(page.body, `id="senha-1">`+html.EscapeString(o.latest(1)[0])+`</code>`) {
			t.Errorf("%s: the page of the restarted app does not list its newest password", o.label)
		}
	}
}

// The Memory store holds only what the server hands it: the same run leaves no
// password or cookie among its keys and values either.
func TestNothingReadableInMemory(t *testing.T) {
	rec := &recordingStore{History: history.NewMemory(history.Config{Size: 10})}
	globalCfg := testConfig(server.ScopeGlobal)
	globalCfg.HistoryKey = make([]byte, 32)
	rand.Read(globalCfg.HistoryKey)
	w := generateMany(t, newServer(t, server.ScopeSession, rec).URL, newServerWith(t, globalCfg, rec).URL)
	if s := findAny(rec.String(), w.secrets); s != "" {
		t.Errorf("the Memory store was handed the secret %q", s)
	}
	if rec.n < 2000 {
		t.Fatalf("the store saw %d writes, want 2,000", rec.n)
	}
	for _, o := range w.owners[:4] {
		checkHistory(t, o, o.base)
	}
}

// recordingStore is a store that keeps a copy of every key and value handed to it.
type recordingStore struct {
	server.History
	mu sync.Mutex
	b  strings.Builder
	n  int
}

func (r *recordingStore) Add(ctx context.Context, key, p string, ttl time.Duration) (int64, error) {
	r.mu.Lock()
	r.b.WriteString(key + "\n" + p + "\n")
	r.n++
	r.mu.Unlock()
	return r.History.Add(ctx, key, p, ttl)
}

func (r *recordingStore) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

// checkHistory checks that o reads its latest passwords, in clear, at base.
func checkHistory(t *testing.T, o owner, base string) {
	t.Helper()
	r := do(t, o.c, "GET", base+"/api/senhas", "", "")
	var items []struct{ Senha string }
	if err := json.Unmarshal([]byte(r.body), &items); r.status != 200 || err != nil {
		t.Fatalf("%s: GET /api/senhas: %d %s", o.label, r.status, r.body)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Senha)
	}
	if want := o.latest(10); !slices.Equal(got, want) {
		t.Errorf("%s reads %q, want %q", o.label, got, want)
	}
}

// checkHeaders checks that no Set-Cookie or Location header carries a password,
// plain, base64 or URL-encoded, whole or in any of its parts.
func checkHeaders(t *testing.T, w workload) {
	t.Helper()
	if len(w.headers) == 0 {
		t.Fatal("no header collected")
	}
	passwords := w.secrets[:0:0]
	for _, o := range w.owners {
		passwords = append(passwords, o.made...)
	}
	var all strings.Builder
	for _, h := range w.headers {
		for _, part := range strings.FieldsFunc(h, func(r rune) bool { return strings.ContainsRune(";=&?", r) }) {
			all.WriteString(part + "\n")
			if u, err := url.QueryUnescape(part); err == nil {
				all.WriteString(u + "\n")
			}
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(part); err == nil {
					all.Write(append(b, '\n'))
				}
			}
		}
	}
	if s := findAny(all.String(), passwords); s != "" {
		t.Errorf("a Set-Cookie or Location header carries the password %q", s)
	}
}

// DELETE /api/senhas and the page's button erase the caller's list and end its
// session; another client's history is untouched. The global list is erased
// only where HISTORY_ALLOW_CLEAR_GLOBAL allows it.
func TestClearHistory(t *testing.T) {
	hist, _, rc := redisStore(t)
	ts := newServer(t, server.ScopeSession, hist)
	mine, other, browser := client(t), client(t), client(t)
	for range 3 {
		generated(t, postJSON(t, mine, ts.URL, `{}`))
		generated(t, postJSON(t, other, ts.URL, `{}`))
		do(t, browser, "POST", ts.URL+"/", "application/x-www-form-urlencoded", "tamanho=8")
	}
	if n := len(rc.Keys(t.Context(), "senhas:sessao:*").Val()); n != 3 {
		t.Fatalf("%d session lists, want 3", n)
	}
	count := func(c *http.Client) int {
		var items []any
		r := do(t, c, "GET", ts.URL+"/api/senhas", "", "")
		if err := json.Unmarshal([]byte(r.body), &items); err != nil || r.status != 200 {
			t.Fatalf("GET /api/senhas: %d %s", r.status, r.body)
		}
		return len(items)
	}

	r := do(t, mine, "DELETE", ts.URL+"/api/senhas", "", "")
	if r.status != http.StatusNoContent || !strings.Contains(r.header.Get("Set-Cookie"), "giropops_sessao=;") {
		t.Fatalf("DELETE /api/senhas: %d, Set-Cookie %q; want 204 ending the session", r.status, r.header.Get("Set-Cookie"))
	}
	if n := count(mine); n != 0 {
		t.Fatalf("after DELETE the history has %d entries", n)
	}
	if n := count(other); n != 3 {
		t.Fatalf("another client's history has %d entries after a DELETE, want 3", n)
	}
	if n := sessionLists(t, rc); n != 2 {
		t.Fatalf("%d session lists after DELETE, want 2", n)
	}

	page := do(t, browser, "GET", ts.URL+"/", "", "")
	if !strings.Contains(page.body, `action="/limpar"`) || !strings.Contains(page.body, "Limpar histórico") {
		t.Fatal("the page with a history has no Limpar histórico button")
	}
	r = do(t, browser, "POST", ts.URL+"/limpar", "application/x-www-form-urlencoded", "")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("POST /limpar: %d %q", r.status, r.header.Get("Location"))
	}
	page = do(t, browser, "GET", ts.URL+"/", "", "")
	if !strings.Contains(page.body, "Nenhuma senha gerada ainda") || strings.Contains(page.body, `action="/limpar"`) {
		t.Fatal("after Limpar histórico the page still lists passwords or the button")
	}
	if n := sessionLists(t, rc); n != 1 || count(other) != 3 {
		t.Fatalf("%d session lists after the button, want only the other client's", n)
	}
	// A cross-site post cannot erase a history.
	req, _ := http.NewRequest("POST", ts.URL+"/limpar", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(other.Jar.Cookies(mustURL(t, ts.URL))[0])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST /limpar: %v %v", resp, err)
	}
	if count(other) != 3 {
		t.Fatal("a cross-site post erased a history")
	}

	global := newServer(t, server.ScopeGlobal, hist)
	generated(t, postJSON(t, client(t), global.URL, `{}`))
	r = do(t, client(t), "DELETE", global.URL+"/api/senhas", "", "")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "HISTORY_ALLOW_CLEAR_GLOBAL") {
		t.Fatalf("DELETE in global scope: %d %s, want 403 naming the setting", r.status, r.body)
	}
	if rc.Exists(t.Context(), "senhas").Val() != 1 {
		t.Fatal("a refused DELETE erased the global list")
	}
	if page := do(t, client(t), "GET", global.URL+"/", "", ""); strings.Contains(page.body, `action="/limpar"`) {
		t.Fatal("the page offers to erase the global list")
	}
	cfg := testConfig(server.ScopeGlobal)
	cfg.AllowClearGlobal = true
	allowed := newServerWith(t, cfg, hist)
	if r := do(t, client(t), "DELETE", allowed.URL+"/api/senhas", "", ""); r.status != http.StatusNoContent || rc.Exists(t.Context(), "senhas").Val() != 0 {
		t.Fatalf("DELETE with HISTORY_ALLOW_CLEAR_GLOBAL: %d, list exists %d", r.status, rc.Exists(t.Context(), "senhas").Val())
	}
}

// sessionLists counts the session lists in Redis: the keys of ended or moved
// sessions hold a marker (a string) until it expires.
func sessionLists(t *testing.T, rc *redis.Client) int {
	n := 0
	for _, k := range rc.Keys(t.Context(), "senhas:sessao:*").Val() {
		if rc.Type(t.Context(), k).Val() == "list" {
			n++
		}
	}
	return n
}

func mustRequest(t *testing.T, method, url, contentType, body string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Cookies are Secure over TLS, behind a proxy that says X-Forwarded-Proto:
// https, or always with COOKIE_SECURE=always; never with never.
func TestCookiesSecure(t *testing.T) {
	setCookies := func(t *testing.T, base string, proto string, tlsClient *http.Client) []*http.Cookie {
		t.Helper()
		var all []*http.Cookie
		for _, req := range []*http.Request{
			mustRequest(t, "POST", base+"/api/gerar-senha", "application/json", `{}`),
			mustRequest(t, "POST", base+"/", "application/x-www-form-urlencoded", "tamanho=8"),
		} {
			if proto != "" {
				req.Header.Set("X-Forwarded-Proto", proto)
			}
			c := client(t)
			if tlsClient != nil {
				c.Transport = tlsClient.Transport
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			all = append(all, resp.Cookies()...)
		}
		if len(all) < 3 {
			t.Fatalf("%d cookies set, want the API's session, the form's session and its flash", len(all))
		}
		return all
	}
	tests := []struct {
		setting, proto string
		secure         bool
	}{
		{"", "", false},
		{"", "https", true},
		{"auto", "https, http", true},
		{"auto", "http", false},
		{"always", "", true},
		{"never", "https", false},
	}
	for _, tt := range tests {
		t.Run(tt.setting+"/"+tt.proto, func(t *testing.T) {
			cfg := testConfig(server.ScopeSession)
			cfg.CookieSecure = tt.setting
			ts := newServerWith(t, cfg, memoryStore())
			for _, c := range setCookies(t, ts.URL, tt.proto, nil) {
				if c.Secure != tt.secure || !c.HttpOnly {
					t.Errorf("cookie %s: Secure %v HttpOnly %v, want Secure %v and HttpOnly", c.Name, c.Secure, c.HttpOnly, tt.secure)
				}
			}
		})
	}
	t.Run("TLS", func(t *testing.T) {
		ts := newServer(t, server.ScopeSession, memoryStore())
		tls := httptest.NewTLSServer(ts.Config.Handler)
		defer tls.Close()
		for _, c := range setCookies(t, tls.URL, "", tls.Client()) {
			if !c.Secure {
				t.Errorf("cookie %s over TLS is not Secure", c.Name)
			}
		}
	})
}
