// SPDX-License-Identifier: GPL-2.0
/*
 * Capacity accounting of compressed CXL memory: the upper bound of physical
 * usage, watermarks with hysteresis, and admission.  Pure arithmetic on a
 * struct ccm_acct; the caller serialises.
 */
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include "ccm.h"

static u64 ccm_pct(u64 capacity, unsigned int pct)
{
	return round_down(div_u64(capacity * pct, 100), PAGE_SIZE);
}

/**
 * ccm_acct_init - reset accounting for a physical capacity
 * @a: the accounting state
 * @capacity: physical capacity in bytes
 *
 * Watermarks and hysteresis go back to their defaults; counts of admitted
 * and accounted pages, and a forced level, are kept.
 */
void ccm_acct_init(struct ccm_acct *a, u64 capacity)
{
	a->capacity = capacity;
	a->wm[CCM_WM_LOW] = ccm_pct(capacity, CCM_WM_LOW_PCT);
	a->wm[CCM_WM_HIGH] = ccm_pct(capacity, CCM_WM_HIGH_PCT);
	a->wm[CCM_WM_CRIT] = ccm_pct(capacity, CCM_WM_CRIT_PCT);
	a->hyst = ccm_pct(capacity, CCM_HYST_PCT);
	ccm_acct_update(a);
}

/**
 * ccm_acct_pending - pages admitted that telemetry has not accounted
 * @a: the accounting state
 *
 * Return: the number of such pages.
 */
u64 ccm_acct_pending(const struct ccm_acct *a)
{
	u64 done = a->cancelled + a->tele_accounted;

	return a->admitted > done ? a->admitted - done : 0;
}

/**
 * ccm_acct_bound - upper bound of the device's physical usage
 * @a: the accounting state
 *
 * Return: bytes; the last reading plus a full page for every page admitted
 * since that the reading does not include.
 */
u64 ccm_acct_bound(const struct ccm_acct *a)
{
	return a->tele_used + a->inject_used +
	       ccm_acct_pending(a) * PAGE_SIZE;
}

static enum ccm_pressure ccm_raw_level(const struct ccm_acct *a, u64 bytes)
{
	enum ccm_pressure level = CCM_PRESSURE_NONE;
	int i;

	for (i = 0; i < CCM_NR_WM; i++)
		if (bytes >= a->wm[i])
			level = CCM_PRESSURE_LOW + i;
	return level;
}

/**
 * ccm_acct_update - recompute the pressure level
 * @a: the accounting state
 *
 * The level rises as soon as the bound reaches a watermark and falls only
 * once the bound is below that watermark by the hysteresis.  Failed
 * telemetry means critical; a forced level wins over everything.
 *
 * Return: the new level, also stored in @a->level.
 */
enum ccm_pressure ccm_acct_update(struct ccm_acct *a)
{
	u64 bound = ccm_acct_bound(a);
	enum ccm_pressure up, down;

	if (a->forced >= 0) {
		a->level = a->forced;
		return a->level;
	}
	/* alarm: ccm_alarm() sets it from any context, without the lock. */
	if (a->tele_failed || READ_ONCE(a->alarm)) {
		a->level = CCM_PRESSURE_CRITICAL;
		return a->level;
	}
	up = ccm_raw_level(a, bound);
	down = ccm_raw_level(a, bound + a->hyst);
	a->level = max(up, min(a->level, down));
	return a->level;
}

/**
 * ccm_acct_admit - admit one page for writing
 * @a: the accounting state
 * @stop: the level at which admission stops: CCM_PRESSURE_HIGH for
 *	consumers, whose escape valve empties the device from there until
 *	the level falls below it again (the watermarks' hysteresis), or
 *	CCM_PRESSURE_CRITICAL
 *
 * Return: CCM_ADMIT_OK, and the page counts as a full page until telemetry
 * accounts it; otherwise why not.
 */
enum ccm_refusal ccm_acct_admit(struct ccm_acct *a, enum ccm_pressure stop)
{
	if (a->tele_failed || READ_ONCE(a->alarm))
		return CCM_REFUSE_TELEMETRY;
	if (ccm_acct_update(a) >= stop)
		return CCM_REFUSE_PRESSURE;
	if (ccm_acct_bound(a) + PAGE_SIZE > a->wm[CCM_WM_CRIT])
		return CCM_REFUSE_CAPACITY;
	a->admitted++;
	ccm_acct_update(a);
	return CCM_ADMIT_OK;
}

/**
 * ccm_acct_cancel - an admitted page was freed before the device wrote it
 * @a: the accounting state
 */
void ccm_acct_cancel(struct ccm_acct *a)
{
	a->cancelled++;
	ccm_acct_update(a);
}

/**
 * ccm_acct_telemetry - apply a telemetry reading
 * @a: the accounting state
 * @used: physical usage, bytes
 * @accounted: how many written pages the reading includes (monotonic)
 *
 * A reading older than the last one applied is ignored.  One below the
 * critical watermark clears an alarm.
 */
void ccm_acct_telemetry(struct ccm_acct *a, u64 used, u64 accounted)
{
	if (accounted < a->tele_accounted)
		return;
	a->tele_used = used;
	a->tele_accounted = accounted;
	a->tele_failed = false;
	if (used + a->inject_used < a->wm[CCM_WM_CRIT])
		WRITE_ONCE(a->alarm, false);
	ccm_acct_update(a);
}

/**
 * ccm_acct_set_wm - set one watermark
 * @a: the accounting state
 * @wm: which one
 * @val: bytes
 *
 * Return: 0, or -EINVAL unless 0 < low < high < critical <= capacity.
 */
int ccm_acct_set_wm(struct ccm_acct *a, enum ccm_wm wm, u64 val)
{
	u64 w[CCM_NR_WM];

	memcpy(w, a->wm, sizeof(w));
	w[wm] = val;
	if (!w[CCM_WM_LOW] || w[CCM_WM_LOW] >= w[CCM_WM_HIGH] ||
	    w[CCM_WM_HIGH] >= w[CCM_WM_CRIT] || w[CCM_WM_CRIT] > a->capacity)
		return -EINVAL;
	a->wm[wm] = val;
	ccm_acct_update(a);
	return 0;
}

/**
 * ccm_ratio - average compression ratio in percent
 * @stored_pages: pages stored
 * @used_bytes: physical bytes they take
 *
 * Return: stored bytes * 100 / used bytes, clamped to
 * CCM_RATIO_MIN..CCM_RATIO_MAX; CCM_RATIO_MIN when nothing is stored.
 */
unsigned int ccm_ratio(u64 stored_pages, u64 used_bytes)
{
	u64 ratio;

	if (!stored_pages)
		return CCM_RATIO_MIN;
	if (!used_bytes)
		return CCM_RATIO_MAX;
	ratio = mul_u64_u64_div_u64(stored_pages, PAGE_SIZE * 100, used_bytes);
	return clamp_t(u64, ratio, CCM_RATIO_MIN, CCM_RATIO_MAX);
}

/**
 * ccm_model_charge - physical bytes a device spends on one page
 * @csize: compressed size in bytes; 0 for a zero page
 * @granule: the device's allocation granule, a power of two
 *
 * A page that does not compress is stored raw.
 *
 * Return: @csize rounded up to @granule, at most PAGE_SIZE.
 */
unsigned int ccm_model_charge(unsigned int csize, unsigned int granule)
{
	if (!csize)
		return 0;
	return min_t(unsigned int, round_up(csize, granule), PAGE_SIZE);
}
