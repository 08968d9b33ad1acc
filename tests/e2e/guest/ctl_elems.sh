#!/bin/sh
# Deltas that edit a live set's elements (SET_ADD_ELEMS / SET_DEL_ELEMS), and
# deltas refused when the live generation is not the one they were computed
# against.
. /tests/lib.sh
trap pw_cleanup EXIT
PW_TEST=elems-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80
mkset() {	# WITH_A EXTRA_SET
	awk -v witha="$1" -v extra="$2" 'BEGIN {
		printf "{ \"node_set\": 0, \"policies\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"web\" } ],\n"
		printf "\"sets\": [ { \"id\": 1, \"prefixes\": ["
		for (i = 0; i < 3000; i++)
			printf "%s\"10.1.%d.%d\"", i ? ", " : "", int(i / 250), i % 250 + 1
		if (witha) printf ", \"10.244.1.2\""
		printf " ] }"
		if (extra) printf ", { \"id\": 3, \"prefixes\": [ \"10.9.0.%d\", \"10.9.0.7\", \"10.9.0.8\", \"10.9.0.9\" ] }", extra
		printf " ],\n\"rules\": [ { \"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\", \"set\": 1, \"ports\": [ { \"protocol\": \"TCP\", \"first\": 80, \"last\": 80 } ] } ]"
		printf ",\n\"endpoints\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"b\", \"addrs\": [ \"10.244.1.3\" ], \"isolated\": [ \"ingress\" ], \"ingress_rules\": [ 1 ], \"egress_rules\": [], \"ingress_policies\": [ 1 ], \"egress_policies\": [] } ] }\n"
	}'
}
mkset 0 0 > /tmp/s0.json
mkset 1 0 > /tmp/s1.json
mkset 0 1 > /tmp/s0x1.json
mkset 0 2 > /tmp/s0x2.json
check "restore without a" podwallctl restore /tmp/s0.json
expect_blocked a 10.244.1.3 80 tcp "a not in set 1: blocked"
out=$(pwtxn delta /tmp/s0.json /tmp/s1.json)
case "$out" in "ret=0"*) pass "elems delta adds a" ;; *) fail "elems delta adds a" "$out" ;; esac
expect_allowed a 10.244.1.3 80 tcp "a added by SET_ADD_ELEMS: allowed"
n=$(podwallctl save | tr ',' '\n' | grep -c '"10\.')
[ "$n" -eq 3002 ] && pass "save after add: 3002 addresses" || fail "save after add" "$n"
out=$(pwtxn delta /tmp/s1.json /tmp/s0.json)
case "$out" in "ret=0"*) pass "elems delta removes a" ;; *) fail "elems delta removes a" "$out" ;; esac
expect_blocked a 10.244.1.3 80 tcp "a removed by SET_DEL_ELEMS: blocked"
n=$(podwallctl save | tr ',' '\n' | grep -c '"10\.')
[ "$n" -eq 3001 ] && pass "save after del: 3001 addresses" || fail "save after del" "$n"
# A delta computed against an older generation is refused before it is sent.
gen=$(podwallctl -j status | tr ',{}' '\n\n\n' | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p' | head -n 1)
out=$(pwtxn delta /tmp/s0.json /tmp/s1.json $((gen - 1)))
case "$out" in "ret=-116"*"is not"*) pass "delta against an old generation: ESTALE" ;; *) fail "delta against an old generation: ESTALE" "gen=$gen $out" ;; esac
expect_blocked a 10.244.1.3 80 tcp "after the stale delta: set unchanged"
out=$(pwtxn delta /tmp/s0.json /tmp/s1.json "$gen")
case "$out" in "ret=0"*) pass "delta against the live generation applies" ;; *) fail "delta against the live generation applies" "gen=$gen $out" ;; esac
expect_allowed a 10.244.1.3 80 tcp "after the matching delta: a allowed"
out=$(pwtxn delta /tmp/s1.json /tmp/s0.json)
case "$out" in "ret=0"*) pass "delta back" ;; *) fail "delta back" "$out" ;; esac
# old claims set 3 is live, it is not: the kernel refuses the edit, named.
out=$(pwtxn delta /tmp/s0x1.json /tmp/s0x2.json)
echo "stale-old: $out"
case "$out" in *"set 3"*) pass "refused elems edit names set 3" ;; *) fail "refused elems edit names set 3" "$out" ;; esac
expect_blocked a 10.244.1.3 80 tcp "after the refused delta: old set enforcing"
