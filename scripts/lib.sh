# SPDX-License-Identifier: GPL-2.0
# Common helpers for the zswap-spm harness scripts.  Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${ZSWAP_SPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zswap-spm}

# The kernel we build on: Debian's linux-source-7.3 from trixie-backports.
KPKG=linux-source-7.3
KSUITE=trixie-backports
QEMU_MIN=11.1
# Upstream mm kselftest programs of the paths that zswap mapping device
# pages changes: 'make check' runs them with zswap, its compressed-memory
# backend and mapping on; about 3.6 minutes under TCG.  Left out for its
# time, and run with TESTS=mm:soft-dirty@spm: soft-dirty (145 s, with
# transparent huge pages off too; zswap_spm's map_more_writers_move_page
# checks soft-dirty on device pages).
MM_TESTS="cow gup_longterm ksm_functional_tests mremap_test pagemap_ioctl
madv_populate mkdirty migration uffd-unit-tests"

# The Makefile hands vm.sh's options over as one string quoted for the
# shell (APPEND="a b" must stay one argument): split it as the shell would.
VMOPTS_ARGS=()
[ -z "${VMOPTS:-}" ] || eval "VMOPTS_ARGS=(${VMOPTS})"

log()  { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "must run as root (apt, debootstrap and chroot need it); try: sudo make ${1:-check}"
}

# The Debian mirror this machine already uses, read from its apt configuration
# so that no registry host name is written into the project.
mirror() {
	local uri
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /debian\/?$/) { print $i; exit } }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	if [ -z "$uri" ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*debian\/?$/) { print $i; exit } }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	fi
	[ -n "$uri" ] || die "no Debian archive found in /etc/apt/sources.list{,.d}; configure apt first"
	echo "${uri%/}"
}

# Check the archive answers for a suite before we start anything long.
check_suite() {
	local m=$1 suite=$2
	curl -sfI --max-time 30 "$m/dists/$suite/Release" >/dev/null ||
		die "the archive $m does not serve suite '$suite' (network down or suite missing)"
}

# Atomic directory creation: build in "$1.tmp.$$", rename on success.
# Usage: atomic_dir DEST CMD...   (CMD gets the temporary path as $TMPDIR_NEW;
# it runs in a subshell and must clean up its own mounts on exit)
atomic_dir() {
	local dest=$1; shift
	local tmp="$dest.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# In a subshell, so that a die() in CMD still gets here to clean up.
	(TMPDIR_NEW=$tmp "$@") || { rm -rf "$tmp"; return 1; }
	rm -rf "$dest.old"
	[ -e "$dest" ] && mv "$dest" "$dest.old"
	mv "$tmp" "$dest"
	rm -rf "$dest.old"
}

# Private apt state for downloads from suites the host does not use.
apt_private() {
	local dir=$CACHE/apt
	echo "-o Dir::State=$dir/state -o Dir::Cache=$dir/cache -o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

# Configure and build a variant of the test kernel in OBJ from the config
# fragments given, rewriting the configuration only when the fragments
# change.  Usage: build_variant OBJ LOG WHAT FRAGMENT...
build_variant() {
	local obj=$1 blog=$2 what=$3 start
	shift 3
	[ -f "$BUILD/linux/.complete" ] || die "no kernel tree; run scripts/fetch-kernel.sh first"
	mkdir -p "$obj" "$CACHE/ccache"
	export CCACHE_DIR=$CACHE/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR=$TOP
	local kmake=(make -s -C "$BUILD/linux" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j"$(($(nproc) + 1))")
	cat "$@" >"$obj/fragment.config"
	if ! cmp -s "$obj/fragment.config" "$obj/fragment.config.used" || [ ! -f "$obj/.config" ]; then
		log "configuring the $what kernel"
		make -s -C "$BUILD/linux" O="$obj" KCONFIG_ALLCONFIG="$obj/fragment.config" allnoconfig >/dev/null
		cp "$obj/fragment.config" "$obj/fragment.config.used"
	fi
	log "building the $what kernel"
	start=$(date +%s)
	"${kmake[@]}" bzImage >"$blog" 2>&1 || die "$what kernel build failed (log: $blog)"
	info "$what bzImage built in $(($(date +%s) - start)) s"
}
