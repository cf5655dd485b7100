package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	rulesFile     = "../giropops-senhas/files/rules.yaml"
	rulesTestFile = "../tests/rules_test.yaml"
)

// TestAlertRules runs promtool's unit tests of the alert rules: every alert fires
// on its failure and stays silent on healthy (and misleading) series.
func TestAlertRules(t *testing.T) {
	promtool := tool(t, "PROMTOOL")
	if out, err := run(promtool, "check", "rules", rulesFile); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("%s", lastLine(out))
	}
	out, err := run(promtool, "test", "rules", rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", lastLine(out))
}

// brokenRules are mistakes the course's alerts made, or could have: the unit
// tests must catch each one.
var brokenRules = []struct{ name, old, new string }{
	{"down alert on the wrong value", `up{job="giropops-senhas"} == 0`, `up{job="giropops-senhas"} == 1`},
	{"absent on a job that does not exist", `absent(up{job="giropops-senhas"})`, `absent(up{job="giropops"})`},
	{"5xx threshold never reached", "> 0.05", "> 0.5"},
	{"5xx on the raw counter", `sum by (namespace) (rate(giropops_http_requests_total{job="giropops-senhas", code=~"5.."}[5m]))`, `sum by (namespace) (giropops_http_requests_total{job="giropops-senhas", code=~"5.."})`},
	{"history errors on the raw counter", `(rate(giropops_history_errors_total{job="giropops-senhas"}[5m]))`, `(giropops_history_errors_total{job="giropops-senhas"})`},
	{"history_up ignored", `(max by (namespace, pod) (giropops_history_up{job="giropops-senhas"}) == 0)`, `(max by (namespace, pod) (giropops_history_up{job="giropops-senhas"}) == 2)`},
	{"latency on a label value that does not exist", `handler="gerar-senha"`, `handler="/api/gerar-senha"`},
	{"latency quantile on the wrong label", `sum by (namespace, le)`, `sum by (namespace)`},
}

func TestBrokenRulesFail(t *testing.T) {
	promtool := tool(t, "PROMTOOL")
	test, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, br := range brokenRules {
		t.Run(br.name, func(t *testing.T) {
			// Same layout as the repository, so the test file's relative rule_files works.
			dir := t.TempDir()
			rules := filepath.Join(dir, "giropops-senhas", "files", "rules.yaml")
			if err := os.MkdirAll(filepath.Dir(rules), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, "tests"), 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, rulesFile, rules)
			testFile := filepath.Join(dir, "tests", "rules_test.yaml")
			if err := os.WriteFile(testFile, test, 0o644); err != nil {
				t.Fatal(err)
			}
			mutate(t, rules, br.old, br.new)
			out, err := run(promtool, "test", "rules", testFile)
			if err == nil {
				t.Fatalf("promtool test rules passed on a broken rule:\n%s", out)
			}
			t.Logf("promtool test rules fails as it should: %s", firstFailure(err.Error()))
		})
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstFailure picks the alert and time of the first failed case from promtool's
// report ("alertname: X, time: 15m,"), and whether it expected or got alerts.
func firstFailure(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, "alertname:") {
			got := "alerts other than expected"
			for _, next := range lines[i+1:] {
				if strings.Contains(next, "got:[]") {
					got = "expected alerts, got none"
					break
				}
				if strings.Contains(next, "alertname:") {
					break
				}
			}
			return strings.TrimSuffix(strings.TrimSpace(l), ",") + " " + got
		}
	}
	return lastLine([]byte(s))
}
