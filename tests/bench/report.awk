# Summarises the guest's "BENCH ..." lines (tests/bench/guest/*.sh):
# connection cost and its delta over the unfiltered baseline, podwall
# against nftables at the same set size, commits, memory.
function val(s, key,   n, i, kv) {
	n = split(s, kv, " ")
	for (i = 1; i <= n; i++)
		if (index(kv[i], key "=") == 1)
			return substr(kv[i], length(key) + 2)
	return ""
}
$1 == "conn" {
	v = val($0, "ns_per_conn")
	if (!($2 in conn)) { order[++nc] = $2; conn[$2] = v }
	else if (v < conn[$2]) conn[$2] = v	# repeated case: keep the lower
	next
}
$1 == "stream" { stream[$2] = val($0, "ns_per_rtt"); sorder[++ns] = $2; next }
$1 == "load" { load[$2] = val($0, "ns"); lsys[$2] = val($0, "sys"); next }
$1 == "mem" {
	mem[++nm] = $0
	if ($2 ~ /^podwall-p[0-9]+-r[0-9]+$/) {
		p = $2; sub(/^podwall-p/, "", p); sub(/-r.*/, "", p)
		r = $2; sub(/.*-r/, "", r)
		mbytes[p, r] = val($0, "memory"); mrules[r] = 1; mpeers[p] = 1
	}
	next
}
$1 == "replace" { repl[++nr] = $2 " " substr($0, length($1 $2) + 3); next }
$1 == "update" { upd[++nu] = $0; next }
END {
	base = conn["none"]
	printf "new connections (guest ns = instructions per connect/request/response/close)\n"
	printf "  %-24s %10s %10s %14s %14s\n", "case", "per conn", "delta", "load ns", "load sys ns"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		printf "  %-24s %10d %+10d %14s %14s\n", c, conn[c], conn[c] - base, load[c], lsys[c]
	}
	printf "podwall / nftables hash set, delta over none (same peers)\n"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		if (c !~ /^podwall-p[0-9]+-r/)
			continue
		p = c; sub(/^podwall-p/, "", p); sub(/-r.*/, "", p)
		n = "nft-hash-" p
		if (n in conn && conn[n] - base > 0)
			printf "  %-24s %6.2f  (%d vs %d)\n", c, (conn[c] - base) / (conn[n] - base),
				conn[c] - base, conn[n] - base
	}
	for (i = 1; i <= nc; i++) {
		if (order[i] !~ /^podwall-p[0-9]+-r100$/)
			continue
		p = order[i]; sub(/^podwall-p/, "", p); sub(/-r.*/, "", p)
		a = "podwall-p" p "-r100"; b = "podwall-p" p "-r100000"
		if (a in conn && b in conn && conn[a] - base > 0)
			printf "  rules 100k vs 100, %6d peers: %+d ns per conn (%+.1f%% of the delta)\n",
				p, conn[b] - conn[a], 100 * (conn[b] - conn[a]) / (conn[a] - base)
	}
	printf "established round trips on one connection (2 data packets + ACKs)\n"
	for (i = 1; i <= ns; i++)
		printf "  %-24s %10d ns per round trip\n", sorder[i], stream[sorder[i]]
	printf "full replace (guest ns around the command)\n"
	for (i = 1; i <= nr; i++)
		printf "  %s\n", repl[i]
	printf "incremental commits: kind phase count mean min max (guest ns)\n"
	for (i = 1; i <= nu; i++)
		printf "  %s\n", substr(upd[i], 8)
	printf "kernel memory per added prefix (PODWALL_A_MEMORY difference between peer-set sizes)\n"
	for (r in mrules) {
		lo = hi = ""
		for (p in mpeers)
			if ((p, r) in mbytes) {
				if (lo == "" || p + 0 < lo + 0) lo = p
				if (hi == "" || p + 0 > hi + 0) hi = p
			}
		if (lo != hi)
			printf "  rules %-7s peers %s -> %s: %.1f bytes per prefix\n", r, lo, hi,
				(mbytes[hi, r] - mbytes[lo, r]) / (hi - lo)
	}
	printf "kernel memory (PODWALL_A_MEMORY)\n"
	for (i = 1; i <= nm; i++) {
		m = val(mem[i], "memory"); p = val(mem[i], "prefixes")
		printf "  %s", substr(mem[i], 5)
		if (p > 0)
			printf "  -> %.1f bytes per prefix (all objects)", m / p
		printf "\n"
	}
}
