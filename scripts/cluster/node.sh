# The one-node cluster's node: the network guard, the bridge, certificates, containerd, the
# control plane, kubelet and kube-proxy. Sourced by scripts/cluster.sh, which sets D (state
# directory), KUBE (binaries), ADDONS and the network constants below.

# Addresses: everything lives in CLUSTER_NET, which an `unreachable` route and a drop rule on the
# default route's interface keep on this machine. The node's own address is the bridge's (like
# cni0 on k3s), so pods reach the API server and the kubelet without any host interface.
CLUSTER_NET="${MV_CLUSTER_NET:-10.244.0.0/16}"
POD_CIDR="${MV_POD_CIDR:-10.244.0.0/24}"
NODE_IP="${MV_NODE_IP:-10.244.0.1}"
SERVICE_CIDR="${MV_SERVICE_CIDR:-10.244.128.0/24}"
API_SERVICE_IP="${SERVICE_CIDR%.*}.1"
DNS_IP="${SERVICE_CIDR%.*}.10"
BRIDGE=mv-cni0
NODE_NAME=metric-vault-node
API_PORT=6443
ETCD_PORT=23890
GUARD_CHAIN=MV-CLUSTER-GUARD

# --- the guard: set before the bridge exists and removed only after it is gone ------------------
guard_up() {
  ip route replace unreachable "$CLUSTER_NET" metric 4000
  iptables -t mangle -N "$GUARD_CHAIN" 2>/dev/null || iptables -t mangle -F "$GUARD_CHAIN"
  # Anything from or to the cluster's ranges is dropped on every interface with a default route,
  # in mangle POSTROUTING: after routing and DNAT, before any masquerading could hide the source.
  local dev
  for dev in $(ip -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | sort -u); do
    iptables -t mangle -A "$GUARD_CHAIN" -o "$dev" -s "$CLUSTER_NET" -j DROP
    iptables -t mangle -A "$GUARD_CHAIN" -o "$dev" -d "$CLUSTER_NET" -j DROP
  done
  iptables -t mangle -C POSTROUTING -j "$GUARD_CHAIN" 2>/dev/null \
    || iptables -t mangle -I POSTROUTING 1 -j "$GUARD_CHAIN"
  grep -q "^unreachable $CLUSTER_NET" <<<"$(ip route show type unreachable)" || die "guard route missing"
}

guard_down() {
  iptables -t mangle -D POSTROUTING -j "$GUARD_CHAIN" 2>/dev/null || true
  iptables -t mangle -F "$GUARD_CHAIN" 2>/dev/null || true
  iptables -t mangle -X "$GUARD_CHAIN" 2>/dev/null || true
  ip route del unreachable "$CLUSTER_NET" 2>/dev/null || true
}

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  grep -qF " $NODE_IP/" <<<"$(ip addr show dev "$BRIDGE")" || ip addr add "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The host's own connections to Service addresses need a route before kube-proxy's DNAT
  # rewrites them (the guard's `unreachable` would refuse them at connect): the bridge, so a
  # Service address nobody holds still goes nowhere but this machine's bridge.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
  modprobe br_netfilter 2>/dev/null || true
  modprobe overlay 2>/dev/null || true
  # Pod-to-service traffic between two pods of the bridge must pass iptables to be un-NATed.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
}

# --- certificates and kubeconfigs ---------------------------------------------------------------
sign() {   # name subject extensions [ca]
  local ca="${4:-ca}" p="$D/pki"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$p/$1.key" \
      -subj "$2" 2>/dev/null \
    | openssl x509 -req -CA "$p/$ca.crt" -CAkey "$p/$ca.key" -CAcreateserial -days 3650 \
        -out "$p/$1.crt" -extfile <(printf '%b' "$3") 2>/dev/null
}
certs() {
  local p="$D/pki" ca
  [ -f "$p/done" ] && return 0
  mkdir -p "$p"; chmod 700 "$p"
  for ca in ca front-proxy-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$p/$ca.key" \
      -out "$p/$ca.crt" -days 3650 -subj "/CN=metric-vault-cluster-$ca" 2>/dev/null
  done
  local c='subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
  local client="${c}extendedKeyUsage=clientAuth\n"
  sign apiserver /CN=kube-apiserver "${c}extendedKeyUsage=serverAuth\nsubjectAltName=IP:$NODE_IP,IP:127.0.0.1,IP:$API_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
  sign kubelet "/CN=$NODE_NAME" "${c}extendedKeyUsage=serverAuth\nsubjectAltName=IP:$NODE_IP,DNS:$NODE_NAME\n"
  sign admin "/O=system:masters/CN=metric-vault-admin" "$client"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
  sign controller-manager /CN=system:kube-controller-manager "$client"
  sign scheduler /CN=system:kube-scheduler "$client"
  sign node "/O=system:nodes/CN=system:node:$NODE_NAME" "$client"
  sign kube-proxy /CN=system:kube-proxy "$client"
  sign front-proxy-client /CN=front-proxy-client "$client" front-proxy-ca
  openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
  openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  touch "$p/done"
}
kubeconfig() {   # file cert
  local p="$D/pki"
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: metric-vault
  cluster:
    server: https://$NODE_IP:$API_PORT
    certificate-authority-data: $(base64 -w0 "$p/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$p/$2.crt")
    client-key-data: $(base64 -w0 "$p/$2.key")
contexts:
- name: metric-vault
  context: {cluster: metric-vault, user: $2, namespace: default}
current-context: metric-vault
EOF
  chmod 600 "$1.tmp"; mv "$1.tmp" "$1"
}

# --- processes ----------------------------------------------------------------------------------
pid_of() {   # pid of a program we started, only while that pid still runs that program
  local f="$D/run/$1.pid" p prog
  [ -f "$f" ] && read -r p prog <"$f" && kill -0 "$p" 2>/dev/null \
    && [[ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -n1)" == *"$prog" ]] && echo "$p"
}
launch() {   # name program args...: detached, so it outlives this script and its caller's pipes
  [ -n "$(pid_of "$1")" ] && return 0
  setsid "${@:2}" </dev/null >>"$D/logs/$1.log" 2>&1 &
  echo "$! ${2##*/}" >"$D/run/$1.pid"
}
wait_for() {   # name seconds command...
  local name="$1" secs="$2" deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    kill -0 "$(cut -d' ' -f1 "$D/run/$name.pid" 2>/dev/null || echo 0)" 2>/dev/null \
      || { tail -n 20 "$D/logs/$name.log" >&2; die "$name exited (log: $D/logs/$name.log)"; }
    [ "$SECONDS" -lt "$deadline" ] || die "$name not ready after ${secs}s (log: $D/logs/$name.log)"
    sleep 0.5
  done
}
stop_program() {
  local p i; p="$(pid_of "$1" || true)"
  if [ -n "$p" ]; then
    kill -TERM "$p"
    for i in $(seq 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p"
    log "stopped $1 (pid $p)"
  fi
  rm -f "$D/run/$1.pid"
}

# --- containerd ----------------------------------------------------------------------------------
CONTAINERD_SOCK() { echo "$D/run/containerd.sock"; }
containerd_up() {
  mkdir -p "$D/containerd" "$D/cni/net.d" "$D/netns"
  cat >"$D/containerd/config.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
[grpc]
  address = "$(CONTAINERD_SOCK)"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  # This machine's root lacks CAP_SYS_RESOURCE: no process may lower its OOM score below its
  # parent's, so pods keep containerd's (kubelet asks for -998 for sandboxes, runc would fail).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni/net.d"
EOF
  # No masquerading: pods talk to each other, to services and to this node, and to nothing else.
  cat >"$D/cni/net.d/10-metric-vault.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "metric-vault", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$D/cni/ipam",
            "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}
]}
EOF
  launch containerd containerd --config "$D/containerd/config.toml"
  wait_for containerd 30 ctr --address "$(CONTAINERD_SOCK)" version
}
ctr_k8s() { ctr --address "$(CONTAINERD_SOCK)" -n k8s.io "$@"; }

# --- control plane -------------------------------------------------------------------------------
control_plane_up() {
  local p="$D/pki" k="$D/kubeconfigs"
  mkdir -p "$k"
  kubeconfig "$D/kubeconfig" admin
  kubeconfig "$k/controller-manager" controller-manager
  kubeconfig "$k/scheduler" scheduler
  kubeconfig "$k/kubelet" node
  kubeconfig "$k/kube-proxy" kube-proxy
  launch etcd etcd --name metric-vault --data-dir "$D/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "metric-vault=http://127.0.0.1:$((ETCD_PORT + 1))" \
    --quota-backend-bytes $((2 * 1024 * 1024 * 1024)) --logger zap
  wait_for etcd 30 curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"
  launch kube-apiserver "$KUBE/kube-apiserver" \
    --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$API_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" --cert-dir="$p" \
    --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --client-ca-file="$p/ca.crt" --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$p/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --requestheader-client-ca-file="$p/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$p/front-proxy-client.crt" --proxy-client-key-file="$p/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false
  wait_for kube-apiserver 180 kubectl get --raw /readyz
  launch kube-controller-manager "$KUBE/kube-controller-manager" \
    --kubeconfig="$k/controller-manager" --authentication-kubeconfig="$k/controller-manager" \
    --authorization-kubeconfig="$k/controller-manager" --bind-address=127.0.0.1 \
    --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
    --cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$POD_CIDR" --profiling=false
  launch kube-scheduler "$KUBE/kube-scheduler" --kubeconfig="$k/scheduler" \
    --authentication-kubeconfig="$k/scheduler" --authorization-kubeconfig="$k/scheduler" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
}

# --- kubelet and kube-proxy ----------------------------------------------------------------------
# kubelet sets these kernel settings as every Kubernetes node has them (overcommit, panic on
# oops); the machine gets its own values back when the cluster goes down.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
                 kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
sysctls_save() { [ -f "$D/sysctl.saved" ] || sysctl "${KUBELET_SYSCTLS[@]}" | tr -d ' ' >"$D/sysctl.saved"; }
sysctls_restore() {
  [ -f "$D/sysctl.saved" ] || return 0
  xargs -r sysctl -qw <"$D/sysctl.saved" && rm -f "$D/sysctl.saved"
}

node_up() {
  local p="$D/pki"
  sysctls_save
  mkdir -p "$D/kubelet" "$D/pod-logs"
  cat >"$D/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine has cgroups v1, which kubelet 1.35+ refuses unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$(CONTAINERD_SOCK)
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $p/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $p/kubelet.crt
tlsPrivateKeyFile: $p/kubelet.key
clusterDomain: cluster.local
clusterDNS: [$DNS_IP]
# Pods never get this machine's resolver: names outside the cluster do not resolve in pods.
resolvConf: ""
podLogsDir: $D/pod-logs
podCIDR: $POD_CIDR
failSwapOn: false
serializeImagePulls: false
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%}
# No image garbage collection: every image here was imported, none can be pulled again, and on
# a disk past 85 % full kubelet deleted even the pause image (no pod could start after that).
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
  launch kubelet "$KUBE/kubelet" --config="$D/kubelet-config.yaml" --kubeconfig="$D/kubeconfigs/kubelet" \
    --root-dir="$D/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
  cat >"$D/kube-proxy-config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $D/kubeconfigs/kube-proxy}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Node ports only on the node's bridge address, never on the machine's own interfaces.
nodePortAddresses: ["$NODE_IP/32"]
# Leave the machine's conntrack settings as they are.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  launch kube-proxy "$KUBE/kube-proxy" --config="$D/kube-proxy-config.yaml"
  wait_for kubelet 120 sh -c "kubectl get node $NODE_NAME -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"
}
