// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of compressed CXL memory accounting: the usage bound under
 * telemetry lag, watermarks with hysteresis, admission, ratio arithmetic and
 * the device model's granule rounding.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include "ccm.h"

#define CAP	(1024 * PAGE_SIZE)

static void ccm_init_cap(struct ccm_acct *a, u64 cap)
{
	memset(a, 0, sizeof(*a));
	a->forced = -1;
	ccm_acct_init(a, cap);
}

/* Default watermarks are 70/85/95%, page aligned, hysteresis 2%. */
static void ccm_test_defaults(struct kunit *test)
{
	struct ccm_acct a;

	ccm_init_cap(&a, CAP);
	KUNIT_EXPECT_EQ(test, a.wm[CCM_WM_LOW], 716 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a.wm[CCM_WM_HIGH], 870 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a.wm[CCM_WM_CRIT], 972 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a.hyst, 20 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 0);
}

/*
 * Pages admitted since the last reading count as full pages, whatever the
 * device will charge for them, until a reading includes them.
 */
static void ccm_test_bound_under_lag(struct kunit *test)
{
	struct ccm_acct a;
	int i;

	ccm_init_cap(&a, CAP);
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_ADMIT_OK);
	KUNIT_EXPECT_EQ(test, ccm_acct_pending(&a), 10);
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 10 * PAGE_SIZE);

	/* The device accounted 4 of them at 1 KiB each. */
	ccm_acct_telemetry(&a, 4 * SZ_1K, 4);
	KUNIT_EXPECT_EQ(test, ccm_acct_pending(&a), 6);
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 4 * SZ_1K + 6 * PAGE_SIZE);

	/* A stale reading (fewer writes) changes nothing. */
	ccm_acct_telemetry(&a, 0, 2);
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 4 * SZ_1K + 6 * PAGE_SIZE);

	/* One admitted page was freed before it was written. */
	ccm_acct_cancel(&a);
	KUNIT_EXPECT_EQ(test, ccm_acct_pending(&a), 5);

	/* All accounted: the bound is the reading. */
	ccm_acct_telemetry(&a, 9 * SZ_1K, 9);
	KUNIT_EXPECT_EQ(test, ccm_acct_pending(&a), 0);
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 9 * SZ_1K);

	/* Fault injection adds to the reading. */
	a.inject_used = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, ccm_acct_bound(&a), 9 * SZ_1K + PAGE_SIZE);
}

/*
 * With no telemetry at all, admission stops at the critical watermark: the
 * device can never be overrun even if every page is incompressible.
 */
static void ccm_test_admission_stops(struct kunit *test)
{
	struct ccm_acct a;
	u64 n = 0;

	ccm_init_cap(&a, CAP);
	while (ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL) == CCM_ADMIT_OK)
		n++;
	KUNIT_EXPECT_EQ(test, n, 972);
	KUNIT_EXPECT_LE(test, ccm_acct_bound(&a), a.wm[CCM_WM_CRIT]);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_CRITICAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_REFUSE_PRESSURE);

	/* The device reports 4:1 compression: room again. */
	ccm_acct_telemetry(&a, n * PAGE_SIZE / 4, n);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_ADMIT_OK);
}

/*
 * Consumers are admitted below high only, and again only once the level
 * has fallen below high by the hysteresis; critical is the bound for the
 * test consumer.
 */
static void ccm_test_admission_stops_at_high(struct kunit *test)
{
	struct ccm_acct a;
	u64 high;

	ccm_init_cap(&a, CAP);
	high = a.wm[CCM_WM_HIGH];
	ccm_acct_telemetry(&a, high - PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_HIGH), CCM_ADMIT_OK);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_HIGH);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_HIGH),
			CCM_REFUSE_PRESSURE);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL),
			CCM_ADMIT_OK);

	/* Within the hysteresis below high: still refused. */
	ccm_acct_telemetry(&a, high - a.hyst, 2);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_HIGH);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_HIGH),
			CCM_REFUSE_PRESSURE);
	ccm_acct_telemetry(&a, high - a.hyst - PAGE_SIZE, 2);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_LOW);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_HIGH), CCM_ADMIT_OK);
}

/* Just below critical, one more page would cross it: refused. */
static void ccm_test_admission_capacity(struct kunit *test)
{
	struct ccm_acct a;

	ccm_init_cap(&a, CAP);
	ccm_acct_telemetry(&a, a.wm[CCM_WM_CRIT] - PAGE_SIZE / 2, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_HIGH);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_REFUSE_CAPACITY);
	KUNIT_EXPECT_EQ(test, a.admitted, 0);
}

/* Failed telemetry refuses and reads as critical until a good reading. */
static void ccm_test_telemetry_failure(struct kunit *test)
{
	struct ccm_acct a;

	ccm_init_cap(&a, CAP);
	a.tele_failed = true;
	KUNIT_EXPECT_EQ(test, ccm_acct_update(&a), CCM_PRESSURE_CRITICAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_REFUSE_TELEMETRY);
	ccm_acct_telemetry(&a, 0, 0);
	KUNIT_EXPECT_FALSE(test, a.tele_failed);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_ADMIT_OK);
}

/*
 * An alarm refuses and reads as critical through readings above critical;
 * a reading below clears it.
 */
static void ccm_test_alarm(struct kunit *test)
{
	struct ccm_acct a;

	ccm_init_cap(&a, CAP);
	a.alarm = true;
	KUNIT_EXPECT_EQ(test, ccm_acct_update(&a), CCM_PRESSURE_CRITICAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL),
			CCM_REFUSE_TELEMETRY);
	ccm_acct_telemetry(&a, a.wm[CCM_WM_CRIT], 0);
	KUNIT_EXPECT_TRUE(test, a.alarm);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_CRITICAL);
	ccm_acct_telemetry(&a, a.wm[CCM_WM_CRIT] - PAGE_SIZE, 0);
	KUNIT_EXPECT_FALSE(test, a.alarm);
	ccm_acct_telemetry(&a, 0, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_HIGH), CCM_ADMIT_OK);
}

/* Levels rise at a watermark and fall only below it by the hysteresis. */
static void ccm_test_hysteresis(struct kunit *test)
{
	struct ccm_acct a;
	u64 low, high, h;

	ccm_init_cap(&a, CAP);
	low = a.wm[CCM_WM_LOW];
	high = a.wm[CCM_WM_HIGH];
	h = a.hyst;

	ccm_acct_telemetry(&a, low - 1, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);
	ccm_acct_telemetry(&a, low, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_LOW);
	/* Just below low, within the hysteresis: stays low. */
	ccm_acct_telemetry(&a, low - h, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_LOW);
	ccm_acct_telemetry(&a, low - h - 1, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);

	/* Straight to high; down past low in one step. */
	ccm_acct_telemetry(&a, high + PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_HIGH);
	ccm_acct_telemetry(&a, high - h, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_HIGH);
	ccm_acct_telemetry(&a, high - h - 1, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_LOW);
	ccm_acct_telemetry(&a, 0, 0);
	KUNIT_EXPECT_EQ(test, a.level, CCM_PRESSURE_NONE);

	/* A forced level wins until it is lifted. */
	a.forced = CCM_PRESSURE_CRITICAL;
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_REFUSE_PRESSURE);
	a.forced = -1;
	KUNIT_EXPECT_EQ(test, ccm_acct_admit(&a, CCM_PRESSURE_CRITICAL), CCM_ADMIT_OK);
}

/* Watermarks must stay ordered and within capacity; a bad one changes none. */
static void ccm_test_set_wm(struct kunit *test)
{
	struct ccm_acct a;
	u64 before[CCM_NR_WM];

	ccm_init_cap(&a, CAP);
	memcpy(before, a.wm, sizeof(before));
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_LOW, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_LOW, before[1]),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_HIGH, before[2]),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_CRIT, CAP + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_HIGH, before[0]),
			-EINVAL);
	KUNIT_EXPECT_MEMEQ(test, a.wm, before, sizeof(before));
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_CRIT, CAP), 0);
	KUNIT_EXPECT_EQ(test, ccm_acct_set_wm(&a, CCM_WM_LOW, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, a.wm[CCM_WM_LOW], PAGE_SIZE);
}

static void ccm_test_ratio(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ccm_ratio(0, 0), CCM_RATIO_MIN);
	KUNIT_EXPECT_EQ(test, ccm_ratio(0, PAGE_SIZE), CCM_RATIO_MIN);
	KUNIT_EXPECT_EQ(test, ccm_ratio(10, 0), CCM_RATIO_MAX);
	KUNIT_EXPECT_EQ(test, ccm_ratio(2, PAGE_SIZE), 200);
	KUNIT_EXPECT_EQ(test, ccm_ratio(5, 2 * PAGE_SIZE), 250);
	/* Never below 1:1, never above 64:1. */
	KUNIT_EXPECT_EQ(test, ccm_ratio(1, 3 * PAGE_SIZE), CCM_RATIO_MIN);
	KUNIT_EXPECT_EQ(test, ccm_ratio(1000, PAGE_SIZE), CCM_RATIO_MAX);
	/* No overflow: pages * PAGE_SIZE * 100 is above 2^64 here. */
	KUNIT_EXPECT_EQ(test, ccm_ratio(1ULL << 50,
					(1ULL << 49) * PAGE_SIZE), 200);
}

static void ccm_test_charge(struct kunit *test)
{
	/* Zero pages are free. */
	KUNIT_EXPECT_EQ(test, ccm_model_charge(0, 256), 0);
	/* Rounded up to the granule. */
	KUNIT_EXPECT_EQ(test, ccm_model_charge(1, 256), 256);
	KUNIT_EXPECT_EQ(test, ccm_model_charge(256, 256), 256);
	KUNIT_EXPECT_EQ(test, ccm_model_charge(257, 256), 512);
	KUNIT_EXPECT_EQ(test, ccm_model_charge(1500, 1024), 2048);
	KUNIT_EXPECT_EQ(test, ccm_model_charge(17, 16), 32);
	/* Incompressible data is stored raw: never more than a page. */
	KUNIT_EXPECT_EQ(test, ccm_model_charge(PAGE_SIZE + 20, 256), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ccm_model_charge(PAGE_SIZE - 1, PAGE_SIZE),
			PAGE_SIZE);
}

static struct kunit_case ccm_test_cases[] = {
	KUNIT_CASE(ccm_test_defaults),
	KUNIT_CASE(ccm_test_bound_under_lag),
	KUNIT_CASE(ccm_test_admission_stops),
	KUNIT_CASE(ccm_test_admission_stops_at_high),
	KUNIT_CASE(ccm_test_admission_capacity),
	KUNIT_CASE(ccm_test_telemetry_failure),
	KUNIT_CASE(ccm_test_alarm),
	KUNIT_CASE(ccm_test_hysteresis),
	KUNIT_CASE(ccm_test_set_wm),
	KUNIT_CASE(ccm_test_ratio),
	KUNIT_CASE(ccm_test_charge),
	{}
};

static struct kunit_suite ccm_test_suite = {
	.name = "cxl_compressed",
	.test_cases = ccm_test_cases,
};

kunit_test_suite(ccm_test_suite);
