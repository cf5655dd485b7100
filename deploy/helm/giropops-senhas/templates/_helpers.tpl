{{/*
Names and labels. The selector labels never change across upgrades: name, instance
and component (app, redis or test).
*/}}
{{- define "giropops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "giropops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "giropops.redisName" -}}
{{- printf "%s-redis" (include "giropops.fullname" .) }}
{{- end }}

{{- define "giropops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "giropops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Common labels; the caller adds the component. part-of is fixed: the
PrometheusRule selects job="giropops-senhas" through it (ServiceMonitor jobLabel). */}}
{{- define "giropops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "giropops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: giropops-senhas
{{- end }}

{{- define "giropops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "giropops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* image reference: repository@digest when a digest is set, else repository:tag. */}}
{{- define "giropops.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) }}
{{- end }}
{{- end }}

{{- define "giropops.image" -}}
{{- include "giropops.imageRef" (dict "image" .Values.image "appVersion" .Chart.AppVersion) }}
{{- end }}

{{/*
The restricted Pod Security Standard, for every pod of the chart: UID/GID 65532
(distroless "nonroot"), RuntimeDefault seccomp. fsGroup makes the Redis volume writable.
*/}}
{{- define "giropops.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "giropops.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The app's Redis host, bundled or external. */}}
{{- define "giropops.redisHost" -}}
{{- if .Values.redis.enabled }}
{{- include "giropops.redisName" . }}
{{- else }}
{{- required "redis.external.host is required when redis.enabled=false" .Values.redis.external.host }}
{{- end }}
{{- end }}

{{- define "giropops.redisPort" -}}
{{- if .Values.redis.enabled }}6379{{ else }}{{ .Values.redis.external.port }}{{ end }}
{{- end }}

{{/* REDIS_PASSWORD from an existing Secret, for the app and the bundled Redis. */}}
{{- define "giropops.redisPasswordEnv" -}}
{{- if .Values.redis.auth.existingSecret -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.auth.existingSecret }}
      key: {{ .Values.redis.auth.existingSecretKey }}
{{- end }}
{{- end }}

{{/* Checks the schema cannot express. */}}
{{- define "giropops.validate" -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%v) must not exceed autoscaling.maxReplicas (%v)" .Values.autoscaling.minReplicas .Values.autoscaling.maxReplicas) }}
{{- end }}
{{- if and .Values.ingress.enabled .Values.ingress.clusterIssuer (not .Values.ingress.tls) }}
{{- fail "ingress.clusterIssuer is set but ingress.tls is empty: cert-manager would have no certificate to issue" }}
{{- end }}
{{- end }}
