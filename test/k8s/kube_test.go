//go:build k8s

package k8s

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/k8s/loadgen"
)

// command runs a program with the cluster's KUBECONFIG and stdin; it returns stdout, or
// an error that carries stderr.
func (c *cluster) command(stdin, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.env["KUBECONFIG"])
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// kubectl runs kubectl.
func (c *cluster) kubectl(args ...string) (string, error) {
	return c.command("", filepath.Join(c.bin, "kubectl"), args...)
}

// apply hands a manifest to kubectl apply (or create: verb).
func (c *cluster) apply(verb, manifest string) (string, error) {
	return c.command(manifest, filepath.Join(c.bin, "kubectl"), verb, "-f", "-")
}

// kc runs kubectl and fails t if it fails.
func (c *cluster) kc(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.kubectl(args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// helm runs helm in the test's namespace.
func (c *cluster) helm(args ...string) (string, error) {
	return c.command("", c.helmBin, append([]string{"--kubeconfig", c.env["KUBECONFIG"], "-n", ns}, args...)...)
}

// selector selects the release's pods of one component (app, redis).
func selector(component string) string {
	return "app.kubernetes.io/instance=" + rel + ",app.kubernetes.io/component=" + component
}

// names lists the names of the namespace's objects of a kind with a component's labels.
func (c *cluster) names(t *testing.T, kind, component string) []string {
	t.Helper()
	return strings.Fields(c.kc(t, "get", kind, "-n", ns, "-l", selector(component), "-o", "jsonpath={.items[*].metadata.name}"))
}

// poll calls f every half second until it succeeds or timeout passes.
func poll(timeout time.Duration, what string, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// eventually is poll that fails t.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	if err := poll(timeout, what, f); err != nil {
		t.Fatal(err)
	}
}

// pod is a one-container pod that meets Pod Security "restricted" when NonRoot is true
// and User is not 0.
type pod struct {
	Name, Image string
	User        int
	NonRoot     bool
	Labels      map[string]string // default: giropops.test/client=true
	Command     []string
	Args        []string
	Restart     string // default Never
}

// client labels a pod as one of the app's allowed peers (networkPolicy.extraFrom) or not.
func client(v string) map[string]string { return map[string]string{"giropops.test/client": v} }

func (p pod) manifest() string {
	labels, restart := p.Labels, p.Restart
	if labels == nil {
		labels = client("true")
	}
	if restart == "" {
		restart = "Never"
	}
	m := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": p.Name, "namespace": ns, "labels": labels},
		"spec": map[string]any{
			"restartPolicy":                restart,
			"automountServiceAccountToken": false,
			"securityContext": map[string]any{"runAsNonRoot": p.NonRoot, "runAsUser": p.User, "runAsGroup": p.User,
				"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
			"containers": []any{map[string]any{
				"name": "main", "image": p.Image, "imagePullPolicy": "Never", "command": p.Command, "args": p.Args,
				"securityContext": map[string]any{"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
					"capabilities": map[string]any{"drop": []string{"ALL"}}},
			}},
		},
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// runPod runs a one-shot pod to its end and returns its phase and output.
func (c *cluster) runPod(t *testing.T, p pod) (phase, output string) {
	t.Helper()
	c.kc(t, "delete", "pod", "-n", ns, p.Name, "--ignore-not-found")
	if _, err := c.apply("apply", p.manifest()); err != nil {
		t.Fatal(err)
	}
	defer c.kubectl("delete", "pod", "-n", ns, p.Name, "--wait=false")
	poll(90*time.Second, "pod "+p.Name+" to end", func() error {
		phase, _ = c.kubectl("get", "pod", "-n", ns, p.Name, "-o", "jsonpath={.status.phase}")
		if phase == "Succeeded" || phase == "Failed" {
			return nil
		}
		return fmt.Errorf("phase %q", phase)
	})
	output, err := c.kubectl("logs", "-n", ns, p.Name)
	if err != nil {
		output += err.Error()
	}
	return phase, output
}

// allowed runs a pod that must succeed. A new pod's address reaches the NetworkPolicy
// controller's (kube-router's) ipsets some seconds after its container starts, so the
// container may fail first: it restarts in the same pod (same address) until it succeeds.
func (c *cluster) allowed(t *testing.T, p pod) {
	t.Helper()
	p.Restart = "OnFailure"
	if phase, out := c.runPod(t, p); phase != "Succeeded" {
		t.Fatalf("pod %s (%s %s): phase %q: %s", p.Name, strings.Join(p.Command, " "), strings.Join(p.Args, " "), phase, out)
	}
}

// refused runs a pod that must fail with a refused connection (kube-router REJECTs); it
// returns the refusal.
func (c *cluster) refused(t *testing.T, p pod) string {
	t.Helper()
	phase, out := c.runPod(t, p)
	i := strings.Index(strings.ToLower(out), "connection refused")
	if phase != "Failed" || i < 0 {
		t.Fatalf("pod %s was not refused: phase %q: %s", p.Name, phase, out)
	}
	return out[max(0, strings.LastIndex(out[:i], "connect: ")) : i+len("connection refused")]
}

// rejected creates a pod that the API server must refuse under "restricted"; it returns
// the reason.
func (c *cluster) rejected(t *testing.T, p pod) string {
	t.Helper()
	_, err := c.apply("create", p.manifest())
	if err == nil {
		c.kubectl("delete", "pod", "-n", ns, p.Name, "--wait=false")
		t.Fatalf("pod %s (runAsUser=%d runAsNonRoot=%t) was admitted under restricted", p.Name, p.User, p.NonRoot)
	}
	msg := err.Error()
	i := strings.Index(msg, `violates PodSecurity "restricted`)
	if i < 0 {
		t.Fatalf("unexpected rejection: %v", err)
	}
	return msg[i:min(len(msg), i+110)]
}

// session is a browser: a cookie jar, and a new connection for every request (a Service
// that comes up may answer a reused connection from the sandbox's interceptor).
type session struct{ *http.Client }

func newSession() *session {
	jar, _ := cookiejar.New(nil)
	return &session{&http.Client{Jar: jar, Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
}

// get returns a page's status and body.
func (s *session) get(url string) (int, string, error) {
	resp, err := s.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// ok gets a page that must answer 200.
func (s *session) ok(url string) (string, error) {
	code, body, err := s.get(url)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", url, code, body)
	}
	return body, err
}

// generate asks base for a password.
func (s *session) generate(base string) (string, error) {
	resp, err := s.Post(base+"/api/gerar-senha", "application/json", strings.NewReader("{}"))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var got struct{ Senha string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK || got.Senha == "" {
		return "", fmt.Errorf("POST %s/api/gerar-senha: %s, %v", base, resp.Status, err)
	}
	return got.Senha, nil
}

// remembers checks that the session's history lists a password.
func (s *session) remembers(base, senha string) error {
	body, err := s.ok(base + "/api/senhas")
	if err == nil && !strings.Contains(body, `"`+senha+`"`) {
		err = fmt.Errorf("%s is not in the history: %s", senha, body)
	}
	return err
}

// load runs loadgen against the Service until stop is called, which returns its report
// and keeps it as load-NAME.txt.
func (c *cluster) load(name string, cfg loadgen.Config) (stop func() loadgen.Report) {
	cfg.URL = c.url
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	done := make(chan loadgen.Report, 1)
	go func() { done <- loadgen.Run(ctx, cfg) }()
	return func() loadgen.Report {
		cancel()
		r := <-done
		text := r.String() + "\n"
		for _, s := range r.Samples {
			text += "  lost: " + s + "\n"
		}
		os.WriteFile(filepath.Join(c.out, "load-"+name+".txt"), []byte(text), 0o644)
		return r
	}
}

// underLoad runs action while 8 clients send 200 requests a second, starting 3 s before
// it and stopping 5 s after; any request lost (after retries) is an error.
func (c *cluster) underLoad(name string, retries int, action func() error) error {
	stop := c.load(name, loadgen.Config{Clients: 8, Rate: 200, Retries: retries})
	time.Sleep(3 * time.Second)
	err := action()
	time.Sleep(5 * time.Second)
	r := stop()
	c.figure("%s: %s", name, r)
	if err != nil {
		return err
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
