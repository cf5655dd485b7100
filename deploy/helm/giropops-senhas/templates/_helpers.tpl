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

{{/*
Bytes in a Kubernetes memory quantity: a plain number of bytes, or a decimal number
with k, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024). What the schema
accepts for memory otherwise ("m", millibytes: "256m" is a quarter of a byte, a classic
slip for 256Mi) fails with the name of the value. Call with (list "value.name" value).
*/}}
{{- define "giropops.bytes" -}}
{{- $name := index . 0 }}
{{- $q := index . 1 }}
{{- if or (kindIs "float64" $q) (kindIs "int64" $q) (kindIs "int" $q) }}
{{- int64 $q }}
{{- else }}
{{- $q = toString $q }}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q }}
{{- $unit := trimPrefix $num $q }}
{{- $mult := get (dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776) $unit }}
{{- if or (not $num) (not $mult) }}
{{- fail (printf "%s: %q is not a memory size in bytes, k, M, G, T, Ki, Mi, Gi or Ti" $name $q) }}
{{- end }}
{{- mulf (float64 $num) $mult | int64 }}
{{- end }}
{{- end }}

{{/*
The bundled Redis' maxmemory in bytes: redis.maxmemory when set, else 75% of what is left
of redis.resources.limits.memory after 16Mi for Redis' own process (256Mi: 180Mi; 48Mi:
24Mi). Always below the limit, so Redis evicts (volatile-ttl) before the kernel would
kill it. What is left covers the process (about 6 MB resident), allocator fragmentation
(resident memory ran 1.2 to 1.3 times used_memory while Redis evicted under a flood) and
the fork that rewrites the AOF. Plain 75% of a 48Mi limit left Redis' resident memory
within 70 KB of the limit in make test-k8s.
*/}}
{{- define "giropops.redisMaxmemory" -}}
{{- $r := .Values.redis }}
{{- $limit := include "giropops.bytes" (list "redis.resources.limits.memory" (required "redis.resources.limits.memory is required: maxmemory is derived from it" (dig "resources" "limits" "memory" "" $r))) | int64 }}
{{- $max := div (mul (sub $limit 16777216) 3) 4 }}
{{- with $r.maxmemory }}
{{- $max = include "giropops.bytes" (list "redis.maxmemory" .) | int64 }}
{{- end }}
{{- if ge $max $limit }}
{{- fail (printf "redis.maxmemory (%d bytes) must be below redis.resources.limits.memory (%d bytes), or the kernel kills Redis before it evicts" $max $limit) }}
{{- end }}
{{- if lt $max 1048576 }}
{{- fail (printf "Redis' maxmemory (%d bytes) is below 1Mi: it could hold almost nothing (without redis.maxmemory, a memory limit of at least 18Mi is needed: Redis itself takes about 16Mi)" $max) }}
{{- end }}
{{- $max }}
{{- end }}

{{/* The release's Secret of keys (secret.yaml). */}}
{{- define "giropops.keysSecret" -}}
{{- printf "%s-history-key" (include "giropops.fullname" .) }}
{{- end }}

{{/* The Secret that holds HISTORY_KEY, and the key in it. */}}
{{- define "giropops.historyKeySecret" -}}
{{- default (include "giropops.keysSecret" .) .Values.app.historyKey.existingSecret }}
{{- end }}

{{- define "giropops.historyKeySecretKey" -}}
{{- if .Values.app.historyKey.existingSecret }}{{ .Values.app.historyKey.existingSecretKey }}{{ else }}history-key{{ end }}
{{- end }}

{{/* The Secret that holds SESSION_KEY, and the key in it. */}}
{{- define "giropops.sessionKeySecret" -}}
{{- default (include "giropops.keysSecret" .) .Values.app.sessionKey.existingSecret }}
{{- end }}

{{- define "giropops.sessionKeySecretKey" -}}
{{- if .Values.app.sessionKey.existingSecret }}{{ .Values.app.sessionKey.existingSecretKey }}{{ else }}session-key{{ end }}
{{- end }}

{{/* COOKIE_SECURE: app.cookieSecure, else always behind an Ingress with TLS, else auto. */}}
{{- define "giropops.cookieSecure" -}}
{{- if .Values.app.cookieSecure }}{{ .Values.app.cookieSecure }}
{{- else if and .Values.ingress.enabled .Values.ingress.tls }}always
{{- else }}auto
{{- end }}
{{- end }}
