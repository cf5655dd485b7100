package server

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// fuzzHandler is the app's handler with nothing stored (HISTORY_SCOPE=off), so
// fuzzing exercises only the parsers and handlers.
func fuzzHandler() http.Handler {
	return New(Deps{
		Config:   Config{Scope: ScopeOff, HistorySize: 10},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
	})
}
