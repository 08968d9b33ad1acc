#!/bin/sh
# Kernel data plane: real packets judged by podwall.ko, in the routed and
# then the bridged (br_netfilter) topology, under one compiled set.
#
#   routed:  a b c d e ──veth── node (169.254.1.1, 192.168.100.10)
#   bridge:  a b c d e ──veth── cni0 (10.244.0.1) ── node
#
#   a 10.244.1.2  fd00:10:244::1:2   not isolated
#   b 10.244.1.3  fd00:10:244::1:3   ingress: a on tcp/80, tcp/8000-8010,
#                                    sctp/9; a on udp/53; 10.244.1.0/29
#                                    except 10.244.1.4 on tcp/81
#   c 10.244.1.4  fd00:10:244::1:4   ingress: a, no ports (ICMP too)
#   d 10.244.1.5  fd00:10:244::1:5   ingress: nothing; egress: a on tcp/80
#   e 10.244.1.6  fd00:10:244::1:6   ingress: nothing (default deny)
#
# The node set holds the node's addresses (kubelet probes).  ClusterIPs
# (kube-proxy DNAT in nftables): 10.96.0.10:8080 and fd00:96::10:8080 ->
# b:80, 10.96.0.11:8080 -> b:82.
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=dp-policy-setup
modprobe podwall || die "modprobe podwall failed"

cat > /tmp/dp-policy.json <<'EOF2'
{
  "node_set": 3,
  "policies": [
    { "id": 1, "namespace": "x", "name": "b-in" },
    { "id": 2, "namespace": "x", "name": "c-in" },
    { "id": 3, "namespace": "x", "name": "d-io" },
    { "id": 4, "namespace": "x", "name": "e-deny" }
  ],
  "sets": [
    { "id": 1, "prefixes": [ "10.244.1.2", "fd00:10:244::1:2" ] },
    { "id": 2, "prefixes": [ "10.244.1.0/30", "10.244.1.5/32", "10.244.1.6/31" ] },
    { "id": 3, "prefixes": [ "192.168.100.10", "fd00:100::10", "10.244.0.1",
                             "fd00:10:244::1" ] }
  ],
  "rules": [
    { "id": 1, "policy": 1, "index": 0, "direction": "ingress", "set": 1,
      "ports": [ { "protocol": "TCP", "first": 80, "last": 80 },
                 { "protocol": "TCP", "first": 8000, "last": 8010 },
                 { "protocol": "SCTP", "first": 9, "last": 9 } ] },
    { "id": 2, "policy": 1, "index": 1, "direction": "ingress", "set": 1,
      "ports": [ { "protocol": "UDP", "first": 53, "last": 53 } ] },
    { "id": 3, "policy": 1, "index": 2, "direction": "ingress", "set": 2,
      "ports": [ { "protocol": "TCP", "first": 81, "last": 81 } ] },
    { "id": 4, "policy": 2, "index": 0, "direction": "ingress", "set": 1,
      "ports": null },
    { "id": 5, "policy": 3, "index": 0, "direction": "egress", "set": 1,
      "ports": [ { "protocol": "TCP", "first": 80, "last": 80 } ] }
  ],
  "endpoints": [
    { "id": 1, "namespace": "x", "name": "a",
      "addrs": [ "10.244.1.2", "fd00:10:244::1:2" ],
      "isolated": [], "ingress_rules": [], "egress_rules": [],
      "ingress_policies": [], "egress_policies": [] },
    { "id": 2, "namespace": "x", "name": "b",
      "addrs": [ "10.244.1.3", "fd00:10:244::1:3" ],
      "isolated": [ "ingress" ], "ingress_rules": [ 1, 2, 3 ], "egress_rules": [],
      "ingress_policies": [ 1 ], "egress_policies": [] },
    { "id": 3, "namespace": "x", "name": "c",
      "addrs": [ "10.244.1.4", "fd00:10:244::1:4" ],
      "isolated": [ "ingress" ], "ingress_rules": [ 4 ], "egress_rules": [],
      "ingress_policies": [ 2 ], "egress_policies": [] },
    { "id": 4, "namespace": "x", "name": "d",
      "addrs": [ "10.244.1.5", "fd00:10:244::1:5" ],
      "isolated": [ "ingress", "egress" ], "ingress_rules": [],
      "egress_rules": [ 5 ], "ingress_policies": [ 3 ], "egress_policies": [ 3 ] },
    { "id": 5, "namespace": "x", "name": "e",
      "addrs": [ "10.244.1.6", "fd00:10:244::1:6" ],
      "isolated": [ "ingress" ], "ingress_rules": [], "egress_rules": [],
      "ingress_policies": [ 4 ], "egress_policies": [] }
  ]
}
EOF2

# ping_expect allowed|blocked FROM DST NAME: one ICMP echo.
ping_expect() {
	local want=$1 from=$2 dst=$3 got=blocked
	pod_exec "$from" ping -c 1 -W 2 "$dst" > /dev/null 2>&1 && got=allowed
	[ "$got" = "$want" ] && pass "$4" || fail "$4" "got $got"
}

topology() {
	node_setup "$1"
	pod_add a 10.244.1.2 fd00:10:244::1:2
	pod_add b 10.244.1.3 fd00:10:244::1:3
	pod_add c 10.244.1.4 fd00:10:244::1:4
	pod_add d 10.244.1.5 fd00:10:244::1:5
	pod_add e 10.244.1.6 fd00:10:244::1:6
	serve a tcp:80 tcp:81
	serve b tcp:80 tcp:81 tcp:82 tcp:8000 tcp:8010 tcp:8011 tcp:53 udp:53 sctp:9
	serve c tcp:80 udp:5000
	serve d tcp:80
	serve e tcp:80
	clusterip_add 10.96.0.10 8080 10.244.1.3 80
	clusterip_add 10.96.0.11 8080 10.244.1.3 82
	clusterip_add fd00:96::10 8080 fd00:10:244::1:3 80
}

suite() {
	PW_PREFIX="$1: "
	PW_TEST=dp-policy-$1
	topology "$1"
	expect_batch <<-EOF2
	a 10.244.1.3 82 tcp allowed   before the restore (none, or flushed): a to b tcp/82
	e 10.244.1.3 82 tcp allowed   before the restore (none, or flushed): e to b tcp/82
	EOF2
	check "restore the set" podwallctl restore /tmp/dp-policy.json
	expect_batch <<-EOF2
	a 10.244.1.3 80 tcp allowed@b        peer IP set: a to b tcp/80
	c 10.244.1.3 80 tcp blocked          default deny ingress: c to b tcp/80
	a 10.244.1.3 82 tcp blocked          no rule for tcp/82
	a 10.244.1.3 8000 tcp allowed        port range: first port
	a 10.244.1.3 8010 tcp allowed        port range: last port
	a 10.244.1.3 8011 tcp blocked        port range: one past the end
	a 10.244.1.3 53 udp allowed          UDP rule admits udp/53
	a 10.244.1.3 53 tcp blocked          UDP-only rule never admits tcp/53
	a 10.244.1.3 9 sctp allowed          SCTP rule admits sctp/9
	c 10.244.1.3 9 sctp blocked          SCTP from an outsider blocked
	a 10.244.1.3 81 tcp allowed          CIDR with except: .2 inside the /29
	e 10.244.1.3 81 tcp allowed          CIDR with except: .6 inside the /29
	c 10.244.1.3 81 tcp blocked          CIDR with except: the except .4 blocked
	a 10.244.1.4 80 tcp allowed          rule without ports: tcp
	a 10.244.1.4 5000 udp allowed        rule without ports: udp
	b 10.244.1.4 80 tcp blocked          rule without ports: other peers blocked
	d 10.244.1.2 80 tcp allowed@a        egress-only allow: d to a tcp/80, reply passes
	d 10.244.1.2 81 tcp blocked          default deny egress: d to a tcp/81
	d 10.244.1.3 81 tcp blocked          default deny egress: d to b even though b admits d
	a 10.244.1.5 80 tcp blocked          reverse direction isolated: a to d
	a 10.244.1.6 80 tcp blocked          default deny ingress: a to e
	node 10.244.1.6 80 tcp allowed       node to pod under default deny (kubelet probe)
	node 10.244.1.3 82 tcp allowed       node to b on a port no rule names
	a fd00:10:244::1:3 80 tcp allowed@b  IPv6: a to b tcp/80
	c fd00:10:244::1:3 80 tcp blocked    IPv6: c to b blocked
	a fd00:10:244::1:3 53 udp allowed    IPv6: a to b udp/53
	d fd00:10:244::1:2 80 tcp allowed    IPv6: egress-only allow d to a
	a fd00:10:244::1:6 80 tcp blocked    IPv6: default deny ingress a to e
	node fd00:10:244::1:6 80 tcp allowed IPv6: node to e
	a 10.96.0.10 8080 tcp allowed@b      ClusterIP to b:80 judged after DNAT
	a 10.96.0.11 8080 tcp blocked        ClusterIP to b:82: target port judged, not 8080
	c 10.96.0.10 8080 tcp blocked        ClusterIP: backend b judges c
	a fd00:96::10 8080 tcp allowed@b     IPv6 ClusterIP to b:80
	c fd00:96::10 8080 tcp blocked       IPv6 ClusterIP: c blocked
	EOF2
	ping_expect allowed a 10.244.1.4 "ping a to c: rule without ports admits ICMP"
	ping_expect blocked a 10.244.1.3 "ping a to b: rule with ports does not"
	ping_expect allowed a fd00:10:244::1:4 "ping6 a to c admitted"
	ping_expect blocked a fd00:10:244::1:3 "ping6 a to b not admitted"
	check "flush" podwallctl flush
	expect_batch <<-EOF2
	c 10.244.1.3 80 tcp allowed   after flush: c to b
	a 10.244.1.6 80 tcp allowed   after flush: a to e
	d 10.244.1.3 81 tcp allowed   after flush: d to b
	EOF2
	ping_expect allowed a 10.244.1.3 "after flush: ping a to b"
	PW_PREFIX=
	pw_cleanup
}

suite routed
suite bridge
