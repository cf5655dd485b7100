//go:build k8s

package k8s

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The cluster alone: the node, DNS, and Pod Security "restricted" on the namespace.

func TestNodeReady(t *testing.T) {
	k.begin(t)
	version := k.env["K8S_VERSION"]
	if v := k.kc(t, "get", "--raw", "/version"); !strings.Contains(v, `"gitVersion": "`+version+`"`) {
		t.Fatalf("the API server is not %s: %s", version, v)
	}
	node := k.env["NODE_NAME"]
	k.kc(t, "wait", "--for=condition=Ready", "node/"+node, "--timeout", "60s")
	k.pass(t, "node %s Ready (%s)", node, version)
}

func TestCoreDNSReady(t *testing.T) {
	k.begin(t)
	k.kc(t, "rollout", "status", "-n", "kube-system", "deploy/coredns", "--timeout", "90s")
	k.pass(t, "CoreDNS Ready")
}

// ensureNamespace makes a fresh namespace with Pod Security "restricted" enforced, once.
// A rerun on a kept cluster starts from an empty namespace and Redis volume.
func (c *cluster) ensureNamespace(t *testing.T) {
	t.Helper()
	c.namespace.run(t, "a fresh namespace "+ns, func() error {
		for _, args := range [][]string{
			{"delete", "namespace", ns, "--ignore-not-found", "--timeout", "120s"},
			{"delete", "pv", "giropops-redis-data", "--ignore-not-found"},
			{"create", "namespace", ns},
			{"label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted",
				"pod-security.kubernetes.io/enforce-version=latest", "pod-security.kubernetes.io/warn=restricted"},
		} {
			if _, err := c.kubectl(args...); err != nil {
				return err
			}
		}
		return os.RemoveAll(filepath.Join(c.env["K8S_DIR"], "pv", "redis"))
	})
}

func TestRestrictedPodAdmitted(t *testing.T) {
	k.begin(t)
	k.ensureNamespace(t)
	p := pod{Name: "pause-probe", Image: k.env["PAUSE_IMAGE"], User: 65532, NonRoot: true, Labels: map[string]string{"probe": "true"}}
	if _, err := k.apply("apply", p.manifest()); err != nil {
		t.Fatal(err)
	}
	defer k.kubectl("delete", "pod", "-n", ns, p.Name, "--wait=false")
	k.kc(t, "wait", "-n", ns, "--for=condition=Ready", "pod/"+p.Name, "--timeout", "60s")
	ip := k.kc(t, "get", "pod", "-n", ns, p.Name, "-o", "jsonpath={.status.podIP}")
	k.pass(t, "a pod that meets 'restricted' is admitted and Ready (sandbox, CNI bridge, pod IP %s)", ip)
}

func TestRestrictedRejectsRoot(t *testing.T) {
	k.begin(t)
	k.ensureNamespace(t)
	for _, v := range []struct {
		name    string
		user    int
		nonRoot bool
	}{{"root", 0, false}, {"nonroot-false", 65532, false}} {
		t.Run(v.name, func(t *testing.T) {
			why := k.rejected(t, pod{Name: "reject-" + v.name, Image: k.env["PAUSE_IMAGE"], User: v.user, NonRoot: v.nonRoot})
			k.pass(t, "the API server rejects a pod with runAsUser=%d runAsNonRoot=%t: %s", v.user, v.nonRoot, why)
		})
	}
}

// since formats the seconds since t0, for figures.
func since(t0 time.Time) string { return fmt.Sprintf("%.0fs", time.Since(t0).Seconds()) }
