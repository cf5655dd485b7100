package server

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"

	"github.com/giropops/giropops-senhas/internal/password"
)

// handleGenerate is POST /api/gerar-senha. It answers the passwords even when
// the history store is down: storing them is a convenience, generating is the job.
func handleGenerate(logger *slog.Logger, m *metrics, gens *password.Cache, s *sessions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]json.RawMessage
		if err := decodeJSON(w, r, &body); err != nil {
			writeError(w, logger, err)
			return
		}
		f, err := jsonFields(body)
		if err != nil {
			writeError(w, logger, badRequest(err))
			return
		}
		req, err := password.ParseRequest(f.get)
		if err != nil {
			writeError(w, logger, badRequest(err))
			return
		}
		rs, err := generate(m, gens, req)
		if err != nil {
			writeError(w, logger, badRequest(err))
			return
		}
		s.save(w, r, fromAPI, rs) // a failure is counted and logged by the store's wrapper
		senhas := make([]string, len(rs))
		for i, rec := range rs {
			senhas[i] = rec.senha
		}
		writeJSON(w, http.StatusOK, NewAnswer(senhas, rs[0].bits))
	})
}

// Answer is the answer of POST /api/gerar-senha (and of the command line's
// gerar -json): the original's senha (the first password), all of them, and
// their exact strength in bits, to two decimals.
type Answer struct {
	Senha  string   `json:"senha"`
	Senhas []string `json:"senhas"`
	Bits   float64  `json:"entropia_bits"`
}

// NewAnswer is the Answer for senhas, generated with entropy bits each.
func NewAnswer(senhas []string, bits float64) Answer {
	return Answer{Senha: senhas[0], Senhas: senhas, Bits: math.Round(bits*100) / 100}
}

// generate makes the passwords req asks for and counts them.
func generate(m *metrics, gens *password.Cache, req password.Request) ([]record, error) {
	g, err := gens.Generator(req)
	if err != nil {
		return nil, err
	}
	rs := make([]record, req.Count)
	for i := range rs {
		rs[i] = record{senha: g.Generate(), bits: g.Entropy()}
	}
	m.generated.Add(float64(len(rs)))
	return rs, nil
}

// listItem is an entry of GET /api/senhas, as the original app answered it.
type listItem struct {
	ID    int    `json:"id"`
	Senha string `json:"senha"`
}

// handleList is GET /api/senhas: the latest passwords, newest first, with ids
// counting from 1 like the original's.
func handleList(logger *slog.Logger, s *sessions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs, _, err := s.load(w, r)
		if err != nil {
			writeError(w, logger, errUnavailable)
			return
		}
		items := make([]listItem, len(rs))
		for i, rec := range rs {
			items[i] = listItem{ID: i + 1, Senha: rec.senha}
		}
		writeJSON(w, http.StatusOK, items)
	})
}

// handleClear is DELETE /api/senhas: it erases the caller's history and ends
// its session (204). The global list is everyone's: erasing it is refused
// (403) unless HISTORY_ALLOW_CLEAR_GLOBAL is set.
func handleClear(logger *slog.Logger, s *sessions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.clear(w, r); err != nil {
			writeError(w, logger, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
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
