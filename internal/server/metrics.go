package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the app's Prometheus series. senha_gerada_total keeps the
// original app's name so that its dashboards keep working.
type metrics struct {
	generated     prometheus.Counter
	historyErrors *prometheus.CounterVec
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	handler       http.Handler // serves /metrics
}

// newMetrics registers the app's series, the Go and process collectors, and
// giropops_history_up, which asks hist whether the store is up at each scrape.
func newMetrics(reg *prometheus.Registry, hist *observedHistory) *metrics {
	m := &metrics{
		generated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "senha_gerada_total",
			Help: "Passwords generated, through the page and the API.",
		}),
		historyErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "giropops_history_errors_total",
			Help: "Failed calls to the history store, by operation (add, latest, clear, ping).",
		}, []string{"operation"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "giropops_http_requests_total",
			Help: "HTTP requests answered, by route, method and status code.",
		}, []string{"handler", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "giropops_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"handler", "method"}),
	}
	up := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "giropops_history_up",
		Help: "1 if the history store answered its latest call, 0 if it failed.",
	}, hist.upValue)
	for _, op := range []string{"add", "latest", "clear", "ping"} {
		m.historyErrors.WithLabelValues(op) // export zeros, so rate() works from the start
	}
	reg.MustRegister(m.generated, m.historyErrors, m.requests, m.duration, up,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// instrument counts and times the requests h answers under the route name.
func (m *metrics) instrument(name string, h http.Handler) http.Handler {
	l := prometheus.Labels{"handler": name}
	return promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(l),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(l), h))
}
