#!/bin/bash
# Build the initramfs of the VM test guest.
#
# usage: tests/vm/mkinitramfs.sh -o OUT [options] [SRC:DEST...]
#   -o OUT            output file; OUT ending in .gz is gzip'ed, else plain cpio
#   --moddir DIR      kernel module tree of the guest kernel (.../lib/modules/KVER);
#                     default: the stock kernel of scripts/guest-kernel.sh.
#                     "none": a kernel with everything built in, ship no modules
#   --modules "M..."  stock modules to ship in addition to the default list
#   --module KO       an extra module (podwall.ko); goes to /lib/modules/KVER/extra/
#                     and its dependencies are shipped too (repeatable)
#   --bin PATH        a host binary, with the shared libraries it needs, at the
#                     same path in the image, or in /usr/bin if PATH is
#                     relative (repeatable)
#   SRC:DEST          any file (DEST is the path in the image; a DEST ending in /
#                     is a directory); directories are copied recursively
#
# Contents: busybox-static (applet links), iproute2 ip, nft, kmod's
# insmod/rmmod/modprobe/lsmod/modinfo, their shared libraries, tests/vm/init
# as /init, tests/vm/lib.sh as /tests/lib.sh, the modules below with their
# dependencies, and modules.dep built with depmod for the image.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

# Stock modules the harness uses.  crc32c_generic is listed explicitly
# because busybox modprobe ignores softdeps (libcrc32c needs a crc32c).
DEFAULT_MODULES="crc32c_generic libcrc32c veth dummy bridge br_netfilter sctp
	nf_conntrack nf_nat nf_tables nft_chain_nat nft_nat nft_masq nft_ct
	nft_numgen nft_reject_inet nft_reject_ipv4 nft_reject_ipv6 nfnetlink
	nf_reject_ipv4 nf_reject_ipv6 nf_defrag_ipv4 nf_defrag_ipv6 ipv6"

out= moddir= extra_modules= kos=() bins=() files=()
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--modules) extra_modules="$extra_modules $2"; shift 2 ;;
	--module) kos+=("$2"); shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mkinitramfs.sh: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs.sh: -o OUT is required" >&2; exit 2; }
[ -n "$moddir" ] || moddir=$("$TOP/scripts/guest-kernel.sh" --print MODDIR)

img=$(mktemp -d "${TMPDIR:-/tmp}/pw-initramfs.XXXXXX")
trap 'rm -rf "$img"' EXIT

# usr-merged layout, like the host, so ldd's paths work as they are
mkdir -p "$img"/usr/bin "$img"/usr/sbin "$img"/usr/lib "$img"/usr/lib64 \
	"$img"/dev "$img"/proc "$img"/sys "$img"/run "$img"/tmp "$img"/etc \
	"$img"/root "$img"/tests "$img"/var
ln -s usr/bin "$img/bin"; ln -s usr/sbin "$img/sbin"
ln -s usr/lib "$img/lib"; ln -s usr/lib64 "$img/lib64"
ln -s /run "$img/var/run"

# Host binaries with their shared libraries: an absolute PATH keeps its path
# in the image, a relative one goes to /usr/bin/NAME.  Few forks: process
# creation is slow on these hosts.
add_bins() {	# PATH...
	local b abs=() rel=()
	for b in "$@"; do
		[ -e "$b" ] || { echo "mkinitramfs.sh: $b not found" >&2; exit 1; }
		case "$b" in /*) abs+=("$b") ;; *) rel+=("$b") ;; esac
	done
	cp -L --parents ${abs[@]+"${abs[@]}"} $(ldd "$@" 2>/dev/null |
		sed -n 's,.*=> \(/[^ ]*\).*,\1,p; s,^[[:space:]]*\(/[^ ]*\) (.*,\1,p' | sort -u) "$img"
	[ ${#rel[@]} -eq 0 ] || cp -L "${rel[@]}" "$img/usr/bin/"
}

add_bins /usr/bin/busybox /usr/sbin/ip /usr/sbin/nft /usr/bin/kmod ${bins[@]+"${bins[@]}"}
(cd "$img/usr/sbin" && for t in insmod rmmod modprobe lsmod modinfo depmod; do ln -s ../bin/kmod "$t"; done)
# busybox applets for everything else: one link per applet in /usr/bin,
# existing files are kept (the iproute2 and kmod tools in /usr/sbin come
# first in PATH; busybox ash prefers its applets, see lib.sh)
/usr/bin/busybox --install -s "$img/usr/bin"

cp "$HERE/init" "$img/init"
chmod 755 "$img/init"
cp "$HERE/lib.sh" "$img/tests/lib.sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$img/etc/passwd"
printf 'root:x:0:\n' > "$img/etc/group"
printf 'tcp 6 TCP\nudp 17 UDP\nsctp 132 SCTP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n' \
	> "$img/etc/protocols"

# modules
if [ "$moddir" != none ]; then
	[ -d "$moddir" ] || { echo "mkinitramfs.sh: no module dir $moddir" >&2; exit 1; }
	moddir=$(cd "$moddir" && pwd)
	kver=${moddir##*/}
	# modprobe -d wants BASE/lib/modules/KVER
	base=$img/.modbase
	mkdir -p "$base/lib/modules"
	ln -s "$moddir" "$base/lib/modules/$kver"
	dst=$img/lib/modules/$kver
	mkdir -p "$dst"
	want="$DEFAULT_MODULES $extra_modules"
	for ko in ${kos[@]+"${kos[@]}"}; do
		[ -f "$ko" ] || { echo "mkinitramfs.sh: module $ko not found" >&2; exit 1; }
		mkdir -p "$dst/extra"
		cp "$ko" "$dst/extra/"
		want="$want $(modinfo -F depends "$ko" | tr ',' ' ')"
	done
	# softdeps are included; "builtin" lines are skipped; unknown names warn
	rels=$(modprobe -S "$kver" -d "$base" -a --show-depends $want |
		sed -n "s,^insmod $base/lib/modules/$kver/\([^ ]*\).*,\1,p" | sort -u) || true
	(cd "$moddir" && cp --parents $rels "$dst/")
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "$moddir/$f" ] && cp "$moddir/$f" "$dst/"
	done
	rm -rf "$base"
	depmod -b "$img" "$kver"
	echo "$kver" > "$img/etc/podwall-kver"
fi

for spec in "${files[@]}"; do
	src=${spec%%:*} dest=${spec#*:}
	[ "$src" != "$spec" ] && [ -n "$dest" ] || { echo "mkinitramfs.sh: want SRC:DEST, got $spec" >&2; exit 2; }
	[ -e "$src" ] || { echo "mkinitramfs.sh: $src not found" >&2; exit 1; }
	case "$dest" in
	*/) mkdir -p "$img$dest"; cp -a "$src" "$img$dest" ;;
	*) mkdir -p "$img$(dirname "$dest")"; cp -a "$src" "$img$dest" ;;
	esac
done

tmpout=$out.tmp.$$
case "$out" in
*.gz) (cd "$img" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$tmpout" ;;
*) (cd "$img" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$tmpout" ;;
esac
mv -f "$tmpout" "$out"
