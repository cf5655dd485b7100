package server

import "net/http"

// addRoutes is the whole HTTP surface of the app, in one place.
func addRoutes(mux *http.ServeMux, d Deps, m *metrics, hist *observedHistory, s sessions) {
	log, size, tmpl := d.Logger, d.Config.HistorySize, pageTemplate()
	route := func(pattern, name string, h http.Handler) { mux.Handle(pattern, m.instrument(name, h)) }

	route("GET /{$}", "index", handleIndex(log, tmpl, hist, s, size))
	route("POST /{$}", "form", handleForm(log, tmpl, m, hist, s, size))
	route("POST /limpar", "form-limpar", handleClearForm(log, tmpl, hist, s, size))
	route("POST /api/gerar-senha", "gerar-senha", handleGenerate(log, m, hist, s))
	route("GET /api/senhas", "senhas", handleList(log, hist, s, size))
	route("DELETE /api/senhas", "limpar-senhas", handleClear(log, hist, s))
	route("/api/", "api-fallback", apiFallback(log, map[string]string{
		"/api/gerar-senha": "POST",
		"/api/senhas":      "GET, HEAD, DELETE",
	}))
	route("GET /static/", "static", staticFiles())
	route("GET /healthz", "healthz", handleHealthz())
	route("GET /readyz", "readyz", handleReadyz(hist, d.Draining))
	route("GET /metrics", "metrics", m.handler)
}
