# selftest: a "WARNING:" line in the kernel log must fail the run
. /tests/lib.sh
echo "WARNING: CPU: 0 PID: $$ at selftest: injected through /dev/kmsg" > /dev/kmsg
pass "selftest: wrote a WARNING line to /dev/kmsg"
