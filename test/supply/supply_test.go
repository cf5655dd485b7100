//go:build supply

// Package supply shows the supply-chain gates passing on our image and failing where
// they must: a deterministic SBOM, signatures and attestations that verify only with
// the right key and only for the signed digest, and a vulnerable fixture that every
// scanner and the freshness gate must reject. The set-up and the gates themselves are
// the scripts in scripts/supply/; these tests call them as `make` does.
//
// Run it with `make test-supply`, which builds the image and the tools first and
// passes their paths (GOVULNCHECK OSV_SCANNER SYFT COSIGN CRANE, MAKE, IMAGE_DIST,
// SUPPLY_DIR), or by hand after `make scan`:
//
//	go test -tags supply ./test/supply/ -list .
//	go test -tags supply -run 'TestSignature/verify_fails_with_the_wrong_key' ./test/supply/
//
// Without a tool or the built image each test skips, except under CI=true.
package supply

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// root is the repository, absolute (the scripts run there): TestMain sets it.
var root string

func TestMain(m *testing.M) {
	var err error
	if root, err = filepath.Abs(filepath.Join("..", "..")); err != nil { // this is test/supply
		fmt.Fprintln(os.Stderr, "supply:", err)
		os.Exit(1)
	}
	// sbom.sh stamps the commit time; make exports it, a bare `go test` does not.
	if os.Getenv("SOURCE_DATE_EPOCH") == "" {
		out, err := exec.Command("git", "-C", root, "log", "-1", "--format=%ct").Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "supply: the commit time for SOURCE_DATE_EPOCH:", err)
			os.Exit(1)
		}
		os.Setenv("SOURCE_DATE_EPOCH", strings.TrimSpace(string(out)))
	}
	os.Exit(m.Run())
}

// tools holds what make passes: the tool paths, make itself and the image it built.
type tools struct {
	cosign, crane string
	make          string
	imageDist     string // absolute: dist/ or IMAGE_DIST
	supplyDir     string // absolute: where make sign keeps its state (ref, registry)
}

// image is the image archive and the binary of this machine's architecture (the test
// binary's own) that `make image-oci` built.
func (tl tools) image() (tar, bin string) {
	return filepath.Join(tl.imageDist, "image", "giropops-senhas.tar"),
		filepath.Join(tl.imageDist, "bin", "linux-"+runtime.GOARCH, "giropops-senhas")
}

// need reads the tool paths and finds the built image; a missing one skips the test
// locally and fails it under CI.
func need(t *testing.T) tools {
	t.Helper()
	for _, v := range []string{"GOVULNCHECK", "OSV_SCANNER", "SYFT", "COSIGN", "CRANE"} {
		p := os.Getenv(v)
		if p == "" {
			testenv.Missing(t, "%s is not set: run `make test-supply`, which passes the tool paths", v)
		}
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, "%s: %v (make tool-%s builds it)", v, err, strings.ToLower(strings.ReplaceAll(v, "_", "-")))
		}
	}
	if _, err := exec.LookPath("jq"); err != nil {
		testenv.Missing(t, "the scripts need jq: %v (make deps installs it)", err)
	}
	tl := tools{
		cosign:    os.Getenv("COSIGN"),
		crane:     os.Getenv("CRANE"),
		make:      cmp.Or(os.Getenv("MAKE"), "make"),
		imageDist: inRoot(cmp.Or(os.Getenv("IMAGE_DIST"), "dist")),
	}
	tl.supplyDir = inRoot(cmp.Or(os.Getenv("SUPPLY_DIR"), filepath.Join(tl.imageDist, "supply")))
	tar, bin := tl.image()
	for _, f := range []string{tar, bin} {
		if _, err := os.Stat(f); err != nil {
			testenv.Missing(t, "no built image: %v (make image-oci, or make test-supply)", err)
		}
	}
	return tl
}

// inRoot makes a path that make gave relative to the repository absolute.
func inRoot(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// run runs a program in the repository, with env added to the test's environment
// (a later NAME= wins), and returns what it printed and its exit code: 0, the
// program's code, or -1 when it did not run.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = cmp.Or(dir, root)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Logf("%s: %v", name, err)
		return string(out), -1
	}
}

// mustRun runs a program like run and ends the test when it fails.
func mustRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, code := run(t, dir, env, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d:\n%s", name, strings.Join(args, " "), code, out)
	}
	return strings.TrimSpace(out)
}

// lastLine is what a failing script says last: the reason.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// summary reads scan.sh's summary.tsv: scanner -> its columns (scanner, target,
// findings, status, database, database_date).
func summary(t *testing.T, file string) map[string][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("the scan's summary: %v", err)
	}
	defer f.Close()
	rows := map[string][]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		cols := strings.Split(s.Text(), "\t")
		rows[cols[0]] = cols
	}
	return rows
}

// col is column i (from 1, as awk counts) of scanner's row, "" when there is none.
func col(rows map[string][]string, scanner string, i int) string {
	r := rows[scanner]
	if len(r) < i {
		return ""
	}
	return r[i-1]
}
