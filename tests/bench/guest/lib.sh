# Helpers of the benchmark guest scripts (sourced after /tests/lib.sh).
# Result lines: "BENCH <section> <case> <key>=<value>..." read by
# tests/bench/run from the serial log; PASS/FAIL as usual.

# Knobs, written by tests/bench/run into /tests/bench.conf.
CONNS=1000		# connections per measurement
MSGS=5000		# round trips on one connection
COMMITS=20		# incremental commits per kind
QUICK=0			# 1: small sets only (a smoke test of the scripts)
[ -f /tests/bench.conf ] && . /tests/bench.conf
if [ "$QUICK" = 1 ]; then
	PEER_SIZES="100 1000"; RULE_SIZES="100 1000"; BIG=1000
else
	PEER_SIZES="100 10000 100000"; RULE_SIZES="100 100000"; BIG=100000
fi
SERVER=10.244.1.3
CLIENT=10.244.1.2

# Until the kernel's CRNG is initialised, every connection costs ~50-60k
# more instructions (measured: `none` 214k before, 162k after), and when
# that happens depends on the host. A read of /dev/random blocks until it is
# ready (6.1 generates jitter entropy meanwhile): every measurement runs
# after it.
bench_wait_crng() {
	dd if=/dev/random of=/dev/null bs=1 count=1 2>/dev/null ||
		die "reading /dev/random failed"
	log "crng ready at $(cut -d' ' -f1 /proc/uptime) s guest time"
}

bench_topology() {
	bench_wait_crng
	node_setup routed
	pod_add a $CLIENT
	pod_add b $SERVER
	pod_exec b connloop serve 80 || die "connloop serve failed"
}

# conn_case NAME: new-connection cost with whatever is configured now.
conn_case() {
	local out
	if out=$(pod_exec a connloop conn $SERVER 80 "$CONNS" 2>&1); then
		set -- $out
		echo "BENCH conn $CASE_NAME ns_per_conn=$4 conns=$2"
		pass "conn $CASE_NAME: $4 guest ns per connection"
	else
		fail "conn $CASE_NAME" "$out"
	fi
}

# stream_case NAME: established round trips (2 data packets + ACKs each).
stream_case() {
	local out
	if out=$(pod_exec a connloop stream $SERVER 80 "$MSGS" 2>&1); then
		set -- $out
		echo "BENCH stream $CASE_NAME ns_per_rtt=$4 rtts=$2"
		pass "stream $CASE_NAME: $4 guest ns per round trip"
	else
		fail "stream $CASE_NAME" "$out"
	fi
}
