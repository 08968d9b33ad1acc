#!/bin/sh
# podwall-agent with podwall.ko in the guest, fed by fakeapi: policies from
# the API reach the kernel, and enforcement never lapses while the agent is
# killed (SIGKILL), restarted or stopped (SIGTERM).
#
#   a 10.244.1.2 ──veth── node (fakeapi, podwall-agent) ──veth── b 10.244.1.3
#
# Needs the dynamically linked podwall-agent and fakeapi shipped with
# tests/vm/run --bin (see tests/e2e/run).
. /tests/lib.sh
trap 'agent_stop; pw_cleanup' EXIT

PW_TEST=agent-setup
# --bin ships binaries at their host path; --tool in /usr/bin.
findbin() { command -v "$1" || find / -xdev -type f -name "$1" 2>/dev/null | head -n 1; }
AGENT=$(findbin podwall-agent)
FAKEAPI=$(findbin fakeapi)
[ -n "$AGENT" ] || { skip "agent" "podwall-agent not shipped"; exit 0; }
[ -n "$FAKEAPI" ] || { skip "agent" "fakeapi not shipped"; exit 0; }
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80

D=/tmp/agent
mkdir -p $D
pod() {	# NAME IP APP
	printf '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"%s","namespace":"x","labels":{"app":"%s"}},"spec":{"nodeName":"n1"},"status":{"phase":"Running","podIP":"%s","podIPs":[{"ip":"%s"}]}}' \
		"$1" "$3" "$2" "$2"
}
cat > $D/objects.json <<EOF2
{"kind":"List","items":[
{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x","labels":{"kubernetes.io/metadata.name":"x"}}},
$(pod a 10.244.1.2 a), $(pod b 10.244.1.3 b),
{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"deny-b","namespace":"x"},
 "spec":{"podSelector":{"matchLabels":{"app":"b"}},"policyTypes":["Ingress"]}}
]}
EOF2
ALLOW='{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"allow-a","namespace":"x"},"spec":{"podSelector":{"matchLabels":{"app":"b"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"a"}}}]}]}}'

$FAKEAPI --objects $D/objects.json --token t0k --port-file $D/port 2>$D/fakeapi.log &
echo $! >> "$PW_STATE/pids"
i=0; while [ ! -s $D/port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat $D/port)
cat > $D/kubeconfig <<EOF2
current-context: t
contexts: [{name: t, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "http://127.0.0.1:$PORT"}}]
users: [{name: u, user: {token: t0k}}]
EOF2
ctl() { wget -q -O /dev/null --post-data "$2" "http://127.0.0.1:$PORT/fake/$1"; }
gen() { podwallctl -j status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

APID=
agent_start() {
	$AGENT --kubeconfig $D/kubeconfig --node n1 --coalesce-ms 20 \
		--backoff-base-ms 100 --backoff-max-ms 500 2>>$D/agent.log &
	APID=$!
}
agent_stop() { [ -z "$APID" ] || kill -TERM "$APID" 2>/dev/null; }
ready() {	# waits up to 20 s for /readyz
	local n=0
	while [ $n -lt 200 ]; do
		wget -q -O /dev/null http://127.0.0.1:9402/readyz 2>/dev/null && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
# until_verdict WANT: polls a -> b:80 for up to 10 s.
until_verdict() {
	local n=0
	while [ $n -lt 50 ]; do
		[ "$(probe a 10.244.1.3 80 tcp)" = "$1" ] && return 0
		sleep 0.2; n=$((n + 1))
	done
	return 1
}

PW_TEST=agent
expect_allowed a 10.244.1.3 80 tcp "no set committed yet: allowed"
agent_start
ready && pass "agent ready after its first full snapshot" ||
	{ fail "agent ready" "$(tail -n 5 $D/agent.log)"; exit 1; }
expect_blocked a 10.244.1.3 80 tcp "deny-b from the API: a -> b blocked"

ctl apply "$ALLOW"
until_verdict allowed && pass "allow-a added through the API: a -> b allowed" ||
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
until_verdict blocked && pass "restarted agent's snapshot drops allow-a: a -> b blocked" ||
	fail "restart snapshot"
grep -q 'commit 1 (full snapshot' $D/agent.log && pass "restart: first commit is a full snapshot" ||
	fail "restart: first commit" "$(grep commit $D/agent.log | tail -n 3)"

g=$(gen); sleep 6
[ "$(gen)" = "$g" ] && pass "idle agent: generation stable (no needless resyncs)" ||
	fail "idle generation" "$g -> $(gen)"
podwallctl flush >/dev/null || fail "podwallctl flush"
until_verdict blocked && pass "set flushed underneath the agent: it resends a full snapshot" ||
	fail "resync after flush" "$(grep -E 'kernel|commit' $D/agent.log | tail -n 3)"

kill -TERM "$APID"; wait "$APID"; rc=$?; APID=
[ $rc -eq 0 ] && pass "SIGTERM: agent exits 0" || fail "SIGTERM exit" "rc=$rc"
expect_blocked a 10.244.1.3 80 tcp "after SIGTERM: set still enforcing"
