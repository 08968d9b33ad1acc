#!/bin/sh
# Init container step: make podwall.ko available for the node's running
# kernel and load it. Uses an installed module if there is one, otherwise
# builds it with DKMS against the node's headers (mounted from the host).
set -eu
KVER=$(uname -r)
VER=0.1.0

if modprobe podwall 2>/dev/null; then
	echo "podwall: module loaded for $KVER"
	exit 0
fi
if [ ! -d "/lib/modules/$KVER/build" ]; then
	echo "podwall: no kernel headers for $KVER on this node (install linux-headers-$KVER)" >&2
	exit 1
fi
dkms add -m podwall -v "$VER" 2>/dev/null || true
dkms build -m podwall -v "$VER" -k "$KVER"
dkms install -m podwall -v "$VER" -k "$KVER" --force
modprobe podwall
echo "podwall: module built with DKMS and loaded for $KVER"
