// SPDX-License-Identifier: GPL-2.0
/*
 * An emulated compressing device, for devices that expose no compression
 * telemetry (QEMU's CXL type-3 device, for one).
 *
 * Like an inline-compressing expander it charges each written page its
 * compressed size, computed with the kernel's LZ4 (the algorithm shipping
 * devices use) and rounded up to the device's allocation granule; a zero
 * page costs nothing, an incompressible page a full page.  The fixed-ratio
 * mode charges PAGE_SIZE * 100 / ratio per page without looking at the data.
 * A worker measures written pages and publishes usage every
 * model_telemetry_ms, so telemetry lags the writes as on hardware; a
 * scrubbed page is measured when the scrub is done, before the page is
 * freed.  A write
 * that would take usage past physical capacity is counted as poisoned; with
 * admission working that count stays zero.
 */
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "ccm.h"

#define CCM_GRANULE_DEFAULT	256
#define CCM_RATIO_DEFAULT	200
#define CCM_PERIOD_DEFAULT	20

/**
 * struct ccm_model - state of an emulated device
 * @cd: the device
 * @to_account: per page, written and not yet accounted
 * @synced: per page, its lines reached the device since the model last
 *	looked (ccm_synced()).  TCG has no caches: this is how a missing
 *	write-back shows, as a write never accounted or a scrub that freed
 *	nothing
 * @charge: per page, physical bytes it takes
 * @measure_lock: held while a page is read, so that it is not freed meanwhile
 * @used: physical bytes in use now
 * @accounted: page writes accounted
 * @poisoned: writes past physical capacity
 * @granule: allocation granule, bytes
 * @ratio: the fixed-ratio mode's ratio, percent
 * @period_ms: telemetry period
 * @fail: telemetry reads fail (fault injection)
 * @alarmed: the watermark alarm fired and usage has not dropped since
 * @work: measures pages and publishes telemetry
 * @wrkmem: LZ4 work memory
 * @dst: LZ4 output
 */
struct ccm_model {
	struct ccm_dev *cd;
	unsigned long *to_account;
	unsigned long *synced;
	u32 *charge;
	struct mutex measure_lock;	/* see above */
	u64 used;
	u64 accounted;
	u64 poisoned;
	unsigned int granule;
	unsigned int ratio;
	unsigned int period_ms;
	bool fail;
	bool alarmed;
	struct delayed_work work;
	void *wrkmem;
	void *dst;
};

static void ccm_model_kick(struct ccm_model *m, unsigned long delay)
{
	queue_delayed_work(system_dfl_wq, &m->work, delay);
}

static unsigned int ccm_model_measure(struct ccm_model *m, unsigned long idx)
{
	struct ccm_dev *cd = m->cd;
	struct page *page;
	unsigned int csize;
	void *src;
	int n;

	if (cd->mode == CCM_MODEL_FIXED)
		return ccm_model_charge(DIV_ROUND_UP(PAGE_SIZE * 100, m->ratio),
					m->granule);

	page = pfn_to_page(PHYS_PFN(cd->range.start) + idx);
	src = kmap_local_page(page);
	if (!memchr_inv(src, 0, PAGE_SIZE)) {
		csize = 0;
	} else {
		n = LZ4_compress_default(src, m->dst, PAGE_SIZE,
					 LZ4_COMPRESSBOUND(PAGE_SIZE),
					 m->wrkmem);
		csize = n > 0 ? n : PAGE_SIZE;
	}
	kunmap_local(src);
	return ccm_model_charge(csize, m->granule);
}

/* Caller holds cd->lock.  Charge page @idx @new bytes from now on. */
static void ccm_model_apply(struct ccm_model *m, unsigned long idx,
			    unsigned int new)
{
	u32 old = m->charge[idx];

	if (new > old && m->used + new - old > m->cd->acct.capacity) {
		/* The device poisons the write: nothing is stored. */
		m->poisoned++;
		new = old;
	}
	m->used = m->used - old + new;
	m->charge[idx] = new;
}

static void ccm_model_work(struct work_struct *work)
{
	struct ccm_model *m = container_of(to_delayed_work(work),
					   struct ccm_model, work);
	struct ccm_dev *cd = m->cd;
	unsigned long n = ccm_nr_pages(cd), idx = 0;
	bool store, alarm = false;
	u64 used, accounted, wm;
	unsigned int new;

	for (;;) {
		idx = find_next_bit(m->to_account, n, idx);
		if (idx >= n)
			break;
		/* The scrub worker frees no page while one is measured. */
		mutex_lock(&m->measure_lock);
		spin_lock(&cd->lock);
		/* What the CPU cache still holds has not reached the device. */
		store = test_bit(idx, m->to_account) &&
			test_and_clear_bit(idx, m->synced);
		if (store)
			clear_bit(idx, m->to_account);
		spin_unlock(&cd->lock);
		if (store) {
			new = ccm_model_measure(m, idx);
			spin_lock(&cd->lock);
			ccm_model_apply(m, idx, new);
			m->accounted++;
			spin_unlock(&cd->lock);
		}
		mutex_unlock(&m->measure_lock);
		idx++;
		cond_resched();
	}

	spin_lock(&cd->lock);
	used = m->used;
	accounted = m->accounted;
	wm = cd->acct.wm[CCM_WM_CRIT];
	if (used > wm && !m->alarmed)
		alarm = true;
	m->alarmed = used > wm;
	spin_unlock(&cd->lock);

	/* The device's own threshold interrupt, set at the critical mark. */
	if (alarm)
		ccm_alarm(cd, used);
	if (READ_ONCE(m->fail))
		ccm_telemetry_failed(cd);
	else
		ccm_telemetry(cd, used, accounted);
}

static int ccm_model_start(struct ccm_dev *cd)
{
	unsigned long n = ccm_nr_pages(cd);
	struct ccm_model *m;

	m = kzalloc_obj(*m);
	if (!m)
		return -ENOMEM;
	m->cd = cd;
	m->granule = CCM_GRANULE_DEFAULT;
	m->ratio = CCM_RATIO_DEFAULT;
	m->period_ms = CCM_PERIOD_DEFAULT;
	INIT_DELAYED_WORK(&m->work, ccm_model_work);
	mutex_init(&m->measure_lock);
	m->to_account = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	m->synced = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	m->charge = kvcalloc(n, sizeof(*m->charge), GFP_KERNEL);
	m->wrkmem = kvmalloc(LZ4_MEM_COMPRESS, GFP_KERNEL);
	m->dst = kvmalloc(LZ4_COMPRESSBOUND(PAGE_SIZE), GFP_KERNEL);
	if (!m->to_account || !m->synced || !m->charge || !m->wrkmem ||
	    !m->dst) {
		cd->model = m;
		cd->engine->stop(cd);
		return -ENOMEM;
	}
	cd->model = m;
	return 0;
}

static void ccm_model_stop(struct ccm_dev *cd)
{
	struct ccm_model *m = cd->model;

	cancel_delayed_work_sync(&m->work);
	kvfree(m->dst);
	kvfree(m->wrkmem);
	kvfree(m->charge);
	kvfree(m->synced);
	kvfree(m->to_account);
	kfree(m);
	cd->model = NULL;
}

static void ccm_model_synced(struct ccm_dev *cd, unsigned long idx)
{
	/* The page's data before the bit. */
	smp_mb__before_atomic();
	set_bit(idx, cd->model->synced);
}

static void ccm_model_stored(struct ccm_dev *cd, unsigned long idx)
{
	struct ccm_model *m = cd->model;

	/* The page's data before the bit that sends the worker to read it. */
	smp_mb__before_atomic();
	set_bit(idx, m->to_account);
	ccm_model_kick(m, msecs_to_jiffies(READ_ONCE(m->period_ms)));
}

/*
 * Page @idx was zeroed and is about to be freed.  The device compresses what
 * the page holds, so a scrub that left data behind shows in the usage (the
 * fixed-ratio mode trusts the scrub), and so do zeroes that never left the
 * CPU's cache.  A write the device never accounted is gone now: its
 * admission is cancelled.
 */
static bool ccm_model_scrubbed(struct ccm_dev *cd, unsigned long idx,
			       bool written)
{
	struct ccm_model *m = cd->model;
	unsigned int new = 0;
	bool cancel, synced;

	mutex_lock(&m->measure_lock);
	synced = test_and_clear_bit(idx, m->synced);
	if (synced && cd->mode == CCM_MODEL_LZ4)
		new = ccm_model_measure(m, idx);
	spin_lock(&cd->lock);
	cancel = test_and_clear_bit(idx, m->to_account) || !written;
	ccm_model_apply(m, idx, synced ? new : m->charge[idx]);
	spin_unlock(&cd->lock);
	mutex_unlock(&m->measure_lock);
	ccm_model_kick(m, msecs_to_jiffies(READ_ONCE(m->period_ms)));
	return cancel;
}

static void ccm_model_settle(struct ccm_dev *cd)
{
	struct ccm_model *m = cd->model;
	unsigned long n = ccm_nr_pages(cd);
	int i;

	/* Each pass measures every page written before it starts. */
	for (i = 0; i < 100; i++) {
		mod_delayed_work(system_dfl_wq, &m->work, 0);
		flush_delayed_work(&m->work);
		if (find_first_bit(m->to_account, n) >= n)
			break;
	}
}

const struct ccm_engine ccm_model_engine = {
	.name = "model",
	.start = ccm_model_start,
	.stop = ccm_model_stop,
	.stored = ccm_model_stored,
	.scrubbed = ccm_model_scrubbed,
	.settle = ccm_model_settle,
	.synced = ccm_model_synced,
};

/**
 * ccm_model_fail - make telemetry readings fail, or stop that
 * @cd: the device
 * @fail: fail from now on
 *
 * Failing takes effect at once; recovery at the next reading.
 */
void ccm_model_fail(struct ccm_dev *cd, bool fail)
{
	struct ccm_model *m = cd->model;

	WRITE_ONCE(m->fail, fail);
	if (fail)
		ccm_telemetry_failed(cd);
	ccm_model_kick(m, 0);
}

/**
 * ccm_model_failing - tell whether telemetry failure is injected
 * @cd: the device
 *
 * Return: true if it is.
 */
bool ccm_model_failing(struct ccm_dev *cd)
{
	return READ_ONCE(cd->model->fail);
}

/**
 * ccm_model_used - the emulated device's real usage now
 * @cd: the device
 *
 * Return: bytes.
 */
u64 ccm_model_used(struct ccm_dev *cd)
{
	u64 used;

	spin_lock(&cd->lock);
	used = cd->model->used;
	spin_unlock(&cd->lock);
	return used;
}

/**
 * ccm_model_poisoned - writes the emulated device took past capacity
 * @cd: the device
 *
 * Return: their number.
 */
u64 ccm_model_poisoned(struct ccm_dev *cd)
{
	u64 n;

	spin_lock(&cd->lock);
	n = cd->model->poisoned;
	spin_unlock(&cd->lock);
	return n;
}

static int ccm_model_set_granule(struct ccm_dev *cd, unsigned long val)
{
	cd->model->granule = val;
	return 0;
}

static int ccm_model_set_ratio(struct ccm_dev *cd, unsigned long val)
{
	cd->model->ratio = val;
	return 0;
}

static ssize_t ccm_model_store(struct device *dev, const char *buf,
			       size_t len, unsigned long min, unsigned long max,
			       int (*fn)(struct ccm_dev *, unsigned long))
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	unsigned long val;
	int rc;

	rc = kstrtoul(buf, 10, &val);
	if (rc)
		return rc;
	if (val < min || val > max)
		return -EINVAL;
	rc = ccm_idle_locked_call(cd, fn, val);
	return rc ? rc : len;
}

static ssize_t model_granule_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(cd->model->granule));
}

static ssize_t model_granule_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t len)
{
	unsigned long val;

	if (kstrtoul(buf, 10, &val) || !is_power_of_2(val))
		return -EINVAL;
	return ccm_model_store(dev, buf, len, 16, PAGE_SIZE,
			       ccm_model_set_granule);
}
DEVICE_ATTR_RW(model_granule);

static ssize_t model_ratio_percent_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(cd->model->ratio));
}

static ssize_t model_ratio_percent_store(struct device *dev,
					 struct device_attribute *attr,
					 const char *buf, size_t len)
{
	return ccm_model_store(dev, buf, len, 100, 1600, ccm_model_set_ratio);
}
DEVICE_ATTR_RW(model_ratio_percent);

static ssize_t model_telemetry_ms_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(cd->model->period_ms));
}

static ssize_t model_telemetry_ms_store(struct device *dev,
					struct device_attribute *attr,
					const char *buf, size_t len)
{
	struct ccm_dev *cd = dev_get_drvdata(dev);
	unsigned int val;
	int rc;

	rc = kstrtouint(buf, 10, &val);
	if (rc)
		return rc;
	if (val < 1 || val > 10000)
		return -EINVAL;
	WRITE_ONCE(cd->model->period_ms, val);
	return len;
}
DEVICE_ATTR_RW(model_telemetry_ms);
