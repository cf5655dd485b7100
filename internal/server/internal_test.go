package server

import (
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

func discardLogger() *slog.Logger       { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }
func newFlag() *atomic.Bool             { return new(atomic.Bool) }
