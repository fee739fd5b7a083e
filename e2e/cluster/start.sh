#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback from the binaries e2e/cluster/build.sh built:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and KWOK, which plays the kubelet
# of every Node annotated kwok.x-k8s.io/node=fake (node heartbeats, pods Running/Ready, Job pods
# Succeeded). Certificates and keys are made for this run only; every port is a free random one.
#
#   e2e/cluster/start.sh            # writes $CLUSTER_RUN_DIR/kubeconfig (default .cache/cluster/run)
#   KUBECONFIG=.cache/cluster/run/kubeconfig kubectl get nodes
#   e2e/cluster/stop.sh             # stops every process and removes the run directory
#
# Prints `export KUBECONFIG=<path>` on its last line. Logs: $CLUSTER_RUN_DIR/logs/<component>.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${CLUSTER_BIN_DIR:-$root/.cache/cluster/bin}"
run="${CLUSTER_RUN_DIR:-$root/.cache/cluster/run}"

for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  [ -x "$bin/$b" ] || { echo "start: $bin/$b missing: run e2e/cluster/build.sh first" >&2; exit 1; }
done
if [ -d "$run/pids" ] && ls "$run"/pids/*.pid >/dev/null 2>&1; then
  echo "start: a cluster already runs from $run (e2e/cluster/stop.sh first)" >&2
  exit 1
fi
rm -rf "$run"
mkdir -p "$run"/{pki,logs,pids,etcd}
chmod 700 "$run" "$run/etcd"

cleanup_on_error() {
  echo "start: failed; last log lines:" >&2
  for f in "$run"/logs/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  CLUSTER_RUN_DIR="$run" "$root/e2e/cluster/stop.sh" >&2 || true
}
trap cleanup_on_error ERR

# Free loopback ports, chosen by the kernel and released right away (nothing else binds in between
# on this machine in practice; a clash fails the start loudly).
read -r etcd_port etcd_peer_port api_port kcm_port sched_port kwok_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')

# --- PKI: one CA, the API server's serving certificate, a client certificate per identity, and the
# service-account signing key. EC P-256 keys: fast to make, accepted by every component.
pki="$run/pki"
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$1.key" 2>/dev/null; }
newkey ca
openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=llmkit-e2e-ca" -days 2 -out "$pki/ca.crt" 2>/dev/null
# sign <name> <subject> <extensions>
sign() {
  newkey "$1"
  openssl req -new -key "$pki/$1.key" -subj "$2" -out "$pki/$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$pki/$1.ext"
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$pki/$1.ext" -out "$pki/$1.crt" 2>/dev/null
}
client_ext="keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
sign apiserver "/CN=kube-apiserver" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign admin "/O=system:masters/CN=llmkit-e2e-admin" "$client_ext"
sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
sign scheduler "/CN=system:kube-scheduler" "$client_ext"
# KWOK writes the status of every node and pod it plays: cluster-admin, as kwokctl gives it.
sign kwok "/O=system:masters/CN=kwok-controller" "$client_ext"
sign front-proxy "/CN=front-proxy-client" "$client_ext"
# The service-account signing key in SEC1 form ("EC PRIVATE KEY"): kube-apiserver's key-file
# parser (k8s.io/client-go/util/keyutil) reads no PKCS#8 private keys; the verifier gets the public half.
openssl ecparam -name prime256v1 -genkey -noout -out "$pki/service-account.key" 2>/dev/null
openssl ec -in "$pki/service-account.key" -pubout -out "$pki/service-account.pub" 2>/dev/null

# kubeconfig <name>: one file per identity, all pointing at the API server over TLS.
kubeconfig() {
  cat >"$run/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: llmkit-e2e
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority: $pki/ca.crt
users:
  - name: $1
    user:
      client-certificate: $pki/$1.crt
      client-key: $pki/$1.key
contexts:
  - name: llmkit-e2e
    context: { cluster: llmkit-e2e, user: $1 }
current-context: llmkit-e2e
EOF
}
for id in admin controller-manager scheduler kwok; do kubeconfig "$id"; done

# launch <name> <binary> [args…]: in its own process group, so stop.sh can end it and its children.
launch() {
  local name=$1 binary=$2
  shift 2
  setsid "$bin/$binary" "$@" >"$run/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name.pid"
}
# wait_for <component> <seconds> <command…>: fails at once when the component's process has exited.
wait_for() {
  local what=$1 limit=$2 i pidfile="$run/pids/$1.pid"
  shift 2
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "start: $what exited" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "start: $what not ready after ${limit}s" >&2
  return 1
}

# --- etcd v3.6 (the version kubernetes v1.34 is tested with), loopback only. --unsafe-no-fsync:
# the data dies with the run, so durability buys nothing here.
launch etcd etcd --name=e2e --data-dir="$run/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="e2e=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync --log-level=warn
wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"

# --- kube-apiserver: the default admission plugins (NamespaceLifecycle, ServiceAccount, Priority,
# PodSecurity, ResourceQuota, …) and RBAC, as on EKS. --endpoint-reconciler-type=none: the only
# address here is loopback, which Endpoints validation refuses for the `kubernetes` Service.
launch kube-apiserver kube-apiserver \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --endpoint-reconciler-type=none \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" \
  --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy.crt" --proxy-client-key-file="$pki/front-proxy.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/service-account.pub" \
  --service-account-signing-key-file="$pki/service-account.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC \
  --allow-privileged=true \
  --profiling=false
kubectl_admin=(kubectl --kubeconfig="$run/admin.kubeconfig")
if [ -x "$bin/kubectl" ]; then kubectl_admin[0]="$bin/kubectl"; fi
wait_for kube-apiserver 90 "${kubectl_admin[@]}" get --raw /readyz

# --- kube-controller-manager: every default controller (Deployments, ReplicaSets, Jobs, PDB status,
# garbage collection, node lifecycle, service-account tokens), each with its own service account
# as kubeadm runs it.
launch kube-controller-manager kube-controller-manager \
  --kubeconfig="$run/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$run/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$run/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/service-account.key" \
  --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --leader-elect=false --profiling=false
launch kube-scheduler kube-scheduler \
  --kubeconfig="$run/scheduler.kubeconfig" \
  --authentication-kubeconfig="$run/scheduler.kubeconfig" \
  --authorization-kubeconfig="$run/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$sched_port" \
  --leader-elect=false --profiling=false

# --- KWOK: manages only nodes annotated kwok.x-k8s.io/node=fake, with kwokctl's default stages
# (node-initialize, node-heartbeat-with-lease, pod-ready, pod-complete, pod-delete; copied from the
# pinned module by build.sh). Pod IPs come from 10.244.0.0/16.
launch kwok kwok \
  --kubeconfig="$run/kwok.kubeconfig" \
  --config="$bin/kwok-stages.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds=40 \
  --cidr=10.244.0.1/16 --node-ip=10.0.0.1 \
  --server-address="127.0.0.1:$kwok_port"

wait_for kube-controller-manager 60 curl -sfk "https://127.0.0.1:$kcm_port/healthz"
wait_for kube-scheduler 60 curl -sfk "https://127.0.0.1:$sched_port/healthz"
wait_for kwok 60 curl -sf "http://127.0.0.1:$kwok_port/healthz"
# The service-account controller has run once the default namespace has its account.
wait_for kube-controller-manager 60 "${kubectl_admin[@]}" -n default get serviceaccount default

cp "$run/admin.kubeconfig" "$run/kubeconfig"
trap - ERR
echo "cluster: up, API https://127.0.0.1:$api_port ($("${kubectl_admin[@]}" version -o json | jq -r .serverVersion.gitVersion)), logs in ${run#"$root"/}/logs"
echo "export KUBECONFIG=$run/kubeconfig"
