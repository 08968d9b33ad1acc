#!/bin/sh
# Verdict cost per new connection, nftables and no-filter baselines.
#   a 10.244.1.2 ──veth── node ──veth── b 10.244.1.3   (routed)
# The filters sit in the node's prerouting, where podwall judges. Run with
# qemu -icount shift=0: one guest ns = one instruction.
. /tests/lib.sh
. /tests/bench-lib.sh
trap pw_cleanup EXIT
bench_topology

CASE_NAME=none; conn_case; conn_case; stream_case

CASE_NAME=nft-ct-accept
run nft -f - <<'NFT'
table ip pwbench {
	chain pre {
		type filter hook prerouting priority dstnat + 1; policy accept;
		ct state established,related accept
		accept
	}
}
NFT
conn_case; stream_case
nft delete table ip pwbench

for n in $PEER_SIZES; do
	CASE_NAME=nft-hash-$n
	pwbench nft --peers $n > /tmp/nft.conf || die "pwbench nft failed"
	if out=$(pwbench time /usr/sbin/nft -f /tmp/nft.conf 2>&1); then
		echo "BENCH load $CASE_NAME $(echo "$out" | sed -n 's/^time \([0-9]*\).*/ns=\1/p')"
		conn_case
		[ $n = $BIG ] && stream_case
	else
		fail "$CASE_NAME: nft -f" "$(echo "$out" | tail -n 3)"
	fi
	nft delete table ip pwbench
done

CASE_NAME=nft-linear-100
pwbench nft --linear 100 > /tmp/nft.conf || die "pwbench nft failed"
run nft -f /tmp/nft.conf
conn_case
nft delete table ip pwbench
