package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// root is the repository's root, where the Makefile and .github are.
const root = "../.."

var (
	targetsOnce sync.Once
	targets     map[string]bool
	targetsErr  error
)

func makeTargets(t *testing.T) map[string]bool {
	t.Helper()
	targetsOnce.Do(func() { targets, targetsErr = MakeTargets(root) })
	if targetsErr != nil {
		t.Fatal(targetsErr)
	}
	return targets
}

// TestMakeTargets: make's database names the targets the workflows use, and not
// what only looks like one (a variable, a comment).
func TestMakeTargets(t *testing.T) {
	ts := makeTargets(t)
	for _, want := range []string{"check", "test", "image", "sign", "release-notes", "release-publish", "workflows", "test-helm"} {
		if !ts[want] {
			t.Errorf("make's database has no target %q", want)
		}
	}
	for _, not := range []string{"TOOLS_DIR", "BIN", "GOBUILD"} {
		if ts[not] {
			t.Errorf("the variable %q was read as a target", not)
		}
	}
	t.Logf("%d targets", len(ts))
}

// TestWorkflows checks each workflow of .github/workflows, one subtest per file.
func TestWorkflows(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	if len(files) < 2 {
		t.Fatalf("want ci.yml and release.yml, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, problems := check(t, f)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// check reads a workflow file and returns it with its problems.
func check(t *testing.T, file string) (src []byte, problems []string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return src, Problems(filepath.Base(file), src, makeTargets(t))
}

// TestFixturesFail runs the checks on the broken workflows in testdata/: each must
// report exactly the problems its `# want:` lines name.
func TestFixturesFail(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yml")
	if len(files) < 3 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, got := check(t, f)
			var wants []string
			for line := range strings.Lines(string(src)) {
				if w, ok := strings.CutPrefix(strings.TrimSpace(line), "# want: "); ok {
					wants = append(wants, w)
				}
			}
			for _, w := range wants {
				found := false
				for _, p := range got {
					if strings.Contains(p, w) {
						found = true
						t.Logf("fails as it should: %s", p)
						break
					}
				}
				if !found {
					t.Errorf("no problem mentions %q", w)
				}
			}
			if len(got) != len(wants) {
				t.Errorf("%d problems, the fixture wants %d:\n%s", len(got), len(wants), strings.Join(got, "\n"))
			}
		})
	}
}

// stubs writes a cosign that records its arguments and a crane that pushes nothing and
// reports the build's digest, and returns the environment for scripts/supply/sign.sh.
func stubs(t *testing.T, digest string) (env []string, cosignLog string) {
	t.Helper()
	dir := t.TempDir()
	cosignLog = filepath.Join(dir, "cosign.log")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cosign := write("cosign", `echo "$*" >>`+cosignLog+"\n")
	crane := write("crane", `case $1 in digest) echo `+digest+`;; esac`+"\n")
	return []string{"COSIGN=" + cosign, "CRANE=" + crane, "REGISTRY=ghcr.io/fork", "IMAGE_NAME=giropops-senhas", "VERSION=v1.2.3"}, cosignLog
}

// TestSignKeyless runs scripts/supply/sign.sh, the recipe of make sign, with stub
// cosign and crane: COSIGN_KEYLESS=1 signs and attests without a key and with the
// transparency log on; without it, the key-based commands are the ones they were.
func TestSignKeyless(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	ref := "ghcr.io/fork/giropops-senhas@" + digest
	dir := t.TempDir()
	digestFile := filepath.Join(dir, "digest")
	if err := os.WriteFile(digestFile, []byte(digest+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"keyless", []string{"COSIGN_KEYLESS=1", "COSIGN_KEY="}, []string{
			"sign --recursive -y " + ref,
			"attest -y --type spdxjson --predicate sbom.json " + ref,
			"attest -y --type slsaprovenance1 --predicate provenance.json " + ref,
		}},
		{"key", []string{"COSIGN_KEY=cosign.key"}, []string{
			"sign --key cosign.key --tlog-upload=false --use-signing-config=false --recursive -y " + ref,
			"attest --key cosign.key --tlog-upload=false --use-signing-config=false -y --type spdxjson --predicate sbom.json " + ref,
			"attest --key cosign.key --tlog-upload=false --use-signing-config=false -y --type slsaprovenance1 --predicate provenance.json " + ref,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, log := stubs(t, digest)
			state := t.TempDir()
			cmd := exec.Command(filepath.Join(root, "scripts", "supply", "sign.sh"),
				"-l", "oci", "-d", digestFile, "-s", "sbom.json", "-p", "provenance.json", "-o", state)
			cmd.Env = append(append(os.Environ(), env...), c.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sign.sh: %v\n%s", err, out)
			}
			got, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			if lines := strings.Split(strings.TrimSpace(string(got)), "\n"); strings.Join(lines, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("cosign ran:\n%s\nwant:\n%s", got, strings.Join(c.want, "\n"))
			}
		})
	}
	t.Run("no key and not keyless fails", func(t *testing.T) {
		env, _ := stubs(t, digest)
		cmd := exec.Command(filepath.Join(root, "scripts", "supply", "sign.sh"),
			"-l", "oci", "-d", digestFile, "-s", "sbom.json", "-p", "provenance.json", "-o", t.TempDir())
		cmd.Env = append(append(os.Environ(), env...), "COSIGN_KEY=", "COSIGN_KEYLESS=")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "COSIGN_KEYLESS=1") {
			t.Fatalf("sign.sh without a key: %v\n%s", err, out)
		}
	})
}

// TestReleaseNotes runs scripts/release/notes.sh (make release-notes): the notes name
// the digest and the cosign commands, whose identity regexp matches the certificate
// GitHub's OIDC token gives this repository's release workflow at a tag, and no other.
func TestReleaseNotes(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	ref := "ghcr.io/my-fork/giropops-senhas@" + digest
	dir := t.TempDir()
	refFile, notes, output := filepath.Join(dir, "ref"), filepath.Join(dir, "notes.md"), filepath.Join(dir, "output")
	if err := os.WriteFile(refFile, []byte(ref+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "release", "notes.sh"), refFile, notes)
	cmd.Env = append(os.Environ(), "GITHUB_REPOSITORY=My-Fork/giropops.senhas", "GITHUB_SERVER_URL=", "GITHUB_OUTPUT="+output, "VERSION=v1.2.3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("notes.sh: %v\n%s", err, out)
	}
	text, err := os.ReadFile(notes)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    " + ref + "\n",
		"cosign verify --certificate-identity-regexp '",
		"cosign verify-attestation --type spdxjson --certificate-identity-regexp '",
		"cosign verify-attestation --type slsaprovenance1 --certificate-identity-regexp '",
		"--certificate-oidc-issuer https://token.actions.githubusercontent.com",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("notes lack %q:\n%s", want, text)
		}
	}
	m := regexp.MustCompile(`--certificate-identity-regexp '([^']+)'`).FindStringSubmatch(string(text))
	if m == nil {
		t.Fatalf("no identity regexp in:\n%s", text)
	}
	re, err := regexp.Compile(m[1])
	if err != nil {
		t.Fatalf("identity regexp %q: %v", m[1], err)
	}
	for id, want := range map[string]bool{
		"https://github.com/My-Fork/giropops.senhas/.github/workflows/release.yml@refs/tags/v1.2.3": true,
		"https://github.com/My-Fork/giropops.senhas/.github/workflows/ci.yml@refs/tags/v1.2.3":      false,
		"https://github.com/My-Fork/giropops.senhas/.github/workflows/release.yml@refs/heads/main":  false,
		"https://github.com/My-Fork/giropopsXsenhas/.github/workflows/release.yml@refs/tags/v1.2.3": false,
		"https://github.com/Other/giropops.senhas/.github/workflows/release.yml@refs/tags/v1.2.3":   false,
	} {
		if re.MatchString(id) != want {
			t.Errorf("identity regexp %q matches %s: %v, want %v", m[1], id, !want, want)
		}
	}
	out, err := os.ReadFile(output)
	if err != nil || string(out) != "ref="+ref+"\ndigest="+digest+"\n" {
		t.Errorf("GITHUB_OUTPUT: %q (%v)", out, err)
	}
	t.Run("a reference without a digest fails", func(t *testing.T) {
		if err := os.WriteFile(refFile, []byte("ghcr.io/my-fork/giropops-senhas:v1.2.3\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(root, "scripts", "release", "notes.sh"), refFile, notes)
		cmd.Env = append(os.Environ(), "GITHUB_REPOSITORY=My-Fork/giropops.senhas")
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("notes.sh accepted a tag:\n%s", out)
		}
	})
}
