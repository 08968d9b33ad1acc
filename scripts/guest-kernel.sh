#!/bin/bash
# Fetch and unpack the stock Debian kernel that the VM tests boot.
#
# usage: scripts/guest-kernel.sh [--print VAR]
#
# KVER is the newest /usr/src/linux-headers-*-amd64 (the headers podwall.ko is
# built against), or $KVER if set.  The matching linux-image-$KVER package is
# fetched with `apt-get download` (nothing is installed, /boot is never
# touched), unpacked into ${PODWALL_CACHE:-/var/cache/podwall}/kernel-$KVER/,
# its modules are indexed with depmod, and the uncompressed vmlinux is
# extracted from the bzImage for a fast PVH boot.
#
# Idempotent and safe to run concurrently (flock + build in a temp dir +
# rename).  Output, one per line:
#   KVER=6.1.0-57-amd64
#   VMLINUX=<cache>/kernel-$KVER/vmlinux           (uncompressed, PVH boot)
#   BZIMAGE=<cache>/kernel-$KVER/root/boot/vmlinuz-$KVER
#   MODDIR=<cache>/kernel-$KVER/root/lib/modules/$KVER
# With --print VAR only the value of VAR is printed.
set -euo pipefail

want=
case "${1:-}" in
--print) want=${2:?--print needs a variable name} ;;
"") ;;
-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) echo "guest-kernel.sh: unknown argument: $1" >&2; exit 2 ;;
esac

if [ -z "${KVER:-}" ]; then
	KVER=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		sed 's,^/usr/src/linux-headers-,,' | sort -V | tail -n 1)
	[ -n "$KVER" ] || { echo "guest-kernel.sh: no /usr/src/linux-headers-*-amd64 (run scripts/deps.sh)" >&2; exit 1; }
fi

CACHE=${PODWALL_CACHE:-/var/cache/podwall}
DIR=$CACHE/kernel-$KVER

# Extract the xz payload of a bzImage: find the xz stream magic and
# decompress the first stream only (the bzImage has data after it).
extract_vmlinux() {
	local bz=$1 out=$2 off
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || { echo "guest-kernel.sh: no xz payload in $bz" >&2; return 1; }
	tail -c +"$((off + 1))" "$bz" | xz -dc --single-stream > "$out" 2>/dev/null || true
	if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" != 7f454c46 ]; then
		echo "guest-kernel.sh: extracted $out is not an ELF file" >&2
		return 1
	fi
}

build() {
	local tmp
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.kernel-$KVER.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	chmod 755 "$tmp"
	echo "guest-kernel.sh: fetching linux-image-$KVER into $DIR" >&2
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$KVER" >&2)
	dpkg-deb -x "$tmp"/linux-image-"$KVER"_*.deb "$tmp/root"
	rm -f "$tmp"/linux-image-"$KVER"_*.deb
	depmod -b "$tmp/root" "$KVER"
	extract_vmlinux "$tmp/root/boot/vmlinuz-$KVER" "$tmp/vmlinux"
	touch "$tmp/.complete"
	mv -T "$tmp" "$DIR"
	trap - EXIT
}

if [ ! -e "$DIR/.complete" ]; then
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.kernel-$KVER.lock"
	flock 9
	if [ ! -e "$DIR/.complete" ]; then
		# a half-built leftover would block the rename
		[ -e "$DIR" ] && rm -rf "$DIR"
		build
	fi
	exec 9>&-
fi

VMLINUX=$DIR/vmlinux
BZIMAGE=$DIR/root/boot/vmlinuz-$KVER
MODDIR=$DIR/root/lib/modules/$KVER

if [ -n "$want" ]; then
	case "$want" in
	KVER|VMLINUX|BZIMAGE|MODDIR) printf '%s\n' "${!want}" ;;
	*) echo "guest-kernel.sh: unknown variable $want (KVER VMLINUX BZIMAGE MODDIR)" >&2; exit 2 ;;
	esac
else
	printf 'KVER=%s\nVMLINUX=%s\nBZIMAGE=%s\nMODDIR=%s\n' "$KVER" "$VMLINUX" "$BZIMAGE" "$MODDIR"
fi
