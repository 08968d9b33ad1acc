#!/bin/sh
# podwall-agent with podwall.ko in the guest, fed by fakeapi: policies from
# the API reach the kernel, and enforcement never lapses while the agent is
# killed (SIGKILL), restarted or stopped (SIGTERM).
#
#   a 10.244.1.2 ──veth── node (fakeapi, podwall-agent) ──veth── b 10.244.1.3
#
# Needs the dynamically linked podwall-agent and fakeapi shipped with
# tests/vm/run --bin, and guest/lib/agent.sh (see tests/e2e/run).
. /tests/lib.sh
[ -f /tests/agent_lib.sh ] || die "tests/e2e/guest/lib/agent.sh not shipped as /tests/agent_lib.sh"
. /tests/agent_lib.sh
trap 'agent_stop; pw_cleanup' EXIT

PW_TEST=agent-setup
agent_init agent /tmp/agent
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80

cat > $D/objects.json <<EOF2
{"kind":"List","items":[
$(k8s_ns x),
$(k8s_pod a x 10.244.1.2 a), $(k8s_pod b x 10.244.1.3 b),
{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"deny-b","namespace":"x"},
 "spec":{"podSelector":{"matchLabels":{"app":"b"}},"policyTypes":["Ingress"]}}
]}
EOF2
ALLOW='{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"allow-a","namespace":"x"},"spec":{"podSelector":{"matchLabels":{"app":"b"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"a"}}}]}]}}'
fakeapi_start
gen() { podwallctl -j status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

PW_TEST=agent
expect_allowed a 10.244.1.3 80 tcp "no set committed yet: allowed"
agent_start
ready && pass "agent ready after its first full snapshot" ||
	{ fail "agent ready" "$(tail -n 5 $D/agent.log)"; exit 1; }
expect_blocked a 10.244.1.3 80 tcp "deny-b from the API: a -> b blocked"

ctl apply "$ALLOW"
until_verdict allowed a 10.244.1.3 80 && pass "allow-a added through the API: a -> b allowed" ||
	fail "allow-a added" "$(tail -n 5 $D/agent.log)"
grep -q 'commit 2 (incremental' $D/agent.log && pass "allow-a went in as an incremental transaction" ||
	fail "incremental commit" "$(grep -E 'commit|kernel' $D/agent.log | tail -n 3)"

g=$(gen)
kill -KILL "$APID"; wait "$APID" 2>/dev/null; APID=
expect_allowed a 10.244.1.3 80 tcp "agent SIGKILLed: last set keeps enforcing (allowed)"
[ "$(gen)" = "$g" ] && pass "agent SIGKILLed: generation unchanged" ||
	fail "generation after SIGKILL" "$(gen) != $g"

ctl delete '{"kind":"NetworkPolicy","namespace":"x","name":"allow-a"}'
expect_allowed a 10.244.1.3 80 tcp "policy deleted while the agent is down: kernel unchanged"
agent_start
ready && pass "restarted agent ready" || fail "restarted agent ready" "$(tail -n 5 $D/agent.log)"
until_verdict blocked a 10.244.1.3 80 && pass "restarted agent's snapshot drops allow-a: a -> b blocked" ||
	fail "restart snapshot"
grep -q 'commit 1 (full snapshot' $D/agent.log && pass "restart: first commit is a full snapshot" ||
	fail "restart: first commit" "$(grep commit $D/agent.log | tail -n 3)"

g=$(gen); sleep 6
[ "$(gen)" = "$g" ] && pass "idle agent: generation stable (no needless resyncs)" ||
	fail "idle generation" "$g -> $(gen)"
podwallctl flush >/dev/null || fail "podwallctl flush"
until_verdict blocked a 10.244.1.3 80 && pass "set flushed underneath the agent: it resends a full snapshot" ||
	fail "resync after flush" "$(grep -E 'kernel|commit' $D/agent.log | tail -n 3)"

kill -TERM "$APID"; wait "$APID"; rc=$?; APID=
[ $rc -eq 0 ] && pass "SIGTERM: agent exits 0" || fail "SIGTERM exit" "rc=$rc"
expect_blocked a 10.244.1.3 80 tcp "after SIGTERM: set still enforcing"
