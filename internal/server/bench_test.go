package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/giropops/giropops-senhas/internal/server"
)

func benchHandler(b *testing.B, hist server.History) http.Handler {
	return benchHandlerScope(b, hist, server.ScopeGlobal)
}

func benchHandlerScope(_ *testing.B, hist server.History, scope server.Scope) http.Handler {
	return server.New(server.Deps{
		Config:  server.Config{Scope: scope, HistorySize: 10, SessionTTL: time.Hour, StoreTimeout: time.Second},
		History: hist, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
	})
}

func benchRequests(b *testing.B, h http.Handler, method, path, body string) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
}

const benchBody = `{"tamanho": 16, "incluir_numeros": true, "incluir_caracteres_especiais": true}`

func BenchmarkGenerateMemory(b *testing.B) {
	benchRequests(b, benchHandler(b, memoryStore()), "POST", "/api/gerar-senha", benchBody)
}

// A cookie-less client in session scope: every call starts a session (a
// secret, its keys, a Set-Cookie, a new list), against a full in-memory store.
func BenchmarkGenerateMemorySessionNoCookie(b *testing.B) {
	benchRequests(b, benchHandlerScope(b, memoryStore(), server.ScopeSession), "POST", "/api/gerar-senha", benchBody)
}

func BenchmarkGenerateRedis(b *testing.B) {
	hist, _, _ := redisStore(b)
	benchRequests(b, benchHandler(b, hist), "POST", "/api/gerar-senha", benchBody)
}

func BenchmarkListRedis(b *testing.B) {
	hist, _, _ := redisStore(b)
	h := benchHandler(b, hist)
	fill(h)
	benchRequests(b, h, "GET", "/api/senhas", "")
}

func BenchmarkPageMemory(b *testing.B) {
	h := benchHandler(b, memoryStore())
	fill(h)
	benchRequests(b, h, "GET", "/", "")
}

// fill generates a full history, so reads have ten entries to show.
func fill(h http.Handler) {
	for range 10 {
		req := httptest.NewRequest("POST", "/api/gerar-senha", strings.NewReader(benchBody))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// A browser that keeps its cookie in session scope: every call opens its
// session (derives its keys), seals the entry and renews the cookie.
func BenchmarkGenerateMemorySessionCookie(b *testing.B) {
	h := benchHandlerScope(b, memoryStore(), server.ScopeSession)
	b.ReportAllocs()
	first := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/gerar-senha", strings.NewReader(benchBody))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(first, req)
	cookie := first.Header().Get("Set-Cookie") // minted by the app: it takes no other
	cookie = cookie[:strings.IndexByte(cookie, ';')]
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/gerar-senha", strings.NewReader(benchBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
