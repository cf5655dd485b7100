//go:build k8s

package k8s

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/test/k8s/loadgen"
)

// The release under load and under failures: upgrade, pods deleted, Redis down, the HPA.

// historyKey reads the history key's Secret, which the install made (32 random bytes,
// base64) and the upgrade must keep (lookup), or every history sealed before it would be
// unreadable.
func (c *cluster) historyKey() (string, error) {
	out, err := c.kubectl("get", "secret", "-n", ns, c.svc+"-history-key", "-o", "jsonpath={.data.history-key}")
	if err != nil {
		return "", err
	}
	key, err := base64.StdEncoding.DecodeString(out)
	return string(key), err
}

// ensureUpgraded upgrades the release under load, once, after noting the history key and
// sealing a password in a session.
func (c *cluster) ensureUpgraded(t *testing.T) {
	t.Helper()
	c.ensureInstalled(t)
	c.upgrade.run(t, "helm upgrade under load", func() (err error) {
		if c.keyBefore, err = c.historyKey(); err != nil {
			return err
		}
		c.upgradeSession = newSession()
		if c.upgradeSenha, err = c.upgradeSession.generate(c.url); err != nil {
			return fmt.Errorf("before the upgrade: %w", err)
		}
		c.podsBefore = c.names(t, "pods", "app")
		err = c.underLoad("helm-upgrade", 0, func() error {
			out, err := c.helm("upgrade", rel, c.chart, "--reuse-values", "--set", "app.logLevel=debug", "--wait", "--timeout", "4m")
			os.WriteFile(filepath.Join(c.out, "helm-upgrade.txt"), []byte(out), 0o644)
			return err
		})
		if err != nil {
			return err
		}
		// The old pods may still be draining (preStop + shutdown); they must be gone within a minute.
		err = poll(time.Minute, "the old app pods to go", func() error {
			now := c.names(t, "pods", "app")
			for _, p := range c.podsBefore {
				if slices.Contains(now, p) {
					return fmt.Errorf("pod %s is still there", p)
				}
			}
			c.podsAfter = now
			return nil
		})
		return err
	})
}

func TestHelmUpgradeUnderLoad(t *testing.T) {
	k.begin(t)
	k.ensureUpgraded(t)
	k.pass(t, "helm upgrade replaced every app pod (%s -> %s) under load with no request lost",
		strings.Join(k.podsBefore, " "), strings.Join(k.podsAfter, " "))
}

func TestHistoryKeyKeptAcrossUpgrade(t *testing.T) {
	k.begin(t)
	k.ensureUpgraded(t)
	if b, _ := base64.StdEncoding.DecodeString(k.keyBefore); len(b) != 32 || len(k.keyBefore) != 44 {
		t.Fatalf("Secret %s-history-key does not hold 32 bytes in 44 characters of base64: %d characters", k.svc, len(k.keyBefore))
	}
	key, err := k.historyKey()
	if err != nil {
		t.Fatal(err)
	}
	if key != k.keyBefore {
		t.Fatalf("helm upgrade changed the history key in Secret %s-history-key", k.svc)
	}
	if err := k.upgradeSession.remembers(k.url, k.upgradeSenha); err != nil {
		t.Fatalf("a password sealed before the upgrade, after it: %v", err)
	}
	k.pass(t, "helm upgrade kept the history key (Secret %s-history-key, 32 bytes) and the new pods read a history sealed before it", k.svc)
}

func TestAppPodDeletedUnderLoad(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	victim := k.names(t, "pods", "app")[0]
	err := k.underLoad("delete-app-pod", 1, func() error {
		if _, err := k.kubectl("delete", "pod", "-n", ns, victim); err != nil {
			return err
		}
		_, err := k.kubectl("rollout", "status", "-n", ns, "deploy/"+k.svc, "--timeout", "120s")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k.pass(t, "deleting an app pod (%s) under load lost no request (one client retry allowed)", victim)
}

// sealed generates a password in a new session and checks the history lists it.
func (c *cluster) sealed(t *testing.T) (*session, string) {
	t.Helper()
	s := newSession()
	senha, err := s.generate(c.url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.remembers(c.url, senha); err != nil {
		t.Fatal(err)
	}
	return s, senha
}

// TestRedisPodDeletedKeepsHistory: a password written in one session survives the Redis
// pod's deletion (AOF on the PersistentVolume).
func TestRedisPodDeletedKeepsHistory(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	s, senha := k.sealed(t)
	redis := k.names(t, "pods", "redis")[0]
	uid := k.kc(t, "get", "pod", "-n", ns, redis, "-o", "jsonpath={.metadata.uid}")
	time.Sleep(2 * time.Second) // appendfsync everysec
	k.kc(t, "delete", "pod", "-n", ns, redis)
	eventually(t, 2*time.Minute, "a new Redis pod", func() error {
		if now, _ := k.kubectl("get", "pod", "-n", ns, redis, "-o", "jsonpath={.metadata.uid}"); now == "" || now == uid {
			return fmt.Errorf("pod uid %q", now)
		}
		return nil
	})
	k.kc(t, "wait", "-n", ns, "--for=condition=Ready", "pod/"+redis, "--timeout", "120s")
	eventually(t, time.Minute, "the history back", func() error { return s.remembers(k.url, senha) })
	pv := k.kc(t, "get", "pvc", "-n", ns, "-o", "jsonpath={.items[0].spec.volumeName}")
	k.pass(t, "deleting the Redis pod lost no history (PersistentVolume %s, AOF)", pv)
}

// TestRedisScaledToZero: with Redis down the app pods stay Ready (readiness is /healthz by
// default) and keep generating; the history answers 503 with its message; when Redis is
// back, so is the history.
func TestRedisScaledToZero(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	s, senha := k.sealed(t)
	time.Sleep(2 * time.Second) // appendfsync everysec
	sts := k.names(t, "sts", "redis")[0]
	redis := k.names(t, "pods", "redis")[0]
	k.kc(t, "scale", "-n", ns, "sts/"+sts, "--replicas", "0")
	t.Cleanup(func() { k.kubectl("scale", "-n", ns, "sts/"+sts, "--replicas", "1") })
	k.kc(t, "wait", "-n", ns, "--for=delete", "pod/"+redis, "--timeout", "120s")
	time.Sleep(12 * time.Second) // two readiness periods: a probe that followed Redis would have failed by now
	ready := k.kc(t, "get", "pods", "-n", ns, "-l", selector("app"),
		"-o", `jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}`)
	if !strings.Contains(ready, "True") || strings.Contains(ready, "False") {
		t.Fatalf("with Redis down the app pods are not all Ready: %s", ready)
	}
	for i := range 20 {
		if _, err := newSession().generate(k.url); err != nil {
			t.Fatalf("with Redis down, generation %d of 20: %v", i+1, err)
		}
	}
	code, body, err := s.get(k.url + "/api/senhas")
	os.WriteFile(filepath.Join(k.out, "history-redis-down.json"), []byte(body), 0o644)
	if err != nil || code != 503 || !strings.Contains(body, `"erro"`) {
		t.Fatalf("with Redis down GET /api/senhas answered %d %s (%v)", code, body, err)
	}
	k.kc(t, "scale", "-n", ns, "sts/"+sts, "--replicas", "1")
	eventually(t, 2*time.Minute, "the history back after Redis", func() error { return s.remembers(k.url, senha) })
	k.pass(t, "Redis scaled to 0: app pods stay Ready (%s), 20/20 generations answered, the history answered 503 (%s); back with Redis, history intact",
		strings.TrimSpace(ready), strings.TrimSpace(body))
}

// TestMetricsServer: metrics-server (built from the proxy, deployed by up.sh) serves the
// pods' metrics the HPA reads.
func TestMetricsServer(t *testing.T) {
	k.begin(t)
	k.ensureInstalled(t)
	var top string
	eventually(t, 2*time.Minute, "metrics-server's pod metrics", func() (err error) {
		top, err = k.kubectl("top", "pods", "-n", ns, "--no-headers")
		if err == nil && strings.TrimSpace(top) == "" {
			err = fmt.Errorf("no pod metrics yet")
		}
		return err
	})
	var pods []string
	for line := range strings.Lines(top) {
		if f := strings.Fields(line); len(f) > 1 {
			pods = append(pods, f[0]+"="+f[1])
		}
	}
	k.pass(t, "metrics-server serves pod metrics: %s", strings.Join(pods, " "))
}

// hpaReplicas reads the HPA's current and desired replicas.
func (c *cluster) hpaReplicas() (current, desired int, err error) {
	out, err := c.kubectl("get", "hpa", "-n", ns, c.svc, "-o", "jsonpath={.status.currentReplicas}/{.status.desiredReplicas}")
	if err != nil {
		return 0, 0, err
	}
	cur, des, _ := strings.Cut(out, "/")
	current, _ = strconv.Atoi(cur)
	desired, _ = strconv.Atoi(des)
	return current, desired, nil
}

// ensureScaledOut loads the app (16 clients, 600 requests a second) until the HPA scales
// out, once, and keeps the load 15 s longer.
func (c *cluster) ensureScaledOut(t *testing.T) {
	t.Helper()
	c.ensureInstalled(t)
	c.hpaOut.run(t, "the HPA scaling out", func() error {
		err := poll(2*time.Minute, "metrics-server's pod metrics", func() error {
			_, err := c.kubectl("top", "pods", "-n", ns, "--no-headers")
			return err
		})
		if err != nil {
			return err
		}
		err = poll(90*time.Second, "the HPA to read CPU", func() error {
			out, err := c.kubectl("get", "hpa", "-n", ns, c.svc, "-o", "jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}")
			if err == nil && out == "" {
				err = fmt.Errorf("no CPU utilization yet")
			}
			return err
		})
		if err != nil {
			return err
		}
		// The chart keeps Kubernetes' default 5-minute scale-down window; shorten it for the test.
		if _, err := c.kubectl("patch", "hpa", "-n", ns, c.svc, "--type", "merge", "-p",
			`{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":10}}}}`); err != nil {
			return err
		}
		t0 := time.Now()
		stop := c.load("hpa", loadgen.Config{Clients: 16, Rate: 600, Retries: 1})
		err = poll(4*time.Minute, "the HPA to scale out", func() error {
			if cur, _, err := c.hpaReplicas(); err != nil || cur <= 2 {
				return fmt.Errorf("current replicas %d (%v)", cur, err)
			}
			return nil
		})
		outAt := since(t0)
		if err == nil {
			time.Sleep(15 * time.Second)
		}
		cur, des, _ := c.hpaReplicas()
		r := stop()
		if err != nil {
			describe, _ := c.kubectl("describe", "hpa", "-n", ns, c.svc)
			return fmt.Errorf("%w\n%s", err, describe)
		}
		c.hpaPeak = fmt.Sprintf("after %s, replicas %d/%d current/desired", outAt, cur, des)
		c.figure("hpa: scaled out after %s to %d/%d (current/desired) under %s", outAt, cur, des, r)
		return nil
	})
}

func TestHPAScalesOut(t *testing.T) {
	k.begin(t)
	k.ensureScaledOut(t)
	k.pass(t, "the HPA scaled out under load (%s)", k.hpaPeak)
}

func TestHPAScalesIn(t *testing.T) {
	k.begin(t)
	k.ensureScaledOut(t)
	t0 := time.Now()
	err := poll(5*time.Minute, "the HPA to scale back in", func() error {
		if cur, des, err := k.hpaReplicas(); err != nil || cur != 2 || des != 2 {
			return fmt.Errorf("replicas %d/%d (%v)", cur, des, err)
		}
		return nil
	})
	if err != nil {
		describe, _ := k.kubectl("describe", "hpa", "-n", ns, k.svc)
		t.Fatalf("%v\n%s", err, describe)
	}
	k.figure("hpa: back to 2 replicas %s after the load stopped", since(t0))
	k.pass(t, "the HPA scaled back in to minReplicas=2")
}
