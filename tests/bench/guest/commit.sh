#!/bin/sh
# Commit cost: 200 endpoints, 100k rules over 20 peer sets of 10k pods
# (200k prefixes). A full replace through podwallctl restore, then small
# incremental commits (timed per phase inside pwbench), and kernel memory.
. /tests/lib.sh
. /tests/bench-lib.sh
trap pw_cleanup EXIT
bench_wait_crng
modprobe podwall || die "modprobe podwall failed"

GEN="--eps 200 --sets 20 --set-size 10000 --peers 10000 --rules 100000"
[ "$QUICK" = 1 ] && GEN="--eps 20 --sets 2 --set-size 100 --peers 100 --rules 1000"
COUNT=$COMMITS

run pwbench json $GEN > /tmp/big.json
for i in 1 2; do
	if out=$(pwbench time podwallctl restore /tmp/big.json 2>&1); then
		echo "BENCH replace podwallctl-restore-$i $(echo "$out" | sed -n 's/^time \([0-9]*\) user \([0-9]*\) sys \([0-9]*\)/ns=\1 user=\2 sys=\3/p')"
		pass "podwallctl restore of the large set ($i)"
	else
		fail "podwallctl restore of the large set ($i)" "$(echo "$out" | tail -n 3)"
	fi
done
st=$(podwallctl -j status | tr ',{}' '\n\n\n')
echo "BENCH mem large memory=$(echo "$st" | sed -n 's/^ *"memory": *//p') prefixes=$(echo "$st" | sed -n 's/^ *"prefixes": *//p') rules=$(echo "$st" | sed -n 's/^ *"rules": *//p')"

kinds=rule,elems,ep,delta-rule,delta-pod
if out=$(pwbench update $kinds $COUNT $GEN 2>&1); then
	echo "$out" | sed "s/^/BENCH update /"
	pass "incremental commits: $kinds"
else
	fail "incremental commits: $kinds" "$(echo "$out" | tail -n 3)"
fi
