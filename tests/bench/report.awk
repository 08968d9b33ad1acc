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
$1 == "load" { load[$2] = val($0, "ns"); next }
$1 == "mem" { mem[++nm] = $0; next }
$1 == "replace" { repl[++nr] = $2 " " val($0, "ns"); next }
$1 == "update" { upd[++nu] = $0; next }
END {
	base = conn["none"]
	printf "new connections (guest ns = instructions per connect/request/response/close)\n"
	printf "  %-24s %10s %10s %12s\n", "case", "per conn", "delta", "load ns"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		printf "  %-24s %10d %+10d %12s\n", c, conn[c], conn[c] - base, load[c]
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
	for (p = 100; p <= 100000; p *= 100) {
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
	printf "kernel memory\n"
	for (i = 1; i <= nm; i++) {
		m = val(mem[i], "memory"); p = val(mem[i], "prefixes")
		printf "  %s", substr(mem[i], 5)
		if (p > 0)
			printf "  -> %.1f bytes per prefix (all objects)", m / p
		printf "\n"
	}
}
