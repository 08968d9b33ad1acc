#!/bin/sh
# Large sets and incremental updates through podwallctl and libpodwall:
# a 5000-prefix set goes over several messages (NEW_SET + SET_ADD_ELEMS)
# and comes back from a multi-message dump; a delta adds a rule and a set
# in one incremental commit; probes agree at each step.
#
#   a 10.244.1.2 ──veth── node ──veth── b 10.244.1.3   (routed)
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=ctl-large-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80 tcp:81

# set.json: b isolated for ingress; rule 1 admits set 1 on tcp/80. Set 1
# holds 5000 addresses of 10.1.0.0/16 and a's address last. With
# EXTRA=1 also rule 2 (set 2 = a) on tcp/81.
mkset() {	# EXTRA
	awk -v extra="$1" 'BEGIN {
		printf "{ \"node_set\": 0, \"policies\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"web\" } ],\n"
		printf "\"sets\": [ { \"id\": 1, \"prefixes\": ["
		for (i = 0; i < 5000; i++)
			printf "\"10.1.%d.%d\", ", int(i / 250), i % 250 + 1
		printf "\"10.244.1.2\" ] }"
		if (extra) printf ", { \"id\": 2, \"prefixes\": [ \"10.244.1.2\" ] }"
		printf " ],\n\"rules\": [ { \"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\", \"set\": 1, \"ports\": [ { \"protocol\": \"TCP\", \"first\": 80, \"last\": 80 } ] }"
		if (extra) printf ", { \"id\": 2, \"policy\": 1, \"index\": 1, \"direction\": \"ingress\", \"set\": 2, \"ports\": [ { \"protocol\": \"TCP\", \"first\": 81, \"last\": 81 } ] }"
		printf " ],\n\"endpoints\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"b\", \"addrs\": [ \"10.244.1.3\" ], \"isolated\": [ \"ingress\" ], \"ingress_rules\": [ 1%s ], \"egress_rules\": [], \"ingress_policies\": [ 1 ], \"egress_policies\": [] } ] }\n", extra ? ", 2" : ""
	}'
}
mkset 0 > /tmp/big.json
mkset 1 > /tmp/big2.json

check "restore: 5001-prefix set" podwallctl restore /tmp/big.json
out=$(podwallctl -j status)
case "$out" in
*'"prefixes":5002'*|*'"prefixes":5001'*) pass "status: all prefixes loaded" ;;
*) fail "status: all prefixes loaded" "$out" ;;
esac
expect_allowed a 10.244.1.3 80 tcp "large set: a (last prefix) admitted on tcp/80"
expect_blocked a 10.244.1.3 81 tcp "large set: tcp/81 blocked"

podwallctl save > /tmp/big-saved.json
n=$(tr ',' '\n' < /tmp/big-saved.json | grep -c '"10\.')
[ "$n" -ge 5002 ] && pass "save: multi-message set dump complete ($n addresses)" ||
	fail "save: multi-message set dump complete" "$n addresses"

out=$(pwtxn delta /tmp/big.json /tmp/big2.json)
case "$out" in
"ret=0"*) pass "delta: incremental commit" ;;
*) fail "delta: incremental commit" "$out" ;;
esac
expect_allowed a 10.244.1.3 81 tcp "after delta: tcp/81 admitted by the new rule"
expect_allowed a 10.244.1.3 80 tcp "after delta: tcp/80 still admitted"
out=$(podwallctl test 10.244.1.2 10.244.1.3 tcp/81)
case "$out" in
"allowed: "*"x/web rule 1"*) pass "test after delta: names rule 1" ;;
*) fail "test after delta: names rule 1" "$out" ;;
esac
out=$(pwtxn delta /tmp/big2.json /tmp/big.json)
case "$out" in
"ret=0"*) pass "delta back: incremental commit with deletes" ;;
*) fail "delta back: incremental commit with deletes" "$out" ;;
esac
expect_blocked a 10.244.1.3 81 tcp "after delta back: tcp/81 blocked again"
check "flush" podwallctl flush
