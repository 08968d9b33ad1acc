# replay.sh - plays conformance scenarios with real packets (busybox ash).
#
# Sourced by a per-topology wrapper that sets PW_MODE (routed|bridge) and
# CF_LIST (the file naming the scenario directories to play, in order).
# Each scenario directory is what `pwconform --emit` wrote: per step the
# compiled set (step-N.json), the pods (step-N.pods), the hostNetwork pods
# (step-N.hostnet) and the probes (step-N.probes); node-ips if any.
#
# One world for all scenarios: pods, outside hosts and servers are created
# when a step needs them and deleted when it no longer does, so scenarios
# with the same pods (all the upstream ones) only reload the policy set.
# Per step: `podwallctl restore` (the real netlink path), every probe with
# real packets (pwprobe batch), and every probe's tuple judged by the
# kernel's own EVAL (`podwallctl test --batch`), which must agree.
#
# Prints one FAIL line per wrong verdict, a PASS line per scenario, and
# "conformance-MODE: N passed, N failed" counting probes.

PW_MODE=${PW_MODE:-routed}
# The scenarios' node is 10.244.0.1 / fd00:10:244::1 (FORMAT.md): routed,
# the node's own address (the source of node-to-pod traffic) is made that;
# in bridge mode cni0 holds them already.
if [ "$PW_MODE" = routed ]; then
	NODE_IP4=10.244.0.1
	NODE_IP6=fd00:10:244::1
fi
. /tests/lib.sh

CF_DIR=${CF_DIR:-/conformance}
CF_LIST=${CF_LIST:-$CF_DIR/list.$PW_MODE}
CF_PARALLEL=${CF_PARALLEL:-64}
CF_NODE4=10.244.0.1
CF_NODE6=fd00:10:244::1
W=/tmp/cf.$PW_MODE
T=${PW_TIMEOUT_MS}

# now VAR: guest uptime in ms into VAR (no fork)
now() {
	local up rest
	read -r up rest < /proc/uptime
	eval "$1=\$((\${up%.*}\${up#*.}0))"
}

mkdir -p "$W"
: > "$W/world"		# "NETNS IP4 IP6 SPECS" of what exists
: > "$W/nodeports"	# "proto:port" served by the node
: > "$W/v6only"	# "IP6 IP4": the IPv4 given to IPv6-only hosts
: > "$W/counts"
t0=$(cut -d' ' -f1 /proc/uptime)

node_setup "$PW_MODE"
modprobe sctp 2>/dev/null
run modprobe podwall
# Thousands of short connections in a few minutes: the default conntrack
# table of a 512 MB guest (4096 entries, TCP TIME_WAIT kept 120 s) fills
# and then drops new connections, which would read as "blocked". A node
# runs with a bigger one (kube-proxy sets 131072 or more).
modprobe nf_conntrack 2>/dev/null
pw_sysctl net.netfilter.nf_conntrack_max 262144 ||
	die "cannot raise net.netfilter.nf_conntrack_max"
pw_sysctl net.netfilter.nf_conntrack_buckets 65536 2>/dev/null
log "$PW_MODE: podwall.ko loaded, $(wc -l < "$CF_LIST") scenario(s)"

# plan SCEN N: from the step's files, writes
#   $W/want   "NETNS IP4 IP6 SPECS" of every pod and outside host needed
#   $W/nodep  "proto:port" the node must serve
#   $W/req    pwprobe batch lines "ID FROM_NS DST PORT PROTO"
#   $W/eval   podwallctl test --batch lines "SRC DST proto/port"
#   $W/meta   "ID FROM TO DST PORT PROTO EXPECT" for the report
plan() {
	local d=$CF_DIR/$1 n=$2
	[ -f "$d/node-ips" ] || : > "$W/nodeips"
	[ -f "$d/node-ips" ] && cp "$d/node-ips" "$W/nodeips"
	awk -v W="$W" -v n4="$CF_NODE4" -v n6="$CF_NODE6" '
	function lc(s) { return tolower(s) }
	function hostns(ip,   h) { h = ip; gsub(/[.:]/, "_", h); return "h_" h }
	function fam6(ip) { return index(ip, ":") > 0 }
	# pod files: "NS/NAME IP[,IP] PORT/PROTO[,...]"
	FILENAME ~ /\.pods$/ {
		ns = $1; sub(/\//, ".", ns)
		k = split($2, ips, ",")
		v4 = "-"; v6 = "-"
		for (i = 1; i <= k; i++) {
			if (ips[i] == "-") continue
			owner[ips[i]] = ns
			if (fam6(ips[i])) { if (v6 == "-") v6 = ips[i] }
			else if (v4 == "-") v4 = ips[i]
			if (!((($1) SUBSEP fam6(ips[i])) in src))
				src[$1, fam6(ips[i])] = ips[i]
		}
		podns[$1] = ns
		specs = ""
		m = split($3, ps, ",")
		for (i = 1; i <= m && $3 != "-"; i++) {
			split(ps[i], pp, "/"); specs = specs " " lc(pp[2]) ":" pp[1]
		}
		want[ns] = v4 " " v6 specs
		next
	}
	FILENAME ~ /\.hostnet$/ {
		hn[$1] = $2
		src[$1, fam6($2)] = $2
		if ($2 == n4 || $2 == n6) { podns[$1] = "-"; next }
		podns[$1] = hostns($2)
		m = split($3, ps, ",")
		for (i = 1; i <= m && $3 != "-"; i++) {
			split(ps[i], pp, "/"); hport[$2, lc(pp[2]) ":" pp[1]] = 1
		}
		next
	}
	FILENAME ~ /nodeips$/ {
		if ($1 != n4 && $1 != n6) {
			print "unsupported node address " $1 " (the guest node is " n4 " / " n6 ")" > "/dev/stderr"
			bad = 1
		}
		next
	}
	FILENAME ~ /v6only$/ { v4of[$1] = $2; nv6++; next }
	# probes: "ID FROM TO_IP PORT PROTO EXPECT"
	{
		id = $1; from = $2; dst = $3; port = $4; proto = lc($5)
		if (from == "@node") { fns = "-"; s = fam6(dst) ? n6 : n4 }
		else if (from in podns) {
			fns = podns[from]; s = src[from, fam6(dst)]
			if (s == "") { print "probe " id ": " from " has no address of the family of " dst > "/dev/stderr"; bad = 1 }
		} else { print "probe " id ": unknown source " from > "/dev/stderr"; bad = 1; next }
		if (dst == n4 || dst == n6) { to = "@node"; nodep[proto ":" port] = 1 }
		else if (dst in owner) to = owner[dst]
		else { to = hostns(dst); hport[dst, proto ":" port] = 1; outside[dst] = 1 }
		print id, fns, dst, port, proto > (W "/req")
		print s, dst, proto "/" port > (W "/eval")
		print id, from, to, dst, port, proto, $6 > (W "/meta")
	}
	END {
		for (p in nodep) print p > (W "/nodep")
		# hostNetwork pods on other nodes are outside hosts too
		for (k in hn) if (hn[k] != n4 && hn[k] != n6) outside[hn[k]] = 1
		for (ip in outside) {
			specs = ""
			for (hk in hport) { split(hk, x, SUBSEP); if (x[1] == ip) specs = specs " " x[2] }
			if (fam6(ip)) {
				if (!(ip in v4of)) {
					v4of[ip] = "192.168.201." (++nv6)
					print ip, v4of[ip] >> (W "/v6only")
				}
				want[hostns(ip)] = v4of[ip] " " ip specs
			} else want[hostns(ip)] = ip " -" specs
		}
		for (ns in want) print ns, want[ns] > (W "/want")
		exit bad
	}' "$d/step-$n.pods" "$d/step-$n.hostnet" "$W/nodeips" "$W/v6only" "$d/step-$n.probes"
}

# world: make the pods and hosts of $W/want exist, delete the others. A
# pod that keeps its addresses keeps its netns; ports it no longer needs
# stay served (probes only go to listed ports), new ones are added.
world() {
	local ns ip4 ip6 specs
	: >> "$W/want"
	awk -v W="$W" '
	FILENAME == ARGV[1] { cur[$1] = $0; addr[$1] = $2 " " $3; next }
	{
		w[$1] = 1
		if (!($1 in cur)) { print > (W "/add"); print > (W "/world.new"); next }
		if (addr[$1] != $2 " " $3) {
			print $1 > (W "/del"); print > (W "/add"); print > (W "/world.new"); next
		}
		n = split(cur[$1], have, " "); delete h
		for (i = 4; i <= n; i++) h[have[i]] = 1
		more = ""
		for (i = 4; i <= NF; i++) if (!($i in h)) more = more " " $i
		if (more != "") print $1 more > (W "/more")
		print cur[$1] more > (W "/world.new")
	}
	END {
		for (k in cur) if (!(k in w)) print k > (W "/del")
	}' "$W/world" "$W/want"
	# The veth first: a netns goes away asynchronously, and with it
	# the node's route to an address a new pod may take at once.
	[ -f "$W/del" ] && while read -r ns; do
		ip link del "$(pod_if "$ns")" 2>/dev/null
		pod_del "$ns"
	done < "$W/del"
	[ -f "$W/add" ] && while read -r ns ip4 ip6 specs; do
		[ "$ip6" = - ] && ip6=
		if [ "$ip4" = - ]; then
			fail "$PW_MODE: $ns" "a pod without an IPv4 address cannot be wired"
			continue
		fi
		# An outside host in the bridge's subnet (another node, say) is
		# on the bridge: the pods reach it without a router.
		case "$PW_MODE:$ns:$ip4" in
		bridge:h_*:10.244.*) pod_add "$ns" "$ip4" $ip6 ;;
		*:h_*) host_add "$ns" "$ip4" $ip6 ;;
		*) pod_add "$ns" "$ip4" $ip6 ;;
		esac
		[ -z "$specs" ] || serve "$ns" $specs
	done < "$W/add"
	# An address that moved to a new pod on the bridge: the other pods
	# would still send to the old MAC for a while (a CNI announces the
	# new one; forgetting every neighbour does the same here).
	if [ "$PW_MODE" = bridge ] && [ -s "$W/add" ]; then
		ip neigh flush all 2>/dev/null
		for ns in $(awk '{ print $1 }' "$W/world.new"); do
			ip -n "$ns" neigh flush all 2>/dev/null
		done
	fi
	[ -f "$W/more" ] && while read -r ns specs; do
		serve "$ns" $specs
	done < "$W/more"
	: >> "$W/world.new"
	mv "$W/world.new" "$W/world"
	rm -f "$W/del" "$W/add" "$W/more"
	: >> "$W/nodep"
	awk 'FILENAME == ARGV[1] { h[$0] = 1; next } !($0 in h)' \
		"$W/nodeports" "$W/nodep" > "$W/nodeadd"
	if [ -s "$W/nodeadd" ]; then
		serve node $(cat "$W/nodeadd")
		cat "$W/nodeadd" >> "$W/nodeports"
	fi
}

# judge SCEN N: real verdicts and EVAL against the expectations.
judge() {
	awk -v pre="$PW_PREFIX" -v res="$PW_RESULTS" -v mode="$PW_MODE" \
	    -v scen="$1" -v step="$2" -v cnt="$W/counts" '
	FILENAME == ARGV[1] { got[$1] = $2; tag[$1] = $3; next }
	FILENAME == ARGV[2] { first[$1] = got[$1]; got[$1] = $2; tag[$1] = $3; next }
	FILENAME == ARGV[3] { ev[FNR] = $0; next }
	{
		id = $1; want = $7
		g = (id in got) ? got[id] : "missing"
		real = g == "allowed" ? "allow" : (g == "blocked" ? "deny" : g)
		e = ev[FNR]
		kern = e ~ /^allowed:/ ? "allow" : (e ~ /^denied:/ ? "deny" : "error")
		why = ""
		if (real != want) why = "got " real
		else if (real == "allow" && $3 != "@node" && tag[id] != $3)
			why = "answered by " tag[id] " instead of " $3
		if (kern != real) why = why (why == "" ? "" : ", ") "kernel EVAL says " kern
		if (id in first) print "# retried: " scen " step " step " probe " id ": blocked at first, then " g
		if (why == "") { ok++; next }
		bad++
		to = $3
		if (to !~ /^h_/) sub(/\./, "/", to)
		line = "FAIL: " pre mode ": " scen ": step " step ": " $2 " -> " to " (" $4 ") " $5 "/" toupper($6) ": expected " want ", " why
		print line; print line >> res
	}
	END { print ok + 0, bad + 0 >> cnt }' "$W/out" "$W/out2" "$W/evalout" "$W/meta"
}

total_p=0
total_f=0
while read -r scen; do
	[ -n "$scen" ] || continue
	sp=0 sf=0 n=0
	: > "$W/counts"
	ts=$(cut -d' ' -f1 /proc/uptime)
	while [ -f "$CF_DIR/$scen/step-$n.json" ]; do
		now ta
		rm -f "$W/req" "$W/eval" "$W/meta" "$W/want" "$W/nodep"
		if ! plan "$scen" "$n" 2> "$W/err"; then
			fail "$PW_MODE: $scen: step $n" "cannot be replayed: $(tr '\n' ' ' < "$W/err")"
			echo 0 "$(wc -l < "$CF_DIR/$scen/step-$n.probes")" >> "$W/counts"
			n=$((n + 1))
			continue
		fi
		world
		now tb
		if ! out=$(podwallctl restore "$CF_DIR/$scen/step-$n.json" 2>&1); then
			fail "$PW_MODE: $scen: step $n" "podwallctl restore failed: $out"
			echo 0 "$(wc -l < "$CF_DIR/$scen/step-$n.probes")" >> "$W/counts"
			n=$((n + 1))
			continue
		fi
		now tc
		: > "$W/out"; : > "$W/out2"; : > "$W/evalout"
		if [ -s "$W/req" ]; then
			$PWPROBE batch -r --parallel "$CF_PARALLEL" --timeout-ms "$T" \
				< "$W/req" > "$W/out"
			# an allow expected but nothing came: once more, 4x the time
			awk 'FILENAME == ARGV[1] { if ($2 == "blocked") b[$1] = 1; next }
			     ($1 in b) && $7 == "allow" { print $1 }' "$W/out" "$W/meta" > "$W/rt"
			if [ -s "$W/rt" ]; then
				awk 'FILENAME == ARGV[1] { r[$1] = 1; next } ($1 in r)' \
					"$W/rt" "$W/req" |
				$PWPROBE batch -r --parallel "$CF_PARALLEL" \
					--timeout-ms $((T * 4)) > "$W/out2"
			fi
			now td
			podwallctl test --batch < "$W/eval" > "$W/evalout" 2> "$W/evalerr" ||
				log "podwallctl test --batch: $(head -n 3 "$W/evalerr" | tr '\n' ' ')"
		fi
		now te
		judge "$scen" "$n" > "$W/judged"
		cat "$W/judged"
		now tf
		if [ -n "${CF_DEBUG:-}" ] && grep -q '^FAIL' "$W/judged"; then
			for ns in $(awk '{ print $1 }' "$W/world"); do
				log "neigh $ns: $(ip -n "$ns" neigh | tr '\n' ';')"
			done
			log "conntrack: $(cat /proc/sys/net/netfilter/nf_conntrack_count)"
		fi
		log "$PW_MODE: $scen: step $n: world $((tb - ta)) ms, restore $((tc - tb)), probes $((td - tc)), eval $((te - td)), judge $((tf - te))"
		# every probe judged once: a judge that skipped some would pass them
		set -- $(wc -l < "$CF_DIR/$scen/step-$n.probes") $(tail -n 1 "$W/counts")
		if [ "$1" != $(($2 + $3)) ]; then
			fail "$PW_MODE: $scen: step $n" "$1 probes but $(($2 + $3)) judged"
			echo 0 "$1" >> "$W/counts"
		fi
		n=$((n + 1))
	done
	read -r sp sf <<-EOF
	$(awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }' "$W/counts")
	EOF
	te=$(cut -d' ' -f1 /proc/uptime)
	if [ "$n" = 0 ]; then
		fail "$PW_MODE: $scen" "no steps found in $CF_DIR/$scen"
		sf=1
	elif [ "$sf" = 0 ]; then
		pass "$PW_MODE: $scen ($sp probes, $n steps, $(awk "BEGIN { printf \"%.1f\", $te - $ts }")s)"
	fi
	total_p=$((total_p + sp))
	total_f=$((total_f + sf))
done < "$CF_LIST"

log "$PW_MODE: done in $(awk "BEGIN { printf \"%.1f\", $(cut -d' ' -f1 /proc/uptime) - $t0 }")s of guest time"
echo "conformance-$PW_MODE: $total_p passed, $total_f failed"
[ "$total_f" = 0 ]
