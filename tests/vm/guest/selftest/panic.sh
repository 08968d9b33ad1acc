# selftest: a kernel panic (sysrq c); the guest never prints PODWALL-GUEST-DONE
. /tests/lib.sh
pass "selftest: about to crash the kernel"
echo c > /proc/sysrq-trigger
