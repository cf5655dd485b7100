package server

import (
	"log/slog"
	"net/http"

	"github.com/giropops/giropops-senhas/internal/password"
)

// handleGenerate is POST /api/gerar-senha. It answers the password even when
// the history store is down: storing it is a convenience, generating is the job.
func handleGenerate(logger *slog.Logger, m *metrics, hist *observedHistory, s sessions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req generateRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeError(w, logger, err)
			return
		}
		opts, err := req.options()
		if err != nil {
			writeError(w, logger, badRequest(err))
			return
		}
		p, err := generate(m, opts)
		if err != nil {
			writeError(w, logger, badRequest(err))
			return
		}
		if l, ok := s.write(w, r, fromAPI); ok {
			hist.add(r.Context(), l, p) // a failure is counted and logged by hist
		}
		writeJSON(w, http.StatusOK, map[string]string{"senha": p})
	})
}

// generate makes a password and counts it.
func generate(m *metrics, o password.Options) (string, error) {
	p, err := password.Generate(o)
	if err == nil {
		m.generated.Inc()
	}
	return p, err
}

// listItem is an entry of GET /api/senhas, as the original app answered it.
type listItem struct {
	ID    int    `json:"id"`
	Senha string `json:"senha"`
}

// handleList is GET /api/senhas: the latest passwords, newest first, with ids
// counting from 1 like the original's.
func handleList(logger *slog.Logger, hist *observedHistory, s sessions, size int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		items := []listItem{}
		if l, ok := s.read(r); ok {
			ps, err := hist.latest(r.Context(), l.key, size)
			if err != nil {
				writeError(w, logger, errUnavailable)
				return
			}
			for i, p := range ps {
				items = append(items, listItem{ID: i + 1, Senha: p})
			}
		}
		writeJSON(w, http.StatusOK, items)
	})
}

var errUnavailable = &apiError{http.StatusServiceUnavailable, "histórico indisponível no momento; tente novamente em instantes"}

// apiFallback answers API paths that match no route, and wrong methods on
// those that do, in the API's JSON error shape.
func apiFallback(logger *slog.Logger, allow map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := allow[r.URL.Path]; ok {
			w.Header().Set("Allow", a)
			writeError(w, logger, &apiError{http.StatusMethodNotAllowed, "método não permitido; use " + a})
			return
		}
		writeError(w, logger, &apiError{http.StatusNotFound, "rota não encontrada"})
	})
}
