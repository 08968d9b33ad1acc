#!/bin/sh
# Install every Debian package the build, the tests and the demo need.
# Idempotent: when everything is present it only checks and returns.
set -eu

PKGS="build-essential make gcc pkg-config git xz-utils cpio kmod iproute2 \
busybox-static qemu-system-x86 qemu-system-data \
linux-headers-amd64 dkms sparse \
libnl-3-dev libnl-genl-3-dev libjson-c-dev libyaml-dev \
libcurl4-openssl-dev libmicrohttpd-dev libcmocka-dev libgnutls28-dev \
nftables iptables openssl mandoc bash-completion \
linux-source-6.1 flex bison bc libelf-dev libssl-dev rsync curl"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# INITRD=No: never build an initramfs for a kernel image we only unpack.
$SUDO env INITRD=No apt-get install -y -qq --no-install-recommends $missing >/dev/null
