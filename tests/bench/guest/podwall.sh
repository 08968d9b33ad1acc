#!/bin/sh
# Verdict cost per new connection with podwall: loaded and open, then
# committed sets where the server's last rule admits the client among
# 100 / 10k / 100k peers, with 100 or 100k rules in total (10 on the
# server, the rest on 199 other endpoints over 100 sets of 100 pods).
. /tests/lib.sh
. /tests/bench-lib.sh
trap pw_cleanup EXIT
bench_topology
modprobe podwall || die "modprobe podwall failed"
pwbench_mem() {
	podwallctl -j status | tr ',{}' '\n\n\n' | sed -n "s/^ *\"$1\": *//p"
}

CASE_NAME=podwall-open; conn_case; stream_case

for rules in $RULE_SIZES; do
	for peers in $PEER_SIZES; do
		CASE_NAME=podwall-p$peers-r$rules
		if out=$(pwbench update rule 0 --peers $peers --rules $rules 2>&1); then
			echo "BENCH load $CASE_NAME $(echo "$out" | sed -n 's/^load \([0-9]*\) user \([0-9]*\) sys \([0-9]*\)/ns=\1 user=\2 sys=\3/p')"
			echo "BENCH mem $CASE_NAME memory=$(pwbench_mem memory) prefixes=$(pwbench_mem prefixes) rules=$(pwbench_mem rules)"
			# The replaced generation is freed by a kworker after a
			# grace period (100k rules: ~80 M instructions); let it
			# finish, or its work counts against the connections.
			sleep 1
			conn_case
			[ $peers = $BIG ] && stream_case
		else
			fail "$CASE_NAME: load" "$(echo "$out" | tail -n 3)"
		fi
	done
done
