# selftest: exits with status 3 without printing FAIL; /init must add a FAIL line
. /tests/lib.sh
exit 3
