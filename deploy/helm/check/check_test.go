package check

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

const chart = "../giropops-senhas"

// tool returns the binary named by the environment variable (make passes the
// pinned $(HELM) and $(PROMTOOL)). Missing, a local run skips; CI fails.
func tool(t *testing.T, envVar string) string {
	t.Helper()
	path := os.Getenv(envVar)
	if path == "" {
		testenv.Missing(t, "%s is not set; `make test-helm` builds and passes it", envVar)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s: %v", envVar, err)
	}
	return path
}

// valueSets are the chart's ci/*.yaml files, each rendered and checked, with the
// kinds each must produce.
var valueSets = map[string]map[string]int{
	"defaults-values.yaml": {
		"Deployment": 1, "Service": 2, "ServiceAccount": 1, "HorizontalPodAutoscaler": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 2, "StatefulSet": 1, "Pod": 1, "Secret": 1,
	},
	"ingress-values.yaml": {
		"Deployment": 1, "Service": 2, "ServiceAccount": 1, "HorizontalPodAutoscaler": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 2, "StatefulSet": 1, "Pod": 1, "Ingress": 1, "Secret": 1,
	},
	"external-redis-values.yaml": {
		"Deployment": 1, "Service": 1, "ServiceAccount": 1, "HorizontalPodAutoscaler": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 1, "Pod": 1, "Secret": 1,
	},
	"monitoring-values.yaml": {
		"Deployment": 1, "Service": 2, "ServiceAccount": 1, "HorizontalPodAutoscaler": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 2, "StatefulSet": 1, "Pod": 1,
		"ServiceMonitor": 1, "PrometheusRule": 1, "Secret": 1, "ConfigMap": 1,
	},
	"digest-values.yaml": {
		"Deployment": 1, "Service": 2, "ServiceAccount": 1,
		"PodDisruptionBudget": 1, "NetworkPolicy": 2, "StatefulSet": 1, "Pod": 1, "Secret": 1,
	},
}

func TestValueSetsCovered(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(chart, "ci", "*.yaml"))
	if len(files) != len(valueSets) {
		t.Fatalf("ci/ holds %d values files, the test knows %d: keep them in step", len(files), len(valueSets))
	}
	for _, f := range files {
		if _, ok := valueSets[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expectations in valueSets", f)
		}
	}
}

func TestLint(t *testing.T) {
	helm := tool(t, "HELM")
	for name := range valueSets {
		t.Run(name, func(t *testing.T) {
			if out, err := lint(helm, chart, filepath.Join(chart, "ci", name)); err != nil {
				t.Fatal(err)
			} else {
				t.Logf("%s", lastLine(out))
			}
		})
	}
}

// checkRender runs every check on one rendering and returns the decoded objects.
func checkRender(t *testing.T, helm, chartDir, values string) []object {
	t.Helper()
	manifest, err := render(helm, chartDir, values)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeAll(manifest)
	if err != nil {
		t.Fatal(err)
	}
	violations, pods, err := podSecurityViolations(objs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Errorf("restricted PSS: %s", v)
	}
	for _, pr := range contractProblems(objs, chartDir) {
		t.Errorf("contract: %s", pr)
	}
	t.Logf("%d objects decoded strictly, %d pod templates restricted-clean", len(objs), pods)
	return objs
}

func TestRender(t *testing.T) {
	helm := tool(t, "HELM")
	for name, wantKinds := range valueSets {
		t.Run(name, func(t *testing.T) {
			objs := checkRender(t, helm, chart, filepath.Join(chart, "ci", name))
			got := map[string]int{}
			for _, o := range objs {
				got[reflect.TypeOf(o.obj).Elem().Name()]++
			}
			if !reflect.DeepEqual(got, wantKinds) {
				t.Errorf("kinds: got %v, want %v", got, wantKinds)
			}
			valueSetSpecifics(t, name, objs)
		})
	}
}

// redisMaxmemory is the --maxmemory each values set must give the bundled Redis: 75% of
// its memory limit less 16Mi, unless redis.maxmemory is set.
var redisMaxmemory = map[string]int64{
	"defaults-values.yaml":   188743680,  // (256Mi - 16Mi) * 3/4 = 180Mi
	"ingress-values.yaml":    188743680,  // the same defaults
	"monitoring-values.yaml": 1195376640, // limit 1.5Gi: (1536Mi - 16Mi) * 3/4 = 1140Mi
	"digest-values.yaml":     200000000,  // redis.maxmemory: 200M
}

// cookieSecure is the COOKIE_SECURE each values set must give the app.
var cookieSecure = map[string]string{
	"defaults-values.yaml":       "auto",   // no Ingress: the app decides per request
	"ingress-values.yaml":        "always", // Ingress with TLS
	"monitoring-values.yaml":     "auto",
	"external-redis-values.yaml": "auto",
	"digest-values.yaml":         "never", // app.cookieSecure overrides
}

// valueSetSpecifics checks what each values set is there to switch on.
func valueSetSpecifics(t *testing.T, name string, objs []object) {
	var dep *appsv1.Deployment
	var policies []*networkingv1.NetworkPolicy
	var redis *appsv1.StatefulSet
	secrets := map[string]*corev1.Secret{}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			dep = v
		case *networkingv1.NetworkPolicy:
			policies = append(policies, v)
		case *appsv1.StatefulSet:
			redis = v
		case *corev1.Secret:
			secrets[v.Name] = v
		}
	}
	c := dep.Spec.Template.Spec.Containers[0]
	envs := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		envs[e.Name] = e
	}
	if want, ok := redisMaxmemory[name]; ok {
		rc := redis.Spec.Template.Spec.Containers[0]
		got, err := maxmemory(rc)
		limit := rc.Resources.Limits[corev1.ResourceMemory]
		if err != nil || got != want || argAfter(rc.Args, "--maxmemory-policy") != "volatile-ttl" {
			t.Errorf("Redis args %q: want --maxmemory %d (limit %s) and --maxmemory-policy volatile-ttl (%v)", rc.Args, want, limit.String(), err)
		} else {
			t.Logf("Redis: --maxmemory %d (%.1f%% of its %s limit) --maxmemory-policy volatile-ttl", got, 100*float64(got)/float64(limit.Value()), limit.String())
		}
	}
	if got := envs["COOKIE_SECURE"].Value; got != cookieSecure[name] {
		t.Errorf("COOKIE_SECURE=%q, want %q", got, cookieSecure[name])
	}
	ref := envs["HISTORY_KEY"].ValueFrom.SecretKeyRef
	sref := envs["SESSION_KEY"].ValueFrom.SecretKeyRef
	if s := secrets[sref.Name]; sref.Name != "rel-giropops-senhas-history-key" || sref.Key != "session-key" || s == nil || len(s.Data["session-key"]) != 44 {
		t.Errorf("SESSION_KEY from %s/%s, want the release's Secret rel-giropops-senhas-history-key with a 44-character session-key", sref.Name, sref.Key)
	}
	if name == "external-redis-values.yaml" {
		// app.historyKey.existingSecret: the user's Secret; the chart's holds only SESSION_KEY.
		if s := secrets[sref.Name]; ref.Name != "giropops-history" || ref.Key != "key" || s == nil || len(s.Data) != 1 || envs["HISTORY_ALLOW_CLEAR_GLOBAL"].Value != "true" {
			t.Errorf("HISTORY_KEY from %s/%s (want giropops-history/key), chart Secret %v (want SESSION_KEY alone), HISTORY_ALLOW_CLEAR_GLOBAL=%q (want true)",
				ref.Name, ref.Key, s, envs["HISTORY_ALLOW_CLEAR_GLOBAL"].Value)
		}
	} else {
		s := secrets[ref.Name]
		if ref.Name != "rel-giropops-senhas-history-key" || ref.Key != "history-key" || s == nil || len(s.Data["history-key"]) != 44 ||
			s.Annotations["helm.sh/resource-policy"] != "keep" || envs["HISTORY_ALLOW_CLEAR_GLOBAL"].Value != "false" {
			t.Errorf("HISTORY_KEY from %s/%s, want the release's Secret rel-giropops-senhas-history-key (kept on uninstall) with a 44-character value; HISTORY_ALLOW_CLEAR_GLOBAL=%q (want false)",
				ref.Name, ref.Key, envs["HISTORY_ALLOW_CLEAR_GLOBAL"].Value)
		}
	}
	switch name {
	case "defaults-values.yaml":
		if c.Image != "giropops-senhas:0.1.0" || envs["REDIS_HOST"].Value != "rel-giropops-senhas-redis" ||
			envs["SHUTDOWN_TIMEOUT"].Value != "10s" || *dep.Spec.Template.Spec.TerminationGracePeriodSeconds != 20 {
			t.Errorf("defaults: image %q, REDIS_HOST %q, SHUTDOWN_TIMEOUT %q, grace %d", c.Image,
				envs["REDIS_HOST"].Value, envs["SHUTDOWN_TIMEOUT"].Value, *dep.Spec.Template.Spec.TerminationGracePeriodSeconds)
		}
		if dep.Spec.Replicas != nil {
			t.Errorf("with the HPA on, the Deployment must not set replicas (each upgrade would reset them)")
		}
		if got := httpPath(c.ReadinessProbe); got != "/healthz" {
			t.Errorf("default readiness probe %q, want /healthz (a Redis outage must not empty the Service)", got)
		}
	case "external-redis-values.yaml":
		pw := envs["REDIS_PASSWORD"].ValueFrom
		if envs["REDIS_HOST"].Value != "redis.databases.svc.cluster.local" || envs["REDIS_PORT"].Value != "6380" ||
			pw == nil || pw.SecretKeyRef == nil || pw.SecretKeyRef.Name != "giropops-redis" || pw.SecretKeyRef.Key != "redis-password" {
			t.Errorf("external Redis not wired: %+v", envs)
		}
		egress := policies[0].Spec.Egress
		if len(egress) != 2 || egress[1].Ports[0].Port.IntVal != 6380 || egress[1].To[0].IPBlock.CIDR != "10.20.0.0/16" {
			t.Errorf("egress to the external Redis: %+v", egress)
		}
	case "digest-values.yaml":
		want := "registry.example.com:5000/giropops/giropops-senhas@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		if c.Image != want || *dep.Spec.Replicas != 3 || *dep.Spec.Template.Spec.TerminationGracePeriodSeconds != 40 {
			t.Errorf("digest: image %q, replicas %d, grace %d", c.Image, *dep.Spec.Replicas, *dep.Spec.Template.Spec.TerminationGracePeriodSeconds)
		}
		if got := httpPath(c.ReadinessProbe); got != "/readyz" {
			t.Errorf("app.readinessPath=/readyz gave a readiness probe on %q", got)
		}
		for _, o := range objs {
			if p, ok := o.obj.(*corev1.Pod); ok && p.Spec.Containers[0].Image != want {
				t.Errorf("the test pod runs %q, not the pinned image", p.Spec.Containers[0].Image)
			}
		}
	case "ingress-values.yaml":
		for _, o := range objs {
			if in, ok := o.obj.(*networkingv1.Ingress); ok && in.Annotations["cert-manager.io/cluster-issuer"] != "letsencrypt-prod" {
				t.Errorf("Ingress without the cert-manager annotation: %v", in.Annotations)
			}
		}
	case "monitoring-values.yaml":
		for _, o := range objs {
			if sm, ok := o.obj.(*monitoringv1.ServiceMonitor); ok && sm.Labels["release"] != "kube-prometheus-stack" {
				t.Errorf("ServiceMonitor labels: %v", sm.Labels)
			}
		}
	}
}

// TestHistoryKeyIsRandom: two renderings make two different keys, so the Secret's value
// is drawn (randBytes), not a constant in the chart. That an upgrade keeps the key
// (lookup) needs a cluster: make test-k8s checks it.
func TestHistoryKeyIsRandom(t *testing.T) {
	helm := tool(t, "HELM")
	var keys []string
	for range 2 {
		manifest, err := render(helm, chart, filepath.Join(chart, "ci", "defaults-values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decodeAll(manifest)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if s, ok := o.obj.(*corev1.Secret); ok {
				keys = append(keys, string(s.Data["history-key"]), string(s.Data["session-key"]))
			}
		}
	}
	if len(keys) != 4 || len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 4 || len(keys[0]) != 44 || len(keys[1]) != 44 {
		t.Fatalf("two renderings gave the keys %q: want four different 44-character values", keys)
	}
	t.Logf("two renderings, two keys of %d characters", len(keys[0]))
}

// TestSchemaRejects renders with each testdata/bad-values file, which must fail with
// the message its "# want:" line names.
func TestSchemaRejects(t *testing.T) {
	helm := tool(t, "HELM")
	files, _ := filepath.Glob("../testdata/bad-values/*.yaml")
	if len(files) < 5 {
		t.Fatalf("only %d bad values files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("%s: first line must be `# want: <message>`", f)
			}
			var stderr bytes.Buffer
			cmd := exec.Command(helm, "template", "rel", chart, "--kube-version", kubeVersion, "--values", f)
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				t.Fatalf("helm template accepted %s", f)
			}
			if !strings.Contains(stderr.String(), want) {
				t.Fatalf("error does not mention %q:\n%s", want, stderr.String())
			}
			t.Logf("rejected: %s", firstMatch([]string{stderr.String()}, want))
		})
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mutate replaces old with new in file (every occurrence; new may be "") and
// fails when old is not there, so a fixture cannot go stale silently.
func mutate(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q: update the broken-chart fixture", file, old)
	}
	if err := os.WriteFile(file, bytes.ReplaceAll(data, []byte(old), []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// brokenCharts are deliberate mistakes (several the course's own manifests made);
// each must make the named check fail with the given message.
var brokenCharts = []struct {
	name, file, old, new string
	check                string // lint, decode, pss or contract
	values               string // ci file to render with
	want                 string
}{
	{"lint: Chart.yaml without version", "Chart.yaml", "version: 0.1.0\n", "", "lint", "defaults-values.yaml", "version is required"},
	{"lint: template syntax error", "templates/service.yaml", "{{ include \"giropops.fullname\" . }}", "{{ include \"giropops.fullname\" . }", "lint", "defaults-values.yaml", "unexpected"},
	{"lint: --strict turns the removed policy/v1beta1 warning into a failure", "templates/pdb.yaml", "apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n", "lint", "defaults-values.yaml", "policy/v1beta1 PodDisruptionBudget is deprecated"},
	{"decode: misspelled field", "templates/deployment.yaml", "readinessProbe:", "readinesProbe:", "decode", "defaults-values.yaml", `unknown field "spec.template.spec.containers[0].readinesProbe"`},
	{"decode: field with the wrong case", "templates/deployment.yaml", "terminationGracePeriodSeconds:", "TerminationGracePeriodSeconds:", "decode", "defaults-values.yaml", "unknown field"},
	{"decode: removed API version", "templates/hpa.yaml", "autoscaling/v2\n", "autoscaling/v2beta2\n", "decode", "defaults-values.yaml", "no kind \"HorizontalPodAutoscaler\" is registered for version \"autoscaling/v2beta2\""},
	{"decode: ServiceMonitor misspelled field", "templates/servicemonitor.yaml", "interval:", "intervall:", "decode", "monitoring-values.yaml", `unknown field "spec.endpoints[0].intervall"`},
	{"decode: PrometheusRule misspelled field", "templates/prometheusrule.yaml", "\nspec:", "\nspecs:", "decode", "monitoring-values.yaml", `unknown field "specs"`},
	{"pss: runAsNonRoot dropped", "templates/_helpers.tpl", "runAsNonRoot: true\n", "", "pss", "defaults-values.yaml", "runAsNonRoot != true"},
	{"pss: capabilities not dropped", "templates/_helpers.tpl", `drop: ["ALL"]`, `drop: ["NET_RAW"]`, "pss", "defaults-values.yaml", "unrestricted capabilities"},
	{"pss: privilege escalation allowed", "templates/_helpers.tpl", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "pss", "defaults-values.yaml", "allowPrivilegeEscalation != false"},
	{"pss: no seccomp profile", "templates/_helpers.tpl", "seccompProfile:\n  type: RuntimeDefault\n", "", "pss", "defaults-values.yaml", "seccompProfile"},
	{"contract: HPA without maxReplicas", "templates/hpa.yaml", "  maxReplicas: {{ .Values.autoscaling.maxReplicas }}\n", "", "contract", "defaults-values.yaml", "maxReplicas 0 missing"},
	{"contract: liveness probe on /", "templates/deployment.yaml", "livenessProbe:\n            httpGet:\n              path: /healthz", "livenessProbe:\n            httpGet:\n              path: /", "contract", "defaults-values.yaml", `liveness probe path "/"`},
	{"contract: no readiness probe", "templates/deployment.yaml", "          readinessProbe:\n            httpGet:\n              path: {{ $app.readinessPath }}\n              port: http\n            periodSeconds: 5\n            timeoutSeconds: 2\n            failureThreshold: 2\n", "", "contract", "defaults-values.yaml", `readiness probe path ""`},
	{"contract: rollout may drop capacity", "templates/deployment.yaml", "maxUnavailable: 0", "maxUnavailable: 1", "contract", "defaults-values.yaml", "maxUnavailable 0"},
	{"contract: grace shorter than shutdown", "templates/deployment.yaml", "add $app.preStopSleepSeconds $app.shutdownTimeoutSeconds 5", "$app.shutdownTimeoutSeconds", "contract", "defaults-values.yaml", "terminationGracePeriodSeconds must exceed"},
	{"contract: token mounted", "templates/deployment.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: true", "contract", "defaults-values.yaml", "automountServiceAccountToken is not false"},
	{"contract: Redis open to every pod", "templates/networkpolicy.yaml", "              app.kubernetes.io/component: app\n  egress: []", "              app.kubernetes.io/component: app\n        - namespaceSelector: {}\n  egress: []", "contract", "defaults-values.yaml", "Redis admits a source other than the app's pods"},
	{"contract: Redis' maxmemory at twice its limit", "templates/redis.yaml", `{{ include "giropops.redisMaxmemory" . | quote }}`, `{{ include "giropops.redisMaxmemory" . | int64 | mul 2 | quote }}`, "contract", "defaults-values.yaml", "--maxmemory 377487360 is not below the memory limit 256Mi"},
	{"contract: Redis without maxmemory", "templates/redis.yaml", "            - --maxmemory\n            - {{ include \"giropops.redisMaxmemory\" . | quote }}\n", "", "contract", "defaults-values.yaml", `--maxmemory "" is not a number of bytes`},
	{"contract: Redis evicts any key (the global list too)", "templates/redis.yaml", "volatile-ttl", "allkeys-lru", "contract", "defaults-values.yaml", `--maxmemory-policy "allkeys-lru", want volatile-ttl`},
	{"contract: HISTORY_KEY as a literal", "templates/deployment.yaml", "            - name: HISTORY_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: {{ include \"giropops.historyKeySecret\" . }}\n                  key: {{ include \"giropops.historyKeySecretKey\" . }}\n", "            - name: HISTORY_KEY\n              value: c2VjcmV0\n", "contract", "defaults-values.yaml", "HISTORY_KEY must come from a secretKeyRef"},
	{"contract: SESSION_KEY as a literal", "templates/deployment.yaml", "            - name: SESSION_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: {{ include \"giropops.sessionKeySecret\" . }}\n                  key: {{ include \"giropops.sessionKeySecretKey\" . }}\n", "            - name: SESSION_KEY\n              value: c2VjcmV0\n", "contract", "defaults-values.yaml", "SESSION_KEY must come from a secretKeyRef"},
	{"contract: Ingress routes /metrics", "ci/ingress-values.yaml", "        - path: /\n          pathType: Exact", "        - path: /\n          pathType: Prefix", "contract", "ingress-values.yaml", "path / routes /metrics"},
	{"contract: Ingress names /metrics", "ci/ingress-values.yaml", "        - path: /limpar\n", "        - path: /metrics\n", "contract", "ingress-values.yaml", "path /metrics routes /metrics"},
	{"contract: a 16-byte history key", "templates/secret.yaml", "randBytes 32", "randBytes 16", "contract", "defaults-values.yaml", "HISTORY_KEY is 24 characters, 16 bytes decoded"},
	{"contract: helm test gives up at the first refusal", "templates/tests/test-healthcheck.yaml", "restartPolicy: OnFailure", "restartPolicy: Never", "contract", "defaults-values.yaml", `restartPolicy "Never", want OnFailure`},
	{"contract: PrometheusRule not the tested file", "templates/prometheusrule.yaml", `.Files.Get "files/rules.yaml" | fromYaml | toYaml`, `.Files.Get "files/rules.yaml" | replace "> 0.05" "> 0.5" | fromYaml | toYaml`, "contract", "monitoring-values.yaml", "spec differs from"},
}

// TestBrokenChartsFail shows that every check above can fail: each case breaks a
// copy of the chart and requires its check to report the mistake.
func TestBrokenChartsFail(t *testing.T) {
	helm := tool(t, "HELM")
	seen := map[string]bool{}
	for _, bc := range brokenCharts {
		seen[bc.check] = true
		t.Run(bc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "giropops-senhas")
			copyTree(t, chart, dir)
			mutate(t, filepath.Join(dir, bc.file), bc.old, bc.new)
			values := filepath.Join(dir, "ci", bc.values)
			var got []string
			if bc.check == "lint" {
				out, err := lint(helm, dir, values)
				if err == nil {
					t.Fatalf("helm lint --strict passed:\n%s", out)
				}
				got = []string{err.Error()}
			} else {
				manifest, err := render(helm, dir, values)
				if err != nil {
					t.Fatal(err)
				}
				objs, err := decodeAll(manifest)
				switch {
				case bc.check == "decode":
					if err == nil {
						t.Fatal("strict decoding passed")
					}
					got = []string{err.Error()}
				case err != nil:
					t.Fatal(err)
				case bc.check == "pss":
					got, _, err = podSecurityViolations(objs)
					if err != nil {
						t.Fatal(err)
					}
				case bc.check == "contract":
					got = contractProblems(objs, dir)
				}
			}
			if len(got) == 0 {
				t.Fatalf("%s check found nothing", bc.check)
			}
			joined := strings.Join(got, "\n")
			if !strings.Contains(joined, bc.want) {
				t.Fatalf("%s check failed, but not with %q:\n%s", bc.check, bc.want, joined)
			}
			t.Logf("%s check fails as it should: %s", bc.check, firstMatch(got, bc.want))
		})
	}
	var checks []string
	for c := range seen {
		checks = append(checks, c)
	}
	sort.Strings(checks)
	if !reflect.DeepEqual(checks, []string{"contract", "decode", "lint", "pss"}) {
		t.Errorf("broken charts cover %v", checks)
	}
}

func firstMatch(lines []string, want string) string {
	for _, l := range lines {
		if strings.Contains(l, want) {
			for _, sub := range strings.Split(l, "\n") {
				if strings.Contains(sub, want) {
					return strings.TrimSpace(sub)
				}
			}
		}
	}
	return ""
}
