//go:build supply

package supply

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSignature signs our image with a key pair of its own (`make sign verify`) and
// shows that verification fails with the wrong key, for an image whose digest differs
// from the signed one, and for a signature copied from the signed digest to another.
// Without REGISTRY, make sign starts a local registry, which the test stops.
func TestSignature(t *testing.T) {
	tl := need(t)
	dir := t.TempDir()
	const password = "COSIGN_PASSWORD=test-only-password"

	// Two key pairs: the second one is "the wrong key".
	right, wrong := filepath.Join(dir, "right", "cosign"), filepath.Join(dir, "wrong", "cosign")
	var keyErr error
	for _, key := range []string{right, wrong} {
		if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
			t.Fatal(err)
		}
		out, code := run(t, filepath.Dir(key), []string{password}, tl.cosign, "generate-key-pair")
		for _, f := range []string{key + ".key", key + ".pub"} {
			if st, err := os.Stat(f); (err != nil || st.Size() == 0) && keyErr == nil {
				keyErr = fmt.Errorf("cosign generate-key-pair (exit %d) left no %s: %s", code, f, out)
			}
		}
	}
	step(t, "cosign generates test key pairs", keyErr)

	if os.Getenv("REGISTRY") == "" {
		t.Cleanup(func() {
			run(t, "", nil, "scripts/supply/registry.sh", "stop", filepath.Join(tl.supplyDir, "registry"))
		})
	}
	sign := exec.Command(tl.make, "--no-print-directory", "sign", "verify")
	sign.Dir = root
	sign.Env = append(os.Environ(), password, "COSIGN_KEY="+right+".key", "COSIGN_PUB="+right+".pub")
	sign.Stdout, sign.Stderr = t.Output(), t.Output()
	signErr := sign.Run()
	b, err := os.ReadFile(filepath.Join(tl.supplyDir, "ref"))
	ref := strings.TrimSpace(string(b))
	step(t, "make sign and make verify pass with the right key", errors.Join(signErr, err))
	repo, digest, _ := strings.Cut(ref, "@")
	rightEnv := []string{password, "COSIGN_PUB=" + right + ".pub"}

	// Each platform manifest was signed too (--recursive): a pull by platform digest verifies.
	t.Run("the arm64 manifest's own signature verifies", func(t *testing.T) {
		var index struct {
			Manifests []struct {
				Digest   string `json:"digest"`
				Platform struct {
					Architecture string `json:"architecture"`
				} `json:"platform"`
			} `json:"manifests"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "", nil, tl.crane, "manifest", ref)), &index); err != nil {
			t.Fatal(err)
		}
		platform := ""
		for _, m := range index.Manifests {
			if m.Platform.Architecture == "arm64" {
				platform = m.Digest
			}
		}
		if platform == "" {
			t.Fatalf("the index %s has no arm64 manifest", ref)
		}
		if out, code := run(t, "", nil, tl.cosign, "verify", "--key", right+".pub", "--insecure-ignore-tlog=true", repo+"@"+platform); code != 0 {
			t.Errorf("cosign verify %s@%s: exit %d: %s", repo, platform, code, lastLine(out))
		}
	})

	out, code := run(t, "", []string{password, "COSIGN_PUB=" + wrong + ".pub"}, "scripts/supply/verify.sh", ref)
	t.Log("verify.sh with the wrong key:", lastLine(out))
	t.Run("verify fails with the wrong key", func(t *testing.T) {
		if code <= 0 {
			t.Errorf("verify.sh %s with the wrong key: exit %d, want a failure:\n%s", ref, code, out)
		}
	})
	t.Run("verify with the wrong key names the signature as the failure", func(t *testing.T) {
		if !regexp.MustCompile(`signature of .* does not verify`).MatchString(out) {
			t.Errorf("verify.sh does not say that the signature does not verify:\n%s", out)
		}
	})
	for _, typ := range []string{"spdxjson", "slsaprovenance1"} {
		t.Run("verify-attestation "+typ+" fails with the wrong key", func(t *testing.T) {
			if out, code := run(t, "", nil, tl.cosign, "verify-attestation", "--key", wrong+".pub", "--insecure-ignore-tlog=true", "--type", typ, ref); code <= 0 {
				t.Errorf("cosign verify-attestation --type %s with the wrong key: exit %d, want a failure:\n%s", typ, code, out)
			}
		})
	}

	// An image that differs from the signed one by a label: another digest, never signed.
	out, code = run(t, "", nil, tl.crane, "mutate", ref, "--label", "giropops.test=tampered", "-t", repo+":tampered")
	_, other, _ := strings.Cut(strings.TrimSpace(out), "@")
	if code != 0 {
		t.Logf("crane mutate: exit %d: %s", code, out)
		other = ""
	}
	t.Run("the tampered image has another digest", func(t *testing.T) {
		if other == "" || other == digest {
			t.Errorf("tampered digest %q, signed digest %s", other, digest)
		}
	})
	verifyFails := func(t *testing.T, ref string) {
		t.Helper()
		out, code := run(t, "", rightEnv, "scripts/supply/verify.sh", ref)
		t.Log("verify.sh:", lastLine(out))
		if code <= 0 {
			t.Errorf("verify.sh %s: exit %d, want a failure:\n%s", ref, code, out)
		}
	}
	t.Run("verify fails for an image whose digest differs from the signed one", func(t *testing.T) {
		if other == "" {
			t.Fatal("no tampered image")
		}
		verifyFails(t, repo+"@"+other)
	})

	// Worse: everything cosign attached to the signed digest (tags sha256-<hex>[.sig|.att],
	// the referrers fallback) copied to the same tags of the other digest.
	copied := 0
	if other != "" {
		from, to := strings.Replace(digest, ":", "-", 1), strings.Replace(other, ":", "-", 1)
		tags, _ := run(t, "", nil, tl.crane, "ls", repo)
		for _, tag := range strings.Fields(tags) {
			if rest, ok := strings.CutPrefix(tag, from); ok {
				if _, code := run(t, "", nil, tl.crane, "copy", repo+":"+tag, repo+":"+to+rest); code == 0 {
					copied++
				}
			}
		}
	}
	t.Logf("copied %d tags of %s to %s", copied, digest, other)
	t.Run("the signed digest's signature tags were copied to the other digest", func(t *testing.T) {
		if copied == 0 {
			t.Errorf("no tag of the signed digest %s was copied to %q", digest, other)
		}
	})
	t.Run("verify fails for a signature copied from the signed digest to another", func(t *testing.T) {
		if copied == 0 {
			t.Fatal("no signature was copied: this would prove nothing")
		}
		verifyFails(t, repo+"@"+other)
	})
	t.Run("verify still passes for the signed digest", func(t *testing.T) {
		if out, code := run(t, "", rightEnv, "scripts/supply/verify.sh", ref); code != 0 {
			t.Errorf("verify.sh %s: exit %d:\n%s", ref, code, out)
		}
	})
}

// step reports a set-up step that the later checks need as a subtest of its own, and
// ends the parent test when it failed, so that a -run of a later check fails too.
func step(t *testing.T, name string, err error) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
