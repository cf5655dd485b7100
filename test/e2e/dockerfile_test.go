//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// dockerImage is the Dockerfile built with `docker build` from the sources (make image-docker).
const dockerImage = "giropops-senhas:docker"

var dockerBuild struct {
	once sync.Once
	out  string
	err  error
}

// dockerBuilt builds the Dockerfile once for the whole run with `make image-docker`, and
// fails the test when it does not build or when it stamps another version than the image
// `make image` built at the start (the checkout changed in between).
func dockerBuilt(t *testing.T) {
	t.Helper()
	dockerBuild.once.Do(func() {
		start := time.Now()
		dockerBuild.out, dockerBuild.err = tryRun(nil, "make", "--no-print-directory", "image-docker")
		if dockerBuild.err == nil {
			t.Logf("make image-docker: %s", time.Since(start).Round(time.Second))
		}
	})
	if dockerBuild.err != nil {
		t.Fatalf("make image-docker: %v\n%s", dockerBuild.err, dockerBuild.out)
	}
	const version = `{{index .Config.Labels "org.opencontainers.image.version"}}`
	if d, m := inspect(t, version, dockerImage), inspect(t, version, appImage); d != m {
		t.Fatalf("%s is version %s, %s is %s: build both from one checkout", dockerImage, d, appImage, m)
	}
}

// makeVar is the value of a variable of the Makefile.
func makeVar(t *testing.T, name string) string {
	t.Helper()
	return run(t, nil, "make", "--no-print-directory", "-s", "--eval", "print-var: ; @echo $("+name+")", "print-var")
}

// stamp is what `make image-docker` stamped dockerImage with, read back from its labels,
// so that another build of the same commit can stamp the same.
type stamp struct{ version, revision, created string }

func dockerStamp(t *testing.T) stamp {
	t.Helper()
	var labels map[string]string
	if err := json.Unmarshal([]byte(inspect(t, "{{json .Config.Labels}}", dockerImage)), &labels); err != nil {
		t.Fatal(err)
	}
	const l = "org.opencontainers.image."
	return stamp{labels[l+"version"], labels[l+"revision"], labels[l+"created"]}
}

// buildArgs are the build arguments of `make image-docker`.
func buildArgs(t *testing.T) []string {
	t.Helper()
	s := dockerStamp(t)
	return []string{"GO_IMAGE=" + makeVar(t, "GO_LOCAL"), "VERSION=" + s.version, "REVISION=" + s.revision, "CREATED=" + s.created}
}

// imageBin builds `make image-bins` for arch into a directory of its own, with the
// version and revision of dockerImage, and returns the binary's sha256. GOFLAGS is Go's
// default, -buildvcs=auto, as on a user's machine: this one's go env file says
// -buildvcs=false, which would hide a Makefile that let git's state into the binary.
func imageBin(t *testing.T, arch string) string {
	t.Helper()
	dist, s := t.TempDir(), dockerStamp(t)
	run(t, []string{"GOFLAGS=-buildvcs=auto"}, "make", "--no-print-directory", "image-bins", "IMAGE_ARCHES="+arch,
		"IMAGE_DIST="+dist, "VERSION="+s.version, "REVISION="+s.revision)
	return fileSHA256(t, filepath.Join(dist, "bin", "linux-"+arch, "giropops-senhas"))
}

// imageFile is the sha256 of the file name in ref's layers.
func imageFile(t *testing.T, ref, name string) string {
	t.Helper()
	files, _ := savedImage(t, ref)
	for _, f := range files {
		if f.Name == name {
			return f.SHA256
		}
	}
	t.Fatalf("%s holds no %s", ref, name)
	return ""
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// config is what the tests compare of an image's configuration: everything `make image`
// sets, and its platform. The build time (.Created) is not in it: docker build stamps its own.
type config struct {
	Os, Architecture string
	Config           struct {
		User         string
		Entrypoint   []string
		Cmd          []string
		Env          []string
		ExposedPorts map[string]struct{}
		Labels       map[string]string
		Healthcheck  struct {
			Test                           []string
			Interval, Timeout, StartPeriod time.Duration
			Retries                        int
		}
	}
}

func imageConfig(t *testing.T, ref string) config {
	t.Helper()
	var c []config
	if err := json.Unmarshal([]byte(docker(t, "image", "inspect", ref)), &c); err != nil || len(c) != 1 {
		t.Fatalf("docker image inspect %s: %v", ref, err)
	}
	return c[0]
}

// TestDockerfileGoImage: the Dockerfile's GO_IMAGE is the golang image of go.mod's
// toolchain, and the local image `make image-docker` uses instead runs that toolchain.
func TestDockerfileGoImage(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	toolchain := regexp.MustCompile(`(?m)^toolchain go(\S+)$`).FindSubmatch(gomod)
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	arg := regexp.MustCompile(`(?m)^ARG GO_IMAGE=golang:([0-9.]+)-[a-z0-9.]+(@sha256:[0-9a-f]{64})?$`).FindSubmatch(dockerfile)
	if toolchain == nil || arg == nil {
		t.Fatalf("go.mod's toolchain line %q, the Dockerfile's ARG GO_IMAGE=golang:<version>-<distro>[@sha256:<digest>] %q", toolchain, arg)
	}
	if string(arg[1]) != string(toolchain[1]) {
		t.Errorf("the Dockerfile builds with golang:%s, go.mod names go%s", arg[1], toolchain[1])
	}
	if len(arg[2]) == 0 {
		t.Logf("GO_IMAGE is not pinned by digest (see the Dockerfile's comment)")
	}
	dockerBuilt(t)
	if got, want := run(t, nil, "docker", "run", "--rm", "--network", "none", makeVar(t, "GO_LOCAL"), "go", "version"), "go version go"+string(toolchain[1])+" linux/"; !strings.HasPrefix(got, want) {
		t.Errorf("the local Go image runs %q, want %q...", got, want)
	}
}

// TestDockerfileBinary: the binary docker build compiles is byte for byte the one
// `make image-bins` compiles for the same commit and architecture.
func TestDockerfileBinary(t *testing.T) {
	dockerBuilt(t)
	arch := inspect(t, "{{.Architecture}}", dockerImage)
	want := imageBin(t, arch)
	if got := imageFile(t, dockerImage, "giropops-senhas"); got != want {
		t.Errorf("docker build's binary has sha256 %s, make image-bins' linux/%s %s", got, arch, want)
	}
}

// TestDockerfileMatchesMakeImage: the docker-built image has the files (names, modes,
// owners, contents) and the configuration of `make image`, in at most two layers.
func TestDockerfileMatchesMakeImage(t *testing.T) {
	dockerBuilt(t)
	want, _ := savedImage(t, appImage)
	got, layers := savedImage(t, dockerImage)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("docker build's files:\n got %v\nwant %v", got, want)
	}
	if layers > 2 {
		t.Errorf("docker build's image has %d layers, want at most 2", layers)
	}
	if got, want := imageConfig(t, dockerImage), imageConfig(t, appImage); !reflect.DeepEqual(got, want) {
		t.Errorf("docker build's configuration:\n got %+v\nwant %+v", got, want)
	}
}

// TestDockerfileCrossBuild builds the Dockerfile for linux/arm64 with BuildKit: the build
// stage runs on the machine's own platform (the local Go image is amd64 only, and no
// emulation is involved) and cross-compiles the arm64 binary of `make image-bins`.
func TestDockerfileCrossBuild(t *testing.T) {
	dockerBuilt(t)
	// The engine's BuildKit through a client that has it: buildx when installed, else
	// Debian's docker.io client (20.10), which has it built in.
	name, args, env := "docker", []string{"buildx", "build", "--load"}, []string(nil)
	if _, err := tryRun(nil, "docker", "buildx", "version"); err != nil {
		name, args, env = need(t, "/usr/bin/docker"), []string{"build"}, []string{"DOCKER_BUILDKIT=1"}
	}
	const ref = "giropops-senhas:docker-arm64"
	t.Cleanup(func() { _, _ = tryRun(nil, "docker", "image", "rm", ref) })
	args = append(args, "--platform", "linux/arm64", "-t", ref)
	for _, a := range buildArgs(t) {
		args = append(args, "--build-arg", a)
	}
	start := time.Now()
	run(t, env, name, append(args, ".")...)
	t.Logf("BuildKit, linux/arm64: %s", time.Since(start).Round(time.Second))

	if got, want := imageFile(t, ref, "giropops-senhas"), imageBin(t, "arm64"); got != want {
		t.Errorf("BuildKit's arm64 binary has sha256 %s, make image-bins' %s", got, want)
	}
	got, want := imageConfig(t, ref), imageConfig(t, dockerImage)
	want.Architecture = "arm64"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildKit's arm64 configuration:\n got %+v\nwant %+v", got, want)
	}
}
