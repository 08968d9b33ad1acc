#!/bin/bash
# Build, once, podwall's debug kernel: Debian's linux-source-6.1 configured
# with `make allnoconfig` + tests/kunit/debug.config (KUnit, KASAN, lockdep,
# kmemleak, fault injection, and the netfilter/veth/bridge/SCTP the tests
# use, all built in), patched with tests/kunit/patches/*.patch.
#
# The result is cached outside the work tree, keyed by a hash of the config
# fragment, the patches, the source package version, the compiler and the
# recipe below; a rerun with the same inputs only prints the paths:
#
#   KDIR=...          headers tree for `make -C $KDIR M=$PWD modules`
#   BZIMAGE=...       arch/x86/boot/bzImage
#   VMLINUX=...       uncompressed ELF, bootable through its PVH entry
#   CONFIG=...        the resulting .config
#   KERNELRELEASE=... uname -r of the guest
#
# The entry also keeps the build's modules.builtin and modules.builtin.modinfo
# beside vmlinux (entries built before that have neither; they cannot be
# recovered from vmlinux, whose .modinfo section is discarded at link time).
# so `eval "$(scripts/debug-kernel.sh)"` works; `--print VAR` prints one value.
# Progress and errors go to stderr. See tests/kunit/README.md.
#
# Environment: PODWALL_CACHE (default /var/cache/podwall), JOBS (default
# nproc), KSRC_TARBALL (default /usr/src/linux-source-6.1.tar.xz).
set -euo pipefail

# Bump when a change below alters what gets built or exported.  Not for an
# export its users can do without: modules.builtin(.modinfo) came later,
# and tests/vm/run falls back to a synthesized list for an entry without it.
RECIPE=1

usage() {
	cat <<EOF
usage: $0 [--print VAR] [--rebuild]
  --print VAR   print only the value of VAR (KDIR, BZIMAGE, VMLINUX, CONFIG,
                KERNELRELEASE, DIR, KEY)
  --rebuild     discard the cached entry for the current inputs and rebuild
EOF
}

print_var=
rebuild=0
while [ $# -gt 0 ]; do
	case $1 in
	--print) [ $# -ge 2 ] || { usage >&2; exit 1; }; print_var=$2; shift 2 ;;
	--print=*) print_var=${1#--print=}; shift ;;
	--rebuild) rebuild=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 1 ;;
	esac
done
case $print_var in
''|KDIR|BZIMAGE|VMLINUX|CONFIG|KERNELRELEASE|DIR|KEY) ;;
*) echo "debug-kernel: unknown variable '$print_var'" >&2; exit 1 ;;
esac

log() { echo "debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
fragment=$top/tests/kunit/debug.config
patchdir=$top/tests/kunit/patches
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${PODWALL_CACHE:-/var/cache/podwall}
jobs=${JOBS:-$(nproc)}

[ -r "$fragment" ] || die "missing $fragment"
[ -r "$tarball" ] || die "missing $tarball (apt-get install linux-source-6.1, or scripts/deps.sh)"

patches=()
if [ -d "$patchdir" ]; then
	while IFS= read -r p; do patches+=("$p"); done \
		< <(find "$patchdir" -maxdepth 1 -name '*.patch' -type f | LC_ALL=C sort)
fi

# The source's identity: the Debian package version when the tarball is the
# packaged one (cheap), its content hash otherwise.
src_id() {
	local v
	if [ "$tarball" = /usr/src/linux-source-6.1.tar.xz ] &&
	   v=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) && [ -n "$v" ]; then
		echo "linux-source-6.1 $v"
	else
		sha256sum < "$tarball" | cut -d' ' -f1
	fi
}

key=$( {
	echo "recipe $RECIPE"
	src_id
	gcc --version | head -n1
	echo "fragment"; cat "$fragment"
	for p in ${patches[@]+"${patches[@]}"}; do
		echo "patch $(basename "$p")"; cat "$p"
	done
} | sha256sum | cut -c1-12)
final=$cache/debug-kernel-$key

emit() {
	local dir=$1 kr
	kr=$(cat "$dir/kernelrelease")
	case $print_var in
	'')
		echo "KDIR=$dir/kdir"
		echo "BZIMAGE=$dir/bzImage"
		echo "VMLINUX=$dir/vmlinux"
		echo "CONFIG=$dir/config"
		echo "KERNELRELEASE=$kr"
		;;
	KDIR) echo "$dir/kdir" ;;
	BZIMAGE) echo "$dir/bzImage" ;;
	VMLINUX) echo "$dir/vmlinux" ;;
	CONFIG) echo "$dir/config" ;;
	KERNELRELEASE) echo "$kr" ;;
	DIR) echo "$dir" ;;
	KEY) echo "$key" ;;
	esac
}

# Fast path: a published entry is complete by construction (rename is the
# last step of a build).
if [ $rebuild -eq 0 ] && [ -f "$final/ok" ]; then
	emit "$final"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/debug-kernel-$key.lock"
if ! flock -n 9; then
	log "another build of $key is running; waiting for it"
	flock 9
fi

if [ $rebuild -eq 1 ] && [ -e "$final" ]; then
	log "discarding $final"
	mv -T "$final" "$final.old.$$"
	rm -rf "$final.old.$$"
elif [ -f "$final/ok" ]; then
	emit "$final"       # built by whoever held the lock before us
	exit 0
fi

# Leftovers of interrupted builds of this key (we hold its lock).
rm -rf "$cache/debug-kernel-$key.tmp."*

tmp=$(mktemp -d "$cache/debug-kernel-$key.tmp.XXXXXX")
chmod 755 "$tmp"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(date +%s)
src=$tmp/src
buildlog=$tmp/build.log
mk() { make -C "$src" -j"$jobs" KBUILD_BUILD_USER=podwall KBUILD_BUILD_HOST=debug-kernel "$@"; }

log "building $key in $tmp (log: $buildlog)"
log "unpacking $tarball"
mkdir "$src"
tar -xf "$tarball" -C "$src" --strip-components=1

for p in ${patches[@]+"${patches[@]}"}; do
	log "applying $(basename "$p")"
	patch -d "$src" -p1 --forward --batch --quiet < "$p" ||
		die "$(basename "$p") does not apply"
done

log "configuring (allnoconfig + $(basename "$fragment"))"
mk allnoconfig KCONFIG_ALLCONFIG="$fragment" >>"$buildlog" 2>&1 ||
	{ tail -n 30 "$buildlog" >&2; die "allnoconfig failed"; }
mk olddefconfig >>"$buildlog" 2>&1 ||
	{ tail -n 30 "$buildlog" >&2; die "olddefconfig failed"; }

# Every option of the fragment must have survived verbatim: Kconfig drops
# misspelt names and options whose dependencies are unmet without a word.
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$src/.config" || bad+=("$line (got: $(
			grep -E "^(# )?${line%%=*}[= ]" "$src/.config" || echo absent))")
		;;
	'# CONFIG_'*' is not set')
		opt=${line#\# }; opt=${opt%% *}
		! grep -qE "^$opt=[ym]$" "$src/.config" || bad+=("$line (got: $(
			grep -E "^$opt=" "$src/.config"))")
		;;
	esac
done < "$fragment"
if [ ${#bad[@]} -gt 0 ]; then
	log "these options of $(basename "$fragment") did not end up as requested"
	log "(misspelt, or a dependency is missing from the fragment):"
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi

log "compiling with $jobs jobs (bzImage, vmlinux, modules_prepare, Module.symvers)"
mk bzImage modules >>"$buildlog" 2>&1 ||
	{ tail -n 40 "$buildlog" >&2; die "kernel build failed"; }
kr=$(make -s -C "$src" --no-print-directory kernelrelease)

# Export what `make -C $KDIR M=... modules` needs, the way Debian's
# linux-headers package is made (scripts/package/builddeb,
# deploy_kernel_headers): source-side Makefiles, include/, scripts/, arch
# include dirs; build-side generated headers, host tools, objtool,
# Module.symvers and .config.
log "exporting headers tree"
kdir=$tmp/kdir
mkdir "$kdir"
(
	cd "$src"
	{
		find . arch/x86 -maxdepth 1 -name 'Makefile*'
		find include scripts -type f -o -type l
		find arch/x86 -name Kbuild.platforms -o -name Platform
		# shellcheck disable=SC2046 # paths without blanks, word splitting wanted
		find $(find arch/x86 -name include -o -name scripts -type d) -type f
		if grep -q '^CONFIG_OBJTOOL=y' .config; then echo tools/objtool/objtool; fi
		echo Module.symvers
		echo .config
	} | LC_ALL=C sort -u | tar -cf - --no-recursion -T - | tar -xf - -C "$kdir"
)
cp "$src/arch/x86/boot/bzImage" "$tmp/bzImage"
cp "$src/vmlinux" "$tmp/vmlinux"
cp "$src/System.map" "$tmp/System.map"
cp "$src/.config" "$tmp/config"
# What is built in, for the guest's modprobe and modinfo (tests/vm/run,
# which can do without: no reason to fail a finished build over them).
for f in modules.builtin modules.builtin.modinfo; do
	cp "$src/$f" "$tmp/" || log "warning: the build made no $f"
done
echo "$kr" > "$tmp/kernelrelease"

# Smoke test: an out-of-tree module builds against the exported tree and
# carries the kernel's vermagic.
log "checking an out-of-tree module builds against the headers tree"
smoke=$tmp/smoke
mkdir "$smoke"
cat > "$smoke/smoke.c" <<'EOF'
#include <linux/module.h>
static int __init smoke_init(void) { return 0; }
static void __exit smoke_exit(void) { }
module_init(smoke_init);
module_exit(smoke_exit);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := smoke.o' > "$smoke/Kbuild"
make -C "$kdir" M="$smoke" modules >>"$buildlog" 2>&1 ||
	{ tail -n 30 "$buildlog" >&2; die "test module does not build against $kdir"; }
vm=$(modinfo -F vermagic "$smoke/smoke.ko")
case $vm in
"$kr "*) ;;
*) die "test module vermagic '$vm' does not match kernel release '$kr'" ;;
esac
rm -rf "$smoke"

# The source tree (~1.5 GB unpacked, more with objects) is not needed any
# more: everything a module build needs is in kdir/.
rm -rf "$src"
t1=$(date +%s)
echo "$((t1 - t0))" > "$tmp/build-seconds"
touch "$tmp/ok"

# Publish: one rename, so an entry either is complete or does not exist.
mv -T "$tmp" "$final"
trap - EXIT
log "built $kr in $((t1 - t0)) s: $final ($(du -sh "$final" | cut -f1))"
emit "$final"
