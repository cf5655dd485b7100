package server

import (
	"net/http"

	"github.com/giropops/giropops-senhas/internal/password"
)

// addRoutes is the whole HTTP surface of the app, in one place.
func addRoutes(mux *http.ServeMux, d Deps, m *metrics, hist *observedHistory, s *sessions) {
	log := d.Logger
	// Generators of recent requests; a costly count (minimums, regras) is made once.
	gens := password.NewCache(8 << 20)
	st := newStatic()
	p := page{logger: log, tmpl: pageTemplate(st), m: m, gens: gens, hist: hist, s: s}
	route := func(pattern, name string, h http.Handler) { mux.Handle(pattern, m.instrument(name, h)) }

	route("GET /{$}", "index", handleIndex(p))
	route("POST /{$}", "form", handleForm(p))
	route("POST /limpar", "form-limpar", handleClearForm(p))
	route("POST /api/gerar-senha", "gerar-senha", handleGenerate(log, m, gens, s))
	route("GET /api/senhas", "senhas", handleList(log, s))
	route("DELETE /api/senhas", "limpar-senhas", handleClear(log, s))
	route("/api/", "api-fallback", apiFallback(log, map[string]string{
		"/api/gerar-senha":  "POST",
		"/api/senhas":       "GET, HEAD, DELETE",
		"/api/openapi.json": "GET, HEAD",
	}))
	route("GET /api/openapi.json", "openapi", openAPI())
	route("GET /static/", "static", st.handler())
	route("GET /healthz", "healthz", handleHealthz())
	route("GET /readyz", "readyz", handleReadyz(hist))
	route("GET /metrics", "metrics", m.handler)
}
