#!/bin/sh
# Dumps stay consistent while commits race them: a writer alternates two
# sets (A and B, 3000 prefixes each, so a set dump spans several messages)
# while `podwallctl save` runs again and again; every save must be exactly
# A or exactly B, never a mix (libpodwall retries on NLM_F_DUMP_INTR and
# when the generation moved between the per-kind dumps).
. /tests/lib.sh
trap 'kill $writer 2>/dev/null; pw_cleanup' EXIT

PW_TEST=ctl-dump-setup
modprobe podwall || die "modprobe podwall failed"

mkset() {	# NAME THIRD_OCTET
	awk -v name="$1" -v o="$2" 'BEGIN {
		printf "{ \"node_set\": 0, \"policies\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"%s\" } ],\n", name
		printf "\"sets\": [ { \"id\": 1, \"prefixes\": ["
		for (i = 0; i < 3000; i++)
			printf "%s\"10.%d.%d.%d\"", i ? ", " : "", o, int(i / 250), i % 250 + 1
		printf " ] } ], \"rules\": [ { \"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\", \"set\": 1, \"ports\": null } ],\n"
		printf "\"endpoints\": [ { \"id\": 1, \"namespace\": \"x\", \"name\": \"%s\", \"addrs\": [ \"10.244.1.3\" ], \"isolated\": [ \"ingress\" ], \"ingress_rules\": [ 1 ], \"egress_rules\": [], \"ingress_policies\": [ 1 ], \"egress_policies\": [] } ] }\n", name
	}'
}
mkset set-a 1 > /tmp/a.json
mkset set-b 2 > /tmp/b.json
run podwallctl restore /tmp/a.json
podwallctl save > /tmp/a.saved || die "save A failed"
run podwallctl restore /tmp/b.json
podwallctl save > /tmp/b.saved || die "save B failed"
cmp -s /tmp/a.saved /tmp/b.saved && die "A and B save the same"

(
	while :; do
		podwallctl restore /tmp/a.json > /dev/null
		podwallctl restore /tmp/b.json > /dev/null
	done
) &
writer=$!

bad=0 as=0 bs=0 errs=0
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	if ! podwallctl save > /tmp/s.json 2>/tmp/s.err; then
		# Only "kept changing" is acceptable, and only rarely.
		grep -q "kept changing" /tmp/s.err || { bad=$((bad + 1)); cat /tmp/s.err; }
		errs=$((errs + 1))
		continue
	fi
	if cmp -s /tmp/s.json /tmp/a.saved; then
		as=$((as + 1))
	elif cmp -s /tmp/s.json /tmp/b.saved; then
		bs=$((bs + 1))
	else
		bad=$((bad + 1))
		log "mixed save: $(grep -o '"name": "[^"]*"' /tmp/s.json | tr '\n' ' ')"
	fi
done
kill $writer
wait $writer 2>/dev/null
log "saves: $as of A, $bs of B, $errs gave up, $bad bad"
[ $bad = 0 ] && pass "30 saves under racing commits: each exactly A or B" ||
	fail "30 saves under racing commits: each exactly A or B" "$bad mixed or failed"
[ $((as + bs)) -ge 20 ] && pass "racing saves mostly succeed ($as A, $bs B)" ||
	fail "racing saves mostly succeed" "$as A, $bs B, $errs gave up"
check "flush" podwallctl flush
