package check

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// query is one PromQL query of a Grafana dashboard and where it sits.
type query struct {
	where string // `panel "Latency by route" target C`
	expr  string
}

// dashboardJSON is the part of a Grafana dashboard that holds queries.
type dashboardJSON struct {
	Panels     []panelJSON `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panelJSON struct {
	Title   string      `json:"title"`
	Panels  []panelJSON `json:"panels"` // a collapsed row holds its panels
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

// labelValues matches Grafana's label_values(QUERY, LABEL) variable query.
var labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)

// dashboardQueries returns every PromQL query in a Grafana dashboard: each panel
// target's expr (rows' nested panels too) and the selector of each query variable's
// label_values(...). A target without an expr is an error: every panel here queries.
func dashboardQueries(data []byte) ([]query, error) {
	var d dashboardJSON
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dashboard JSON: %w", err)
	}
	var qs []query
	var errs []string
	var walk func([]panelJSON)
	walk = func(panels []panelJSON) {
		for _, p := range panels {
			for _, t := range p.Targets {
				where := fmt.Sprintf("panel %q target %s", p.Title, t.RefID)
				if strings.TrimSpace(t.Expr) == "" {
					errs = append(errs, where+": no expr")
					continue
				}
				qs = append(qs, query{where, t.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		// The query is a string, or an object {"query": "..."} in newer Grafana.
		var s string
		if json.Unmarshal(v.Query, &s) != nil {
			var o struct{ Query string }
			if err := json.Unmarshal(v.Query, &o); err != nil {
				errs = append(errs, fmt.Sprintf("variable %q: query: %v", v.Name, err))
				continue
			}
			s = o.Query
		}
		where := fmt.Sprintf("variable %q", v.Name)
		if m := labelValues.FindStringSubmatch(s); m != nil {
			qs = append(qs, query{where, m[1]})
		} else {
			errs = append(errs, fmt.Sprintf("%s: %q is not label_values(QUERY, LABEL)", where, s))
		}
	}
	if len(errs) > 0 {
		return qs, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return qs, nil
}

// grafanaMacros are Grafana's interval variables, which PromQL cannot parse: each is
// replaced by a duration first. Template variables ($namespace) appear only inside
// label values, where they are plain strings to the parser.
var grafanaMacros = strings.NewReplacer(
	"${__rate_interval}", "5m", "$__rate_interval", "5m",
	"${__interval}", "1m", "$__interval", "1m",
	"${__range}", "1h", "$__range", "1h",
)

// selector is one metric a query reads, with the label names its matchers use.
type selector struct {
	metric string
	labels []string
}

var promql = parser.NewParser(parser.Options{})

// querySelectors parses a dashboard query with the PromQL parser and returns every
// vector selector in it.
func querySelectors(expr string) ([]selector, error) {
	ast, err := promql.ParseExpr(grafanaMacros.Replace(expr))
	if err != nil {
		return nil, err
	}
	var sels []selector
	var errs []string
	parser.Inspect(ast, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		s := selector{metric: vs.Name}
		for _, m := range vs.LabelMatchers {
			if m.Name != model.MetricNameLabel {
				s.labels = append(s.labels, m.Name)
			}
		}
		if s.metric == "" {
			errs = append(errs, fmt.Sprintf("selector %s names no metric", vs))
		}
		sels = append(sels, s)
		return nil
	})
	if len(errs) > 0 {
		return sels, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return sels, nil
}

// exposed maps each series name a Prometheus scrape of the app yields to its label
// names: a histogram family foo gives foo_bucket (with le), foo_sum and foo_count, a
// summary foo gives foo (with quantile), foo_sum and foo_count.
type exposed map[string][]string

// parseScrape reads a /metrics response in the text format.
func parseScrape(r io.Reader) (exposed, error) {
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	e := exposed{}
	for name, f := range families {
		var labels []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(labels, l.GetName()) {
					labels = append(labels, l.GetName())
				}
			}
		}
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			e[name+"_bucket"] = append(slices.Clone(labels), "le")
			e[name+"_sum"], e[name+"_count"] = labels, labels
		case dto.MetricType_SUMMARY:
			e[name] = append(slices.Clone(labels), "quantile")
			e[name+"_sum"], e[name+"_count"] = labels, labels
		default:
			e[name] = labels
		}
	}
	return e, nil
}

// targetLabels are the labels Prometheus (with a prometheus-operator ServiceMonitor)
// adds to every series it scrapes from the app's pods.
var targetLabels = []string{"job", "namespace", "pod", "instance", "service", "container", "endpoint"}

// outsideApp are the series the dashboard reads that the app does not expose, each
// with where it comes from and the labels it has there. Keep docs/dashboard.md's
// table in step.
var outsideApp = map[string]struct {
	source string
	labels []string
}{
	// Prometheus itself, one per scrape target.
	"up": {"Prometheus (per scrape target)", targetLabels},
	// kube-state-metrics, from the chart's HorizontalPodAutoscaler (autoscaling.enabled).
	"kube_horizontalpodautoscaler_spec_min_replicas":       {"kube-state-metrics", []string{"namespace", "horizontalpodautoscaler"}},
	"kube_horizontalpodautoscaler_spec_max_replicas":       {"kube-state-metrics", []string{"namespace", "horizontalpodautoscaler"}},
	"kube_horizontalpodautoscaler_status_desired_replicas": {"kube-state-metrics", []string{"namespace", "horizontalpodautoscaler"}},
	"kube_horizontalpodautoscaler_status_current_replicas": {"kube-state-metrics", []string{"namespace", "horizontalpodautoscaler"}},
	// The kubelet's cAdvisor endpoint (/metrics/cadvisor), per container.
	"container_memory_working_set_bytes": {"kubelet (cAdvisor)", []string{"namespace", "pod", "container"}},
}

// unknownMetrics checks every query of a dashboard against the series the app
// exposes and the outsideApp list: it returns one problem per unknown metric name,
// per label name the metric does not carry, and per query the parser rejects.
func unknownMetrics(dashboard []byte, app exposed) (problems []string, metrics []string, err error) {
	qs, err := dashboardQueries(dashboard)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, q := range qs {
		sels, err := querySelectors(q.expr)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: PromQL: %v", q.where, err))
			continue
		}
		for _, s := range sels {
			var have []string
			if labels, ok := app[s.metric]; ok {
				have = append(slices.Clone(labels), targetLabels...)
			} else if o, ok := outsideApp[s.metric]; ok {
				have = o.labels
			} else {
				problems = append(problems, fmt.Sprintf("%s: metric %q is neither in the app's /metrics nor in the documented list of kubelet, kube-state-metrics and Prometheus series", q.where, s.metric))
				continue
			}
			if !seen[s.metric] {
				seen[s.metric] = true
				metrics = append(metrics, s.metric)
			}
			for _, l := range s.labels {
				if !slices.Contains(have, l) {
					problems = append(problems, fmt.Sprintf("%s: metric %q has no label %q (it has %s)", q.where, s.metric, l, strings.Join(have, ", ")))
				}
			}
		}
	}
	slices.Sort(metrics)
	return problems, metrics, nil
}
