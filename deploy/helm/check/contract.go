package check

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

// contractProblems checks what the API types cannot: the promises the chart makes
// in docs/kubernetes.md (probes, rollout, grace period, autoscaling bounds, network
// isolation, Redis' maxmemory and eviction policy, the history key, the alert rules
// being the tested file). chart is the chart directory.
func contractProblems(objs []object, chart string) []string {
	var p problems
	var deployments, hpas int
	secrets := map[string]*corev1.Secret{}
	for _, o := range objs {
		if s, ok := o.obj.(*corev1.Secret); ok {
			secrets[s.Name] = s
		}
	}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			deployments++
			checkDeployment(&p, v)
			checkKey(&p, v, secrets, "HISTORY_KEY")
			checkKey(&p, v, secrets, "SESSION_KEY")
		case *appsv1.StatefulSet:
			checkRedis(&p, v)
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas++
			checkHPA(&p, v)
		case *policyv1.PodDisruptionBudget:
			if v.Spec.MaxUnavailable == nil && v.Spec.MinAvailable == nil {
				p.add("PodDisruptionBudget %s: neither maxUnavailable nor minAvailable", v.Name)
			}
		case *corev1.Service:
			checkService(&p, v)
		case *corev1.ServiceAccount:
			if v.AutomountServiceAccountToken == nil || *v.AutomountServiceAccountToken {
				p.add("ServiceAccount %s: automountServiceAccountToken is not false", v.Name)
			}
		case *networkingv1.NetworkPolicy:
			checkNetworkPolicy(&p, v)
		case *networkingv1.Ingress:
			checkIngress(&p, v)
		case *corev1.Pod:
			checkTestPod(&p, v)
		case *monitoringv1.ServiceMonitor:
			checkServiceMonitor(&p, v)
		case *monitoringv1.PrometheusRule:
			checkRules(&p, v, filepath.Join(chart, "files", "rules.yaml"))
		}
	}
	if deployments != 1 {
		p.add("want 1 Deployment, got %d", deployments)
	}
	if hpas > 1 {
		p.add("want at most 1 HorizontalPodAutoscaler, got %d", hpas)
	}
	return p
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func env(c corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

func httpPath(pr *corev1.Probe) string {
	if pr == nil || pr.HTTPGet == nil {
		return ""
	}
	return pr.HTTPGet.Path
}

func checkDeployment(p *problems, d *appsv1.Deployment) {
	name := "Deployment " + d.Name
	s := d.Spec.Strategy
	if s.Type != appsv1.RollingUpdateDeploymentStrategyType || s.RollingUpdate == nil ||
		s.RollingUpdate.MaxUnavailable == nil || s.RollingUpdate.MaxUnavailable.String() != "0" {
		p.add("%s: want a RollingUpdate with maxUnavailable 0", name)
	}
	pod := d.Spec.Template.Spec
	checkPodBasics(p, name, pod)
	if len(pod.TopologySpreadConstraints) == 0 {
		p.add("%s: no topologySpreadConstraints", name)
	}
	if len(pod.Containers) != 1 {
		p.add("%s: want one container, got %d", name, len(pod.Containers))
		return
	}
	c := pod.Containers[0]
	if got := httpPath(c.LivenessProbe); got != "/healthz" {
		p.add("%s: liveness probe path %q, want /healthz", name, got)
	}
	if got := httpPath(c.ReadinessProbe); got != "/healthz" && got != "/readyz" {
		p.add("%s: readiness probe path %q, want /healthz or /readyz", name, got)
	}
	if got := httpPath(c.StartupProbe); got != "/healthz" {
		p.add("%s: startup probe path %q, want /healthz", name, got)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 5000 || c.Ports[0].Name != "http" {
		p.add("%s: want one container port http/5000", name)
	}
	checkResources(p, name, c)
	for _, want := range []string{"PORT", "REDIS_HOST", "REDIS_PORT", "HISTORY_SIZE", "HISTORY_SCOPE", "SHUTDOWN_TIMEOUT",
		"HISTORY_KEY", "SESSION_KEY", "COOKIE_SECURE", "HISTORY_ALLOW_CLEAR_GLOBAL"} {
		if _, ok := env(c, want); !ok {
			p.add("%s: env %s missing", name, want)
		}
	}
	if e, _ := env(c, "PORT"); e.Value != "5000" {
		p.add("%s: PORT=%q, want 5000", name, e.Value)
	}
	for _, secret := range []string{"REDIS_PASSWORD", "HISTORY_KEY", "SESSION_KEY"} {
		if e, ok := env(c, secret); ok && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			p.add("%s: %s must come from a secretKeyRef, never a literal", name, secret)
		}
	}
	if e, _ := env(c, "COOKIE_SECURE"); e.Value != "always" && e.Value != "auto" && e.Value != "never" {
		p.add("%s: COOKIE_SECURE=%q, want always, auto or never", name, e.Value)
	}
	if e, _ := env(c, "HISTORY_ALLOW_CLEAR_GLOBAL"); e.Value != "true" && e.Value != "false" {
		p.add("%s: HISTORY_ALLOW_CLEAR_GLOBAL=%q, want true or false", name, e.Value)
	}
	// The kubelet waits for preStop, then SIGTERM starts the app's SHUTDOWN_TIMEOUT:
	// the grace period has to cover both or the pod is killed mid-drain.
	var sleep int64
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		p.add("%s: no preStop sleep (endpoints would still route to a terminating pod)", name)
	} else {
		sleep = c.Lifecycle.PreStop.Sleep.Seconds
	}
	e, _ := env(c, "SHUTDOWN_TIMEOUT")
	shutdown, err := time.ParseDuration(e.Value)
	if err != nil {
		p.add("%s: SHUTDOWN_TIMEOUT=%q: %v", name, e.Value, err)
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= time.Duration(sleep)*time.Second+shutdown {
		p.add("%s: terminationGracePeriodSeconds must exceed preStop sleep (%ds) + SHUTDOWN_TIMEOUT (%s)", name, sleep, shutdown)
	}
}

// checkPodBasics: what every pod of the chart shares.
func checkPodBasics(p *problems, name string, pod corev1.PodSpec) {
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		p.add("%s: automountServiceAccountToken is not false", name)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser != 65532 {
		p.add("%s: pod does not run as UID 65532", name)
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			p.add("%s: container %s: root filesystem is not read-only", name, c.Name)
		}
	}
}

func checkResources(p *problems, name string, c corev1.Container) {
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			p.add("%s: container %s: no %s request", name, c.Name, r)
		}
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		p.add("%s: container %s: no memory limit", name, c.Name)
	}
}

func checkRedis(p *problems, s *appsv1.StatefulSet) {
	name := "StatefulSet " + s.Name
	pod := s.Spec.Template.Spec
	checkPodBasics(p, name, pod)
	if len(s.Spec.VolumeClaimTemplates) != 1 || s.Spec.VolumeClaimTemplates[0].Name != "data" {
		p.add("%s: want one volumeClaimTemplate named data", name)
	}
	for _, c := range pod.Containers {
		checkResources(p, name, c)
		if !strings.Contains(strings.Join(c.Args, " "), "--appendonly yes") {
			p.add("%s: container %s: AOF is off (no --appendonly yes)", name, c.Name)
		}
		mounted := false
		for _, m := range c.VolumeMounts {
			mounted = mounted || (m.Name == "data" && m.MountPath == "/data")
		}
		if !mounted {
			p.add("%s: container %s: the data volume is not mounted on /data", name, c.Name)
		}
		if c.ReadinessProbe == nil || c.LivenessProbe == nil {
			p.add("%s: container %s: needs liveness and readiness probes", name, c.Name)
		}
		checkMaxmemory(p, name, c)
	}
}

// checkMaxmemory: Redis evicts before its container's memory limit is reached, and
// evicts by TTL (unconfirmed sessions first, never the global list, which has none).
func checkMaxmemory(p *problems, name string, c corev1.Container) {
	mm, err := maxmemory(c)
	if err != nil {
		p.add("%s: container %s: %v", name, c.Name, err)
	} else if limit := c.Resources.Limits[corev1.ResourceMemory]; mm <= 0 || mm >= limit.Value() {
		p.add("%s: container %s: --maxmemory %d is not below the memory limit %s (%d bytes)", name, c.Name, mm, limit.String(), limit.Value())
	}
	if got := argAfter(c.Args, "--maxmemory-policy"); got != "volatile-ttl" {
		p.add("%s: container %s: --maxmemory-policy %q, want volatile-ttl", name, c.Name, got)
	}
}

// maxmemory is the --maxmemory argument of a Redis container, in bytes.
func maxmemory(c corev1.Container) (int64, error) {
	v := argAfter(c.Args, "--maxmemory")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--maxmemory %q is not a number of bytes", v)
	}
	return n, nil
}

// argAfter returns the argument that follows flag in args, or "".
func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// checkKey: the key (HISTORY_KEY, SESSION_KEY) comes from a Secret; when the chart
// renders that Secret, it holds 32 random bytes in standard base64 (44 characters), as
// the app requires.
func checkKey(p *problems, d *appsv1.Deployment, secrets map[string]*corev1.Secret, name string) {
	if len(d.Spec.Template.Spec.Containers) != 1 {
		return
	}
	e, _ := env(d.Spec.Template.Spec.Containers[0], name)
	if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		return // checkDeployment reports it
	}
	ref := e.ValueFrom.SecretKeyRef
	s, ok := secrets[ref.Name]
	if !ok {
		return // the user's existingSecret
	}
	v, ok := s.Data[ref.Key]
	if !ok {
		p.add("Secret %s: no key %q for %s", s.Name, ref.Key, name)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(string(v))
	if len(v) != 44 || err != nil || len(raw) != 32 {
		p.add("Secret %s: %s is %d characters, %d bytes decoded (err %v), want 44 characters of standard base64 for 32 bytes", s.Name, name, len(v), len(raw), err)
	}
}

func checkHPA(p *problems, h *autoscalingv2.HorizontalPodAutoscaler) {
	name := "HorizontalPodAutoscaler " + h.Name
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 {
		p.add("%s: minReplicas missing or below 1", name)
	}
	// maxReplicas is required: a missing one decodes as 0, which the API rejects.
	if h.Spec.MaxReplicas < 1 || (h.Spec.MinReplicas != nil && h.Spec.MaxReplicas < *h.Spec.MinReplicas) {
		p.add("%s: maxReplicas %d missing or below minReplicas", name, h.Spec.MaxReplicas)
	}
	if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.APIVersion != "apps/v1" {
		p.add("%s: scaleTargetRef is not an apps/v1 Deployment", name)
	}
	cpu := false
	for _, m := range h.Spec.Metrics {
		cpu = cpu || (m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil)
	}
	if !cpu {
		p.add("%s: no CPU utilization target", name)
	}
}

func checkService(p *problems, s *corev1.Service) {
	if s.Labels["app.kubernetes.io/component"] != "app" {
		return
	}
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != 5000 {
		p.add("Service %s: want one port, 5000", s.Name)
	}
}

// checkNetworkPolicy: the app's policy admits only port 5000 and limits egress;
// Redis' policy admits only the app's pods and allows no egress.
func checkNetworkPolicy(p *problems, np *networkingv1.NetworkPolicy) {
	name := "NetworkPolicy " + np.Name
	types := fmt.Sprint(np.Spec.PolicyTypes)
	if !strings.Contains(types, "Ingress") || !strings.Contains(types, "Egress") {
		p.add("%s: policyTypes %s, want Ingress and Egress", name, types)
	}
	component := np.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"]
	port := map[string]int32{"app": 5000, "redis": 6379}[component]
	if port == 0 {
		p.add("%s: selects no app or redis pods", name)
		return
	}
	for _, r := range np.Spec.Ingress {
		if len(r.From) == 0 {
			p.add("%s: an ingress rule admits every source", name)
		}
		if len(r.Ports) != 1 || r.Ports[0].Port == nil || r.Ports[0].Port.IntVal != port {
			p.add("%s: ingress must be limited to port %d", name, port)
		}
		if component == "redis" {
			for _, f := range r.From {
				if f.PodSelector == nil || f.PodSelector.MatchLabels["app.kubernetes.io/component"] != "app" || f.NamespaceSelector != nil || f.IPBlock != nil {
					p.add("%s: Redis admits a source other than the app's pods", name)
				}
			}
		}
	}
	if component == "redis" && len(np.Spec.Egress) != 0 {
		p.add("%s: Redis must have no egress", name)
	}
	if component == "app" {
		for _, r := range np.Spec.Egress {
			if len(r.Ports) == 0 {
				p.add("%s: an egress rule opens every port", name)
			}
		}
	}
}

func checkIngress(p *problems, in *networkingv1.Ingress) {
	if len(in.Spec.TLS) == 0 {
		p.add("Ingress %s: no TLS", in.Name)
	}
	for _, r := range in.Spec.Rules {
		for _, path := range r.HTTP.Paths {
			if b := path.Backend.Service; b == nil || b.Port.Name != "http" {
				p.add("Ingress %s: path %s does not go to the app's http port", in.Name, path.Path)
			}
			// Only Exact paths match exactly; Prefix and ImplementationSpecific
			// (a prefix for every common controller) match what they start.
			for _, internal := range []string{"/metrics", "/healthz", "/readyz"} {
				if exact := path.PathType != nil && *path.PathType == networkingv1.PathTypeExact; path.Path == internal ||
					!exact && (strings.TrimSuffix(path.Path, "/") == "" || strings.HasPrefix(internal, strings.TrimSuffix(path.Path, "/")+"/")) {
					p.add("Ingress %s: path %s routes %s, which stays inside the cluster", in.Name, path.Path, internal)
				}
			}
		}
	}
}

// checkTestPod: the `helm test` pod runs our image's healthcheck on the Service.
func checkTestPod(p *problems, pod *corev1.Pod) {
	name := "Pod " + pod.Name
	if pod.Annotations["helm.sh/hook"] != "test" {
		p.add("%s: not a helm test hook", name)
	}
	checkPodBasics(p, name, pod.Spec)
	// OnFailure: a connection refused before the NetworkPolicy controller knows the new
	// pod is retried from the same pod (a new pod would race the controller again).
	if pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		p.add("%s: restartPolicy %q, want OnFailure", name, pod.Spec.RestartPolicy)
	}
	if len(pod.Spec.Containers) != 1 {
		p.add("%s: want one container", name)
		return
	}
	args := pod.Spec.Containers[0].Args
	if len(args) != 2 || args[0] != "healthcheck" || !strings.HasSuffix(args[1], ":5000/healthz") {
		p.add("%s: args %q, want [healthcheck http://<service>:5000/healthz]", name, args)
	}
}

func checkServiceMonitor(p *problems, sm *monitoringv1.ServiceMonitor) {
	if sm.Spec.JobLabel != "app.kubernetes.io/part-of" {
		p.add("ServiceMonitor %s: jobLabel %q: the rules expect job=giropops-senhas from app.kubernetes.io/part-of", sm.Name, sm.Spec.JobLabel)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" {
		p.add("ServiceMonitor %s: want one endpoint, port http, path /metrics", sm.Name)
	}
}

// checkRules: the PrometheusRule carries exactly the rule file promtool tests, and
// that file decodes strictly into the operator's rule types.
func checkRules(p *problems, pr *monitoringv1.PrometheusRule, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		p.add("PrometheusRule %s: %v", pr.Name, err)
		return
	}
	var want monitoringv1.PrometheusRuleSpec
	if err := yaml.UnmarshalStrict(data, &want); err != nil {
		p.add("PrometheusRule %s: %s: %v", pr.Name, file, err)
		return
	}
	if !equality.Semantic.DeepEqual(want, pr.Spec) {
		p.add("PrometheusRule %s: spec differs from %s", pr.Name, file)
	}
	alerts := 0
	for _, g := range want.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				alerts++
			}
			if r.Expr.String() == "" {
				p.add("PrometheusRule %s: rule %q has no expr", pr.Name, r.Alert+r.Record)
			}
		}
	}
	if alerts == 0 {
		p.add("PrometheusRule %s: no alerts", pr.Name)
	}
}
