//go:build k8s

package k8s

import (
	"encoding/json"
	"strings"
	"testing"
)

// The NetworkPolicies, enforced by kube-router (up.sh). Every check before these ran under
// them (the test's client pods and the host are in networkPolicy.extraFrom); these check
// what they must refuse, each beside a control: the same pod and command work where allowed.

// TestNetworkPolicyAppIngress: the app's port 5000 only from the listed peers.
func TestNetworkPolicyAppIngress(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	url := "http://" + k.svc + ":5000/healthz"
	k.allowed(t, pod{Name: "np-client-app", Image: k.appImage, User: 65532, NonRoot: true, Args: []string{"healthcheck", url}})
	why := k.refused(t, pod{Name: "np-stranger-app", Image: k.appImage, User: 65532, NonRoot: true,
		Labels: client("stranger"), Args: []string{"healthcheck", url}})
	k.pass(t, "NetworkPolicy: a pod outside the app's peers is refused on 5000 (%s), a client-labelled one is served", why)
}

// TestNetworkPolicyRedisIngress: Redis' 6379 only from the app's pods.
func TestNetworkPolicyRedisIngress(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	redisSvc := k.names(t, "svc", "redis")[0]
	var appLabels map[string]string
	if err := json.Unmarshal([]byte(k.kc(t, "get", "deploy", "-n", ns, k.svc, "-o", "jsonpath={.spec.selector.matchLabels}")), &appLabels); err != nil {
		t.Fatal(err)
	}
	ping := []string{"-h", redisSvc, "ping"}
	cli := []string{"redis-cli"}
	k.refused(t, pod{Name: "np-client-redis", Image: k.redisImg, User: 999, NonRoot: true, Command: cli, Args: ping})
	k.allowed(t, pod{Name: "np-app-redis", Image: k.redisImg, User: 999, NonRoot: true, Labels: appLabels, Command: cli, Args: ping})
	k.pass(t, "NetworkPolicy: Redis answers a pod with the app's labels (redis-cli ping) and refuses a client-labelled one")
}

// TestNetworkPolicyAppEgress: the app may reach DNS and Redis only. A server no policy
// selects is reachable from a client pod but not from an app pod.
func TestNetworkPolicyAppEgress(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	// The app itself (no Redis: in-memory history), labelled neither as the app nor as a client.
	target := pod{Name: "np-target", Image: k.appImage, User: 65532, NonRoot: true, Labels: client("target")}
	k.kc(t, "delete", "pod", "-n", ns, target.Name, "--ignore-not-found")
	if _, err := k.apply("apply", target.manifest()); err != nil {
		t.Fatal(err)
	}
	defer k.kubectl("delete", "pod", "-n", ns, target.Name, "--wait=false")
	k.kc(t, "wait", "-n", ns, "--for=condition=Ready", "pod/"+target.Name, "--timeout", "60s")
	url := "http://" + k.kc(t, "get", "pod", "-n", ns, target.Name, "-o", "jsonpath={.status.podIP}") + ":5000/healthz"
	k.allowed(t, pod{Name: "np-client-target", Image: k.appImage, User: 65532, NonRoot: true, Args: []string{"healthcheck", url}})
	app := k.names(t, "pods", "app")[0]
	out, err := k.kubectl("exec", "-n", ns, app, "--", "/giropops-senhas", "healthcheck", url)
	if err == nil {
		t.Fatalf("app pod %s reached %s: its egress is not restricted", app, url)
	}
	if !strings.Contains(strings.ToLower(out+err.Error()), "connection refused") {
		t.Fatalf("app pod's egress failed, but not as refused: %s %v", out, err)
	}
	k.pass(t, "NetworkPolicy: an app pod cannot open a connection beyond DNS and Redis (refused to %s, which a client pod reaches)", url)
}
