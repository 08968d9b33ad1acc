#!/bin/sh
# Kernel data plane over the life of a policy set (routed topology):
# no set, pods added after the commit, allow-all replaced by deny-all under
# an established connection, the node set through save/restore, flush, the
# ICMP "fragmentation needed" of an allowed flow, and rmmod under traffic.
#
#   a 10.244.1.2 ──veth pwv1──┐
#                             node 169.254.1.1 / 192.168.100.10
#   b 10.244.1.3 ──veth pwv2──┘      (f 10.244.1.7 joins after the commit)
#
# Streams use busybox nc: b's sink writes what it receives to a file.
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=dp-lifecycle-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2 fd00:10:244::1:2
pod_add b 10.244.1.3 fd00:10:244::1:3
serve a tcp:80
serve b tcp:80 tcp:81

# policyset FILE NODE_SET B_RULE: b (and f, once it exists) isolated for
# ingress; B_RULE "any" admits every peer and port, "none" nothing, "a80"
# a on tcp/80.  NODE_SET 1 lists the node's addresses, 0 none.
policyset() {
	local rules= bi=
	case "$3" in
	any) rules='{ "id": 1, "policy": 1, "index": 0, "direction": "ingress",
	              "set": null, "ports": null }'; bi=1 ;;
	a80) rules='{ "id": 1, "policy": 1, "index": 0, "direction": "ingress",
	              "set": 2, "ports": [ { "protocol": "TCP", "first": 80, "last": 80 } ] }'; bi=1 ;;
	esac
	cat > "$1" <<-EOF2
	{ "node_set": $2,
	  "policies": [ { "id": 1, "namespace": "x", "name": "b-in" } ],
	  "sets": [ { "id": 1, "prefixes": [ "192.168.100.10", "fd00:100::10" ] },
	            { "id": 2, "prefixes": [ "10.244.1.2" ] } ],
	  "rules": [ $rules ],
	  "endpoints": [
	    { "id": 1, "namespace": "x", "name": "b", "addrs": [ "10.244.1.3" ],
	      "isolated": [ "ingress" ], "ingress_rules": [ $bi ], "egress_rules": [],
	      "ingress_policies": [ 1 ], "egress_policies": [] },
	    { "id": 2, "namespace": "x", "name": "f", "addrs": [ "10.244.1.7" ],
	      "isolated": [ "ingress" ], "ingress_rules": [], "egress_rules": [],
	      "ingress_policies": [ 1 ], "egress_policies": [] } ] }
	EOF2
}

PW_TEST=dp-lifecycle
# ---- no committed set: everything passes
expect_batch <<-EOF2
a 10.244.1.3 81 tcp allowed   no set committed: a to b tcp/81
b 10.244.1.2 80 tcp allowed   no set committed: b to a tcp/80
EOF2

# ---- a pod created after the commit is judged
policyset /tmp/node.json 1 a80
check "restore: b admits a on tcp/80, node set" podwallctl restore /tmp/node.json
pod_add f 10.244.1.7
serve f tcp:80
expect_batch <<-EOF2
a 10.244.1.7 80 tcp blocked     pod created after the commit: a to f blocked
node 10.244.1.7 80 tcp allowed  pod created after the commit: node to f allowed
a 10.244.1.3 80 tcp allowed     a to b tcp/80 allowed
a 10.244.1.3 81 tcp blocked     a to b tcp/81 blocked
EOF2

# ---- the node set survives save -> restore (GET_INFO reports it)
podwallctl save > /tmp/saved.json 2> /tmp/save.err
check "save" test -s /tmp/saved.json
grep -q '"node_set": *[1-9]' /tmp/saved.json && pass "save: node_set names a set" ||
	fail "save: node_set names a set" "$(head -c 200 /tmp/saved.json) $(cat /tmp/save.err)"
check "flush" podwallctl flush
check "restore the saved set" podwallctl restore /tmp/saved.json
expect_batch <<-EOF2
node 10.244.1.3 81 tcp allowed  after save/restore: node to b still allowed
node 10.244.1.7 80 tcp allowed  after save/restore: node to f still allowed
a 10.244.1.3 81 tcp blocked     after save/restore: a to b tcp/81 still blocked
EOF2
pod_del f

# ---- allow-all -> deny-all: new connections blocked, established continues
policyset /tmp/allow.json 0 any
policyset /tmp/deny.json 0 none
check "restore allow-all" podwallctl restore /tmp/allow.json
sink b 90 /tmp/est.out
mkfifo /tmp/est.in
pod_exec a timeout 60 nc 10.244.1.3 90 < /tmp/est.in &
exec 3> /tmp/est.in
echo before >&3
sleep 1
check "restore deny-all" podwallctl restore /tmp/deny.json
expect_blocked a 10.244.1.3 80 tcp "deny-all: a new connection a to b is blocked"
echo after >&3
sleep 2
exec 3>&-
wait_for() { local i=0; while [ $i -lt 20 ] && ! grep -q "$1" "$2" 2>/dev/null; do sleep 0.5; i=$((i + 1)); done; grep -q "$1" "$2"; }
wait_for after /tmp/est.out && pass "deny-all: the established connection continues" ||
	fail "deny-all: the established connection continues" "sink got: $(cat /tmp/est.out 2>/dev/null | tr '\n' ' ')"

# ---- flush: everything allowed again
check "flush" podwallctl flush
expect_allowed a 10.244.1.3 81 tcp "after flush: a to b tcp/81 allowed"

# ---- ICMP errors of an allowed flow pass as RELATED.  a is isolated for
# ingress with no rule and there is no node set: b's ICMP port unreachable
# enters the node's PRE_ROUTING and passes only as related to a -> b.
cat > /tmp/related.json <<'EOF2'
{ "node_set": 0,
  "policies": [ { "id": 1, "namespace": "x", "name": "a-in" } ],
  "sets": [], "rules": [],
  "endpoints": [ { "id": 1, "namespace": "x", "name": "a",
    "addrs": [ "10.244.1.2", "fd00:10:244::1:2" ],
    "isolated": [ "ingress" ], "ingress_rules": [], "egress_rules": [],
    "ingress_policies": [ 1 ], "egress_policies": [] } ] }
EOF2
check "restore: a isolated for ingress, no node set" podwallctl restore /tmp/related.json
expect_batch <<-EOF2
b 10.244.1.2 80 tcp blocked         related: b to a is blocked (a isolated)
a 10.244.1.3 99 udp refused         related: b's ICMP port unreachable reaches a
a fd00:10:244::1:3 99 udp refused   related: b's ICMPv6 port unreachable reaches a
a 10.244.1.3 99 tcp refused         related: b's RST reaches a
EOF2

# Fragmentation needed from the node (which originates it, LOCAL_OUT, not
# judged) must still reach a and let a large write through a 1280 hop.
run ip link set "$(pod_if b)" mtu 1280
sink b 91 /tmp/pmtu.out
# 64 KiB writes, so segments are full-size: nc writes what it reads, 1 KiB
# at a time, and a slow sender's segments can then fit the 1280 hop, with
# no ICMP ever needed.
timeout 30 $PWPROBE send --netns a 10.244.1.3 91 300000 || echo "pwprobe send failed"
i=0
while [ $i -lt 100 ]; do
	n=$(wc -c < /tmp/pmtu.out)
	[ "$n" = 300000 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "$n" = 300000 ] && pass "pmtu: 300 kB through a 1280 MTU hop arrive whole" ||
	fail "pmtu: 300 kB through a 1280 MTU hop arrive whole" "got $n bytes"
case "$(ip -n a route get 10.244.1.3)" in
*"mtu 1280"*) pass "pmtu: a learnt the path MTU from the node's ICMP error" ;;
*) fail "pmtu: a learnt the path MTU from the node's ICMP error" "$(ip -n a route get 10.244.1.3)" ;;
esac
run ip link set "$(pod_if b)" mtu 1500

# ---- rmmod while connections run
check "restore allow-all" podwallctl restore /tmp/allow.json
sink b 92 /tmp/unload.out
( i=0; while [ $i -lt 400 ]; do
	$PWPROBE connect --netns a --timeout-ms 50 10.244.1.3 80 tcp > /dev/null 2>&1
	$PWPROBE connect --netns a --timeout-ms 50 fd00:10:244::1:3 81 tcp > /dev/null 2>&1
	i=$((i + 1)); done ) &
loop=$!
( i=0; while [ $i -lt 40 ]; do dd if=/dev/zero bs=1000 count=50 2> /dev/null; sleep 0.1; i=$((i + 1)); done ) |
	pod_exec a timeout 60 nc 10.244.1.3 92 &
stream=$!
sleep 2
check "rmmod podwall under traffic" rmmod podwall
wait $stream
kill $loop 2> /dev/null
wait $loop 2> /dev/null
# nc may exit with data still in its send buffer: wait for the sink, not
# a fixed time (a debug kernel on a loaded host drains it slowly).
i=0
while [ $i -lt 300 ]; do
	n=$(wc -c < /tmp/unload.out)
	[ "$n" = 2000000 ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "$n" = 2000000 ] && pass "rmmod: the running stream completes (2 MB)" ||
	fail "rmmod: the running stream completes (2 MB)" "got $n bytes"
expect_allowed a 10.244.1.3 81 tcp "module unloaded: a to b passes"
check "modprobe podwall again" modprobe podwall
