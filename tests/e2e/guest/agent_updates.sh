#!/bin/sh
# podwall-agent fed by fakeapi, podwall.ko judging real packets: a
# NetworkPolicy modified through the API, pod and namespace relabels take
# effect for new connections; a SIGKILL and restart of the agent (with its
# full snapshot) never flips an allowed or a denied flow.
#
#   a 10.244.1.2 (x, app=a) ──┐
#   c 10.244.1.4 (x, app=c) ──┤
#   d 10.244.1.5 (y, app=d) ──┼── node (fakeapi, podwall-agent)
#   b 10.244.1.3 (x, app=b) ──┘   b serves tcp/80 and tcp/81
#
# Needs the dynamically linked podwall-agent and fakeapi shipped with
# tests/vm/run --bin, and guest/lib/agent.sh (see tests/e2e/run).
. /tests/lib.sh
[ -f /tests/agent_lib.sh ] || die "tests/e2e/guest/lib/agent.sh not shipped as /tests/agent_lib.sh"
. /tests/agent_lib.sh
trap 'loop_stop; agent_stop; pw_cleanup' EXIT

PW_TEST=agent-updates-setup
agent_init agent-updates /tmp/agent-updates
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
pod_add c 10.244.1.4
pod_add d 10.244.1.5
serve b tcp:80 tcp:81

# allow_a FROM_APP PORT: b admits pods labelled app=FROM_APP on tcp/PORT
allow_a() {
	printf '{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"allow-a","namespace":"x"},"spec":{"podSelector":{"matchLabels":{"app":"b"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"%s"}}}],"ports":[{"protocol":"TCP","port":%s}]}]}}' \
		"$1" "$2"
}
# allow-prod: b admits every pod of a namespace labelled env=prod on tcp/80
ALLOW_PROD='{"kind":"NetworkPolicy","apiVersion":"networking.k8s.io/v1","metadata":{"name":"allow-prod","namespace":"x"},"spec":{"podSelector":{"matchLabels":{"app":"b"}},"ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"env":"prod"}}}],"ports":[{"protocol":"TCP","port":80}]}]}}'
cat > $D/objects.json <<EOF2
{"kind":"List","items":[
$(k8s_ns x dev), $(k8s_ns y dev),
$(k8s_pod a x 10.244.1.2 a), $(k8s_pod b x 10.244.1.3 b), $(k8s_pod c x 10.244.1.4 c), $(k8s_pod d y 10.244.1.5 d),
$(allow_a a 80), $ALLOW_PROD
]}
EOF2

fakeapi_start

# step NAME WANT FROM DST PORT: until_verdict, then PASS or FAIL
step() {
	local name=$1
	shift
	until_verdict "$@" && pass "$name" ||
		fail "$name" "still $(probe "$2" "$3" "$4" tcp) after 20 s; agent: $(tail -n 2 $D/agent.log | tr '\n' ' ')"
}

PW_TEST=agent-updates
agent_start
ready && pass "updates: agent ready after its first full snapshot" ||
	{ fail "updates: agent ready" "$(tail -n 5 $D/agent.log)"; exit 1; }
expect_batch <<-EOF2
a 10.244.1.3 80 tcp allowed  updates: allow-a admits a on tcp/80
a 10.244.1.3 81 tcp blocked  updates: allow-a does not admit a on tcp/81
c 10.244.1.3 80 tcp blocked  updates: c (app=c) not admitted
d 10.244.1.3 80 tcp blocked  updates: d (namespace y, env=dev) not admitted
EOF2

# ---- (a) a NetworkPolicy modified through the API
ctl apply "$(allow_a a 81)"
step "policy port 80 -> 81: a -> b:81 allowed" allowed a 10.244.1.3 81
expect_blocked a 10.244.1.3 80 tcp "policy port 80 -> 81: a -> b:80 blocked"
ctl apply "$(allow_a c 81)"
step "policy from app=a -> app=c: c -> b:81 allowed" allowed c 10.244.1.3 81
expect_blocked a 10.244.1.3 81 tcp "policy from app=a -> app=c: a -> b:81 blocked"
ctl apply "$(allow_a a 81)"
step "policy from back to app=a: c -> b:81 blocked" blocked c 10.244.1.3 81

# ---- (b) pod relabels, as peer and as subject
ctl apply "$(k8s_pod c x 10.244.1.4 a)"
step "peer relabel c app=c -> app=a: c -> b:81 allowed" allowed c 10.244.1.3 81
ctl apply "$(k8s_pod c x 10.244.1.4 c)"
step "peer relabel c back to app=c: c -> b:81 blocked" blocked c 10.244.1.3 81
ctl apply "$(k8s_pod b x 10.244.1.3 other)"
step "subject relabel b app=b -> app=other: b no longer isolated, c -> b:81 allowed" \
	allowed c 10.244.1.3 81
expect_allowed a 10.244.1.3 80 tcp "subject relabel: a -> b:80 allowed"
ctl apply "$(k8s_pod b x 10.244.1.3 b)"
step "subject relabel b back to app=b: c -> b:81 blocked" blocked c 10.244.1.3 81
expect_allowed a 10.244.1.3 81 tcp "subject relabel back: a -> b:81 allowed again"

# ---- (c) a namespace relabel under a namespaceSelector
ctl apply "$(k8s_ns y prod)"
step "namespace y env=dev -> env=prod: d -> b:80 allowed" allowed d 10.244.1.3 80
expect_blocked d 10.244.1.3 81 tcp "namespace y env=prod: d -> b:81 still blocked (port)"
ctl apply "$(k8s_ns y dev)"
step "namespace y back to env=dev: d -> b:80 blocked" blocked d 10.244.1.3 80

# ---- (d) SIGKILL + restart: no flip of an allowed or a denied flow.
# One allowed flow (a -> b:81) and one denied flow (c -> b:81) are probed
# every ~100 ms for the whole kill/restart window and 2 s beyond.  The
# allowed probe gets a generous timeout (an answer comes at once; only a
# loaded TCG host is slow), the denied probe a short one (a leak answers at
# once too).
LOOP=
loop_stop() {
	[ -z "$LOOP" ] || { rm -f $D/loop.run; wait "$LOOP" 2>/dev/null; LOOP=; }
}
: > $D/loop.run
: > $D/loop.out
( while [ -e $D/loop.run ]; do
	echo "allow $($PWPROBE connect --netns a --timeout-ms 2000 10.244.1.3 81 tcp)"
	echo "deny $($PWPROBE connect --netns c --timeout-ms 200 10.244.1.3 81 tcp)"
	sleep 0.1
  done >> $D/loop.out ) &
LOOP=$!
# let the loop run against the steady state first
n=0; while [ "$(grep -c . $D/loop.out)" -lt 20 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
full0=$(grep -c 'commit 1 (full snapshot' $D/agent.log)
kill -KILL "$APID"; wait "$APID" 2>/dev/null; APID=
sleep 0.5
agent_start
ready || fail "restart: agent ready" "$(tail -n 5 $D/agent.log)"
n=0
while [ "$(grep -c 'commit 1 (full snapshot' $D/agent.log)" -le "$full0" ] && [ $n -lt 200 ]; do
	sleep 0.1; n=$((n + 1))
done
[ "$(grep -c 'commit 1 (full snapshot' $D/agent.log)" -gt "$full0" ] &&
	pass "restart: the new agent committed its full snapshot" ||
	fail "restart: full snapshot" "$(grep -E 'commit|kernel' $D/agent.log | tail -n 3)"
# margin after the snapshot: at least 2 s and 15 more probe pairs
m=$(grep -c . $D/loop.out)
sleep 2
n=0; while [ "$(grep -c . $D/loop.out)" -lt $((m + 30)) ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
loop_stop
na=$(grep -c '^allow ' $D/loop.out)
nd=$(grep -c '^deny ' $D/loop.out)
ba=$(grep '^allow ' $D/loop.out | grep -vc '^allow allowed$')
bd=$(grep '^deny ' $D/loop.out | grep -vc '^deny blocked$')
if [ "$na" -ge 10 ] && [ "$ba" -eq 0 ]; then
	pass "SIGKILL + restart: allowed flow a -> b:81 never blocked ($na probes)"
else
	fail "SIGKILL + restart: allowed flow never blocked" \
		"$ba of $na probes not allowed: $(grep '^allow ' $D/loop.out | sort | uniq -c | tr '\n' ' ')"
fi
if [ "$nd" -ge 10 ] && [ "$bd" -eq 0 ]; then
	pass "SIGKILL + restart: denied flow c -> b:81 never passed ($nd probes)"
else
	fail "SIGKILL + restart: denied flow never passed" \
		"$bd of $nd probes not blocked: $(grep '^deny ' $D/loop.out | sort | uniq -c | tr '\n' ' ')"
fi
