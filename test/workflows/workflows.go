package workflows

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

// Problems returns what breaks the rules in one workflow file: a run: step that is
// not `make` with known targets, a uses: not pinned to a 40-hex commit SHA, and
// permissions granted at the top level or not declared by a job. targets is the set
// of make targets (MakeTargets). Parse errors are problems too.
func Problems(file string, src []byte, targets map[string]bool) []string {
	w, errs := actionlint.Parse(src)
	var ps []string
	for _, e := range errs {
		ps = append(ps, fmt.Sprintf("%s:%d:%d: parse: %s", file, e.Line, e.Column, e.Message))
	}
	if w == nil {
		return ps
	}
	at := func(pos *actionlint.Pos, format string, args ...any) {
		line, col := 0, 0
		if pos != nil {
			line, col = pos.Line, pos.Col
		}
		ps = append(ps, fmt.Sprintf("%s:%d:%d: %s", file, line, col, fmt.Sprintf(format, args...)))
	}
	// actionlint's tree has no comments: read them from the source.
	for i, line := range strings.Split(string(src), "\n") {
		if m := pinnedLine.FindStringSubmatch(line); m != nil && !versionComment.MatchString(m[2]) {
			ps = append(ps, fmt.Sprintf("%s:%d:%d: %s has no `# vX.Y.Z` comment naming the version the SHA is", file, i+1, len(m[1])+1, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m[1]), "- "))))
		}
	}
	if p := w.Permissions; p == nil {
		at(nil, "no top-level permissions: set `permissions: {}` and grant each job its own")
	} else if p.All != nil || len(p.Scopes) > 0 {
		at(p.Pos, "top-level permissions grant something: set `permissions: {}` and grant each job its own")
	}
	ids := make([]string, 0, len(w.Jobs))
	for id := range w.Jobs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		job := w.Jobs[id]
		if job.Permissions == nil {
			at(job.Pos, "job %q declares no permissions (it would get the repository's defaults)", id)
		}
		if c := job.WorkflowCall; c != nil && c.Uses != nil {
			if why := unpinned(c.Uses.Value); why != "" {
				at(c.Uses.Pos, "job %q: uses: %s %s", id, c.Uses.Value, why)
			}
		}
		for i, step := range job.Steps {
			switch e := step.Exec.(type) {
			case *actionlint.ExecAction:
				if why := unpinned(e.Uses.Value); why != "" {
					at(e.Uses.Pos, "job %q step %d: uses: %s %s", id, i+1, e.Uses.Value, why)
				}
			case *actionlint.ExecRun:
				if e.WorkingDirectory != nil {
					at(e.WorkingDirectory.Pos, "job %q step %d: working-directory: make must run at the repository's root", id, i+1)
				}
				if e.Run == nil {
					continue
				}
				for _, why := range runProblems(e.Run.Value, targets) {
					at(e.Run.Pos, "job %q step %d: run: %s", id, i+1, why)
				}
			}
		}
	}
	return ps
}

var (
	sha40     = regexp.MustCompile(`^[0-9a-f]{40}$`)
	shortSHA  = regexp.MustCompile(`^[0-9a-fA-F]{7,39}$`)
	digestRef = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	// pinnedLine is a `uses: x@<sha>` line: what precedes the comment, and the rest.
	pinnedLine     = regexp.MustCompile(`^(\s*(?:-\s+)?uses:\s*\S+@[0-9a-f]{40})\s*(.*)$`)
	versionComment = regexp.MustCompile(`^#\s*v?[0-9]+(\.[0-9]+)*\S*`)
)

// unpinned says why a uses: value is not pinned, or "" when it is: an action at a
// full commit SHA, a docker:// image by digest, or a local action of this repository.
func unpinned(uses string) string {
	switch {
	case strings.HasPrefix(uses, "./"):
		return ""
	case strings.HasPrefix(uses, "docker://"):
		if digestRef.MatchString(uses) {
			return ""
		}
		return "is an image without a digest (pin it @sha256:...)"
	}
	_, ref, ok := strings.Cut(uses, "@")
	switch {
	case !ok:
		return "has no ref: pin it to a full commit SHA"
	case sha40.MatchString(ref):
		return ""
	case shortSHA.MatchString(ref):
		return "is pinned to a short SHA: use all 40 hex digits"
	default:
		return fmt.Sprintf("is pinned to %q, a tag or branch that can move: use the full commit SHA with a `# %s` comment", ref, ref)
	}
}

var makeLine = regexp.MustCompile(`^make((?:\s+[A-Za-z0-9][A-Za-z0-9_.-]*)+)$`)

// runProblems checks a run: script: every non-empty line is `make TARGET...` with
// targets make knows. Anything else (pipes, options, variables, other commands)
// belongs in a make target, where it can be run and tested outside the workflow.
func runProblems(script string, targets map[string]bool) []string {
	var ps []string
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(script))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		lines++
		m := makeLine.FindStringSubmatch(line)
		if m == nil {
			ps = append(ps, fmt.Sprintf("%q is not `make TARGET...`: put the commands in a make target", line))
			continue
		}
		for _, t := range strings.Fields(m[1]) {
			if !targets[t] {
				ps = append(ps, fmt.Sprintf("make target %q does not exist", t))
			}
		}
	}
	if lines == 0 {
		ps = append(ps, "empty")
	}
	return ps
}

// MakeTargets asks make for the targets of the Makefile in dir: its database
// (make -pRrq), without running any recipe.
func MakeTargets(dir string) (map[string]bool, error) {
	cmd := exec.Command("make", "-C", dir, "-pRrq", ":")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	// -q exits 1 when the target ":" is not up to date; only the database matters.
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return nil, err
		}
	}
	return parseMakeDB(out.String())
}

var ruleLine = regexp.MustCompile(`^([^#\s:=%][^\s:=%]*):(?:[^=]|$)`)

// parseMakeDB reads the targets from make's printed database: the lines `name:` in
// its "Files" section, except those make marks "# Not a target:".
func parseMakeDB(db string) (map[string]bool, error) {
	targets := map[string]bool{}
	inFiles, notTarget := false, false
	for line := range strings.Lines(db) {
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "# Files"):
			inFiles = true
		case strings.HasPrefix(line, "# Finished Make data base"):
			inFiles = false
		case line == "# Not a target:":
			notTarget = true
			continue
		}
		if inFiles {
			if m := ruleLine.FindStringSubmatch(line); m != nil && !notTarget {
				targets[m[1]] = true
			}
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			notTarget = false
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("no targets in make's database (%d bytes)", len(db))
	}
	return targets, nil
}
