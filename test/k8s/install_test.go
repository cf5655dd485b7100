//go:build k8s

package k8s

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// The chart: the images imported, helm install and test, the app through its Service
// from a pod and through a port-forward from the host.

// ensureImages imports the app's OCI layout (by its index digest) and the Redis image
// into the node's containerd, never pulled, once.
func (c *cluster) ensureImages(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat(filepath.Join(c.imageOCI, "index.json")); c.imageOCI == "" || err != nil {
		missing = append(missing, "the app's OCI layout (IMAGE_OCI, make image-oci)")
	}
	digest, err := os.ReadFile(c.imageDigest)
	if err != nil {
		missing = append(missing, "the app's digest (IMAGE_DIGEST, make image-oci)")
	}
	if c.redisImg == "" || exec.Command("docker", "image", "inspect", c.redisImg).Run() != nil {
		missing = append(missing, "the Redis image in Docker (REDIS_IMAGE, make redis-image)")
	}
	if _, err := os.Stat(filepath.Join(c.chart, "Chart.yaml")); c.chart == "" || err != nil {
		missing = append(missing, "the chart (CHART)")
	}
	if c.helmBin == "" {
		missing = append(missing, "helm (HELM)")
	}
	if len(missing) > 0 {
		testenv.Missing(t, "missing: %s", strings.Join(missing, ", "))
	}
	c.images.run(t, "importing the images", func() error {
		c.digest = strings.TrimSpace(string(digest))
		c.appImage = rel + "@" + c.digest
		ctr := func(args ...string) error {
			_, err := c.command("", "ctr", append([]string{"--address", c.env["CTRD_SOCK"], "-n", "k8s.io"}, args...)...)
			return err
		}
		// The layout's index names the image index by tag: --base-name makes it
		// giropops-senhas:<tag>, --digests adds giropops-senhas@sha256:..., the name the
		// kubelet looks a digest reference up by.
		appTar, redisTar := filepath.Join(c.out, "app-oci.tar"), filepath.Join(c.out, "redis.tar")
		defer os.Remove(appTar)
		defer os.Remove(redisTar)
		if _, err := c.command("", "tar", "-C", c.imageOCI, "-cf", appTar, "."); err != nil {
			return err
		}
		if err := ctr("images", "import", "--base-name", "docker.io/library/"+rel, "--digests", appTar); err != nil {
			return err
		}
		if _, err := c.command("", "docker", "save", c.redisImg, "-o", redisTar); err != nil {
			return err
		}
		return ctr("images", "import", redisTar)
	})
}

func TestImagesImported(t *testing.T) {
	k.begin(t)
	k.ensureImages(t)
	out, err := k.command("", "ctr", "--address", k.env["CTRD_SOCK"], "-n", "k8s.io", "images", "ls")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		found = found || len(f) > 2 && strings.HasPrefix(f[0], "docker.io/library/"+rel+":") && f[2] == k.digest
	}
	if !found {
		t.Fatalf("the app image is not in containerd as %s:\n%s", k.digest, out)
	}
	k.pass(t, "images imported: %s, %s, %s", k.appImage, k.redisImg, k.env["PAUSE_IMAGE"])
}

// ensureInstalled installs the chart by digest in a fresh namespace, once, and waits until
// its Service answers the host.
func (c *cluster) ensureInstalled(t *testing.T) {
	t.Helper()
	c.ensureNamespace(t)
	c.ensureImages(t)
	c.install.run(t, "helm install", func() error {
		// Redis' volume: a pre-created local PersistentVolume in K8S_DIR (no provisioner needed).
		pv := filepath.Join(c.env["K8S_DIR"], "pv", "redis")
		if err := os.MkdirAll(pv, 0o755); err != nil {
			return err
		}
		if _, err := c.apply("apply", fmt.Sprintf(storage, pv, c.env["NODE_NAME"])); err != nil {
			return err
		}
		podCIDR := c.env["POD_CIDR"]
		gateway := podCIDR[:strings.LastIndex(podCIDR, ".")] + ".1"
		values := filepath.Join(c.out, "values.yaml")
		if err := os.WriteFile(values, fmt.Appendf(nil, valuesYAML, c.digest, c.env["NODE_IP"], gateway), 0o644); err != nil {
			return err
		}
		t0 := time.Now()
		out, err := c.helm("install", rel, c.chart, "-f", values, "--wait", "--timeout", "4m")
		os.WriteFile(filepath.Join(c.out, "helm-install.txt"), []byte(out), 0o644)
		if err != nil {
			return err
		}
		c.figure("helm install --wait: %s", since(t0))
		if _, err := c.kubectl("wait", "-n", ns, "--for=condition=Ready", "pod", "-l", "app.kubernetes.io/instance="+rel, "--timeout", "120s"); err != nil {
			return err
		}
		svc, err := c.kubectl("get", "svc", "-n", ns, "-l", selector("app"), "-o", "jsonpath={.items[0].metadata.name}")
		if err != nil {
			return err
		}
		ip, err := c.kubectl("get", "svc", "-n", ns, svc, "-o", "jsonpath={.spec.clusterIP}")
		if err != nil {
			return err
		}
		c.svc, c.url = svc, "http://"+ip+":5000"
		// Ready pods reach kube-proxy's rules a moment later: wait until the Service
		// answers the host (load goes through its cluster IP).
		return poll(30*time.Second, "the Service's endpoints from the host", func() error {
			_, err := newSession().ok(c.url + "/healthz")
			return err
		})
	})
}

// storage is the StorageClass and PersistentVolume of Redis' data (path, node).
const storage = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: giropops-local}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: giropops-redis-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: giropops-local
  local: {path: "%s"}
  nodeAffinity:
    required:
      nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]}]
`

// valuesYAML are the test's chart values (digest, node IP, pod network's gateway). Redis
// gets a small memory limit, so that the flood reaches its maxmemory
// ((48Mi - 16Mi) * 3/4 = 24Mi) in well under a minute. The test's client pods and the
// host (load through the cluster IP) may reach the app.
const valuesYAML = `image: {repository: giropops-senhas, digest: "%s"}
redis:
  persistence: {storageClassName: giropops-local, size: 1Gi}
  resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 500m, memory: 48Mi}}
networkPolicy:
  extraFrom:
  - podSelector: {matchLabels: {giropops.test/client: "true"}}
  - ipBlock: {cidr: %s/32}
  - ipBlock: {cidr: %s/32}
`

func TestHelmInstall(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	pods := k.kc(t, "get", "pods", "-n", ns, "-l", "app.kubernetes.io/instance="+rel, "-o", "name")
	k.pass(t, "helm install: every pod admitted under restricted and Ready: %s", strings.Join(strings.Fields(pods), " "))
}

// TestHelmTest runs the chart's test pod, which restarts until kube-router lets it in
// (restartPolicy OnFailure: new pods are refused for a few seconds).
func TestHelmTest(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	out, err := k.helm("test", rel, "--timeout", "2m")
	os.WriteFile(filepath.Join(k.out, "helm-test.txt"), []byte(out), 0o644)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	k.pass(t, "helm test")
}

// TestPageThroughService and TestAPIThroughFullDNSName run our image's healthcheck
// subcommand (no curl in it) in another pod.
func TestPageThroughService(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	k.allowed(t, pod{Name: "client-page", Image: k.appImage, User: 65532, NonRoot: true,
		Args: []string{"healthcheck", "http://" + k.svc + ":5000/"}})
	k.pass(t, "the page answers 200 through the Service from another pod")
}

func TestAPIThroughFullDNSName(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	k.allowed(t, pod{Name: "client-api", Image: k.appImage, User: 65532, NonRoot: true,
		Args: []string{"healthcheck", "http://" + k.svc + "." + ns + ".svc.cluster.local:5000/api/senhas"}})
	k.pass(t, "the API answers 200 through the Service's full DNS name from another pod")
}

// TestAppImageAsRootRejected: the same pod as the chart's, but forced to root.
func TestAppImageAsRootRejected(t *testing.T) {
	k.begin(t)
	k.ensureNamespace(t)
	k.ensureImages(t)
	why := k.rejected(t, pod{Name: "app-as-root", Image: k.appImage, User: 0, NonRoot: false})
	k.pass(t, "the API server rejects the app image as root: %s", why[:min(len(why), 90)])
}

// portForward runs kubectl port-forward to the app's Service until the test ends and
// returns the local base URL.
func (c *cluster) portForward(t *testing.T) string {
	t.Helper()
	var out testenv.Buffer
	cmd := exec.Command(filepath.Join(c.bin, "kubectl"), "port-forward", "-n", ns, "svc/"+c.svc, ":5000", "--address", "127.0.0.1")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.env["KUBECONFIG"])
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.WriteFile(filepath.Join(c.out, "port-forward-"+t.Name()+".txt"), []byte(out.String()), 0o644)
	})
	forwarding := regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+)`)
	var port string
	eventually(t, 20*time.Second, "port-forward", func() error {
		if m := forwarding.FindStringSubmatch(out.String()); m != nil {
			port = m[1]
			return nil
		}
		return fmt.Errorf("kubectl port-forward said %q", out.String())
	})
	return "http://127.0.0.1:" + port
}

func TestPortForwardPage(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	if _, err := newSession().ok(k.portForward(t) + "/"); err != nil {
		t.Fatal(err)
	}
	k.pass(t, "the page answers through a port-forward from the host")
}

func TestPortForwardPost(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	if _, err := newSession().generate(k.portForward(t)); err != nil {
		t.Fatal(err)
	}
	k.pass(t, "POST /api/gerar-senha answers a password through the port-forward")
}
