//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/giropops/giropops-senhas/internal/testenv"
)

// file is one entry of an image's layers, as the engine stores it.
type file struct {
	Name   string
	Mode   os.FileMode
	UID    int
	GID    int
	Size   int64
	SHA256 string
}

// declared is the whole image, as docs/image.md and tools/ocibuild declare it.
var declared = []file{
	{Name: "etc", Mode: os.ModeDir | 0o755},
	{Name: "etc/group", Mode: 0o644},
	{Name: "etc/passwd", Mode: 0o644},
	{Name: "giropops-senhas", Mode: 0o755},
}

// savedImage reads `docker save` of ref: every layer's files in order, and the layer count.
func savedImage(t *testing.T, ref string) ([]file, int) {
	t.Helper()
	cmd := exec.Command("docker", "save", ref)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker save %s: %v", ref, err)
	}
	blobs := map[string][]byte{}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if blobs[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(blobs["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("docker save %s: manifest.json %v: %s", ref, err, blobs["manifest.json"])
	}
	var files []file
	for _, l := range manifest[0].Layers {
		lr := tar.NewReader(bytes.NewReader(blobs[l]))
		for {
			h, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("layer %s: %v", l, err)
			}
			data, err := io.ReadAll(lr)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			files = append(files, file{
				Name: path.Clean(h.Name), Mode: h.FileInfo().Mode(), UID: h.Uid, GID: h.Gid,
				Size: h.Size, SHA256: hex.EncodeToString(sum[:]),
			})
		}
	}
	return files, len(manifest[0].Layers)
}

func TestImageHoldsOnlyWhatIsDeclared(t *testing.T) {
	files, layers := savedImage(t, appImage)
	var got []file
	var binary int64
	for _, f := range files {
		if f.Name == "giropops-senhas" {
			binary = f.Size
		}
		got = append(got, file{Name: f.Name, Mode: f.Mode, UID: f.UID, GID: f.GID})
	}
	if !reflect.DeepEqual(got, declared) {
		t.Errorf("files:\n got %v\nwant %v", got, declared)
	}
	if layers != 1 {
		t.Errorf("%d layers, want 1", layers)
	}
	size, err := strconv.ParseInt(inspect(t, "{{.Size}}", appImage), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	ratio := float64(size) / float64(binary)
	t.Logf("image %d bytes, binary %d bytes, ratio %.4f, %d layer", size, binary, ratio, layers)
	if ratio > 1.1 {
		t.Errorf("image is %.4f times its binary, want at most 1.1", ratio)
	}
	if got := inspect(t, "{{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}}", appImage); got != `65532:65532 ["/giropops-senhas"] ["CMD","/giropops-senhas","healthcheck"]` {
		t.Errorf("config: %s", got)
	}
}

func TestImageHasNoShell(t *testing.T) {
	for _, sh := range []string{"sh", "/bin/sh", "bash", "/busybox"} {
		out, err := tryRun(nil, "docker", "run", "--rm", "--entrypoint", sh, appImage, "-c", "id")
		if err == nil {
			t.Errorf("docker run --entrypoint %s ran: %s", sh, out)
		} else if !strings.Contains(out, "executable file not found") && !strings.Contains(out, "no such file") {
			t.Errorf("docker run --entrypoint %s failed for another reason: %s", sh, out)
		}
	}
}

// The command line works inside the image, with no server: `docker run --rm IMAGE gerar`
// prints the passwords one per line, and a bad flag exits 2 with the API's message.
func TestImageGerar(t *testing.T) {
	out := run(t, nil, "docker", "run", "--rm", "--network", "none", appImage, "gerar", "-quantidade", "3", "-tamanho", "20", "-incluir-numeros")
	lines := strings.Split(out, "\n")
	if len(lines) != 3 {
		t.Fatalf("gerar -quantidade 3 printed %q", out)
	}
	for _, p := range lines {
		if len(p) != 20 || !strings.ContainsAny(p, "0123456789") {
			t.Fatalf("gerar printed %q: want 20 characters with a digit", p)
		}
	}
	if out := run(t, nil, "docker", "run", "--rm", "--network", "none", appImage, "gerar", "-tipo", "frase", "-json"); !strings.Contains(out, `"entropia_bits":64.62`) {
		t.Fatalf("gerar -tipo frase -json: %s, want entropia_bits 64.62 (5·log2 7776)", out)
	}
	out, err := tryRun(nil, "docker", "run", "--rm", "--network", "none", appImage, "gerar", "-tamanho", "2")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(out, "tamanho deve ser um número inteiro entre 4 e 128") {
		t.Fatalf("gerar -tamanho 2: %v %q, want exit 2 with the API's message", err, out)
	}
}

// TestArm64BinaryRuns runs the arm64 binary of the image under Debian's qemu-user-static:
// it prints its version, serves, passes its own health check and stops cleanly.
func TestArm64BinaryRuns(t *testing.T) {
	qemu := need(t, "qemu-aarch64-static")
	bin := filepath.Join(root, "dist", "bin", "linux-arm64", "giropops-senhas")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: not static", bin)
		}
	}
	if f.Machine != elf.EM_AARCH64 {
		t.Fatalf("%s is for %v, want EM_AARCH64", bin, f.Machine)
	}
	f.Close()
	if out := run(t, nil, qemu, bin, "version"); !strings.Contains(out, "linux/arm64") {
		t.Fatalf("version under qemu: %q", out)
	}

	cmd := exec.Command(qemu, bin)
	cmd.Env = append(os.Environ(), "PORT=0", "REDIS_HOST=", "REDIS_URL=")
	logs := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done, exited := make(chan error, 1), make(chan struct{})
	go func() { done <- cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	port, err := testenv.ListeningPort(logs, exited, 60*time.Second)
	if err != nil {
		t.Fatalf("arm64 server under qemu: %v\n%s", err, logs)
	}

	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		// The binary's own health check, also under qemu.
		if _, err = tryRun(nil, qemu, bin, "healthcheck", health); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("arm64 server never became healthy: %v\n%s", err, logs.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("arm64 server exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("arm64 server did not stop within 20s of SIGTERM\n%s", logs.String())
	}
}
