#!/bin/bash
# Runs every test suite and sums their closing "N passed, N failed" lines.
# Each suite is a command that prints such a line last and exits non-zero
# on failure. Exit status: 0 iff every suite ran and nothing failed.
set -u
cd "$(dirname "$0")/.."

mkdir -p tests/out
total_pass=0
total_fail=0
bad_suites=()

run_suite() {
	local name=$1; shift
	local log="tests/out/suite-$name.log"
	echo "=== suite $name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "=== suite $name: no result line (exit $rc)"
		bad_suites+=("$name(no result)")
		return
	fi
	local p f
	p=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$p" -gt 0 ] || bad_suites+=("$name(ran nothing)")
	[ "$rc" -eq 0 ] || bad_suites+=("$name(exit $rc)")
	echo "=== suite $name: $p passed, $f failed ($((SECONDS - start)) s)"
}

make -s all || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

# Suites, fastest first.
[ -x tests/unit/run ] && run_suite unit tests/unit/run
[ -x tests/conformance/run ] && run_suite conformance-sim tests/conformance/run tests/conformance/upstream tests/conformance/regressions
[ -x tests/agent/run ] && run_suite agent tests/agent/run
[ -x tests/kunit/run ] && run_suite kunit tests/kunit/run
[ -x tests/e2e/run ] && run_suite e2e tests/e2e/run
[ -x tests/conformance/run ] && run_suite conformance-vm tests/conformance/run --vm tests/conformance/upstream tests/conformance/regressions

echo
if [ ${#bad_suites[@]} -gt 0 ]; then
	echo "failing suites: ${bad_suites[*]}"
	[ "$total_fail" -gt 0 ] || total_fail=1
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ ${#bad_suites[@]} -eq 0 ]
