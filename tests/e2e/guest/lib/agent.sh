# agent.sh - what the agent_*.sh guest scripts share (busybox ash): find
# podwall-agent and fakeapi, serve objects from fakeapi, start and stop the
# agent against it, wait for it.  tests/e2e/run ships it as
# /tests/agent_lib.sh; a script sources it after /tests/lib.sh:
#
#   . /tests/lib.sh
#   . /tests/agent_lib.sh
#   trap 'agent_stop; pw_cleanup' EXIT
#   agent_init NAME /tmp/NAME        # skips the script if a binary is missing
#   ... topology, then $D/objects.json (k8s_ns, k8s_pod help) ...
#   fakeapi_start                    # $PORT, $D/kubeconfig
#   agent_start; ready || ...
#
# Logs: $D/fakeapi.log and $D/agent.log.

# k8s_ns NAME [ENV]: a Namespace as JSON (label env=ENV if given)
k8s_ns() {
	printf '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"%s","labels":{"kubernetes.io/metadata.name":"%s"%s}}}' \
		"$1" "$1" "${2:+,\"env\":\"$2\"}"
}

# k8s_pod NAME NAMESPACE IP APP: a running Pod of node n1 labelled app=APP
k8s_pod() {
	printf '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"%s","namespace":"%s","labels":{"app":"%s"}},"spec":{"nodeName":"n1"},"status":{"phase":"Running","podIP":"%s","podIPs":[{"ip":"%s"}]}}' \
		"$1" "$2" "$4" "$3" "$3"
}

# agent_init NAME DIR: sets AGENT and FAKEAPI (or SKIPs NAME and ends the
# script: they are dynamically linked, shipped by tests/vm/run --bin), loads
# podwall, and makes the work directory D=DIR.
agent_init() {
	AGENT=$(agent_findbin podwall-agent)
	FAKEAPI=$(agent_findbin fakeapi)
	[ -n "$AGENT" ] || { skip "$1" "podwall-agent not shipped"; exit 0; }
	[ -n "$FAKEAPI" ] || { skip "$1" "fakeapi not shipped"; exit 0; }
	modprobe podwall || die "modprobe podwall failed"
	D=$2
	mkdir -p "$D"
}

# --bin ships binaries at their host path, --tool in /usr/bin.
agent_findbin() {
	command -v "$1" || find / -xdev -type f -name "$1" 2>/dev/null | head -n 1
}

# fakeapi_start: serves $D/objects.json with bearer token t0k on a free
# port ($PORT) and writes $D/kubeconfig for it.
fakeapi_start() {
	local i=0

	$FAKEAPI --objects "$D/objects.json" --token t0k --port-file "$D/port" \
		2>"$D/fakeapi.log" &
	echo $! >> "$PW_STATE/pids"
	while [ ! -s "$D/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$D/port" ] || die "fakeapi did not start: $(tail -n 3 "$D/fakeapi.log")"
	PORT=$(cat "$D/port")
	cat > "$D/kubeconfig" <<-EOF
	current-context: t
	contexts: [{name: t, context: {cluster: c, user: u}}]
	clusters: [{name: c, cluster: {server: "http://127.0.0.1:$PORT"}}]
	users: [{name: u, user: {token: t0k}}]
	EOF
}

# ctl VERB JSON: fakeapi's test control (apply, delete, ...); a refusal FAILs.
ctl() {
	wget -q -O /dev/null --post-data "$2" "http://127.0.0.1:$PORT/fake/$1" ||
		fail "fakeapi /fake/$1" "refused: $2"
}

# agent_start / agent_stop: the agent for node n1, quick to coalesce and to
# retry; its pid in APID.
APID=
agent_start() {
	$AGENT --kubeconfig "$D/kubeconfig" --node n1 --coalesce-ms 20 \
		--backoff-base-ms 100 --backoff-max-ms 500 2>>"$D/agent.log" &
	APID=$!
}
agent_stop() { [ -z "$APID" ] || kill -TERM "$APID" 2>/dev/null; }

# ready: waits up to 20 s for the agent's /readyz
ready() {
	local n=0

	while [ $n -lt 200 ]; do
		wget -q -O /dev/null http://127.0.0.1:9402/readyz 2>/dev/null && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}

# until_verdict WANT FROM DST PORT: polls FROM -> DST:PORT/tcp for up to 20 s
# (the agent commits asynchronously; a fixed sleep would be a guess).
until_verdict() {
	local n=0

	while [ $n -lt 100 ]; do
		[ "$(probe "$2" "$3" "$4" tcp)" = "$1" ] && return 0
		sleep 0.2; n=$((n + 1))
	done
	return 1
}
