#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shows that zswap_spm's kselftest can fail: plants one bug at a time in
# mm/zswap_spm.c or in the added lines of a patch (the guards that keep
# device pages from being written, the free hook), runs
# 'make check TESTS=zswap_spm:zswap_spm' and expects at least one failure
# (a failed case, or a warning or oops on the console).
# About 5 minutes a bug in mm/zswap_spm.c (incremental build and one boot),
# more for a patch to a header.  Not part of 'make check'.
#   scripts/mutation-test.sh [name...]     (default: every bug below)
. "$(dirname "$0")/lib.sh"

MAP=patches/0013-mm-zswap-map-device-pages-read-only-on-read-faults.patch
cd "$TOP" || exit
FILES=(mm/zswap_spm.c "$MAP")
git diff --quiet -- "${FILES[@]}" ||
	die "${FILES[*]} have uncommitted changes; commit or stash them first"
trap 'git checkout -q -- "${FILES[@]}"' EXIT

# name: sed script that plants the bug
declare -A BUG=(
	[charge_full_page]='s|\*charge = DIV_ROUND_UP(PAGE_SIZE \* 100, state.ratio_seen);|*charge = PAGE_SIZE;|'
	[load_no_copy]='s|copy_mc_highpage(folio_page(folio, 0), folio_page(dev, 0))) {|0) {|'
	[free_count_first]='/^void zswap_spm_free/,/^}/ { s|^\tccm_free_folio(dev);$|\t@PUT@|; s|^\tzswap_spm_node_put(nid);$|\tccm_free_folio(dev);|; s|@PUT@|zswap_spm_node_put(nid);| }'
	[poisoned_page_freed]='s|ccm_quarantine_folio(dev);|ccm_free_folio(dev);|'
	[bad_page_compressed]='/^struct folio \*zswap_spm_store/,/^}/ s|return ERR_PTR(-EIO);|return NULL;|'
	[no_min_ratio]='s|ZSWAP_SPM_MIN_RATIO);|0);|'
	[store_key_without_device]='s|if (READ_ONCE(zswap_spm_enabled) \&\& zswap_spm_devices \&\& zswap_spm_wq) {|if (READ_ONCE(zswap_spm_enabled) \&\& zswap_spm_wq) {|'
	[no_pressure_notify]='s|mod_delayed_work(zswap_spm_wq, &zswap_spm_valve_work, 0);|;|'
	[no_evacuate]='s|zswap_spm_evacuate(ev->nid);|;|'
	[no_refuse_event]='/^static void zswap_spm_refused/,/^}/ s|count_vm_event(item);|;|'
	[restore_copies]='s|dev = zswap_spm_restore(page_folio(page), charge);|dev = NULL;|'
	[restore_claim_ignored]='/^static bool zswap_spm_own/,/^}/ s|return !ccm_folio_unclaim(dev);|return true;|'
	[valve_leaves_mapped]='s|^\t\tif (ccm_lent_pages(nid))$|\t\tif (0)|'
	# In $MAP: each keeps a line count, so that the hunks still apply.
	[map_exclusive]='s|^+\t\tif (folio_is_spm(folio))$|+\t\tif (0)|'
	[map_reuse]='s|^+\tif (folio_test_ksm(folio) \|\| folio_is_spm(folio) \|\||+\tif (folio_test_ksm(folio) \|\||'
	[map_free_hook]='s|^+\tif (spm_page_freed(page, order))$|+\tif (0)|'
	[cluster_ra_copies]='s|^+\t\t\tif (zswap_spm_on_device(ra_entry))$|+\t\t\tif (0)|'
)
# The file each bug goes in, if not mm/zswap_spm.c.
declare -A IN=([map_exclusive]=$MAP [map_reuse]=$MAP [map_free_hook]=$MAP
	     [cluster_ra_copies]=$MAP)
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(printf '%s\n' "${!BUG[@]}" | sort)

survived=0
for m in "${names[@]}"; do
	[ -n "${BUG[$m]:-}" ] || die "no bug named $m (known: ${!BUG[*]})"
	F=${IN[$m]:-mm/zswap_spm.c}
	git checkout -q -- "${FILES[@]}"
	sed -i "${BUG[$m]}" "$F"
	git diff --quiet -- "$F" && die "$m: the bug did not apply: $F changed?"
	log "$m"
	rm -f "$BUILD/check-console.log"
	rc=0
	make check TESTS=zswap_spm:zswap_spm >"$BUILD/mutation-$m.log" 2>&1 || rc=$?
	caught=$(grep -o '^# not ok [0-9]* [a-z_.]*' "$BUILD/check-console.log" 2>/dev/null |
		 sed 's/^# not ok [0-9]* //' | tr '\n' ' ' || true)
	# A warning or an oops on the console fails the run as well.
	splat=$(grep -a -m1 -oE '(WARNING|kernel BUG|BUG:) [^,]*' "$BUILD/check-console.log" 2>/dev/null || true)
	[ -z "$splat" ] || caught="$caught[console: $splat] "
	[ -n "$caught" ] || [ "$rc" = 0 ] || caught="[make check failed: status $rc] "
	if [ -n "$caught" ]; then
		info "caught by: $caught"
	else
		info "SURVIVED (log: $BUILD/mutation-$m.log)"
		survived=$((survived + 1))
	fi
done
git checkout -q -- "${FILES[@]}"
log "${#names[@]} bugs planted, $survived survived"
[ "$survived" = 0 ]
