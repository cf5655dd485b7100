//go:build reliability

package reliability

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The server's timeouts (cmd/giropops-senhas), and the slack a loaded machine
// gets on top of them.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	timeoutSlack      = 1500 * time.Millisecond
)

// TestHostileInput sends what a hostile or broken client sends: bodies too big,
// broken and deeply nested JSON, wrong content types, absurd lengths, huge
// headers, and slow clients trickling headers or a body byte by byte. Each gets
// its 4xx or a closed connection within the server's timeouts, while a normal
// client keeps getting fast 200s throughout.
func TestHostileInput(t *testing.T) {
	redis := startRedis(t, false)
	app := startApp(t, redis.Addr)
	addr := strings.TrimPrefix(app.URL, "http://")

	// A well-behaved client, all along: every answer a 200 within a second.
	stop := make(chan struct{})
	good := make(chan []result)
	go func() {
		c := newClient(30 * time.Second)
		var rs []result
		for i := 0; ; i++ {
			select {
			case <-stop:
				good <- rs
				return
			case <-time.After(20 * time.Millisecond):
			}
			rs = append(rs, do(c, app.URL, []op{opGenerate, opList, opPage}[i%3]))
		}
	}()

	var wg sync.WaitGroup
	// Slow clients first, so that they hold their connections while the rest runs.
	const slowloris = 64
	for i := range slowloris {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slowHeaders(t, addr, i)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		slowBody(t, addr)
	}()

	deep := `{"tamanho": 16, "x": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
	cases := []struct {
		name, method, path, ctype, body string
		header                          map[string]string
		want                            int // 0: a 4xx or a closed connection
	}{
		{"oversized JSON body", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 16, "pad": "` + strings.Repeat("A", 1<<20) + `"}`, nil, 413},
		{"oversized 16 MiB body", "POST", "/api/gerar-senha", "application/json", strings.Repeat(" ", 16<<20), nil, 0},
		{"oversized form", "POST", "/", "application/x-www-form-urlencoded", "tamanho=16&x=" + strings.Repeat("A", 1<<20), nil, 400},
		{"malformed JSON", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 16`, nil, 400},
		{"trailing garbage", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 16}}`, nil, 400},
		{"JSON null", "POST", "/api/gerar-senha", "application/json", `null`, nil, 400},
		{"binary", "POST", "/api/gerar-senha", "application/json", "\x00\xff\xfe{\x01", nil, 400},
		// An unknown field is skipped, however deep: encoding/json bounds the nesting.
		{"nested 1000 deep", "POST", "/api/gerar-senha", "application/json", deep, nil, 200},
		{"nested 100000 deep", "POST", "/api/gerar-senha", "application/json", strings.Repeat("[", 100000), nil, 413},
		{"tamanho as object", "POST", "/api/gerar-senha", "application/json", `{"tamanho": {"tamanho": {"tamanho": 1}}}`, nil, 400},
		{"text/plain", "POST", "/api/gerar-senha", "text/plain", genBody, nil, 415},
		{"no content type", "POST", "/api/gerar-senha", "", genBody, nil, 415},
		{"form to the API", "POST", "/api/gerar-senha", "application/x-www-form-urlencoded", "tamanho=16", nil, 415},
		{"multipart to the API", "POST", "/api/gerar-senha", "multipart/form-data; boundary=x", "--x--", nil, 415},
		{"huge tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 1000000000}`, nil, 400},
		{"enormous tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 99999999999999999999999999999}`, nil, 400},
		{"tamanho 1e400", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 1e400}`, nil, 400},
		{"negative tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": -1}`, nil, 400},
		{"very negative tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": -9223372036854775808}`, nil, 400},
		{"zero tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 0}`, nil, 400},
		{"fractional tamanho", "POST", "/api/gerar-senha", "application/json", `{"tamanho": 12.5}`, nil, 400},
		{"huge tamanho in the form", "POST", "/", "application/x-www-form-urlencoded", "tamanho=99999999999999999999", nil, 400},
		{"negative tamanho in the form", "POST", "/", "application/x-www-form-urlencoded", "tamanho=-5", nil, 400},
		{"64 KiB header", "GET", "/", "", "", map[string]string{"X-Big": strings.Repeat("A", 64<<10)}, 431},
		{"64 KiB URL", "GET", "/?q=" + strings.Repeat("A", 64<<10), "", "", nil, 431},
	}
	client := &http.Client{Timeout: readTimeout + timeoutSlack}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, app.URL+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			start := time.Now()
			resp, err := client.Do(req)
			took := time.Since(start)
			if err != nil {
				if tc.want == 0 && isRefused(err) {
					t.Logf("closed after %s: %v", ms(took), err)
					return
				}
				t.Fatalf("after %s: %v", ms(took), err)
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			switch {
			case tc.want != 0 && resp.StatusCode != tc.want:
				t.Errorf("status %d, want %d: %.200s", resp.StatusCode, tc.want, body)
			case tc.want == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499):
				t.Errorf("status %d, want a 4xx: %.200s", resp.StatusCode, body)
			case strings.HasPrefix(tc.path, "/api/") && resp.StatusCode >= 400 && resp.StatusCode != 431 && !bytes.Contains(body, []byte(`"erro"`)):
				t.Errorf("%d without the API's error shape: %.200s", resp.StatusCode, body)
			}
			if took > 2*time.Second {
				t.Errorf("took %s", ms(took))
			}
		})
	}

	wg.Wait()
	close(stop)
	rs := <-good
	var slowest time.Duration
	for _, r := range rs {
		slowest = max(slowest, r.dur())
		if r.err != nil || r.status != 200 || r.dur() > time.Second {
			t.Errorf("the normal client's %s got %d %v after %s", r.op, r.status, r.err, ms(r.dur()))
		}
	}
	t.Logf("the normal client got %d answers meanwhile, slowest %s", len(rs), ms(slowest))
	if len(rs) < 100 {
		t.Errorf("the normal client got only %d answers in the whole test", len(rs))
	}
	if app.Exited() {
		t.Fatalf("the app exited:\n%s", app.Output())
	}
}

// slowHeaders sends a request's headers one byte every 100 ms and never ends
// them: the server must close the connection by ReadHeaderTimeout.
func slowHeaders(t *testing.T, addr string, i int) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Errorf("slowloris %d: %v", i, err)
		return
	}
	defer c.Close()
	start := time.Now()
	closed := make(chan error, 1)
	go func() { // the server's answer, if any, then its close
		c.SetReadDeadline(start.Add(readHeaderTimeout + 10*time.Second))
		_, err := io.Copy(io.Discard, c)
		closed <- err
	}()
	headers := fmt.Sprintf("GET /api/senhas HTTP/1.1\r\nHost: %s\r\n", addr) + strings.Repeat("X-Slow: 1\r\n", 1000)
	for j := 0; j < len(headers); j++ {
		if _, err := c.Write([]byte{headers[j]}); err != nil {
			break // closed by the server
		}
		select {
		case err := <-closed:
			checkClosed(t, fmt.Sprintf("slowloris %d", i), time.Since(start), readHeaderTimeout, err)
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	err = <-closed
	checkClosed(t, fmt.Sprintf("slowloris %d", i), time.Since(start), readHeaderTimeout, err)
}

// slowBody sends whole headers, then a body one byte every 500 ms: the server
// must give up on it by ReadTimeout.
func slowBody(t *testing.T, addr string) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Errorf("slow body: %v", err)
		return
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprintf(c, "POST /api/gerar-senha HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(genBody))
	closed := make(chan error, 1)
	status := make(chan int, 1)
	go func() {
		c.SetReadDeadline(start.Add(readTimeout + 10*time.Second))
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, nil); err == nil {
			status <- resp.StatusCode
			resp.Body.Close()
		}
		_, err := io.Copy(io.Discard, br)
		closed <- err
	}()
	for j := 0; ; j++ {
		if j < len(genBody) {
			if _, err := c.Write([]byte{genBody[j]}); err != nil {
				break
			}
		}
		select {
		case err := <-closed:
			checkClosed(t, "slow body", time.Since(start), readTimeout, err)
			select {
			case s := <-status:
				if s < 400 || s > 499 {
					t.Errorf("slow body: status %d, want a 4xx or none", s)
				}
			default:
			}
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func checkClosed(t *testing.T, what string, took, limit time.Duration, err error) {
	if err != nil && !isRefused(err) {
		t.Errorf("%s: not closed by the server after %s: %v", what, ms(took), err)
		return
	}
	if took > limit+timeoutSlack {
		t.Errorf("%s: closed after %s, want by %s (the server's timeout)", what, ms(took), limit)
	} else if !strings.HasPrefix(what, "slowloris") || what == "slowloris 0" {
		t.Logf("%s: closed by the server after %s (timeout %s)", what, ms(took), limit)
	}
}
