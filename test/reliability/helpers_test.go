//go:build reliability

// Package reliability runs the real giropops-senhas binary against a real
// redis-server and proves it under load and faults: a soak, Redis outages and
// restarts, SIGTERM during load, hostile clients. Run it with
//
//	go test -tags reliability ./test/reliability/
//
// (make test-reliability). All traffic goes to 127.0.0.1.
package reliability

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/redistest"
	"github.com/giropops/giropops-senhas/test/reliability/apprun"
)

var (
	binOnce sync.Once
	binPath string
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// appBin builds ./cmd/giropops-senhas once for all the tests.
func appBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "giropops-reliability-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = dir
		binPath = apprun.Build(t, dir, "./cmd/giropops-senhas")
	})
	if binPath == "" {
		t.Fatal("the app binary did not build (see the first test's failure)")
	}
	return binPath
}

// startApp runs the app with Redis at redisAddr (empty: in-memory history),
// logging warnings only, plus env.
func startApp(t *testing.T, redisAddr string, env ...string) *apprun.Proc {
	t.Helper()
	// One SESSION_KEY for every app a test starts: replicas of one deployment, or
	// one app restarted, take each other's cookies.
	base := []string{"LOG_LEVEL=warn", "SESSION_KEY=" + sessionKey}
	if redisAddr != "" {
		host, port, err := net.SplitHostPort(redisAddr)
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, "REDIS_HOST="+host, "REDIS_PORT="+port)
	}
	return apprun.Start(t, appBin(t), "/healthz", append(base, env...)...)
}

// sessionKey is the SESSION_KEY of the apps the tests start, made per run.
var sessionKey = func() string {
	k := make([]byte, 32)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}()

func startRedis(t *testing.T, aof bool) *redistest.Server { return redistest.Start(t, aof) }

// genBody asks for 16 characters of both classes, like the benchmark.
const genBody = `{"tamanho": 16, "incluir_numeros": true, "incluir_caracteres_especiais": true}`

// op is one kind of request the load sends, and what a correct answer is.
type op int

const (
	opGenerate op = iota // POST /api/gerar-senha: 200 with a 16-character senha
	opList               // GET /api/senhas: 200 with a JSON list
	opPage               // GET /: 200 with the page
)

func (o op) String() string { return [...]string{"generate", "list", "page"}[o] }

// result is one request's outcome.
type result struct {
	op         op
	start, end time.Time
	status     int    // 0 when the request failed before a response
	err        error  // transport error, or a wrong body
	erro       string // the API's {"erro": ...} on a 4xx or 5xx
}

func (r result) dur() time.Duration { return r.end.Sub(r.start) }

// newClient is one load worker's client: keep-alive, its own cookie jar (so
// its own session), and a timeout far above any the server configures, so
// that a hang shows as a long request, not as a client error.
func newClient(timeout time.Duration) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

// do sends o to the app at base and checks the answer's shape.
func do(c *http.Client, base string, o op) result {
	var req *http.Request
	switch o {
	case opGenerate:
		req, _ = http.NewRequest("POST", base+"/api/gerar-senha", strings.NewReader(genBody))
		req.Header.Set("Content-Type", "application/json")
	case opList:
		req, _ = http.NewRequest("GET", base+"/api/senhas", nil)
	case opPage:
		req, _ = http.NewRequest("GET", base+"/", nil)
	}
	r := result{op: o, start: time.Now()}
	resp, err := c.Do(req)
	if err != nil {
		r.end, r.err = time.Now(), err
		return r
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.end, r.status = time.Now(), resp.StatusCode
	if err != nil {
		r.err = err
		return r
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Erro string }
		if json.Unmarshal(body, &e) == nil {
			r.erro = e.Erro
		}
		return r
	}
	switch o {
	case opGenerate:
		var g struct{ Senha string }
		if err := json.Unmarshal(body, &g); err != nil || len(g.Senha) != 16 {
			r.err = fmt.Errorf("generate answered %q", body)
		}
	case opList:
		var l []struct {
			ID    int
			Senha string
		}
		if err := json.Unmarshal(body, &l); err != nil {
			r.err = fmt.Errorf("list answered %q", body)
		}
	case opPage:
		if !strings.Contains(string(body), "</html>") {
			r.err = fmt.Errorf("page of %d bytes without </html>", len(body))
		}
	}
	return r
}

// load runs workers that send the ops of mix in turn for as long as more
// says, and returns every result.
func load(base string, workers int, mix []op, more func() bool) []result {
	var mu sync.Mutex
	var all []result
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(30 * time.Second)
			var mine []result
			for i := w; more(); i++ {
				r := do(c, base, mix[i%len(mix)])
				mine = append(mine, r)
				if r.err != nil {
					time.Sleep(10 * time.Millisecond) // do not spin on a refusing server
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

// until is more for load: true until stop closes.
func until(stop <-chan struct{}) func() bool {
	return func() bool {
		select {
		case <-stop:
			return false
		default:
			return true
		}
	}
}

// getStatus GETs url once without keep-alive and returns its status.
func getStatus(url string) (int, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// isRefused reports whether err is a refused or closed connection: the clean
// ways a server that is going away turns a client down.
func isRefused(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	for _, clean := range []string{"connection refused", "connection reset", "EOF", "broken pipe", "server closed idle connection"} {
		if strings.Contains(s, clean) {
			return true
		}
	}
	return errors.Is(err, io.EOF)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + "ms"
}
