#!/bin/sh
# Runs last, after the KUnit suites and the end-to-end scripts: lockdep must
# still be armed (a report anywhere turns it off for the rest of the boot)
# and kmemleak must find no leak.  kmemleak
# ignores objects younger than 5 s, hence two scans 6 s apart.
. /tests/lib.sh

if [ -r /proc/lockdep_stats ]; then
	grep -q 'debug_locks: *1' /proc/lockdep_stats &&
		pass "lockdep still armed after the end-to-end tests" ||
		fail "lockdep still armed after the end-to-end tests" "$(grep debug_locks /proc/lockdep_stats)"
else
	fail "lockdep present" "no /proc/lockdep_stats"
fi

if [ ! -w /sys/kernel/debug/kmemleak ]; then
	fail "kmemleak present" "no /sys/kernel/debug/kmemleak (boot with kmemleak=on)"
	exit 1
fi
[ -d /sys/module/podwall ] && rmmod podwall
echo scan > /sys/kernel/debug/kmemleak
sleep 6
echo scan > /sys/kernel/debug/kmemleak
total=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
# /init unloads podwall after each script, so a trace through its code shows
# up as bare module-area addresses (0xffffffffa0000000 up; kernel text is
# symbolised) or as "[podwall]" while it is loaded.  The
# guest leaks nothing at all without podwall: any report fails.
ours=$(awk '/^unreferenced object/ { n++ }
	(/\[podwall\]/ || /\] 0xffffffff[a-f]/) && n != seen { seen = n; c++ }
	END { print c + 0 }' /sys/kernel/debug/kmemleak)
if [ "$total" -eq 0 ]; then
	pass "kmemleak: no leaks after the end-to-end tests"
else
	sed 's/^/# /' /sys/kernel/debug/kmemleak | head -n 80
	fail "kmemleak: no leaks after the end-to-end tests" \
		"$total reports, $ours with module code in their allocation trace"
fi
# Nothing for /init's final scan to report again.
echo clear > /sys/kernel/debug/kmemleak
