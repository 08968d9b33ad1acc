#!/bin/sh
# KUnit suites of podwall.ko in the debug kernel (KUNIT, KASAN, lockdep,
# kmemleak). The suites run when the module is loaded, before its init;
# their KTAP results are read from debugfs, one PASS/FAIL per test case.
. /tests/lib.sh

[ -d /sys/kernel/debug/kunit ] || die "this kernel has no KUnit debugfs"
before=$(ls /sys/kernel/debug/kunit)
insmod /root/podwall.ko || die "insmod /root/podwall.ko failed"

suites=0
for d in /sys/kernel/debug/kunit/podwall-*; do
	[ -r "$d/results" ] || continue
	suite=${d##*/}
	suites=$((suites + 1))
	log "$suite results:"
	sed 's/^/# /' "$d/results"
	cases=0
	# Test cases are the indented "ok N name" / "not ok N name" lines.
	while read -r line; do
		case "$line" in
		"not ok "*)
			name=$(echo "$line" | sed -E 's/^not ok [0-9]+ (- )?//')
			fail "kunit $suite.$name" ;;
		"ok "*)
			name=$(echo "$line" | sed -E 's/^ok [0-9]+ (- )?//')
			case "$name" in *"# SKIP"*) skip "kunit $suite.$name" ;; *) pass "kunit $suite.$name" ;; esac ;;
		*) continue ;;
		esac
		cases=$((cases + 1))
	done <<CASES
$(grep -E '^[[:space:]]+(not )?ok [0-9]+ ' "$d/results")
CASES
	[ "$cases" -gt 0 ] || fail "kunit $suite" "no test case results"
	# The suite line itself (not indented) must say ok.
	grep -qE "^ok [0-9]+ (- )?$suite\$" "$d/results" || fail "kunit $suite: suite result" "not ok"
done
[ "$suites" -ge 1 ] || fail "kunit: podwall suites ran" "none found (had: $before)"

# Exercise the module a little under the sanitizers, then unload it.
if [ -r /proc/lockdep_stats ]; then
	grep -q 'debug_locks: *1' /proc/lockdep_stats && pass "lockdep still armed after the suites" ||
		fail "lockdep still armed after the suites" "$(grep debug_locks /proc/lockdep_stats)"
fi
check "rmmod podwall" rmmod podwall
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
	[ "$leaks" -eq 0 ] && pass "kmemleak: no leaks after load/unload" ||
		{ head -40 /sys/kernel/debug/kmemleak; fail "kmemleak: no leaks after load/unload" "$leaks objects"; }
fi
