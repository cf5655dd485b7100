package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
)

// maxBody bounds request bodies: the API's largest useful body is about 100 bytes.
const maxBody = 4 << 10

// apiError is an error with the status code it answers with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(err error) error { return &apiError{http.StatusBadRequest, err.Error()} }

// decodeJSON reads a JSON object from the request into v: the content type must
// be JSON, the body at most maxBody bytes, and one object with nothing after it.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return &apiError{http.StatusUnsupportedMediaType, "Content-Type deve ser application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("o corpo deve ter no máximo %d bytes", maxBody)}
		}
		return &apiError{http.StatusBadRequest, "não foi possível ler o corpo da requisição"}
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return badRequest(errNotObject)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && e.Field != "" {
			return badRequest(fmt.Errorf("%s: tipo inválido", e.Field))
		}
		return badRequest(errors.New("JSON inválido"))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(errors.New("JSON inválido: há dados depois do objeto"))
	}
	return nil
}

// writeJSON answers v as JSON. Nothing the API answers may be cached: it
// carries passwords.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "<" stays "<", as the original's Flask answered: this is not HTML
	enc.Encode(v)
}

// writeError answers err as {"erro": "..."} with its status, 500 for an error
// that is not an apiError (whose text is logged, not shown).
func writeError(w http.ResponseWriter, logger *slog.Logger, err error) {
	e, ok := errors.AsType[*apiError](err)
	if !ok {
		logger.Error("request failed", "err", err)
		e = &apiError{http.StatusInternalServerError, "erro interno"}
	}
	writeJSON(w, e.status, map[string]string{"erro": e.msg})
}
