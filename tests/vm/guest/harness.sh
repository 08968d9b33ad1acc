#!/bin/sh
# Self-test of the VM harness (no podwall involved):
#   tests/vm/run tests/vm/guest/harness.sh
# For the routed and the bridge node: pod<->pod, node<->pod and pod->node over
# IPv4 and IPv6 with TCP, UDP and SCTP are allowed without any policy; closed
# ports are "refused"; an nft drop rule in the node's forward hook makes a
# probe "blocked" (and costs about one probe timeout); ClusterIP DNAT reaches
# the backend (checked by the server's answer), also from the node and from
# the backend itself (hairpin); a host_add host outside the pod network is
# reachable.
. /tests/lib.sh

ms() {	# milliseconds since boot
	local up
	read -r up _ < /proc/uptime
	echo $(( (${up%.*} * 100 + 1${up#*.} - 100) * 10 ))
}

A4=10.244.1.2 A6=fd00:10:244::1:2
B4=10.244.1.3 B6=fd00:10:244::1:3
VIP4=10.96.0.10 VIP6=fd00:10:96::10
EXT4=203.0.113.5 EXT6=2001:db8::5

harness() {
	local mode=$1 gw4 t0 t1 v
	PW_PREFIX="$mode: "
	t0=$(ms)
	node_setup "$mode"
	pod_add a $A4 $A6
	pod_add b $B4 $B6
	host_add ext $EXT4 $EXT6
	serve b tcp:80 udp:80 sctp:80 tcp:8080 udp:8080 sctp:8080
	serve node tcp:10250 udp:10250
	serve ext tcp:443
	t1=$(ms)
	log "$mode: node, 2 pods and servers set up in $((t1 - t0)) ms"
	if [ "$mode" = routed ]; then gw4=$ROUTED_GW4; else gw4=${BRIDGE_GW4%/*}; fi

	if [ "$mode" = bridge ]; then
		check "br_netfilter loaded with bridge-nf-call-iptables=1 and ip6tables=1" \
			grep -qx 1 /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables
	fi
	check "pod netns a exists as /run/netns/a" test -e /run/netns/a
	v=$(pod_exec a ip -o addr show dev eth0)
	case "$v" in
	*" $A4/"*" $A6/"*) pass "pod_exec runs in pod a, which has $A4 and $A6 on eth0" ;;
	*) fail "pod_exec runs in pod a, which has $A4 and $A6 on eth0" "got: $v" ;;
	esac

	t0=$(ms)
	v=$(probe a $B4 80 tcp)
	t1=$(ms)
	log "$mode: one allowed probe (pod a to pod b, TCP) took $((t1 - t0)) ms: $v"

	expect_batch <<-EOF
	a $B4 80 tcp allowed@b     pod a to pod b, IPv4 TCP, answered by b
	a $B4 80 udp allowed@b     pod a to pod b, IPv4 UDP, answered by b
	a $B4 80 sctp allowed@b    pod a to pod b, IPv4 SCTP, answered by b
	a $B6 80 tcp allowed@b     pod a to pod b, IPv6 TCP, answered by b
	a $B6 80 udp allowed@b     pod a to pod b, IPv6 UDP, answered by b
	a $B6 80 sctp allowed@b    pod a to pod b, IPv6 SCTP, answered by b
	a $B4 81 tcp refused       pod a to a closed TCP port of b is refused (RST)
	a $B4 81 udp refused       pod a to a closed UDP port of b is refused (ICMP port unreachable)
	a $B4 81 sctp refused      pod a to a closed SCTP port of b is refused (ABORT)
	a $B6 81 tcp refused       pod a to a closed TCP port of b over IPv6 is refused
	node $B4 80 tcp allowed@b  node to pod b, IPv4 TCP
	node $B6 80 udp allowed@b  node to pod b, IPv6 UDP
	node $B4 80 sctp allowed@b node to pod b, IPv4 SCTP
	a $NODE_IP4 10250 tcp allowed@node  pod a to the node IP, IPv4 TCP
	a $NODE_IP6 10250 udp allowed@node  pod a to the node IP, IPv6 UDP
	a $gw4 10250 udp allowed@node       pod a to its gateway address, UDP answered from that address
	b $B4 80 tcp allowed@b     pod b to its own IP
	a $EXT4 443 tcp allowed@ext  pod a to a host outside the pod network (host_add), IPv4
	a $EXT6 443 tcp allowed@ext  pod a to a host outside the pod network (host_add), IPv6
	EOF

	nft -f - <<-EOF || fail "nft drop rule" "nft -f failed"
	table inet pwtest {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ip daddr $B4 tcp dport 80 drop
			ip6 daddr $B6 tcp dport 80 drop
			ip daddr $B4 sctp dport 80 drop
		}
	}
	EOF
	t0=$(ms)
	v=$(probe a $B4 80 tcp)
	t1=$(ms)
	log "$mode: one blocked probe (timeout ${PW_TIMEOUT_MS} ms) took $((t1 - t0)) ms: $v"
	# upper bound generous: a busy host slows the guest down
	if [ "$v" = blocked ] && [ $((t1 - t0)) -ge "$PW_TIMEOUT_MS" ] &&
	   [ $((t1 - t0)) -lt $((PW_TIMEOUT_MS * 3 + 500)) ]; then
		pass "a blocked probe costs about the probe timeout ($((t1 - t0)) ms)"
	else
		fail "a blocked probe costs about the probe timeout" "$v after $((t1 - t0)) ms"
	fi
	expect_batch <<-EOF
	a $B4 80 tcp blocked       node forward drop blocks pod a to pod b, IPv4 TCP
	a $B6 80 tcp blocked       node forward drop blocks pod a to pod b, IPv6 TCP
	a $B4 80 sctp blocked      node forward drop blocks pod a to pod b, IPv4 SCTP
	a $B4 80 udp allowed@b     node forward drop of TCP leaves UDP alone
	a $B4 8080 tcp allowed@b   node forward drop of port 80 leaves port 8080 alone
	node $B4 80 tcp allowed@b  node forward drop does not see node to pod traffic
	EOF
	expect_blocked a $B4 80 tcp "expect_blocked: pod a to pod b TCP 80 under the drop rule"
	expect allowed@b a $B4 8080 tcp "expect allowed@b: pod a to pod b TCP 8080 under the drop rule"
	nft delete table inet pwtest
	expect_allowed a $B4 80 tcp "expect_allowed: pod a to pod b TCP 80 once the drop rule is gone"

	clusterip_add $VIP4 80 $B4 8080 tcp
	clusterip_add $VIP4 80 $B4 8080 udp
	clusterip_add $VIP4 80 $B4 8080 sctp
	clusterip_add $VIP6 80 $B6 8080 tcp
	clusterip_add $VIP6 80 $B6 8080 udp
	expect_batch <<-EOF
	a $VIP4 80 tcp allowed@b     pod a to ClusterIP, IPv4 TCP, reaches backend b
	a $VIP4 80 udp allowed@b     pod a to ClusterIP, IPv4 UDP, reaches backend b
	a $VIP4 80 sctp allowed@b    pod a to ClusterIP, IPv4 SCTP, reaches backend b
	a $VIP6 80 tcp allowed@b     pod a to ClusterIP, IPv6 TCP, reaches backend b
	a $VIP6 80 udp allowed@b     pod a to ClusterIP, IPv6 UDP, reaches backend b
	node $VIP4 80 tcp allowed@b  node to ClusterIP, IPv4 TCP, reaches backend b
	node $VIP6 80 udp allowed@b  node to ClusterIP, IPv6 UDP, reaches backend b
	b $VIP4 80 tcp allowed@b     backend b to its own ClusterIP (hairpin), IPv4 TCP
	a $VIP4 81 tcp blocked       pod a to a ClusterIP port without a service is blocked
	EOF

	pod_del a
	check "pod_del removes the netns" test ! -e /run/netns/a
	pw_cleanup
}

harness routed
harness bridge
