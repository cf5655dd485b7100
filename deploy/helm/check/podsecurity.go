package check

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// restricted is the "restricted" level at the newest policy version this
// pod-security-admission release knows, the one a namespace labelled
// pod-security.kubernetes.io/enforce=restricted gets.
var restricted = api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}

// podTemplates returns the pod spec of every object that makes pods.
func podTemplates(objs []object) map[string]*corev1.PodSpec {
	specs := map[string]*corev1.PodSpec{}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			specs["Deployment/"+v.Name] = &v.Spec.Template.Spec
		case *appsv1.StatefulSet:
			specs["StatefulSet/"+v.Name] = &v.Spec.Template.Spec
		case *appsv1.DaemonSet:
			specs["DaemonSet/"+v.Name] = &v.Spec.Template.Spec
		case *corev1.Pod:
			specs["Pod/"+v.Name] = &v.Spec
		}
	}
	return specs
}

// podSecurityViolations evaluates every pod template with the admission
// plugin's own checks and returns one line per forbidden finding.
func podSecurityViolations(objs []object) ([]string, int, error) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, 0, err
	}
	var out []string
	specs := podTemplates(objs)
	for name, spec := range specs {
		for _, r := range eval.EvaluatePod(restricted, &metav1.ObjectMeta{}, spec) {
			if !r.Allowed {
				out = append(out, fmt.Sprintf("%s: %s (%s)", name, r.ForbiddenReason, r.ForbiddenDetail))
			}
		}
	}
	return out, len(specs), nil
}
