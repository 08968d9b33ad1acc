#!/bin/bash
# make demo: one Kubernetes node before and after the policies in
# deploy/examples/, with real connections in a QEMU guest.
#
# The guest plays node-1 of deploy/examples/cluster.yaml: every pod is a
# network namespace wired to the node by a veth with /32 and /128 routes
# (routed topology, like Calico or the ptp CNI), serving its container
# ports with pwprobe.  With podwall.ko loaded it measures the reachability
# matrix, commits deploy/examples/ through podwall-agent --manifests --once,
# and measures again.  The host prints the guest's results and checks the
# measured matrices against `podwallctl matrix` (offline simulation).
#
# usage: scripts/demo.sh [-v] [-- tests/vm/run options]
#   -v   also print the guest's serial console as it runs
# Exits non-zero if the guest failed (module, agent, probes) or a measured
# matrix disagrees with the simulation.  See docs/demo.md.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

EX=deploy/examples
NODE=node-1
PORTS="tcp/80 tcp/81"		# one matrix each (the pods' container ports)
CTL=build/userspace/bin/podwallctl
AGENT=userspace/podwall-agent
OUT=build/demo

verbose=0 vmargs=()
while [ $# -gt 0 ]; do
	case "$1" in
	-v|--verbose) verbose=1; shift ;;
	--) shift; vmargs=("$@"); break ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' G='' R='' N=''
fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
bad() { printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2; }

# ------------------------------------------------------------------ build
step "Building podwall.ko, podwallctl, podwall-agent and pwprobe (make all)"
t0=$(date +%s)
mkdir -p build
if ! { make -s all && make -s -C userspace podwall-agent; } > build/demo-make.log 2>&1; then
	cat build/demo-make.log >&2
	bad "the build failed (log above, also in build/demo-make.log)"
	exit 1
fi
[ -f kmod/podwall.ko ] || { bad "kmod/podwall.ko was not built"; exit 1; }
[ -x "$CTL" ] && [ -x "$AGENT" ] || { bad "podwallctl or podwall-agent missing"; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/manifests"
cp "$EX"/*.yaml "$OUT/manifests/"

# The pods of node-1, from cluster.yaml: "NS/POD IPV4 IPV6" per line.
awk -v node="$NODE" '
	function flush() {
		if (kind == "Pod" && nodename == node && ip4 != "")
			print ns "/" name, ip4, (ip6 == "" ? "-" : ip6)
		kind = ns = name = nodename = ip4 = ip6 = ""
	}
	/^---/ { flush(); next }
	/^kind:/ { kind = $2 }
	/^  namespace:/ { ns = $2 }
	/^  name:/ { name = $2 }
	/^  nodeName:/ { nodename = $2 }
	/^  - ip:/ { ip = $3; gsub(/"/, "", ip); if (ip ~ /:/) ip6 = ip; else ip4 = ip }
	END { flush() }' "$EX/cluster.yaml" > "$OUT/pods"
[ -s "$OUT/pods" ] || { bad "no pods of $NODE with an address in $EX/cluster.yaml"; exit 1; }
npods=$(wc -l < "$OUT/pods")

# The offline answer, to compare the guest's measurements with.
for fam in 4 6; do
	for p in $PORTS; do
		f=""
		[ $fam = 6 ] && f=-6
		"$CTL" matrix $f --objects "$EX/cluster.yaml" "$EX"/0*.yaml --port "$p" \
			> "$OUT/sim-$fam-${p/\//-}.txt" 2>"$OUT/sim.err" ||
			{ bad "podwallctl matrix $f --port $p failed: $(cat "$OUT/sim.err")"; exit 1; }
	done
done

# ------------------------------------------------------------ guest script
cat > "$OUT/demo-guest.sh" <<'EOF'
#!/bin/sh
# The demo inside the guest (busybox ash).  Lines for the host:
#   DEMO|SECTION|text              shown as is
#   DEMOCELL|PHASE FAM PORT FROM TO MARK   one measured cell
. /tests/lib.sh

PW_TEST=demo
D=/demo
. $D/env
say() { echo "DEMO|$1|$2"; }
mark() { echo "DEMO|time|$1 at $(cut -d' ' -f1 /proc/uptime)s"; }
sayall() { local s=$1 l; while IFS= read -r l; do say "$s" "$l"; done; }
ns_of() { echo "$1" | tr / -; }		# x/a -> netns x-a
findbin() { command -v "$1" || find / -xdev -type f -name "$1" 2>/dev/null | head -n 1; }

mark start
modprobe podwall || die "modprobe podwall failed"
say setup "podwall.ko loaded: $(echo $(podwallctl version 2>&1))"

node_setup routed
ports=$(cat $D/ports)
serves=
for p in $ports; do serves="$serves ${p%/*}:${p#*/}"; done
while read -r pod ip4 ip6; do
	[ "$ip6" = - ] && ip6=
	pod_add "$(ns_of "$pod")" "$ip4" $ip6
	serve "$(ns_of "$pod")" $serves
done < $D/pods
mark pods
say setup "node $NODE: $(wc -l < $D/pods) pods as network namespaces, routed veths, serving $ports"

# measure PHASE FAMILIES: every pod to every pod, on every port, over IPv4
# and/or IPv6.
# A blocked probe is tried once more with 4x the timeout, so a guest slowed
# down by TCG is not mistaken for a drop.
measure() {
	local phase=$1 fams=$2 req=/tmp/req.$1 res=/tmp/res.$1 p fam from ip4 ip6 to dst
	: > $req
	for p in $ports; do
		for fam in $fams; do
			while read -r from x y; do
				while read -r to ip4 ip6; do
					dst=$ip4
					[ $fam = 6 ] && dst=$ip6
					[ "$dst" = - ] && continue
					echo "$fam,$p,$from,$to $(ns_of "$from") $dst ${p#*/} ${p%/*}"
				done < $D/pods
			done < $D/pods
		done
	done > $req
	$PWPROBE batch -r --timeout-ms "$PW_TIMEOUT_MS" < $req > $res.1
	mark "$phase: $(wc -l < $req) probes, $(grep -c blocked $res.1) blocked"
	awk '$2 == "blocked" { print $1 }' $res.1 > $res.ids
	: > $res.2
	if [ -s $res.ids ]; then
		awk 'FILENAME == ARGV[1] { b[$1] = 1; next } $1 in b' $res.ids $req |
			$PWPROBE batch -r --parallel 128 --timeout-ms $((PW_TIMEOUT_MS * 4)) > $res.2
	fi
	# later answers win; a reply from the wrong pod is not "allowed"
	awk -v phase="$phase" '
		{ v[$1] = $2; tag[$1] = $3 }
		END {
			for (id in v) {
				split(id, f, ",")
				want = f[4]; gsub("/", "-", want)
				m = "?"
				if (v[id] == "allowed" && tag[id] == want) m = "."
				else if (v[id] == "blocked") m = "X"
				printf "DEMOCELL|%s %s %s %s %s %s %s\n", phase, f[1], f[2], f[3], f[4], m, v[id] "/" tag[id]
			}
		}' $res.1 $res.2
}

# IPv6 only after the policies: with none, a broken IPv6 path would show
# there as a disagreement anyway, and every probe costs time under TCG.
measure before 4
mark before

AGENT=$(findbin podwall-agent)
[ -n "$AGENT" ] || die "podwall-agent not shipped"
say apply "\$ podwall-agent --manifests /demo/manifests --once --node $NODE --node-addr $NODE_IP4 --node-addr $NODE_IP6"
if $AGENT --manifests $D/manifests --once --node "$NODE" --node-addr "$NODE_IP4" \
	--node-addr "$NODE_IP6" --listen none > /tmp/agent.log 2>&1; then
	sed 's/^[0-9T:.-]*Z //' /tmp/agent.log | sayall apply
else
	rc=$?
	sed 's/^[0-9T:.-]*Z //' /tmp/agent.log | sayall apply
	die "podwall-agent exited with status $rc"
fi
say status "\$ podwallctl status"
st=$(podwallctl status 2>&1) || die "podwallctl status failed: $st"
echo "$st" | sayall status

mark applied
# the kernel's deny events while the probes run, for the explanation
podwallctl monitor > /tmp/monitor.log 2>&1 &
mon=$!
sleep 0.2
measure after "4 6"
mark after
kill -INT $mon 2>/dev/null
wait $mon 2>/dev/null

first=1
while read -r src dst port sip dip; do
	[ $first = 1 ] || say explain ""
	first=0
	say explain "\$ podwallctl test $src $dst $port"
	podwallctl test "$src" "$dst" "$port" 2>&1 | sayall explain
	# the same drop as podwallctl monitor saw it during the probes
	awk -v p="${port%/*}" -v s="$sip:" -v d="$dip:${port#*/}" \
		'$2 == p && index($4, s) == 1 && $7 == d { print "podwallctl monitor saw the probe dropped: " $2, $3, $4, $5, $6, $7; exit }' \
		/tmp/monitor.log | sayall explain
done < $D/explain
mark explained
pass demo
EOF

echo "$PORTS" > "$OUT/ports"
echo "NODE=$NODE" > "$OUT/env"
# Denied connections explained with the live set: y/a -> x/a on port 81
# (02 opens x/a to y on port 80 only; ingress) and z/c -> z/a (04; egress).
ip4() { awk -v p="$1" '$1 == p { print $2 }' "$OUT/pods"; }
{
	echo "y/a x/a tcp/81 $(ip4 y/a) $(ip4 x/a)"
	echo "z/c z/a tcp/80 $(ip4 z/c) $(ip4 z/a)"
} > "$OUT/explain"

# ---------------------------------------------------------------- the guest
step "Booting the guest (node $NODE, $npods pods, QEMU TCG)"
t1=$(date +%s)
runargs=(--module kmod/podwall.ko --tool "$CTL" --bin "$AGENT"
	--file "$OUT/pods:/demo/pods" --file "$OUT/ports:/demo/ports"
	--file "$OUT/explain:/demo/explain" --file "$OUT/env:/demo/env" --file "$OUT/manifests:/demo/manifests"
	--out "$OUT/vm" --test-timeout 240 --timeout 400)
[ $verbose = 1 ] && runargs+=(-v)
set +e
if [ $verbose = 1 ]; then
	tests/vm/run "${runargs[@]}" "${vmargs[@]}" "$OUT/demo-guest.sh" 2>&1 | tee "$OUT/run.out"
	vmrc=${PIPESTATUS[0]}
else
	tests/vm/run "${runargs[@]}" "${vmargs[@]}" "$OUT/demo-guest.sh" > "$OUT/run.out" 2>&1
	vmrc=$?
fi
set -e
t2=$(date +%s)
log=$OUT/vm/serial.log

if [ ! -f "$log" ]; then
	bad "the guest did not start:"
	cat "$OUT/run.out" >&2
	exit 1
fi
# Serial lines may carry a stray \r; keep only the demo's own lines.
tr -d '\r' < "$log" | sed -n 's/^DEMO|\([a-z]*\)|/\1 /p' > "$OUT/text"
tr -d '\r' < "$log" | sed -n 's/^DEMOCELL|//p' > "$OUT/cells"

section() {	# NAME: the guest's lines of that section, indented
	sed -n "s/^$1 /  /p" "$OUT/text" | sed 's/ *$//'
}

# render PHASE FAM PORT: a matrix like podwallctl matrix prints it
render() {
	awk -v phase="$1" -v fam="$2" -v port="$3" '
		FILENAME == ARGV[1] { pods[++n] = $1; next }
		$1 == phase && $2 == fam && $3 == port { m[$4, $5] = $6 }
		END {
			l = "     "
			for (j = 1; j <= n; j++) l = l sprintf("%-4s", pods[j])
			sub(/ +$/, "", l); print l
			for (i = 1; i <= n; i++) {
				l = sprintf("%-5s", pods[i])
				for (j = 1; j <= n; j++) {
					c = ((pods[i], pods[j]) in m) ? m[pods[i], pods[j]] : "?"
					l = l sprintf("%-4s", c)
				}
				sub(/ +$/, "", l); print l
			}
		}' "$OUT/pods" "$OUT/cells"
}
norm() { sed 's/[[:space:]]*$//; s/[[:space:]]\+/ /g'; }

fail=0
section setup
if ! grep -q '^PASS: demo' "$log"; then
	bad "the demo failed in the guest:"
	tr -d '\r' < "$log" | grep -E '^(FAIL|SKIP): ' >&2 || true
	[ $vmrc = 0 ] || sed -n '/^----/,$p' "$OUT/run.out" >&2
	fail=1
fi
if [ ! -s "$OUT/cells" ]; then
	bad "no measurements came back; serial log: $log"
	exit 1
fi

step "Before any policy: reachability measured with real TCP connections"
echo "  (rows: from, columns: to; . connected, X blocked, ? unexpected answer)"
for p in $PORTS; do
	echo
	echo "$p IPv4"
	render before 4 "$p"
	# with no policy everything must connect, over IPv6 too
	for fam in 4 6; do
		if awk -v fam=$fam -v p="$p" '$1 == "before" && $2 == fam && $3 == p && $6 != "." { e = 1 } END { exit !e }' "$OUT/cells"; then
			bad "$p IPv$fam: some connections failed with no policy"
			fail=1
		fi
	done
done

step "Applying $EX/ through the agent"
section apply
echo
section status

step "After the policies: reachability measured with real TCP connections"
for p in $PORTS; do
	echo
	echo "$p IPv4"
	render after 4 "$p" | tee "$OUT/after-4-${p/\//-}.txt"
	render after 6 "$p" > "$OUT/after-6-${p/\//-}.txt"
done

step "Why was it dropped? The live kernel set explains two denied connections"
section explain

step "Measured vs. simulated (podwallctl matrix --objects $EX/cluster.yaml $EX/0*.yaml)"
for p in $PORTS; do
	for fam in 4 6; do
		f=${p/\//-}
		if diff <(norm < "$OUT/after-$fam-$f.txt") <(tail -n +2 "$OUT/sim-$fam-$f.txt" | norm) \
			> "$OUT/diff-$fam-$f.txt"; then
			printf '  %-7s IPv%s  %sagrees%s with the simulation\n' "$p" $fam "$G" "$N"
		else
			printf '  %-7s IPv%s  %sDISAGREES%s with the simulation:\n' "$p" $fam "$R" "$N"
			echo "  measured:"
			sed 's/^/    /' "$OUT/after-$fam-$f.txt"
			echo "  simulated:"
			sed 's/^/    /' "$OUT/sim-$fam-$f.txt"
			fail=1
		fi
	done
done
odd=$(awk '$6 == "?"' "$OUT/cells")
if [ -n "$odd" ]; then
	bad "unexpected probe answers (phase fam port from to mark verdict/reply):"
	echo "$odd" | sed 's/^/  /' >&2
	fail=1
fi

echo
printf 'build %ss, guest %ss; serial log %s\n' $((t1 - t0)) $((t2 - t1)) "$log"
if [ $fail != 0 ] || [ $vmrc != 0 ]; then
	[ $vmrc = 0 ] || { bad "tests/vm/run failed (status $vmrc):"; sed -n '/^----/,$p' "$OUT/run.out" >&2; }
	printf '%sdemo: FAILED%s\n' "$R" "$N"
	exit 1
fi
printf '%sdemo: OK%s: the kernel enforces what the simulation predicts\n' "$G" "$N"
