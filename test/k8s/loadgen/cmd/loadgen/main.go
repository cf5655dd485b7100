// Command loadgen runs package loadgen from a shell until SIGINT/SIGTERM or -duration,
// then prints what it saw and exits 1 if any request was lost (docs/k8s-local.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/giropops/giropops-senhas/test/k8s/loadgen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	var cfg loadgen.Config
	fs.StringVar(&cfg.URL, "url", "", "base URL of the app, e.g. http://10.96.0.20:5000")
	fs.IntVar(&cfg.Clients, "c", 4, "concurrent clients (each keeps its connections and session)")
	fs.IntVar(&cfg.Retries, "retries", 0, "retries allowed per request before it counts as lost")
	fs.IntVar(&cfg.Rate, "rate", 200, "requests per second, all clients together (0: as fast as possible)")
	fs.BoolVar(&cfg.Flood, "flood", false, "cookie-less POST /api/gerar-senha only; any answer but 200 is lost")
	duration := fs.Duration("duration", 10*time.Minute, "stop after this long at the latest")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.URL == "" {
		return errors.New("-url is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	r := loadgen.Run(ctx, cfg)
	fmt.Println(r)
	for _, s := range r.Samples {
		fmt.Println("  lost:", s)
	}
	if r.Requests == 0 || r.Lost > 0 {
		return fmt.Errorf("%d of %d requests lost", r.Lost, r.Requests)
	}
	return nil
}
