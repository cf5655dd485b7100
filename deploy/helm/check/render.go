package check

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
)

// kubeVersion is the cluster version the chart is rendered for.
const kubeVersion = "1.37.2"

// decoder knows only the API groups the chart may render, in strict mode: an
// unknown or duplicated field, or a kind from another API version, is an error.
var decoder = func() runtime.Decoder {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme,
		policyv1.AddToScheme, networkingv1.AddToScheme, monitoringv1.AddToScheme,
	} {
		utilruntime.Must(add(s))
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
}()

// render runs `helm template` on chart with the values files and returns the
// manifest (tests included, as `helm test` would create them).
func render(helm, chart string, values ...string) ([]byte, error) {
	args := []string{"template", "rel", chart, "--namespace", "web", "--kube-version", kubeVersion}
	for _, v := range values {
		args = append(args, "--values", v)
	}
	return run(helm, args...)
}

// lint runs `helm lint --strict` on chart with the values files.
func lint(helm, chart string, values ...string) ([]byte, error) {
	args := []string{"lint", "--strict", chart, "--kube-version", kubeVersion}
	for _, v := range values {
		args = append(args, "--values", v)
	}
	return run(helm, args...)
}

func run(name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// object is one rendered manifest, decoded, with the template it came from.
type object struct {
	source string // "giropops-senhas/templates/deployment.yaml"
	obj    runtime.Object
}

// decodeAll splits a helm manifest into documents and decodes each strictly.
func decodeAll(manifest []byte) ([]object, error) {
	var objs []object
	var errs []string
	for _, doc := range strings.Split("\n"+string(manifest), "\n---") {
		source := ""
		if i := strings.Index(doc, "# Source: "); i >= 0 {
			source, _, _ = strings.Cut(doc[i+len("# Source: "):], "\n")
		}
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		obj, _, err := decoder.Decode([]byte(doc), nil, nil)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", source, err))
			continue
		}
		objs = append(objs, object{source: source, obj: obj})
	}
	if len(errs) > 0 {
		return objs, fmt.Errorf("strict decoding failed:\n  %s", strings.Join(errs, "\n  "))
	}
	return objs, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
