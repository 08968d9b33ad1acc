#!/bin/sh
# Incremental commits under churn: pwchurn's randomized differential test
# (random valid sets mutated round after round; each delta committed
# incrementally, then the dump, GET_INFO's totals and EVAL of random tuples
# compared with the expected model and pw_match), and commits that must be
# refused naming the object, leaving the live set as it was.
#
# SEED=N (kernel command line: tests/e2e/run tests/e2e/guest/ctl_churn.sh --
# --append SEED=N)
# replays one seed; ROUNDS=N sets the rounds per seed.
. /tests/lib.sh
trap pw_cleanup EXIT
PW_TEST=ctl-churn-setup
modprobe podwall || die "modprobe podwall failed"

# Fewer rounds under the sanitizer kernel (tests/kunit/run): it is slower.
if [ -e /sys/kernel/debug/kmemleak ]; then
	rounds=${ROUNDS:-30}
else
	rounds=${ROUNDS:-100}
fi
seeds=$(echo ${SEED:-$(od -An -N12 -tu4 /dev/urandom)})
up() { cut -d' ' -f1 /proc/uptime; }
for s in $seeds; do
	t0=$(up)
	out=$(pwchurn -n "$s" "$rounds" 2>&1)
	log "pwchurn seed $s: $out ($t0 s -> $(up) s)"
	case "$out" in
	ok*) pass "churn seed $s: $rounds incremental commits match dump and EVAL" ;;
	*) fail "churn seed $s ($rounds rounds; replay with SEED=$s)" "$out" ;;
	esac
done

# GET_INFO's object totals, which the above skips (-n): they must follow too.
s=${seeds%% *}
out=$(pwchurn "$s" 20 2>&1)
case "$out" in
ok*) pass "churn seed $s: GET_INFO totals follow 20 incremental commits" ;;
*) fail "churn seed $s: GET_INFO totals follow incremental commits" "$out" ;;
esac

# Empty sets, port lists and address lists, and removing the node set.
out=$(pwchurn -n -e "$s" 20 2>&1)
case "$out" in
ok*) pass "churn seed $s: empty sets, port and address lists, no node set" ;;
*) fail "churn seed $s: empty sets, port and address lists, no node set" "$out" ;;
esac

# A delta that gives an empty set its first prefix (a peer set whose first
# pod appears), and one that empties it again.
mk() {	# PREFIXES-OF-SET-2
	cat <<EOF2
{ "node_set": 0, "policies": [ { "id": 1, "namespace": "x", "name": "p" } ],
  "sets": [ { "id": 2, "prefixes": [ $1 ] } ],
  "rules": [ { "id": 1, "policy": 1, "index": 0, "direction": "ingress", "set": 2, "ports": null } ],
  "endpoints": [ { "id": 1, "namespace": "x", "name": "b", "addrs": [ "10.244.1.3" ],
    "isolated": [ "ingress" ], "ingress_rules": [ 1 ], "egress_rules": [],
    "ingress_policies": [ 1 ], "egress_policies": [] } ] }
EOF2
}
mk "" > /tmp/empty.json
mk '"10.244.1.2"' > /tmp/one.json
check "restore with an empty peer set" podwallctl restore /tmp/empty.json
out=$(pwtxn delta /tmp/empty.json /tmp/one.json 2>&1)
case "$out" in
"ret=0"*) pass "delta giving an empty set its first prefix" ;;
*) fail "delta giving an empty set its first prefix" "$out" ;;
esac
# The same from models built in memory (no prefix array), as the agent's.
accepted_grow=$(pwtxn grow-empty 2>&1)
case "$accepted_grow" in
"ret=0"*"dump ok"*) pass "delta giving an empty set (no prefix array) its first prefix" ;;
*) fail "delta giving an empty set (no prefix array) its first prefix" "$(echo "$accepted_grow" | tr '\n' ' ')" ;;
esac
out=$(pwtxn delta /tmp/one.json /tmp/empty.json 2>&1)
case "$out" in
"ret=0"*) pass "delta emptying a set" ;;
*) fail "delta emptying a set" "$out" ;;
esac

# Refused: "ret=-ERRNO message naming WHAT", then the live set untouched.
refused() {	# CASE WHAT DESCRIPTION
	local out
	out=$(pwtxn "$1" 2>&1)
	case "$out" in
	"ret=-"*"$2"*"live unchanged"*) pass "$3 (${out%%
*})" ;;
	*) fail "$3" "$(echo "$out" | tr '\n' ' ')" ;;
	esac
}
refused del-used-set "rule 1" "DEL_SET of a set an unchanged rule uses: refused, names the rule"
refused del-listed-rule "endpoint 1" "DEL_RULE of a rule an unchanged endpoint lists: refused, names the endpoint"
refused del-rule-policy "rule 1030" "DEL_POLICY of a policy a rule names: refused, names the rule"
refused del-ep-policy "endpoint 520" "DEL_POLICY of a policy only an endpoint names: refused, names it"
refused flip-dir "endpoint 1: rule 1" "NEW_RULE changing a listed rule's direction: refused, names endpoint and rule"
refused dup-addr "endpoint " "NEW_ENDPOINT with an unchanged endpoint's address: refused, names an endpoint"
refused no-set "set 4242" "NEW_RULE naming a set that never existed: refused, names it"

accepted() {	# CASE DESCRIPTION
	local out
	out=$(pwtxn "$1" 2>&1)
	case "$out" in
	*"ret=0"*"dump ok"*) pass "$2" ;;
	*) fail "$2" "$(echo "$out" | tr '\n' ' ')" ;;
	esac
}
accepted move-user "DEL_SET and NEW_RULE moving its only user, one transaction: committed"
out=$(pwtxn fix-after-fail 2>&1)
case "$out" in
"first commit: ret=-"*"rule 1"*"generation unchanged"*"ret=0"*"dump ok"*)
	pass "a refused commit leaves the candidate open: fixed and committed" ;;
*) fail "a refused commit leaves the candidate open: fixed and committed" "$(echo "$out" | tr '\n' ' ')" ;;
esac
accepted elems-same "ADD_ELEMS then DEL_ELEMS of one prefix in a 3000-prefix set: dump as before"
out=$(pwtxn elems-grow 2>&1)
case "$out" in
*"grown to 5000 prefixes in 50 commits"*) case "$out" in *DIFFERS*|*failed*) ;; *)
	pass "a set grown 1 -> 5000 by small ADD_ELEMS over 50 commits: dump right each time"
	out= ;; esac ;;
esac
[ -z "$out" ] || fail "a set grown 1 -> 5000 by small ADD_ELEMS over 50 commits" "$(echo "$out" | grep -v 'dump ok' | tr '\n' ' ')"

# Two candidates from one base: the later commit publishes its own view,
# dropping the other's change (no expected generation given). Documented
# behaviour: each candidate is a copy of the live set when it began.
out=$(pwtxn two-txns 2>&1)
log "two-txns: $(echo "$out" | tr '\n' ' ')"
case "$out" in
*"B commit: ret=0"*"A commit: ret=0"*"policy 7 (B's) absent, policy 8 (A's) present"*)
	pass "two transactions from one base: the last commit wins whole (B's change gone)" ;;
*) fail "two transactions from one base: the last commit wins whole" "$(echo "$out" | tr '\n' ' ')" ;;
esac

out=$(pwtxn node-count 2>&1)
case "$out" in
*"4 before, 4 after"*) pass "GET_INFO set count unchanged by replacing the node set" ;;
*) fail "GET_INFO set count unchanged by replacing the node set" "$out" ;;
esac
out=$(pwtxn node-big 2>&1)
case "$out" in
*"1024 addresses loaded, GET_INFO gives 1024"*) pass "a node set of 1024 IPv6 addresses (the limit) read back whole" ;;
*) fail "a node set of 1024 IPv6 addresses (the limit) read back whole" "$(echo "$out" | tr '\n' ' ')" ;;
esac
case "$out" in
*"node set of 1025: ret=-"*"node set"*) pass "a node set of 1025 addresses refused, named" ;;
*) fail "a node set of 1025 addresses refused, named" "$(echo "$out" | tr '\n' ' ')" ;;
esac
