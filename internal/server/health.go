package server

import "net/http"

// handleHealthz is GET /healthz: the process is alive and serving.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}

// handleReadyz is GET /readyz: the history store answers. Without a store
// (HISTORY_SCOPE=off, or in memory) it is ready whenever it is alive.
func handleReadyz(hist *observedHistory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case hist.ping(r.Context()) != nil:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("histórico indisponível\n"))
		default:
			w.Write([]byte("ok\n"))
		}
	})
}
