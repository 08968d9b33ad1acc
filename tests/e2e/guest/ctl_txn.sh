#!/bin/sh
# Transactions through libpodwall against podwall.ko: abort, a socket closed
# mid-transaction, stale and lone commits, malformed and oversized messages
# rejected with an error and a message, and the live set unharmed by all.
#
#   a 10.244.1.2 ──veth── node ──veth── b 10.244.1.3   (routed)
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=ctl-txn-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80

# b isolated for ingress with no rule: everything to b is denied.
cat > /tmp/deny.json <<'EOF2'
{ "node_set": 0,
  "policies": [ { "id": 1, "namespace": "x", "name": "deny-all" } ],
  "sets": [], "rules": [],
  "endpoints": [ { "id": 1, "namespace": "x", "name": "b",
    "addrs": [ "10.244.1.3" ], "isolated": [ "ingress" ],
    "ingress_rules": [], "egress_rules": [],
    "ingress_policies": [ 1 ], "egress_policies": [] } ] }
EOF2
run podwallctl restore /tmp/deny.json
gen() { podwallctl -j status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
g0=$(gen)

out=$(pwtxn abort)
case "$out" in
*"gen $g0 $g0"*) pass "abort: generation unchanged" ;;
*) fail "abort: generation unchanged" "$out" ;;
esac

out=$(pwtxn begin-exit)
case "$out" in
"ret=0"*) pass "begin-exit: transaction opened" ;;
*) fail "begin-exit: transaction opened" "$out" ;;
esac
[ "$(gen)" = "$g0" ] && pass "socket closed mid-transaction: generation unchanged" ||
	fail "socket closed mid-transaction: generation unchanged" "gen $(gen) != $g0"
expect_blocked a 10.244.1.3 80 tcp "socket closed mid-transaction: old set enforcing"

# The kernel's answer: "ret=-N message".
expect_err() {	# NAME CASE ERRNO...
	local name=$1 c=$2 out
	shift 2
	out=$(pwtxn "$c")
	for e in "$@"; do
		case "$out" in
		"ret=-$e "?*) pass "$name (ret -$e, message '${out#* }')"; return ;;
		esac
	done
	fail "$name" "got '$out', want -$* with a message"
}
expect_err "stale commit: ESTALE" stale 116
expect_err "commit without a transaction: error" commit-alone 2 22
expect_err "IPv4 prefix length 40: EINVAL/ERANGE" bad-plen 22 34
expect_err "5-byte address: EINVAL" bad-addr 22 34
expect_err "1025 port ranges: rejected" many-ports 7 22 34
expect_err "unknown attribute: EINVAL" bad-attr 22
[ "$(gen)" = "$g0" ] && pass "after all rejects: generation unchanged" ||
	fail "after all rejects: generation unchanged" "gen $(gen) != $g0"
expect_blocked a 10.244.1.3 80 tcp "after all rejects: old set enforcing"

check "flush" podwallctl flush
expect_allowed a 10.244.1.3 80 tcp "after flush: allowed"
