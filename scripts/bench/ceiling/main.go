// Command ceiling is the benchmark's yardstick: a bare net/http server that
// answers every request with one fixed JSON body, as fast as Go's HTTP stack
// can on this machine. make bench drives it in the same run as the app, so
// that each of the app's figures is also a ratio to what the machine allows
// at that moment (the machines are shared and noisy).
//
// With REDIS_ADDR set it is "ceiling + Redis": every POST also pushes the body
// onto the Redis list senhas and trims it, with plain go-redis, one round trip
// per request, as the app did before automatic pipelining.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/giropops/giropops-senhas/internal/history"
)

// body has the shape and size of the app's answer to POST /api/gerar-senha.
var body = []byte(`{"senha":"q7#Vb2!xR9@mK4$z"}` + "\n")

func main() {
	// Loopback only, unless ADDR says otherwise (":5000" in a container).
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:" + os.Getenv("PORT")
	}
	var client *redis.Client
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		client = redis.NewClient(history.RedisOptions(a, "", 0))
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if client != nil && r.Method == http.MethodPost {
				ctx, cancel := context.WithTimeout(r.Context(), time.Second)
				_, err := client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
					pipe.LPush(ctx, "senhas", body)
					pipe.LTrim(ctx, "senhas", 0, 9)
					return nil
				})
				cancel()
				if err != nil {
					http.Error(w, err.Error(), http.StatusServiceUnavailable)
					return
				}
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	// PORT=0: the kernel picks the port; say which in the app's "listening" line.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	fmt.Printf("{\"msg\":\"listening\",\"addr\":%q}\n", ln.Addr().String())
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}
