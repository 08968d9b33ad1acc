# lib.sh - helpers for guest-side VM test scripts (busybox ash).
#
#   . /tests/lib.sh
#   node_setup routed                      # or: node_setup bridge
#   pod_add a 10.244.1.2 fd00:10:244::1:2
#   pod_add b 10.244.1.3 fd00:10:244::1:3
#   serve b tcp:80 udp:53 sctp:9
#   expect_allowed a 10.244.1.3 80 tcp
#   expect_batch <<EOF                     # many probes in parallel
#   a 10.244.1.3 80 tcp allowed
#   a fd00:10:244::1:3 53 udp allowed  a to b over IPv6 UDP
#   EOF
#
# The guest's root network namespace is the Kubernetes node ("node" wherever
# a namespace name is expected); every pod is a named netns (/run/netns/NAME).
# Results are lines "PASS: name" / "FAIL: name: why" / "SKIP: name: why" on
# stdout; they are also appended to $PW_RESULTS for /init.  See README.md.

# Busybox ash runs its own applets before $PATH: call the real tools.
ip() { /usr/sbin/ip "$@"; }
nft() { /usr/sbin/nft "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }
insmod() { /usr/sbin/insmod "$@"; }
rmmod() { /usr/sbin/rmmod "$@"; }
lsmod() { /usr/sbin/lsmod "$@"; }

PWPROBE=${PWPROBE:-/usr/bin/pwprobe}
PW_TIMEOUT_MS=${PW_TIMEOUT_MS:-500}	# per probe; a blocked probe costs this
PW_PARALLEL=${PW_PARALLEL:-32}		# expect_batch threads
PW_RETRY=${PW_RETRY:-1}			# retry unexpected "blocked" once, 4x timeout
PW_RESULTS=${PW_RESULTS:-/dev/null}
PW_PREFIX=${PW_PREFIX:-}		# prepended to every PASS/FAIL/SKIP name
PW_STATE=/run/pwlib

# Node addresses (on the dummy "eth0"; the node also owns 169.254.1.1 and
# fe80::1 on every routed pod's host-side veth and the bridge gateways).
NODE_IP4=${NODE_IP4:-192.168.100.10}
NODE_IP6=${NODE_IP6:-fd00:100::10}
# Bridge mode gateway (cni0) and pod subnet.
BRIDGE_GW4=${BRIDGE_GW4:-10.244.0.1/16}
BRIDGE_GW6=${BRIDGE_GW6:-fd00:10:244::1/64}
# Routed mode pod gateway (Calico style link-local next hops).
ROUTED_GW4=169.254.1.1
ROUTED_GW6=fe80::1

mkdir -p "$PW_STATE/pods"

# ------------------------------------------------------------------ results

pw_result() {	# LINE
	echo "$1"
	echo "$1" >> "$PW_RESULTS"
}
pass() { pw_result "PASS: $PW_PREFIX$1"; }
fail() { pw_result "FAIL: $PW_PREFIX$1: ${2:-failed}"; return 1; }
skip() { pw_result "SKIP: $PW_PREFIX$1: ${2:-skipped}"; }
log() { echo "# $*"; }

# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# die MSG: setup error; FAIL and end the test script.
die() {
	fail "${PW_TEST:-setup}" "$*"
	exit 1
}

# run CMD...: run a setup command; on failure die with its output.
run() {
	local out
	out=$("$@" 2>&1) || die "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	[ -z "$out" ] || echo "$out"
}

# pw_sysctl KEY VALUE: like sysctl -w, without a fork
pw_sysctl() {
	local k=$1
	echo "$2" > "/proc/sys/${k//./\/}"
}

# --------------------------------------------------------------------- node

# node_setup routed|bridge
#   routed: each pod gets a veth to the node, /32 and /128 routes on the node,
#           pod default routes via 169.254.1.1 / fe80::1 (owned by the node's
#           end of each veth); ip forwarding on.  Like Calico or the ptp CNI.
#   bridge: pods' veths are ports of the bridge cni0 ($BRIDGE_GW4,
#           $BRIDGE_GW6), br_netfilter loaded, bridge-nf-call-ip(6)tables=1.
#           Like the bridge CNI.
# Either way the node has a dummy eth0 with $NODE_IP4/24 and $NODE_IP6/64 and
# default routes over it (traffic to nowhere is dropped silently).
node_setup() {
	local mode=${1:?node_setup routed|bridge}
	case "$mode" in
	routed|bridge) ;;
	*) die "node_setup: unknown mode $mode" ;;
	esac
	echo "$mode" > "$PW_STATE/mode"
	modprobe -a veth dummy || die "modprobe veth dummy failed"
	echo 1 > /proc/sys/net/ipv4/ip_forward
	echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
	echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
	echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter
	echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
	run ip -batch - <<-EOF
	link add eth0 type dummy
	link set eth0 up
	addr add $NODE_IP4/24 dev eth0
	addr add $NODE_IP6/64 dev eth0 nodad
	route add default dev eth0
	route add ::/0 dev eth0
	EOF
	if [ "$mode" = bridge ]; then
		modprobe -a bridge br_netfilter || die "modprobe bridge br_netfilter failed"
		run ip -batch - <<-EOF
		link add cni0 type bridge mcast_snooping 0
		link set cni0 up
		addr add $BRIDGE_GW4 dev cni0
		addr add $BRIDGE_GW6 dev cni0 nodad
		EOF
		echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables
		echo 1 > /proc/sys/net/bridge/bridge-nf-call-ip6tables
	fi
}

node_mode() {
	local m=
	[ -f "$PW_STATE/mode" ] && read -r m < "$PW_STATE/mode"
	echo "$m"
}

# ---------------------------------------------------------------------- pods

pw_next_if() {	# a fresh host-side veth name
	local n=0
	[ -f "$PW_STATE/ifcount" ] && read -r n < "$PW_STATE/ifcount"
	echo $((n + 1)) > "$PW_STATE/ifcount"
	echo "pwv$((n + 1))"
}

# pod_add NAME IPV4 [IPV6]: netns NAME with eth0 wired to the node as
# node_setup said.  In bridge mode the addresses must be in the bridge subnet.
pod_add() {
	local mode
	mode=$(node_mode)
	[ -n "$mode" ] || die "pod_add: call node_setup first"
	pw_attach "$mode" "$@"
}

# host_add NAME IPV4 [IPV6]: like pod_add but always routed (a /32 route on
# the node), whatever the mode: a host outside the pod network.
host_add() {
	[ -n "$(node_mode)" ] || die "host_add: call node_setup first"
	pw_attach routed "$@"
}

pw_attach() {
	local mode=$1 name=${2:?pod_add NAME IPV4 [IPV6]} ip4=${3:?pod_add NAME IPV4 [IPV6]} ip6=${4:-}
	local hv root pod
	[ -e "/run/netns/$name" ] && die "pod_add: $name exists"
	hv=$(pw_next_if)
	echo "$hv $ip4 $ip6" > "$PW_STATE/pods/$name"
	# two ip processes per pod: one batch on the node, one in the pod
	root="netns add $name
link add $hv type veth peer name eth0 netns $name"
	pod="link set lo up
link set eth0 up"
	if [ "$mode" = routed ]; then
		root="$root
link set $hv up
addr add $ROUTED_GW4/32 dev $hv scope link
route add $ip4/32 dev $hv src $NODE_IP4"
		pod="$pod
addr add $ip4/32 dev eth0
route add $ROUTED_GW4/32 dev eth0 scope link
route add default via $ROUTED_GW4 dev eth0"
		if [ -n "$ip6" ]; then
			root="$root
addr add $ROUTED_GW6/64 dev $hv nodad
route add $ip6/128 dev $hv src $NODE_IP6"
			pod="$pod
addr add $ip6/128 dev eth0 nodad
route add ::/0 via $ROUTED_GW6 dev eth0"
		fi
	else
		root="$root
link set $hv master cni0
link set dev $hv type bridge_slave hairpin on
link set $hv up"
		pod="$pod
addr add $ip4/${BRIDGE_GW4#*/} dev eth0
route add default via ${BRIDGE_GW4%/*} dev eth0"
		if [ -n "$ip6" ]; then
			pod="$pod
addr add $ip6/${BRIDGE_GW6#*/} dev eth0 nodad
route add ::/0 via ${BRIDGE_GW6%/*} dev eth0"
		fi
	fi
	run ip -batch - <<-EOF
	$root
	EOF
	run ip -n "$name" -batch - <<-EOF
	$pod
	EOF
}

# pod_del NAME: stop its servers, delete the netns (and so its veth).
pod_del() {
	local name=$1 p
	for p in $(ip netns pids "$name" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	ip netns del "$name" 2>/dev/null
	rm -f "$PW_STATE/pods/$name"
}

# pod_exec NAME CMD...: run CMD in the pod's netns ("node": the root netns).
pod_exec() {
	local name=$1
	shift
	if [ "$name" = node ]; then
		"$@"
	else
		ip netns exec "$name" "$@"
	fi
}

# pod_ip NAME [4|6], pod_if NAME (the node-side veth)
pod_ip() {
	local hv ip4 ip6
	read -r hv ip4 ip6 < "$PW_STATE/pods/$1" || return 1
	if [ "${2:-4}" = 6 ]; then echo "$ip6"; else echo "$ip4"; fi
}
pod_if() {
	local hv rest
	read -r hv rest < "$PW_STATE/pods/$1" || return 1
	echo "$hv"
}
pods() { ls "$PW_STATE/pods"; }

# ------------------------------------------------------------------ services

pw_kp_init() {
	[ -f "$PW_STATE/kp" ] && return 0
	modprobe -a nf_tables nft_chain_nat nft_nat nft_masq 2>/dev/null
	nft -f - <<-EOF || die "nft: cannot create the kube-proxy table"
	add table inet pwkp
	add chain inet pwkp prerouting { type nat hook prerouting priority -100; policy accept; }
	add chain inet pwkp output { type nat hook output priority -100; policy accept; }
	add chain inet pwkp postrouting { type nat hook postrouting priority 100; policy accept; }
	add rule inet pwkp postrouting meta mark & 0x4000 == 0x4000 masquerade
	EOF
	: > "$PW_STATE/kp"
}

# clusterip_add VIP PORT BACKEND_IP TARGETPORT [tcp|udp|sctp]
# kube-proxy emulation: DNAT VIP:PORT to BACKEND_IP:TARGETPORT in the node's
# prerouting and output (priority dstnat = -100), in table inet pwkp; a backend
# reaching its own service is masqueraded (hairpin), like kube-proxy does.
clusterip_add() {
	local vip=${1:?clusterip_add VIP PORT BACKEND TARGETPORT [proto]} port=$2 be=$3 tport=$4
	local proto=${5:-tcp} fam=ip dst
	pw_kp_init
	case "$vip" in
	*:*) fam=ip6; dst="[$be]:$tport" ;;
	*) dst="$be:$tport" ;;
	esac
	nft -f - <<-EOF || die "nft: clusterip_add $*"
	add rule inet pwkp prerouting $fam saddr $be $fam daddr $vip $proto dport $port meta mark set mark or 0x4000
	add rule inet pwkp prerouting $fam daddr $vip $proto dport $port dnat $fam to $dst
	add rule inet pwkp output $fam daddr $vip $proto dport $port dnat $fam to $dst
	EOF
}

clusterip_flush() {
	nft delete table inet pwkp 2>/dev/null
	rm -f "$PW_STATE/kp"
}

# -------------------------------------------------------------------- probes

# serve NAME tcp:80 udp:53 ...   or   serve NAME PROTO PORT...
# Starts one pwprobe server in NAME's netns ("node": the root netns) on all
# its addresses; returns once the ports are bound.  Answers with "NAME".
serve() {
	local name=${1:?serve NAME PROTO:PORT...} specs= proto= a pid
	shift
	case "$1" in tcp|udp|sctp) proto=$1; shift ;; esac
	for a in "$@"; do
		if [ -n "$proto" ]; then specs="$specs $proto:$a"; else specs="$specs $a"; fi
	done
	case "$specs" in *sctp:*) modprobe sctp 2>/dev/null ;; esac
	if [ "$name" = node ]; then
		pid=$($PWPROBE serve --tag node $specs) || die "serve node$specs failed"
	else
		pid=$($PWPROBE serve --netns "$name" $specs) || die "serve $name$specs failed"
	fi
	echo "$pid" >> "$PW_STATE/pids"
}

# probe FROM DST_IP PORT PROTO: prints allowed|blocked|refused|error,
# returns 0 only for allowed.  FROM is a pod name or "node".
probe() {
	local from=$1 v
	shift
	if [ "$from" = node ]; then
		v=$($PWPROBE connect --timeout-ms "$PW_TIMEOUT_MS" "$@")
	else
		v=$($PWPROBE connect --netns "$from" --timeout-ms "$PW_TIMEOUT_MS" "$@")
	fi
	echo "$v"
	[ "$v" = allowed ]
}

# probe_reply FROM DST_IP PORT PROTO: prints "VERDICT REPLY", e.g. "allowed b"
# (a pwprobe server answers with its tag, by default its netns name).
probe_reply() {
	local from=$1
	shift
	if [ "$from" = node ]; then
		$PWPROBE connect -r --timeout-ms "$PW_TIMEOUT_MS" "$@"
	else
		$PWPROBE connect -r --netns "$from" --timeout-ms "$PW_TIMEOUT_MS" "$@"
	fi
}

# expect VERDICT FROM DST_IP PORT PROTO [NAME]: PASS or FAIL.
# VERDICT: allowed, blocked, refused, or allowed@TAG (see expect_batch).
# A "blocked" where something else was expected is probed once more with
# 4x the timeout (PW_RETRY=0: don't); a "# retried" line says so.  Under
# TCG a busy host can stretch the guest's time, see README.md.
expect() {
	local want=$1 from=$2 dst=$3 port=$4 proto=$5 name got
	name=${6:-$from -> $dst:$port/$proto $want}
	got=$(pw_verdict "$want" "$from" "$dst" "$port" "$proto")
	if [ "$got" = blocked ] && [ "$want" != blocked ] && [ "$PW_RETRY" = 1 ]; then
		got=$(PW_TIMEOUT_MS=$((PW_TIMEOUT_MS * 4)) pw_verdict "$want" "$from" "$dst" "$port" "$proto")
		log "retried: $PW_PREFIX$name: blocked at first, then $got"
	fi
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "got $got"
	fi
}
pw_verdict() {	# WANT FROM DST PORT PROTO -> verdict, or verdict@tag if WANT has one
	local v r
	set -- "$@" $(probe_reply "$2" "$3" "$4" "$5")
	v=$6 r=$7
	case "$1" in
	*@*) [ "$v" = allowed ] && v="$v@$r" ;;
	esac
	echo "$v"
}
expect_allowed() { expect allowed "$@"; }
expect_blocked() { expect blocked "$@"; }
expect_refused() { expect refused "$@"; }

# expect_batch [PARALLEL]: stdin lines "FROM DST_IP PORT PROTO VERDICT [NAME...]"
# (# comments allowed), probed concurrently by pwprobe batch (PARALLEL
# threads, default $PW_PARALLEL); one PASS/FAIL per line, named NAME or
# "FROM -> DST:PORT/PROTO VERDICT".  VERDICT: allowed, blocked, refused, or
# allowed@TAG (allowed and answered by the server tagged TAG, e.g. the pod
# behind a ClusterIP).  Unexpected "blocked" results are retried once as in
# expect.  Returns 1 if any failed.
expect_batch() {
	local par=${1:-$PW_PARALLEL} f=/tmp/pwbatch.$$ rc
	cat > "$f.in"
	awk 'NF && $1 !~ /^#/ { print NR, ($1 == "node" ? "-" : $1), $2, $3, $4 }' "$f.in" > "$f.req"
	$PWPROBE batch -r --parallel "$par" --timeout-ms "$PW_TIMEOUT_MS" < "$f.req" > "$f.out"
	: > "$f.out2"
	if [ "$PW_RETRY" = 1 ]; then
		awk 'FILENAME == ARGV[1] { got[$1] = $2; next }
		     NF && $1 !~ /^#/ && got[FNR] == "blocked" && $5 != "blocked" {
			print FNR, ($1 == "node" ? "-" : $1), $2, $3, $4 }' "$f.out" "$f.in" > "$f.rt"
		if [ -s "$f.rt" ]; then
			$PWPROBE batch -r --parallel "$par" --timeout-ms $((PW_TIMEOUT_MS * 4)) \
				< "$f.rt" > "$f.out2"
		fi
	fi
	awk -v pre="$PW_PREFIX" -v res="$PW_RESULTS" '
		FILENAME == ARGV[1] { got[$1] = $2; tag[$1] = $3; next }
		FILENAME == ARGV[2] { first[$1] = got[$1]; got[$1] = $2; tag[$1] = $3; next }
		NF && $1 !~ /^#/ {
			name = $1 " -> " $2 ":" $3 "/" $4 " " $5
			if (NF > 5) { name = $6; for (i = 7; i <= NF; i++) name = name " " $i }
			g = (FNR in got) ? got[FNR] : "missing"
			if (index($5, "@") && g == "allowed") g = g "@" tag[FNR]
			if (FNR in first) print "# retried: " pre name ": blocked at first, then " g
			if (g == $5) line = "PASS: " pre name
			else { line = "FAIL: " pre name ": got " g; bad = 1 }
			print line; print line >> res
		}
		END { exit bad }' "$f.out" "$f.out2" "$f.in"
	rc=$?
	rm -f "$f.in" "$f.req" "$f.out" "$f.out2" "$f.rt"
	return $rc
}

# ------------------------------------------------------------------- cleanup

# pw_cleanup: undo what the helpers did (runs at exit; /init also cleans up
# between test scripts).  Cheap when nothing was set up.
pw_cleanup() {
	local p n links=
	if [ -f "$PW_STATE/pids" ]; then
		while read -r p; do kill -9 "$p" 2>/dev/null; done < "$PW_STATE/pids"
	fi
	for n in "$PW_STATE"/pods/*; do
		[ -e "$n" ] || continue
		ip netns del "${n##*/}" 2>/dev/null
	done
	[ -f "$PW_STATE/kp" ] && nft delete table inet pwkp 2>/dev/null
	if [ -f "$PW_STATE/mode" ]; then
		printf 'link del cni0\nlink del eth0\n' | ip -force -batch - >/dev/null 2>&1
	fi
	rm -rf "$PW_STATE"
	mkdir -p "$PW_STATE/pods"
}

trap pw_cleanup EXIT

# sink NAME PORT FILE: a one-connection nc server in NAME writing what it
# receives to FILE; returns once it listens (or after 10 s).
sink() {
	printf '#!/bin/sh\nexec cat > %s\n' "$3" > "/tmp/sink-$2"
	chmod +x "/tmp/sink-$2"
	pod_exec "$1" timeout 120 nc -l -p "$2" -e "/tmp/sink-$2" < /dev/null &
	until_listening "$1" "$2"
}

# until_listening NAME PORT: waits up to 10 s for a TCP listener in NAME.
until_listening() {
	local n=0
	while [ $n -lt 100 ]; do
		pod_exec "$1" netstat -ltn 2>/dev/null | grep -q ":$2 " && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
