#!/bin/bash
# Build the initramfs of the VM test guest.
#
# usage: tests/vm/mkinitramfs.sh -o OUT [options] [SRC:DEST...]
#   -o OUT            output file; OUT ending in .gz is gzip'ed, else plain cpio
#   --moddir DIR      kernel module tree of the guest kernel (.../lib/modules/KVER);
#                     default: the stock kernel of scripts/guest-kernel.sh.
#                     "none": a kernel with everything built in, ship no stock
#                     modules (--module files still go in, see --kver)
#   --kver KVER       with --moddir none: the kernel release the --module files
#                     are installed for; the image then gets a modules.builtin:
#                     the --builtin file, or else one naming the stock modules
#                     below (and --modules) so that "modprobe veth" finds them
#                     built in rather than missing
#   --builtin FILE    with --kver: the kernel build's own modules.builtin (and
#                     FILE.modinfo beside it, for modinfo and aliases)
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
#
# The image is two cpio archives back to back (the kernel unpacks both): a
# base with the binaries, their libraries and the stock modules, cached in
# ${PODWALL_CACHE:-/var/cache/podwall}/initramfs/<hash of its inputs>/, and
# a small overlay made each time with /init, lib.sh, the module index, the
# extra modules and the files.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${PODWALL_CACHE:-/var/cache/podwall}/initramfs

# Stock modules the harness uses.  crc32c_generic is listed explicitly
# because busybox modprobe ignores softdeps (libcrc32c needs a crc32c).
DEFAULT_MODULES="crc32c_generic libcrc32c veth dummy bridge br_netfilter sctp
	nf_conntrack nf_nat nf_tables nft_chain_nat nft_nat nft_masq nft_ct
	nft_numgen nft_reject_inet nft_reject_ipv4 nft_reject_ipv6 nfnetlink
	nf_reject_ipv4 nf_reject_ipv6 nf_defrag_ipv4 nf_defrag_ipv6 ipv6"
BASE_BINS="/usr/bin/busybox /usr/sbin/ip /usr/sbin/nft /usr/bin/kmod"

out= moddir= extra_modules= kos=() bins=() files=() builtin_kver= builtin_list=
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--modules) extra_modules="$extra_modules $2"; shift 2 ;;
	--module) kos+=("$2"); shift 2 ;;
	--kver) builtin_kver=$2; shift 2 ;;
	--builtin) builtin_list=$2; shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mkinitramfs.sh: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs.sh: -o OUT is required" >&2; exit 2; }
[ -z "$builtin_list" ] || [ -n "$builtin_kver" ] ||
	{ echo "mkinitramfs.sh: --builtin goes with --kver" >&2; exit 2; }
[ -z "$builtin_list" ] || [ -f "$builtin_list" ] ||
	{ echo "mkinitramfs.sh: $builtin_list not found" >&2; exit 1; }
[ -n "$moddir" ] || moddir=$("$TOP/scripts/guest-kernel.sh" --print MODDIR)
if [ "$moddir" != none ]; then
	[ -d "$moddir" ] || { echo "mkinitramfs.sh: no module dir $moddir" >&2; exit 1; }
	moddir=$(cd "$moddir" && pwd)
	kver=${moddir##*/}
fi
for b in ${bins[@]+"${bins[@]}"}; do
	[ -e "$b" ] || { echo "mkinitramfs.sh: $b not found" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# usr-merged layout, like the host, so ldd's paths work as they are
skeleton() {	# DIR
	mkdir -p "$1"/usr/bin "$1"/usr/sbin "$1"/usr/lib "$1"/usr/lib64 "$1"/etc "$1"/tests
	ln -s usr/bin "$1/bin"; ln -s usr/sbin "$1/sbin"
	ln -s usr/lib "$1/lib"; ln -s usr/lib64 "$1/lib64"
}

mkcpio() {	# DIR OUT
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$2"
}

# modprobe -d wants BASE/lib/modules/KVER; print the paths (relative to
# $moddir) of the modules named and their dependencies (softdeps included)
mod_closure() {	# NAME...
	local b=$tmp/modbase
	[ -e "$b" ] || { mkdir -p "$b/lib/modules"; ln -s "$moddir" "$b/lib/modules/$kver"; }
	modprobe -S "$kver" -d "$b" -a --show-depends "$@" |
		sed -n "s,^insmod $b/lib/modules/$kver/\([^ ]*\).*,\1,p" | sort -u || true
}

# Host binaries and the libraries ldd lists: an absolute path is kept, a
# relative one goes to /usr/bin.  Libraries already in the base are skipped.
add_bins() {	# DIR PATH...
	local d=$1 b abs=() rel=()
	shift
	for b in "$@"; do
		case "$b" in /*) abs+=("$b") ;; *) rel+=("$b") ;; esac
	done
	cp -L -n --parents ${abs[@]+"${abs[@]}"} $(ldd "$@" 2>/dev/null |
		sed -n 's,.*=> \(/[^ ]*\).*,\1,p; s,^[[:space:]]*\(/[^ ]*\) (.*,\1,p' |
		sort -u | while read -r b; do [ -e "$base/root$b" ] || echo "$b"; done) "$d"
	[ ${#rel[@]} -eq 0 ] || { mkdir -p "$d/usr/bin"; cp -L "${rel[@]}" "$d/usr/bin/"; }
}

# ------------------------------------------------------------------ base
# Everything that depends only on the host's binaries and the kernel's
# modules.  Rebuilt when any input changes (this script, binary sizes and
# mtimes, the module tree, the module list).  --bin binaries change often:
# they go into the overlay.
key=$({ cat "$0"; stat -L -c '%n %s %Y' $BASE_BINS \
	${kver:+"$moddir/modules.dep"}; echo "$moddir $DEFAULT_MODULES $extra_modules"; } |
	sha1sum | cut -c1-16)
base=$CACHE/$key

build_base() {
	local b=$tmp/base img rel abs lib
	img=$b/root
	skeleton "$img"
	mkdir -p "$img"/dev "$img"/proc "$img"/sys "$img"/run "$img"/tmp "$img"/root "$img"/var
	ln -s /run "$img/var/run"
	add_bins "$img" $BASE_BINS
	(cd "$img/usr/sbin" && for t in insmod rmmod modprobe lsmod modinfo depmod; do ln -s ../bin/kmod "$t"; done)
	# busybox applets for everything else: links in /usr/bin, existing
	# files kept (iproute2 and kmod in /usr/sbin come first in PATH; busybox
	# ash prefers its applets anyway, see lib.sh)
	/usr/bin/busybox --install -s "$img/usr/bin"
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$img/etc/passwd"
	printf 'root:x:0:\n' > "$img/etc/group"
	printf 'tcp 6 TCP\nudp 17 UDP\nsctp 132 SCTP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n' \
		> "$img/etc/protocols"
	mkcpio "$img" "$b/base.cpio"
	# the stock modules, kept as a tree: each image adds its own and indexes
	mkdir -p "$b/modules"
	: > "$b/names"
	if [ -n "${kver:-}" ]; then
		rel=$(mod_closure $DEFAULT_MODULES $extra_modules)
		[ -z "$rel" ] || (cd "$moddir" && cp --parents $rel "$b/modules/")
		for lib in $rel; do lib=${lib##*/}; lib=${lib%%.ko*}; echo "${lib//-/_}"; done > "$b/names"
		for lib in modules.order modules.builtin modules.builtin.modinfo; do
			[ ! -e "$moddir/$lib" ] || cp "$moddir/$lib" "$b/modules/"
		done
	fi
	touch "$b/.complete"	# root/ stays: add_bins looks there
	mv -T "$b" "$base" 2>/dev/null || true	# lost a race: theirs is as good
}

if [ ! -e "$base/.complete" ]; then
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	[ -e "$base/.complete" ] || { rm -rf "$base"; build_base; }
	exec 9>&-
	# keep the five newest bases
	ls -1dt "$CACHE"/*/ 2>/dev/null | tail -n +6 | xargs -r rm -rf
fi
# --------------------------------------------------------------- overlay
# (forks are slow on these hosts: as few as possible from here on)
ov=$tmp/overlay
mkdir -p "$ov/tests" "$ov/etc" "$ov/usr/lib" ${kver:+"$ov/usr/lib/modules/$kver/extra"}
# the usr-merge links as in the base (add_bins and depmod -b go through them)
cp -a "$base/root/bin" "$base/root/sbin" "$base/root/lib" "$base/root/lib64" "$ov/"
cp "$HERE/init" "$ov/init"
cp "$HERE/lib.sh" "$ov/tests/lib.sh"
[ ${#bins[@]} -eq 0 ] || add_bins "$ov" "${bins[@]}"
if [ -n "${kver:-}" ]; then
	dst=$ov/usr/lib/modules/$kver
	cp -a "$base/modules/." "$dst/"
	if [ ${#kos[@]} -gt 0 ]; then
		cp "${kos[@]}" "$dst/extra/"
		# dependencies of the extra modules that the base lacks
		declare -A have=()
		while read -r m; do have[$m]=1; done < "$base/names"
		missing=()
		for m in $(modinfo -F depends "${kos[@]}"); do
			for m in ${m//,/ }; do
				[ -n "${have[${m//-/_}]:-}" ] || missing+=("$m")
			done
		done
		if [ ${#missing[@]} -gt 0 ]; then
			rel=$(mod_closure "${missing[@]}")
			[ -z "$rel" ] || (cd "$moddir" && cp -n --parents $rel "$dst/")
		fi
	fi
	depmod -b "$ov" "$kver"
	echo "$kver" > "$ov/etc/podwall-kver"
elif [ -n "$builtin_kver" ]; then
	# Everything built in: only the --module files are real modules.  kmod's
	# modprobe reports a name listed in modules.builtin as loaded, so the
	# guest scripts' "modprobe -a veth dummy" works on both kinds of kernel.
	dst=$ov/usr/lib/modules/$builtin_kver
	mkdir -p "$dst/extra"
	[ ${#kos[@]} -eq 0 ] || cp "${kos[@]}" "$dst/extra/"
	if [ -n "$builtin_list" ]; then
		# the kernel's own list: a module it lacks is a modprobe error
		cp "$builtin_list" "$dst/modules.builtin"
		[ ! -f "$builtin_list.modinfo" ] ||
			cp "$builtin_list.modinfo" "$dst/modules.builtin.modinfo"
	else
		# A name listed here that the kernel lacks shows up as the feature
		# missing (e.g. "ip link add type veth" failing), not as a modprobe
		# error.
		for m in $DEFAULT_MODULES $extra_modules; do
			echo "kernel/builtin/$m.ko"
		done > "$dst/modules.builtin"
	fi
	depmod -b "$ov" "$builtin_kver"
	echo "$builtin_kver" > "$ov/etc/podwall-kver"
elif [ ${#kos[@]} -gt 0 ]; then
	echo "mkinitramfs.sh: --module needs a module tree (--moddir) or --kver" >&2
	exit 2
fi
for spec in ${files[@]+"${files[@]}"}; do
	src=${spec%%:*} dest=${spec#*:}
	[ "$src" != "$spec" ] && [ -n "$dest" ] || { echo "mkinitramfs.sh: want SRC:DEST, got $spec" >&2; exit 2; }
	[ -e "$src" ] || { echo "mkinitramfs.sh: $src not found" >&2; exit 1; }
	case "$dest" in
	*/) mkdir -p "$ov$dest"; cp -a "$src" "$ov$dest" ;;
	*) mkdir -p "$ov$(dirname "$dest")"; cp -a "$src" "$ov$dest" ;;
	esac
done
mkcpio "$ov" "$tmp/overlay.cpio"

case "$out" in
*.gz) cat "$base/base.cpio" "$tmp/overlay.cpio" | gzip -1 > "$out.tmp.$$" ;;
*) cat "$base/base.cpio" "$tmp/overlay.cpio" > "$out.tmp.$$" ;;
esac
mv -f "$out.tmp.$$" "$out"
