package check

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

const (
	// dashboardFile is the dashboard's one source; dashboardCopy is the copy for a
	// Grafana without the sidecar, which must stay byte for byte the same.
	dashboardFile = "../giropops-senhas/files/giropops-senhas.json"
	dashboardCopy = "../../grafana/giropops-senhas.json"
	// dashboardKey is the ConfigMap's data key.
	dashboardKey = "giropops-senhas.json"
)

var (
	scrapeOnce sync.Once
	scrapeApp  exposed
	scrapeErr  error
)

// appMetrics builds the app from the repository root, runs it on a port the kernel
// picks with the history in memory, sends it the requests whose series the dashboard
// reads (a generation, the page, a 404 and a 415), and parses its /metrics. Once per
// test binary: every test shares the scrape.
func appMetrics(t *testing.T) exposed {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Missing(t, "no go command to build the app: %v", err)
	}
	scrapeOnce.Do(func() { scrapeApp, scrapeErr = scrape() })
	if scrapeErr != nil {
		t.Fatal(scrapeErr)
	}
	return scrapeApp
}

func scrape() (exposed, error) {
	dir, err := os.MkdirTemp("", "giropops-dashboard-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "giropops-senhas")
	// From the repository root, so that the main module's own go.mod picks the versions.
	build := exec.Command("go", "build", "-o", bin, "./cmd/giropops-senhas")
	build.Dir = "../../.."
	if out, err := build.CombinedOutput(); err != nil {
		return nil, &cmdError{"go build ./cmd/giropops-senhas", err, out}
	}

	var logs testenv.Buffer
	app := exec.Command(bin)
	app.Env = append(os.Environ(), "PORT=0", "REDIS_HOST=", "REDIS_URL=", "LOG_LEVEL=info")
	app.Stdout, app.Stderr = &logs, &logs
	if err := app.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = app.Wait(); close(exited) }()
	defer func() { _ = app.Process.Kill(); <-exited }()
	port, err := testenv.ListeningPort(&logs, exited, 20*time.Second)
	if err != nil {
		return nil, &cmdError{"giropops-senhas PORT=0", err, []byte(logs.String())}
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	requests := []struct{ method, path, ctype, body string }{
		{"POST", "/api/gerar-senha", "application/json", `{"tamanho": 12}`},
		{"GET", "/", "", ""},
		{"GET", "/no-such-page", "", ""},
		{"POST", "/api/gerar-senha", "text/plain", "x"},
	}
	for _, r := range requests {
		req, _ := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
		if r.ctype != "" {
			req.Header.Set("Content-Type", r.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseScrape(resp.Body)
}

type cmdError struct {
	cmd string
	err error
	out []byte
}

func (e *cmdError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + string(e.out) }

// renderDashboard renders chartDir with the monitoring values (dashboard on) and
// returns the dashboard ConfigMap.
func renderDashboard(t *testing.T, helm, chartDir string) *corev1.ConfigMap {
	t.Helper()
	manifest, err := render(helm, chartDir, filepath.Join(chartDir, "ci", "monitoring-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var found []*corev1.ConfigMap
	for _, o := range objs {
		if cm, ok := o.obj.(*corev1.ConfigMap); ok {
			found = append(found, cm)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one dashboard ConfigMap, rendered %d", len(found))
	}
	return found[0]
}

// TestDashboard renders the chart with the dashboard on, checks the ConfigMap the
// Grafana sidecar reads, and checks every query of its JSON with the PromQL parser
// against a real scrape of the app's /metrics.
func TestDashboard(t *testing.T) {
	helm := tool(t, "HELM")
	cm := renderDashboard(t, helm, chart)
	file, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sidecar label", func(t *testing.T) {
		if cm.Labels["grafana_dashboard"] != "1" || cm.Annotations["grafana_folder"] != "Giropops" {
			t.Errorf("ConfigMap %s: labels %v, annotations %v: want grafana_dashboard=1 and the folder annotation", cm.Name, cm.Labels, cm.Annotations)
		}
	})
	t.Run("ConfigMap holds files/giropops-senhas.json", func(t *testing.T) {
		if got := cm.Data[dashboardKey]; got != strings.TrimSuffix(string(file), "\n") {
			t.Errorf("data[%q] (%d bytes) differs from %s (%d bytes)", dashboardKey, len(got), dashboardFile, len(file))
		}
	})
	t.Run("deploy/grafana copy matches", func(t *testing.T) {
		cp, err := os.ReadFile(dashboardCopy)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cp, file) {
			t.Errorf("%s differs from %s, the source: cp %s %s", dashboardCopy, dashboardFile, dashboardFile, dashboardCopy)
		}
	})
	t.Run("every metric exists", func(t *testing.T) {
		app := appMetrics(t)
		problems, metrics, err := unknownMetrics([]byte(cm.Data[dashboardKey]), app)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
		var outside []string
		for _, m := range metrics {
			if _, ok := app[m]; !ok {
				outside = append(outside, m)
			}
		}
		t.Logf("%d metrics checked: %d from the app's /metrics (%d series names scraped), %d from the documented list: %s",
			len(metrics), len(metrics)-len(outside), len(app), len(outside), strings.Join(outside, ", "))
	})
	t.Run("off by default", func(t *testing.T) {
		manifest, err := render(helm, chart, filepath.Join(chart, "ci", "defaults-values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(manifest, []byte("kind: ConfigMap")) {
			t.Error("the defaults render a ConfigMap: monitoring.dashboard.enabled must default to false")
		}
	})
}

// brokenDashboards are mistakes a dashboard can make; each must fail the metric
// check with the given message. The misspelled metric is also kept as a fixture,
// testdata/dashboards/misspelled-metric.json, to show the whole file failing.
var brokenDashboards = []struct{ name, old, new, want string }{
	{"misspelled metric", "senha_gerada_total", "senhas_geradas_total", `metric "senhas_geradas_total" is neither in the app's /metrics`},
	{"histogram without _bucket", "giropops_http_request_duration_seconds_bucket", "giropops_http_request_duration_seconds", `metric "giropops_http_request_duration_seconds" is neither`},
	// The file is JSON: the query's quotes are escaped.
	{"label the metric lacks", `(rate(giropops_history_errors_total{job=\"giropops-senhas\", namespace=\"$namespace\"}`, `(rate(giropops_history_errors_total{job=\"giropops-senhas\", namespace=\"$namespace\", op=\"add\"}`, `metric "giropops_history_errors_total" has no label "op"`},
	{"kube-state-metrics name from v1", "kube_horizontalpodautoscaler_spec_max_replicas", "kube_hpa_spec_max_replicas", `metric "kube_hpa_spec_max_replicas" is neither`},
	{"PromQL syntax", "sum(rate(senha_gerada_total", "sum(rate(senha_gerada_total)", "PromQL: "},
}

// TestBrokenDashboardsFail shows the metric check failing: each case breaks a copy of
// the chart's dashboard, renders the chart, and requires the check's message.
func TestBrokenDashboardsFail(t *testing.T) {
	helm := tool(t, "HELM")
	app := appMetrics(t)
	for _, bd := range brokenDashboards {
		t.Run(bd.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "giropops-senhas")
			copyTree(t, chart, dir)
			mutate(t, filepath.Join(dir, "files", "giropops-senhas.json"), bd.old, bd.new)
			cm := renderDashboard(t, helm, dir)
			problems, _, err := unknownMetrics([]byte(cm.Data[dashboardKey]), app)
			if err != nil {
				t.Fatal(err)
			}
			requireProblem(t, problems, bd.want)
		})
	}
	t.Run("fixture testdata/dashboards/misspelled-metric.json", func(t *testing.T) {
		data, err := os.ReadFile("../testdata/dashboards/misspelled-metric.json")
		if err != nil {
			t.Fatal(err)
		}
		problems, _, err := unknownMetrics(data, app)
		if err != nil {
			t.Fatal(err)
		}
		requireProblem(t, problems, `metric "giropops_http_request_total" is neither`)
	})
}

func requireProblem(t *testing.T, problems []string, want string) {
	t.Helper()
	if len(problems) == 0 {
		t.Fatal("the metric check passed")
	}
	if m := firstMatch(problems, want); m != "" {
		t.Logf("fails as it should: %s", m)
		return
	}
	t.Fatalf("the metric check failed, but not with %q:\n%s", want, strings.Join(problems, "\n"))
}
