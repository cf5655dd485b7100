#!/usr/bin/env bash
# test.sh (make test-k8s): the chart on a real single-node cluster, each check an assertion.
#   1. the cluster alone: node Ready, CoreDNS Ready, restricted Pod Security admits a
#      compliant pod and the real API server rejects root pods;
#   2. the chart: images imported (app by digest), helm install + helm test, page and API
#      through the Service from another pod and through a port-forward from the host,
#      helm upgrade under load without a lost request, an app pod deleted under load, the
#      Redis pod deleted without losing history, Redis down without the app going down,
#      the HPA scaling out on metrics-server, the NetworkPolicies enforced (kube-router),
#      the history key kept across the upgrade, and Redis flooded by cookie-less clients up
#      to its maxmemory (a small limit here) without a refused request, an OOM kill or the
#      loss of a confirmed session's history;
#   3. teardown, and a diff of the host state before and after (must be empty).
# Part 2 needs the app's OCI layout (make image) and giropops-senhas-redis:local (make
# redis-image) and HELM; without them it is skipped locally and fails under CI=true.
# Figures and logs go to dist/k8s-test/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/env.sh"
art=$root/dist/k8s-test
rm -rf "$art" && mkdir -p "$art"
NS=giropops
REL=giropops-senhas
CHART=$root/deploy/helm/giropops-senhas
CTR=(ctr --address "$CTRD_SOCK" -n k8s.io)
t0=$SECONDS

pass() { log "PASS: $*"; echo "PASS: $*" >>"$art/results.txt"; }
fail() { log "FAIL: $*"; echo "FAIL: $*" >>"$art/results.txt"; exit 1; }
figure() { log "FIGURE: $*"; echo "$*" >>"$art/figures.txt"; }

# The cluster is ours to tear down unless one was already running.
own=1
if alive kube-apiserver; then own=0; log "reusing the running cluster: it stays up, no host-state check"; fi
[[ $own == 1 ]] && "$here/hoststate.sh" >"$art/host-before.txt"
pf_pid=""; load_pid=""
finish() {
  local rc=$?
  [[ -n $pf_pid ]] && kill "$pf_pid" 2>/dev/null
  [[ -n $load_pid ]] && kill "$load_pid" 2>/dev/null
  if ((rc != 0)) && [[ -x $K8S_DIR/bin/kubectl ]]; then
    log "diagnostics in $art/diagnostics.txt"
    { BIN=$K8S_DIR/bin; kc get nodes,pods,svc,endpointslices,pvc,pv,hpa -A -o wide
      kc get events -A --sort-by=.lastTimestamp | tail -40
      kc describe pods -n "$NS"; kc logs -n "$NS" -l app.kubernetes.io/instance=$REL --all-containers --tail 50
    } >"$art/diagnostics.txt" 2>&1 || true
    tail -50 "$art/diagnostics.txt" >&2 || true
    cp -r "$K8S_DIR/logs" "$art/cluster-logs" 2>/dev/null || true
  fi
  if [[ $own == 1 ]]; then
    "$here/down.sh" || rc=1
    "$here/hoststate.sh" >"$art/host-after.txt"
    if diff -u "$art/host-before.txt" "$art/host-after.txt" >"$art/host-diff.txt"; then
      log "PASS: host state after k8s-down equals the state before k8s-up (dist/k8s-test/host-*.txt)"
    else
      log "FAIL: the host state changed:"; cat "$art/host-diff.txt" >&2; rc=1
    fi
  fi
  log "test-k8s $( ((rc == 0)) && echo passed || echo FAILED) in $((SECONDS - t0))s"
  exit $rc
}
trap finish EXIT

# ---------------------------------------------------------------- 1. the cluster alone
t=$SECONDS
"$here/up.sh"
figure "k8s-up: $((SECONDS - t))s"
BIN=$K8S_DIR/bin
kc get --raw /version | grep -q "\"gitVersion\": \"$K8S_VERSION\"" || fail "the API server is not $K8S_VERSION"
kc wait --for=condition=Ready "node/$NODE_NAME" --timeout 60s >/dev/null || fail "node $NODE_NAME not Ready"
pass "node $NODE_NAME Ready ($K8S_VERSION)"
kc rollout status -n kube-system deploy/coredns --timeout 90s >/dev/null || fail "CoreDNS not Ready"
pass "CoreDNS Ready"

if [[ $own == 0 ]]; then # a rerun on a kept cluster starts from an empty namespace and volume
  kc delete namespace "$NS" --ignore-not-found --timeout 120s >/dev/null
  kc delete pv giropops-redis-data --ignore-not-found >/dev/null
  rm -rf "$K8S_DIR/pv/redis"
fi
kc create namespace "$NS" --dry-run=client -o yaml |
  kc label --local -f - -o yaml pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/enforce-version=latest pod-security.kubernetes.io/warn=restricted |
  kc apply -f - >/dev/null
# restricted_pod NAME IMAGE USER RUN_AS_NON_ROOT LABEL [COMMAND] -- ARGS...: a pod manifest.
# LABEL is the value of giropops.test/client, or a whole {labels} mapping.
restricted_pod() {
  local name=$1 image=$2 user=$3 nonroot=$4 labels=$5; shift 5
  [[ $labels == \{* ]] || labels="{giropops.test/client: \"$labels\"}"
  local cmd=""; [[ $1 != -- ]] && { cmd="command: [\"$1\"]"; shift; }; shift
  local args=""; (($#)) && args="args: [$(printf '"%s",' "$@" | sed 's/,$//')]"
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $name, namespace: $NS, labels: $labels}
spec:
  restartPolicy: ${RESTART:-Never}
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: $nonroot, runAsUser: $user, runAsGroup: $user, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: $image
    imagePullPolicy: Never
    $cmd
    $args
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
YAML
}
# run_pod NAME IMAGE USER LABEL [COMMAND] -- ARGS...: run a one-shot pod to its end; print
# its phase, then its output.
run_pod() {
  local name=$1 phase=""
  kc delete pod -n "$NS" "$name" --ignore-not-found >/dev/null
  restricted_pod "$1" "$2" "$3" true "${@:4}" | kc apply -f - >/dev/null
  for _ in $(seq 1 180); do
    phase=$(kc get pod -n "$NS" "$name" -o jsonpath='{.status.phase}')
    [[ $phase == Succeeded || $phase == Failed ]] && break
    sleep 0.5
  done
  echo "$phase"; kc logs -n "$NS" "$name" 2>&1
  kc delete pod -n "$NS" "$name" --wait=false >/dev/null
}
# refused OUTPUT: the pod failed, with a refused connection (kube-router REJECTs).
refused() { [[ $(head -1 <<<"$1") == Failed ]] && grep -qi 'connection refused' <<<"$1"; }
# allowed NAME IMAGE USER LABEL [COMMAND] -- ARGS...: the pod succeeds. A new pod's address
# reaches the NetworkPolicy controller's (kube-router's) ipsets some seconds after its
# container starts, so the container may fail first: it restarts in the same pod (same
# address) until it succeeds.
allowed() { local out; out=$(RESTART=OnFailure run_pod "$@"); [[ $(head -1 <<<"$out") == Succeeded ]] || { echo "$out" >&2; return 1; }; }
restricted_pod pause-probe "$PAUSE_IMAGE" 65532 true probe -- | kc apply -f - >/dev/null
kc wait -n "$NS" --for=condition=Ready pod/pause-probe --timeout 60s >/dev/null ||
  fail "a pod that meets 'restricted' did not become Ready"
pass "a pod that meets 'restricted' is admitted and Ready (sandbox, CNI bridge, pod IP $(kc get pod -n "$NS" pause-probe -o jsonpath='{.status.podIP}'))"
kc delete pod -n "$NS" pause-probe --wait=false >/dev/null
for variant in "root:0:false" "nonroot-false:65532:false"; do
  IFS=: read -r what user nonroot <<<"$variant"
  if out=$(restricted_pod "reject-$what" "$PAUSE_IMAGE" "$user" "$nonroot" probe -- | kc create -f - 2>&1); then
    fail "a pod with runAsUser=$user runAsNonRoot=$nonroot was admitted under restricted"
  fi
  grep -q 'violates PodSecurity "restricted' <<<"$out" || fail "unexpected rejection: $out"
  pass "the API server rejects a pod with runAsUser=$user runAsNonRoot=$nonroot: $(grep -o 'violates PodSecurity.*' <<<"$out" | cut -c1-110)"
done

# ---------------------------------------------------------------- 2. the chart
missing=()
[[ -f $root/dist/image/oci/index.json && -f $root/dist/image/digest ]] || missing+=("the app image (make image)")
docker image inspect giropops-senhas-redis:local >/dev/null 2>&1 || missing+=("giropops-senhas-redis:local (make redis-image)")
[[ -n ${HELM:-} && -x ${HELM:-/nonexistent} ]] || missing+=("helm (HELM=...)")
[[ -f $CHART/Chart.yaml ]] || missing+=("the chart")
if ((${#missing[@]})); then
  [[ ${CI:-} == true ]] && fail "missing: ${missing[*]}"
  log "SKIP the chart's part: missing ${missing[*]}"; exit 0
fi
h() { "$HELM" --kubeconfig "$KUBECONFIG" -n "$NS" "$@"; }

# Images: imported into the node's containerd, never pulled. The app by its index digest.
digest=$(cat "$root/dist/image/digest")
tar -C "$root/dist/image/oci" -cf "$art/app-oci.tar" .
# The layout's index names the image index by tag: --base-name makes it giropops-senhas:<tag>,
# --digests adds giropops-senhas@sha256:..., the name the kubelet looks a digest reference up by.
"${CTR[@]}" images import --base-name docker.io/library/giropops-senhas --digests "$art/app-oci.tar" >/dev/null
docker save giropops-senhas-redis:local -o "$art/redis.tar"
"${CTR[@]}" images import "$art/redis.tar" >/dev/null
rm -f "$art/app-oci.tar" "$art/redis.tar"
"${CTR[@]}" images ls | awk '$1 ~ /^docker.io\/library\/giropops-senhas:/ {print $3}' | grep -qx "$digest" ||
  fail "the app image is not in containerd as $digest"
pass "images imported: giropops-senhas@$digest, giropops-senhas-redis:local, $PAUSE_IMAGE"
APP_IMAGE=giropops-senhas@$digest

# Redis' volume: a pre-created local PersistentVolume in $K8S_DIR (no provisioner needed).
mkdir -p "$K8S_DIR/pv/redis"
kc apply -f - >/dev/null <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: giropops-local}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: giropops-redis-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: giropops-local
  local: {path: "$K8S_DIR/pv/redis"}
  nodeAffinity:
    required:
      nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME]}]}]
YAML
# Redis gets a small memory limit, so that the flood at the end reaches its maxmemory
# ((48Mi - 16Mi) * 3/4 = 24Mi) in well under a minute.
cat >"$art/values.yaml" <<YAML
image: {repository: giropops-senhas, digest: "$digest"}
redis:
  persistence: {storageClassName: giropops-local, size: 1Gi}
  resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 500m, memory: 48Mi}}
# The test's client pods and the host (load through the cluster IP) may reach the app.
networkPolicy:
  extraFrom:
  - podSelector: {matchLabels: {giropops.test/client: "true"}}
  - ipBlock: {cidr: $NODE_IP/32}
  - ipBlock: {cidr: ${POD_CIDR%.*}.1/32}
YAML
t=$SECONDS
h install "$REL" "$CHART" -f "$art/values.yaml" --wait --timeout 4m >"$art/helm-install.txt"
figure "helm install --wait: $((SECONDS - t))s"
kc wait -n "$NS" --for=condition=Ready pod -l "app.kubernetes.io/instance=$REL" --timeout 120s >/dev/null
pass "helm install: every pod admitted under restricted and Ready: $(kc get pods -n "$NS" -l "app.kubernetes.io/instance=$REL" -o name | tr '\n' ' ')"
SVC=$(kc get svc -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=app" -o jsonpath='{.items[0].metadata.name}')
IP=$(kc get svc -n "$NS" "$SVC" -o jsonpath='{.spec.clusterIP}')
URL=http://$IP:5000
# Ready pods reach kube-proxy's rules a moment later: wait until the Service answers the
# host. The chart's test pod restarts until kube-router lets it in (restartPolicy OnFailure:
# new pods were refused for a few seconds, and a Never pod failed helm test on two runs).
wait_for 30 "the Service's endpoints from the host" curl -fsS -o /dev/null "$URL/healthz"
h test "$REL" --timeout 2m >"$art/helm-test.txt" 2>&1 || { cat "$art/helm-test.txt" >&2; fail "helm test"; }
pass "helm test"

# From another pod: our image's healthcheck subcommand (no curl in it) through the Service's DNS name.
in_pod_get() { allowed "$1" "$APP_IMAGE" 65532 true -- healthcheck "$2"; }
in_pod_get client-page "http://$SVC:5000/" || fail "the page through the Service from another pod"
pass "the page answers 200 through the Service from another pod"
in_pod_get client-api "http://$SVC.$NS.svc.cluster.local:5000/api/senhas" ||
  fail "the API through the Service's full DNS name from another pod"
pass "the API answers 200 through the Service's full DNS name from another pod"
# The same chart-made pod, but forced to root, is refused.
if out=$(restricted_pod app-as-root "$APP_IMAGE" 0 false true -- | kc create -f - 2>&1); then
  fail "the app image as root was admitted"
fi
pass "the API server rejects the app image as root: $(grep -o 'violates PodSecurity.*' <<<"$out" | cut -c1-90)"

# From the host: kubectl port-forward to the Service.
kc port-forward -n "$NS" "svc/$SVC" :5000 --address 127.0.0.1 >"$art/port-forward.txt" 2>&1 &
pf_pid=$!
wait_for 20 "port-forward" grep -q 'Forwarding from' "$art/port-forward.txt"
pf=$(sed -n 's/Forwarding from 127.0.0.1:\([0-9]*\).*/\1/p' "$art/port-forward.txt" | head -1)
curl -fsS -o /dev/null "http://127.0.0.1:$pf/" || fail "the page through the port-forward"
pass "the page answers through a port-forward from the host"
curl -fsS -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$pf/api/gerar-senha" | grep -q '"senha"' ||
  fail "POST /api/gerar-senha through the port-forward"
pass "POST /api/gerar-senha answers a password through the port-forward"
kill "$pf_pid"; wait "$pf_pid" 2>/dev/null || true; pf_pid=""

# Load through the Service's cluster IP, which kube-proxy's rules make reachable from the host.
wait_for 20 "the cluster IP from the host" curl -fsS -o /dev/null "$URL/healthz"
(cd "$root" && GOTOOLCHAIN=auto go build -o "$art/loadgen" ./test/k8s/loadgen)
# under_load NAME RETRIES CMD...: run CMD while loadgen runs; fail if it lost a request.
under_load() {
  local name=$1 retries=$2; shift 2
  "$art/loadgen" -url "$URL" -c 8 -rate 200 -retries "$retries" >"$art/load-$name.txt" 2>&1 &
  load_pid=$!
  sleep 3
  "$@"
  sleep 5
  kill -INT "$load_pid"; local rc=0; wait "$load_pid" || rc=$?; load_pid=""
  figure "$name: $(head -1 "$art/load-$name.txt")"
  ((rc == 0)) || { cat "$art/load-$name.txt" >&2; fail "$name lost requests"; }
}
app_pods() { kc get pods -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=app" -o jsonpath='{.items[*].metadata.name}'; }

# The history key: a Secret the install made (32 random bytes, base64), which the upgrade
# must keep (lookup), or every history sealed before it would be unreadable.
KEY_SECRET=$SVC-history-key
history_key() { kc get secret -n "$NS" "$KEY_SECRET" -o jsonpath='{.data.history-key}' | base64 -d; }
key_before=$(history_key)
[[ $(base64 -d <<<"$key_before" | wc -c) == 32 && ${#key_before} == 44 ]] ||
  fail "Secret $KEY_SECRET does not hold 32 bytes in 44 characters of base64"
ujar=$art/upgrade-cookies.txt
usenha=$(curl -fsS -c "$ujar" -b "$ujar" -H 'Content-Type: application/json' -d '{}' "$URL/api/gerar-senha" | sed -n 's/.*"senha":"\([^"]*\)".*/\1/p')
[[ -n $usenha ]] || fail "no password generated before the upgrade"

before=$(app_pods)
upgrade() { h upgrade "$REL" "$CHART" --reuse-values --set app.logLevel=debug --wait --timeout 4m >"$art/helm-upgrade.txt"; }
under_load helm-upgrade 0 upgrade
after=$(app_pods)
# The old pods may still be draining (preStop + shutdown); they must be gone within a minute.
for p in $before; do
  wait_for 60 "old pod $p to go" bash -c "! '$BIN/kubectl' get pod -n $NS $p" || fail "helm upgrade left pod $p in place"
done
after=$(app_pods)
pass "helm upgrade replaced every app pod ($before -> $after) under load with no request lost"
[[ $(history_key) == "$key_before" ]] || fail "helm upgrade changed the history key in Secret $KEY_SECRET"
curl -fsS -b "$ujar" "$URL/api/senhas" | grep -qF "\"$usenha\"" ||
  fail "a password sealed before the upgrade is not in its session's history after it"
pass "helm upgrade kept the history key (Secret $KEY_SECRET, 32 bytes) and the new pods read a history sealed before it"

delete_app_pod() {
  kc delete pod -n "$NS" "${after%% *}" >/dev/null
  kc rollout status -n "$NS" "deploy/$SVC" --timeout 120s >/dev/null
}
under_load delete-app-pod 1 delete_app_pod
pass "deleting an app pod under load lost no request (one client retry allowed)"

# Redis: a password written in one session survives the Redis pod's deletion (AOF on the PV).
jar=$art/cookies.txt
senha=$(curl -fsS -c "$jar" -b "$jar" -H 'Content-Type: application/json' -d '{}' "$URL/api/gerar-senha" | sed -n 's/.*"senha":"\([^"]*\)".*/\1/p')
[[ -n $senha ]] || fail "no password generated"
curl -fsS -b "$jar" "$URL/api/senhas" | grep -qF "\"$senha\"" || fail "the new password is not in the history"
REDIS_POD=$(kc get pods -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=redis" -o jsonpath='{.items[0].metadata.name}')
uid=$(kc get pod -n "$NS" "$REDIS_POD" -o jsonpath='{.metadata.uid}')
sleep 2 # appendfsync everysec
kc delete pod -n "$NS" "$REDIS_POD" >/dev/null
wait_for 120 "a new Redis pod" bash -c "[[ \$('$BIN/kubectl' get pod -n $NS $REDIS_POD -o jsonpath='{.metadata.uid}') != $uid ]]"
kc wait -n "$NS" --for=condition=Ready "pod/$REDIS_POD" --timeout 120s >/dev/null
wait_for 60 "the history back" bash -c "curl -fsS -b '$jar' '$URL/api/senhas' | grep -qF '\"$senha\"'" ||
  fail "the history was lost with the Redis pod"
pass "deleting the Redis pod lost no history (PVC $(kc get pvc -n "$NS" -o jsonpath='{.items[0].spec.volumeName}'), AOF)"

# Redis down: the app pods stay Ready (readiness is /healthz by default) and keep generating;
# the history answers 503 with its message; when Redis is back, so is the history.
REDIS_STS=$(kc get sts -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=redis" -o jsonpath='{.items[0].metadata.name}')
kc scale -n "$NS" "sts/$REDIS_STS" --replicas 0 >/dev/null
kc wait -n "$NS" --for=delete "pod/$REDIS_POD" --timeout 120s >/dev/null
sleep 12 # two readiness periods: a probe that followed Redis would have failed by now
ready=$(kc get pods -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=app" \
  -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}')
[[ $ready == *True* && $ready != *False* ]] || fail "with Redis down the app pods are not all Ready: $ready"
ok=0
for _ in $(seq 1 20); do
  curl -fsS -H 'Content-Type: application/json' -d '{}' "$URL/api/gerar-senha" | grep -q '"senha"' && ok=$((ok + 1))
done
((ok == 20)) || fail "with Redis down only $ok of 20 generations answered"
code=$(curl -s -o "$art/history-redis-down.json" -w '%{http_code}' -b "$jar" "$URL/api/senhas")
[[ $code == 503 ]] && grep -q '"erro"' "$art/history-redis-down.json" ||
  fail "with Redis down GET /api/senhas answered $code: $(cat "$art/history-redis-down.json")"
kc scale -n "$NS" "sts/$REDIS_STS" --replicas 1 >/dev/null
wait_for 120 "the history back after Redis" bash -c "curl -fsS -b '$jar' '$URL/api/senhas' | grep -qF '\"$senha\"'" ||
  fail "the history did not come back with Redis"
pass "Redis scaled to 0: app pods stay Ready ($ready), 20/20 generations answered, the history answered 503 ($(cat "$art/history-redis-down.json")); back with Redis, history intact"

# HPA: metrics-server (built from the proxy, deployed by up.sh) feeds the chart's HPA.
wait_for 120 "metrics-server's pod metrics" bash -c "'$BIN/kubectl' top pods -n $NS --no-headers | grep -q ."
pass "metrics-server serves pod metrics: $(kc top pods -n "$NS" --no-headers | awk '{printf "%s=%s ", $1, $2}')"
hpa_replicas() { kc get hpa -n "$NS" "$SVC" -o jsonpath='{.status.currentReplicas}/{.status.desiredReplicas}'; }
wait_for 90 "the HPA to read CPU" bash -c "[[ -n \$('$BIN/kubectl' get hpa -n $NS $SVC -o jsonpath='{.status.currentMetrics[0].resource.current.averageUtilization}') ]]"
# The chart keeps Kubernetes' default 5-minute scale-down window; shorten it for the test.
kc patch hpa -n "$NS" "$SVC" --type merge -p '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":10}}}}' >/dev/null
t=$SECONDS
"$art/loadgen" -url "$URL" -c 16 -rate 600 -retries 1 >"$art/load-hpa.txt" 2>&1 &
load_pid=$!
scaled_out() { local r; r=$(hpa_replicas); ((${r%/*} > 2)); }
wait_for 240 "the HPA to scale out" scaled_out || { kc describe hpa -n "$NS" "$SVC" >&2; fail "the HPA did not scale out"; }
out_at=$((SECONDS - t))
sleep 15
peak=$(hpa_replicas)
kill -INT "$load_pid"; wait "$load_pid" || true; load_pid=""
figure "hpa: scaled out after ${out_at}s to $peak (current/desired) under $(head -1 "$art/load-hpa.txt")"
pass "the HPA scaled out under load (${out_at}s, replicas $peak)"
t=$SECONDS
scaled_in() { [[ $(hpa_replicas) == 2/2 ]]; }
wait_for 300 "the HPA to scale back in" scaled_in || { kc describe hpa -n "$NS" "$SVC" >&2; fail "the HPA did not scale back in"; }
figure "hpa: back to 2 replicas $((SECONDS - t))s after the load stopped"
pass "the HPA scaled back in to minReplicas=2"

# NetworkPolicies, enforced by kube-router (up.sh): every check above already ran under
# them (the test's client pods and the host are in networkPolicy.extraFrom); now what they
# must refuse, each beside a control that the same pod and command work where allowed.
REDIS_IMAGE=giropops-senhas-redis:local
REDIS_SVC=$(kc get svc -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=redis" -o jsonpath='{.items[0].metadata.name}')
APP_LABELS=$(kc get deploy -n "$NS" "$SVC" -o jsonpath='{.spec.selector.matchLabels}') # JSON is a YAML mapping

# The app's ingress: port 5000 only from the listed peers.
allowed np-client-app "$APP_IMAGE" 65532 true -- healthcheck "http://$SVC:5000/healthz" ||
  fail "control: a client-labelled pod cannot reach the app"
out=$(run_pod np-stranger-app "$APP_IMAGE" 65532 stranger -- healthcheck "http://$SVC:5000/healthz")
refused "$out" || fail "a pod outside networkPolicy's peers reached the app: $out"
pass "NetworkPolicy: a pod outside the app's peers is refused on 5000 ($(tail -1 <<<"$out" | grep -o 'connect: .*')), a client-labelled one is served"

# Redis' ingress: 6379 only from the app's pods.
out=$(run_pod np-client-redis "$REDIS_IMAGE" 999 true redis-cli -- -h "$REDIS_SVC" ping)
refused "$out" || fail "a client-labelled pod reached Redis: $out"
allowed np-app-redis "$REDIS_IMAGE" 999 "$APP_LABELS" redis-cli -- -h "$REDIS_SVC" ping ||
  fail "control: a pod with the app's labels cannot reach Redis"
pass "NetworkPolicy: Redis answers a pod with the app's labels (redis-cli ping) and refuses a client-labelled one"

# The app's egress: DNS and Redis only. A server no policy selects is reachable from a client
# pod but not from an app pod.
kc delete pod -n "$NS" np-target --ignore-not-found >/dev/null
restricted_pod np-target "$APP_IMAGE" 65532 true target -- | kc apply -f - >/dev/null
kc wait -n "$NS" --for=condition=Ready pod/np-target --timeout 60s >/dev/null
target=http://$(kc get pod -n "$NS" np-target -o jsonpath='{.status.podIP}'):5000/healthz
allowed np-client-target "$APP_IMAGE" 65532 true -- healthcheck "$target" ||
  fail "control: a client pod cannot reach the target server at $target"
app_pod=$(app_pods); app_pod=${app_pod%% *}
if out=$(kc exec -n "$NS" "$app_pod" -- /giropops-senhas healthcheck "$target" 2>&1); then
  fail "app pod $app_pod reached $target: its egress is not restricted"
fi
grep -qi 'connection refused' <<<"$out" || fail "app pod's egress failed, but not as refused: $out"
kc delete pod -n "$NS" np-target --wait=false >/dev/null
pass "NetworkPolicy: an app pod cannot open a connection beyond DNS and Redis (refused to $target, which a client pod reaches)"

# Redis flooded: cookie-less clients each start a session (10-minute TTL) until Redis is at
# its maxmemory and evicting. volatile-ttl must evict those and not a session whose cookie
# came back (24 h TTL); every request must still answer 200, Redis must not be OOM-killed,
# and its memory must stay at maxmemory, below the container's limit.
REDIS_POD=$(kc get pods -n "$NS" -l "app.kubernetes.io/instance=$REL,app.kubernetes.io/component=redis" -o jsonpath='{.items[0].metadata.name}')
redis_cli() { kc exec -n "$NS" "$REDIS_POD" -c redis -- /usr/bin/redis-cli "$@" | tr -d '\r'; }
# redis_info reads INFO; info FIELD prints one of its fields.
redis_info() { rinfo=$(redis_cli INFO); }
info() { sed -n "s/^$1://p" <<<"$rinfo"; }
limit=$(numfmt --from=iec-i "$(kc get pod -n "$NS" "$REDIS_POD" -o jsonpath='{.spec.containers[0].resources.limits.memory}')")
maxmem=$(redis_cli CONFIG GET maxmemory | tail -1)
policy=$(redis_cli CONFIG GET maxmemory-policy | tail -1)
((maxmem > 0 && maxmem < limit)) && [[ $policy == volatile-ttl ]] ||
  fail "Redis runs with maxmemory $maxmem and policy $policy under a $limit-byte limit"
pass "Redis: maxmemory $maxmem bytes ($((maxmem >> 20)) MiB) below its container limit of $limit ($((limit >> 20)) MiB), maxmemory-policy volatile-ttl"
uid=$(kc get pod -n "$NS" "$REDIS_POD" -o jsonpath='{.metadata.uid}')
# A browser: its cookie comes back, so its session has the long TTL.
bjar=$art/browser-cookies.txt
mine=()
for _ in 1 2 3; do
  mine+=("$(curl -fsS -c "$bjar" -b "$bjar" -H 'Content-Type: application/json' -d '{}' "$URL/api/gerar-senha" | sed -n 's/.*"senha":"\([^"]*\)".*/\1/p')")
done
redis_info
ev0=$(info evicted_keys)
t=$SECONDS
"$art/loadgen" -url "$URL" -flood -c 16 -rate 0 -duration 5m >"$art/load-flood.txt" 2>&1 &
load_pid=$!
peak=0 evicting_at=""
while ((SECONDS - t < 240)); do
  sleep 1
  redis_info
  used=$(info used_memory)
  ((used > peak)) && peak=$used
  if [[ -z $evicting_at ]] && (($(info evicted_keys) > ev0)); then evicting_at=$((SECONDS - t)); fi
  # Keep flooding 10 s past the first eviction: Redis stays at maxmemory, evicting.
  if [[ -n $evicting_at ]] && ((SECONDS - t >= evicting_at + 10)); then break; fi
done
kill -INT "$load_pid"; rc=0; wait "$load_pid" || rc=$?; load_pid=""
[[ -n $evicting_at ]] || fail "the flood did not bring Redis to its maxmemory in 240 s: $(head -1 "$art/load-flood.txt")"
((rc == 0)) || { cat "$art/load-flood.txt" >&2; fail "flood: not every request was answered 200"; }
sleep 5 # Redis' cron trims the query buffers of clients idle for 2 s, all within a second
redis_info
used=$(info used_memory) evicted=$(($(info evicted_keys) - ev0))
figure "flood: $(head -1 "$art/load-flood.txt"); Redis evicting after ${evicting_at}s; used_memory sampled peak $peak, after $used, maxmemory $maxmem, limit $limit; used_memory_peak $(info used_memory_peak), used_memory_rss $(info used_memory_rss); $evicted keys evicted, $(redis_cli DBSIZE) keys left"
restarts=$(kc get pod -n "$NS" "$REDIS_POD" -o jsonpath='{.metadata.uid} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.reason}')
[[ $restarts == "$uid 0 " ]] || fail "Redis was restarted during the flood (uid, restarts, last termination: $restarts)"
((used <= maxmem)) || fail "after the flood Redis reports used_memory $used above maxmemory $maxmem"
got=$(curl -fsS -b "$bjar" "$URL/api/senhas")
for s in "${mine[@]}"; do
  grep -qF "\"$s\"" <<<"$got" || fail "the browser's session lost $s in the flood: $got"
done
pass "flood of $(sed -n 's/^requests=\([0-9]*\).*/\1/p' "$art/load-flood.txt") cookie-less requests, all answered 200: Redis evicting after ${evicting_at}s ($evicted keys evicted), used_memory $used <= maxmemory $maxmem after it, no restart; the browser's session still lists its ${#mine[@]} passwords"
