#!/bin/sh
# podwallctl against podwall.ko: restore, status, show, test (checked
# against real probes), monitor, stats, save/restore round trip, flush,
# and EPERM without CAP_NET_ADMIN.
#
#   a 10.244.1.2 ──veth── node ──veth── b 10.244.1.3   (routed)
#
# The set: b (x/b) is isolated for ingress by x/deny-all and x/allow-web;
# allow-web's rule 0 admits a (set 1) on tcp/80. a (x/a) is not isolated.
. /tests/lib.sh
trap pw_cleanup EXIT

PW_TEST=ctl-live-setup
modprobe podwall || die "modprobe podwall failed"
node_setup routed
pod_add a 10.244.1.2
pod_add b 10.244.1.3
serve b tcp:80 tcp:81

cat > /tmp/set.json <<'EOF2'
{
  "node_set": 0,
  "policies": [
    { "id": 1, "namespace": "x", "name": "deny-all" },
    { "id": 2, "namespace": "x", "name": "allow-web" }
  ],
  "sets": [ { "id": 1, "prefixes": [ "10.244.1.2" ] } ],
  "rules": [
    { "id": 1, "policy": 2, "index": 0, "direction": "ingress", "set": 1,
      "ports": [ { "protocol": "TCP", "first": 80, "last": 80 } ] }
  ],
  "endpoints": [
    { "id": 1, "namespace": "x", "name": "a", "addrs": [ "10.244.1.2" ],
      "isolated": [], "ingress_rules": [], "egress_rules": [],
      "ingress_policies": [], "egress_policies": [] },
    { "id": 2, "namespace": "x", "name": "b", "addrs": [ "10.244.1.3" ],
      "isolated": [ "ingress" ], "ingress_rules": [ 1 ], "egress_rules": [],
      "ingress_policies": [ 1, 2 ], "egress_policies": [] }
  ]
}
EOF2

out=$(podwallctl status 2>&1)
case "$out" in
*"mode:       open"*) pass "status: open before the first commit" ;;
*) fail "status: open before the first commit" "$out" ;;
esac

check "restore: loads the set" podwallctl restore /tmp/set.json
out=$(podwallctl -j status 2>&1)
case "$out" in
*'"mode":"enforcing"'*'"endpoints":2'*) pass "status -j: enforcing, 2 endpoints" ;;
*) fail "status -j: enforcing, 2 endpoints" "$out" ;;
esac

# test: exit status and explanation, and a real probe agrees.
out=$(podwallctl test 10.244.1.2 10.244.1.3 tcp/80); rc=$?
[ $rc = 0 ] && pass "test a->b tcp/80: exit 0" || fail "test a->b tcp/80: exit 0" "rc=$rc $out"
expect_allowed a 10.244.1.3 80 tcp "probe a->b tcp/80 allowed, as test says"
out=$(podwallctl test x/a x/b tcp/81); rc=$?
[ $rc = 1 ] && pass "test x/a x/b tcp/81: exit 1" || fail "test x/a x/b tcp/81: exit 1" "rc=$rc $out"
want="denied: x/b is isolated for ingress by x/deny-all, x/allow-web; no ingress rule admits 10.244.1.2 to tcp/81"
[ "$out" = "$want" ] && pass "test: explanation names pod and policies" ||
	fail "test: explanation names pod and policies" "got '$out'"
expect_blocked a 10.244.1.3 81 tcp "probe a->b tcp/81 blocked, as test says"
out=$(podwallctl test 10.244.1.2 10.244.1.3 tcp/99999 2>&1); rc=$?
[ $rc = 2 ] && pass "test: bad port is exit 2" || fail "test: bad port is exit 2" "rc=$rc $out"
out=$(podwallctl -j test 10.244.1.3 10.244.1.2 udp/53); rc=$?
case "$rc $out" in
'0 {'*'"allow":true'*) pass "test -j b->a udp/53: allowed, JSON" ;;
*) fail "test -j b->a udp/53: allowed, JSON" "rc=$rc $out" ;;
esac

out=$(podwallctl show endpoints)
case "$out" in
*"x/b 10.244.1.3"*) pass "show endpoints lists x/b" ;;
*) fail "show endpoints lists x/b" "$out" ;;
esac
out=$(podwallctl -j show rules)
case "$out" in
*'"policy_name":"allow-web"'*'"first":80'*) pass "show -j rules" ;;
*) fail "show -j rules" "$out" ;;
esac

# monitor sees a real denied connection, with names.
podwallctl -j monitor > /tmp/mon.json 2>/tmp/mon.err &
mon=$!
sleep 1
probe a 10.244.1.3 81 tcp > /dev/null
sleep 1
kill -INT $mon
wait $mon; rc=$?
mon_out=$(cat /tmp/mon.json /tmp/mon.err)
[ $rc = 0 ] && pass "monitor: ends with 0 on SIGINT" || fail "monitor: ends with 0 on SIGINT" "rc=$rc $mon_out"
case "$mon_out" in
*'"dport":81'*'"name":"b"'*'"name":"deny-all"'*) pass "monitor: denied a->b tcp/81 with pod and policy" ;;
*) fail "monitor: denied a->b tcp/81 with pod and policy" "$mon_out" ;;
esac

# Three denied probes so far (tcp/81 and the two monitored), all into b.
# The text form: one line naming both pods and the policies.
podwallctl monitor > /tmp/mon.txt 2>&1 &
mon=$!
sleep 1
probe a 10.244.1.3 81 tcp > /dev/null
sleep 1
kill -INT $mon
wait $mon
case "$(cat /tmp/mon.txt)" in
*"tcp x/a 10.244.1.2:"*" -> x/b 10.244.1.3:81 denied: x/b is isolated for ingress by x/deny-all, x/allow-web"*)
	pass "monitor: text line with pods and policies" ;;
*) fail "monitor: text line with pods and policies" "$(cat /tmp/mon.txt)" ;;
esac

out=$(podwallctl -j stats)
case "$out" in
'{"global":{'*'"denied_ingress":3,'*'"endpoints":['*'{"id":2,'*'"denied_ingress":3'*)
	pass "stats: counts the denials, globally and on b" ;;
*) fail "stats: counts the denials, globally and on b" "$out" ;;
esac

# save -> restore -> save gives the same document.
podwallctl save > /tmp/s1.json && podwallctl restore /tmp/s1.json > /dev/null &&
	podwallctl save > /tmp/s2.json
if cmp -s /tmp/s1.json /tmp/s2.json && grep -q allow-web /tmp/s1.json; then
	pass "save/restore round trip"
else
	fail "save/restore round trip" "$(head -c 300 /tmp/s1.json) / $(head -c 300 /tmp/s2.json)"
fi
expect_blocked a 10.244.1.3 81 tcp "after restore of the saved set: still blocked"

# A bad file is refused with the field named; the live set stays.
echo '{"node_set":0,"policies":[],"sets":[{"id":1,"prefixes":["10.0.0.0/40"]}],"rules":[],"endpoints":[]}' > /tmp/bad.json
out=$(podwallctl restore /tmp/bad.json 2>&1); rc=$?
case "$rc $out" in
"1 podwallctl: restore: "*) pass "restore: invalid prefix refused, exit 1" ;;
*) fail "restore: invalid prefix refused, exit 1" "rc=$rc $out" ;;
esac
expect_blocked a 10.244.1.3 81 tcp "after a refused restore: old set enforcing"

# Without CAP_NET_ADMIN: EPERM, nothing changes.
out=$(dropcap podwallctl flush 2>&1); rc=$?
case "$rc $out" in
"2 "*"ermission"*|"2 "*"not permitted"*) pass "flush without CAP_NET_ADMIN: EPERM" ;;
*) fail "flush without CAP_NET_ADMIN: EPERM" "rc=$rc $out" ;;
esac
out=$(dropcap podwallctl status 2>&1); rc=$?
[ $rc = 2 ] && pass "status without CAP_NET_ADMIN: exit 2" ||
	fail "status without CAP_NET_ADMIN: exit 2" "rc=$rc $out"
expect_blocked a 10.244.1.3 81 tcp "after the refused flush: still blocked"

check "flush" podwallctl flush
out=$(podwallctl test 10.244.1.2 10.244.1.3 tcp/81); rc=$?
[ $rc = 0 ] && pass "after flush: test allows tcp/81" || fail "after flush: test allows tcp/81" "rc=$rc $out"
expect_allowed a 10.244.1.3 81 tcp "after flush: probe tcp/81 allowed"
