#!/bin/sh
# Path MTU discovery through podwall's hook: the ICMP "fragmentation needed"
# (IPv4) and "packet too big" (IPv6) of an allowed flow come from a router
# outside the node, enter the node's PRE_ROUTING and are judged there; they
# must pass as RELATED although nothing admits the router to a.
#
#   a 10.244.1.2 ──veth── node ──veth── r 192.168.50.1 ──mtu 1280── h 192.168.60.2
#     fd00:10:244::1:2                    fd00:50::1                  fd00:60::2
#
# a is isolated both ways: no ingress rule, egress only to h on tcp/90-92.
# (dp_lifecycle.sh's path MTU case has the node itself send the ICMP, from
# LOCAL_OUT, which podwall does not judge.)
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=dp-pmtu-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2 fd00:10:244::1:2
host_add r 192.168.50.1 fd00:50::1
serve a tcp:80
# h hangs off r, whose side of the link has MTU 1280; h's side keeps 1500
# so that h advertises a full MSS and a really sends segments r must refuse.
# pw_cleanup deletes h with the pods.
run ip netns add h
echo "- 192.168.60.2 fd00:60::2" > "$PW_STATE/pods/h"
run ip -n r link add eth1 mtu 1280 type veth peer name eth0 netns h
for k in ipv4/ip_forward ipv6/conf/all/forwarding ipv4/conf/all/rp_filter \
	ipv4/conf/default/rp_filter; do
	run ip netns exec r sh -c "echo $([ "${k##*/}" = rp_filter ] && echo 0 || echo 1) > /proc/sys/net/$k"
done
run ip -n r -batch - <<-EOF2
link set eth1 up
addr add 192.168.60.1/24 dev eth1
addr add fd00:60::1/64 dev eth1 nodad
EOF2
run ip -n h -batch - <<-EOF2
link set lo up
link set eth0 up
addr add 192.168.60.2/24 dev eth0
addr add fd00:60::2/64 dev eth0 nodad
route add default via 192.168.60.1
route add ::/0 via fd00:60::1
EOF2
run ip -batch - <<-EOF2
route add 192.168.60.0/24 via 192.168.50.1 dev $(pod_if r) onlink
route add fd00:60::/64 via fd00:50::1 dev $(pod_if r) onlink
EOF2

cat > /tmp/pmtu.json <<'EOF2'
{ "node_set": 0,
  "policies": [ { "id": 1, "namespace": "x", "name": "a-pmtu" } ],
  "sets": [ { "id": 1, "prefixes": [ "192.168.60.2", "fd00:60::2" ] } ],
  "rules": [ { "id": 1, "policy": 1, "index": 0, "direction": "egress", "set": 1,
               "ports": [ { "protocol": "TCP", "first": 90, "last": 92 } ] } ],
  "endpoints": [ { "id": 1, "namespace": "x", "name": "a",
    "addrs": [ "10.244.1.2", "fd00:10:244::1:2" ],
    "isolated": [ "ingress", "egress" ], "ingress_rules": [], "egress_rules": [ 1 ],
    "ingress_policies": [ 1 ], "egress_policies": [ 1 ] } ] }
EOF2

PW_TEST=dp-pmtu
check "restore: a isolated both ways, egress to h tcp/90-92 only" podwallctl restore /tmp/pmtu.json
serve h tcp:90
serve r tcp:80
expect_batch <<-EOF2
a 192.168.60.2 90 tcp allowed      pmtu: a -> h tcp/90 allowed
a fd00:60::2 90 tcp allowed        pmtu: a -> h tcp/90 allowed (IPv6)
a 192.168.50.1 80 tcp blocked      pmtu: a -> r blocked (egress)
r 10.244.1.2 80 tcp blocked        pmtu: a new connection r -> a is blocked (r's traffic is judged)
r fd00:10:244::1:2 80 tcp blocked  pmtu: a new connection r -> a is blocked (IPv6)
h 10.244.1.2 80 tcp blocked        pmtu: a new connection h -> a is blocked
EOF2

# pmtu_case FAM DST PORT: 300 kB from a to h; r answers the first full-size
# segments with an ICMP error that must reach a for the transfer to finish.
pmtu_case() {
	local fam=$1 dst=$2 port=$3 out=/tmp/pmtu-$3.out n
	rm -f "$out"
	sink h "$port" "$out"
	until_listening h "$port" || { fail "pmtu $fam: sink" "h not listening on $port"; return; }
	# 64 KiB writes, so a sends full-size segments however it is
	# scheduled (nc writes 1 KiB at a time: a slow sender's segments can
	# fit the 1280 link, and no ICMP is ever needed)
	timeout 30 $PWPROBE send --netns a "$dst" "$port" 300000 ||
		echo "pwprobe send failed"
	n=0
	while [ "$(wc -c < "$out" 2>/dev/null)" != 300000 ] && [ $n -lt 50 ]; do
		sleep 0.1; n=$((n + 1))
	done
	n=$(wc -c < "$out" 2>/dev/null)
	[ "$n" = 300000 ] && pass "pmtu $fam: 300 kB from a through r's 1280 MTU link arrive whole" ||
		fail "pmtu $fam: 300 kB from a through r's 1280 MTU link arrive whole" "got ${n:-0} bytes"
	case "$(ip -n a route get "$dst")" in
	*"mtu 1280"*) pass "pmtu $fam: a learnt the path MTU from r's ICMP error" ;;
	*) fail "pmtu $fam: a learnt the path MTU from r's ICMP error" "$(ip -n a route get "$dst" | tr '\n' ' ')" ;;
	esac
}
# snmp_get NETNS FILE FIELD: a counter from /proc/net/snmp or snmp6
snmp_get() {
	pod_exec "$1" cat "/proc/net/$2" | awk -v f="$3" '
		$1 == f { print $2; exit }
		/^Icmp: / { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
			    else if (f in c) { print $c[f]; exit } }'
}
# Counters before the transfers: r must be the one that sent the errors.
R4=$(snmp_get r snmp OutDestUnreachs)
R6=$(snmp_get r snmp6 Icmp6OutPktTooBigs)
pmtu_case IPv4 192.168.60.2 91
pmtu_case IPv6 fd00:60::2 92
n=$(snmp_get r snmp OutDestUnreachs)
[ "$n" -gt "${R4:-0}" ] && pass "pmtu IPv4: the ICMP errors came from r (OutDestUnreachs $R4 -> $n)" ||
	fail "pmtu IPv4: the ICMP errors came from r" "OutDestUnreachs $R4 -> $n"
n=$(snmp_get r snmp6 Icmp6OutPktTooBigs)
[ "$n" -gt "${R6:-0}" ] && pass "pmtu IPv6: the packet too big errors came from r (Icmp6OutPktTooBigs $R6 -> $n)" ||
	fail "pmtu IPv6: the packet too big errors came from r" "Icmp6OutPktTooBigs $R6 -> $n"

expect_batch <<-EOF2
r 10.244.1.2 80 tcp blocked        pmtu: afterwards r -> a is still blocked
EOF2
