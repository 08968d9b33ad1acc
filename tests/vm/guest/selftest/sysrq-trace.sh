# selftest: a kernel-made stack dump (sysrq l: backtrace of all CPUs, "Call Trace:")
# must fail the run
. /tests/lib.sh
echo l > /proc/sysrq-trigger
pass "selftest: asked the kernel for a backtrace"
