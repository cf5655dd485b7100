// Command ceiling is the benchmark's yardstick: a bare net/http server that
// answers every request with one fixed JSON body, as fast as Go's HTTP stack
// can on this machine. make bench drives it in the same run as the app, so
// that each of the app's figures is also a ratio to what the machine allows
// at that moment (the machines are shared and noisy).
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

// body has the shape and size of the app's answer to POST /api/gerar-senha.
var body = []byte(`{"senha":"q7#Vb2!xR9@mK4$z"}` + "\n")

func main() {
	// Loopback only, unless ADDR says otherwise (":5000" in a container).
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:" + os.Getenv("PORT")
	}
	srv := &http.Server{
		Addr: addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}
