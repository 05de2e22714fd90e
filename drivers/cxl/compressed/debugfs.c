// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs of compressed CXL memory: fault injection, and with
 * CONFIG_CXL_COMPRESSED_TEST a test consumer that stores user data in
 * device pages through the consumer interface.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include "ccm.h"

static struct dentry *ccm_debugfs_root;

static const char * const ccm_inject_str[] = {
	"none", "low", "high", "critical", "off",
};

static int ccm_inject_used_get(void *data, u64 *val)
{
	struct ccm_dev *cd = data;

	*val = READ_ONCE(cd->acct.inject_used);
	return 0;
}

static int ccm_inject_used_set(void *data, u64 val)
{
	struct ccm_dev *cd = data;

	/* Up to the advertised size: no overflow of the usage bound. */
	if (val > range_len(&cd->range))
		return -EINVAL;
	spin_lock(&cd->lock);
	cd->acct.inject_used = val;
	spin_unlock(&cd->lock);
	ccm_level_changed(cd);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_inject_used_fops, ccm_inject_used_get,
			 ccm_inject_used_set, "%llu\n");

static int ccm_inject_fail_get(void *data, u64 *val)
{
	*val = ccm_model_failing(data);
	return 0;
}

static int ccm_inject_fail_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	ccm_model_fail(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_inject_fail_fops, ccm_inject_fail_get,
			 ccm_inject_fail_set, "%llu\n");

/* An alarm raised from hard interrupt context, as a device's would be. */
struct ccm_alarm_irq {
	struct irq_work work;
	struct ccm_dev *cd;
	u64 used;
};

static void ccm_alarm_irq(struct irq_work *work)
{
	struct ccm_alarm_irq *a = container_of(work, struct ccm_alarm_irq,
					       work);

	ccm_alarm(a->cd, a->used);
}

static int ccm_inject_alarm_set(void *data, u64 val)
{
	struct ccm_alarm_irq a = {
		.work = IRQ_WORK_INIT_HARD(ccm_alarm_irq),
		.cd = data,
		.used = val,
	};

	irq_work_queue(&a.work);
	irq_work_sync(&a.work);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_inject_alarm_fops, NULL, ccm_inject_alarm_set,
			 "%llu\n");

static int ccm_model_used_get(void *data, u64 *val)
{
	*val = ccm_model_used(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_model_used_fops, ccm_model_used_get, NULL,
			 "%llu\n");

static int ccm_model_poisoned_get(void *data, u64 *val)
{
	*val = ccm_model_poisoned(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_model_poisoned_fops, ccm_model_poisoned_get,
			 NULL, "%llu\n");

static ssize_t ccm_inject_pressure_read(struct file *file, char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct ccm_dev *cd = file->private_data;
	int forced = READ_ONCE(cd->acct.forced);
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n",
			ccm_inject_str[forced < 0 ? 4 : forced]);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t ccm_inject_pressure_write(struct file *file,
					 const char __user *ubuf,
					 size_t count, loff_t *ppos)
{
	struct ccm_dev *cd = file->private_data;
	char buf[16];
	int i;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	i = sysfs_match_string(ccm_inject_str, buf);
	if (i < 0)
		return -EINVAL;
	spin_lock(&cd->lock);
	cd->acct.forced = i == 4 ? -1 : i;
	spin_unlock(&cd->lock);
	ccm_level_changed(cd);
	return count;
}

static const struct file_operations ccm_inject_pressure_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ccm_inject_pressure_read,
	.write = ccm_inject_pressure_write,
	.llseek = default_llseek,
};

static ssize_t ccm_settle_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	ccm_settle(file->private_data);
	return count;
}

static const struct file_operations ccm_settle_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ccm_settle_write,
	.llseek = noop_llseek,
};

#ifdef CONFIG_CXL_COMPRESSED_TEST
/* The most a single write to test_store stores. */
#define CCM_TEST_MAX_WRITE	SZ_1M

/**
 * struct ccm_test - the debugfs test consumer
 * @lock: serialises its files
 * @pages: held folios, by store order
 * @nr: how many
 */
struct ccm_test {
	struct mutex lock;	/* the test files */
	struct xarray pages;
	unsigned long nr;
};

static void ccm_test_release(struct ccm_dev *cd, struct ccm_test *t,
			     unsigned long n)
{
	struct folio *folio;

	if (!n || n > t->nr)
		n = t->nr;
	while (n--) {
		folio = xa_erase(&t->pages, --t->nr);
		ccm_free_folio(folio);
	}
}

static ssize_t ccm_test_store_write(struct file *file,
				    const char __user *ubuf, size_t count,
				    loff_t *ppos)
{
	struct ccm_dev *cd = file->private_data;
	struct ccm_test *t = cd->test;
	struct folio *folio;
	size_t done = 0;
	int rc = 0;

	if (!count || count > CCM_TEST_MAX_WRITE || !PAGE_ALIGNED(count))
		return -EINVAL;
	mutex_lock(&t->lock);
	for (done = 0; done < count; done += PAGE_SIZE) {
		folio = ccm_dev_alloc(cd, GFP_KERNEL, CCM_PRESSURE_CRITICAL, 0);
		if (IS_ERR(folio)) {
			rc = PTR_ERR(folio);
			break;
		}
		if (copy_from_user(folio_address(folio), ubuf + done,
				   PAGE_SIZE)) {
			ccm_free_folio(folio);
			rc = -EFAULT;
			break;
		}
		ccm_folio_stored(folio, NULL);
		rc = xa_err(xa_store(&t->pages, t->nr, folio, GFP_KERNEL));
		if (rc) {
			ccm_free_folio(folio);
			break;
		}
		t->nr++;
	}
	mutex_unlock(&t->lock);
	return done ? done : rc;
}

static const struct file_operations ccm_test_store_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ccm_test_store_write,
	.llseek = noop_llseek,
};

static ssize_t ccm_test_release_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	struct ccm_dev *cd = file->private_data;
	struct ccm_test *t = cd->test;
	unsigned long n;
	int rc;

	rc = kstrtoul_from_user(ubuf, count, 10, &n);
	if (rc)
		return rc;
	mutex_lock(&t->lock);
	ccm_test_release(cd, t, n);
	mutex_unlock(&t->lock);
	return count;
}

static const struct file_operations ccm_test_release_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ccm_test_release_write,
	.llseek = noop_llseek,
};

static int ccm_test_held_get(void *data, u64 *val)
{
	struct ccm_dev *cd = data;
	struct ccm_test *t = cd->test;

	mutex_lock(&t->lock);
	*val = t->nr;
	mutex_unlock(&t->lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ccm_test_held_fops, ccm_test_held_get, NULL,
			 "%llu\n");

static ssize_t ccm_test_data_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct ccm_dev *cd = file->private_data;
	struct ccm_test *t = cd->test;
	size_t done = 0, off, n;
	struct folio *folio;
	loff_t pos = *ppos;
	ssize_t rc = 0;

	if (pos < 0)
		return -EINVAL;
	mutex_lock(&t->lock);
	while (done < count && (pos >> PAGE_SHIFT) < t->nr) {
		folio = xa_load(&t->pages, pos >> PAGE_SHIFT);
		off = offset_in_page(pos);
		n = min(count - done, PAGE_SIZE - off);
		if (copy_to_user(ubuf + done, folio_address(folio) + off, n)) {
			rc = -EFAULT;
			break;
		}
		done += n;
		pos += n;
	}
	mutex_unlock(&t->lock);
	*ppos = pos;
	return done ? done : rc;
}

static const struct file_operations ccm_test_data_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ccm_test_data_read,
	.llseek = default_llseek,
};

static void ccm_test_init(struct ccm_dev *cd)
{
	struct ccm_test *t = kzalloc_obj(*t);

	if (!t)
		return;
	mutex_init(&t->lock);
	xa_init(&t->pages);
	cd->test = t;
	debugfs_create_file("test_store", 0200, cd->debugfs, cd,
			    &ccm_test_store_fops);
	debugfs_create_file("test_release", 0200, cd->debugfs, cd,
			    &ccm_test_release_fops);
	debugfs_create_file("test_held", 0400, cd->debugfs, cd,
			    &ccm_test_held_fops);
	debugfs_create_file("test_data", 0400, cd->debugfs, cd,
			    &ccm_test_data_fops);
}

static void ccm_test_exit(struct ccm_dev *cd)
{
	struct ccm_test *t = cd->test;

	if (!t)
		return;
	ccm_test_release(cd, t, 0);
	xa_destroy(&t->pages);
	kfree(t);
	cd->test = NULL;
}
#else
static void ccm_test_init(struct ccm_dev *cd)
{
}

static void ccm_test_exit(struct ccm_dev *cd)
{
}
#endif /* CONFIG_CXL_COMPRESSED_TEST */

/**
 * ccm_debugfs_init - create a device's debugfs directory
 * @cd: the device
 */
void ccm_debugfs_init(struct ccm_dev *cd)
{
	cd->debugfs = debugfs_create_dir(dev_name(cd->dev), ccm_debugfs_root);
	debugfs_create_file("inject_used_bytes", 0600, cd->debugfs, cd,
			    &ccm_inject_used_fops);
	debugfs_create_file("inject_pressure", 0600, cd->debugfs, cd,
			    &ccm_inject_pressure_fops);
	debugfs_create_file("inject_alarm", 0200, cd->debugfs, cd,
			    &ccm_inject_alarm_fops);
	debugfs_create_file("inject_telemetry_failure", 0600, cd->debugfs, cd,
			    &ccm_inject_fail_fops);
	debugfs_create_file("model_used_bytes", 0400, cd->debugfs, cd,
			    &ccm_model_used_fops);
	debugfs_create_file("model_poisoned", 0400, cd->debugfs, cd,
			    &ccm_model_poisoned_fops);
	debugfs_create_file("settle", 0200, cd->debugfs, cd,
			    &ccm_settle_fops);
	ccm_test_init(cd);
}

/**
 * ccm_debugfs_exit - remove it, freeing the test consumer's pages
 * @cd: the device
 */
void ccm_debugfs_exit(struct ccm_dev *cd)
{
	debugfs_remove_recursive(cd->debugfs);
	cd->debugfs = NULL;
	ccm_test_exit(cd);
}

/**
 * ccm_debugfs_root_init - create /sys/kernel/debug/cxl_compressed
 */
void ccm_debugfs_root_init(void)
{
	ccm_debugfs_root = debugfs_create_dir("cxl_compressed", NULL);
}

/**
 * ccm_debugfs_root_exit - remove it
 */
void ccm_debugfs_root_exit(void)
{
	debugfs_remove_recursive(ccm_debugfs_root);
}
