# selftest: one PASS and one FAIL line; run must report "1 failed" and exit non-zero
. /tests/lib.sh
pass "selftest: a passing check"
fail "selftest: a failing check" "on purpose"
