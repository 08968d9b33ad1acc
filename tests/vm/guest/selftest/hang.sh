# selftest: never ends; /init must kill it after --test-timeout and go on
. /tests/lib.sh
pass "selftest: hang.sh started"
sleep 100000
