// SPDX-License-Identifier: GPL-2.0
/*
 * Test interface for SPM node allocations, for the zswap_spm kselftests.
 *
 * /sys/kernel/debug/spm_node_test/
 *   nid    the SPM node to use (read/write)
 *   alloc  write N: allocate N pages on @nid with spm_folio_alloc(), each
 *          filled with a pattern; all or nothing (-ENOMEM).  -EINVAL if
 *          @nid is not an SPM node.  The interface owns the node while it
 *          holds pages there: -EBUSY if another owner (a driver such as
 *          cxl_compressed) has it, or if it holds pages on another node.
 *   free   write N (or "all"): verify and free N held pages; -EIO if a
 *          page's pattern changed, which is also logged.
 *   held   read: the number of pages held
 *   probe  read: allocate with every general-purpose interface, naming @nid
 *          as the preferred node and without __GFP_SPM, and report the node
 *          each allocation landed on (or "none"); none may be @nid.
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spm_node.h>
#include <linux/vmalloc.h>

static DEFINE_MUTEX(spm_test_lock);
static LIST_HEAD(spm_test_folios);	/* guarded by spm_test_lock */
static unsigned long spm_test_held;	/* guarded by spm_test_lock */
static u32 spm_test_nid = NUMA_NO_NODE;
static int spm_test_owned = NUMA_NO_NODE;	/* guarded by spm_test_lock */
static const struct spm_owner spm_test_owner = { .name = "spm_node_test" };

static void spm_test_fill(struct folio *folio, unsigned long seq)
{
	u64 *p = folio_address(folio);
	int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = seq * 0x9e3779b97f4a7c15ULL + i;
}

static bool spm_test_check(struct folio *folio, unsigned long seq)
{
	u64 *p = folio_address(folio);
	int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		if (p[i] != seq * 0x9e3779b97f4a7c15ULL + i)
			return false;
	return true;
}

/* Free up to @nr held folios, newest first; returns -EIO on corruption. */
static int spm_test_free(unsigned long nr)
{
	struct folio *folio, *tmp;
	int ret = 0;

	list_for_each_entry_safe(folio, tmp, &spm_test_folios, lru) {
		if (!nr--)
			break;
		if (!spm_test_check(folio, spm_test_held - 1)) {
			pr_err("spm_node_test: page %lu on node %d corrupted\n",
			       spm_test_held - 1, folio_nid(folio));
			ret = -EIO;
		}
		list_del(&folio->lru);
		spm_folio_free(folio);
		spm_test_held--;
	}
	if (!spm_test_held && spm_test_owned != NUMA_NO_NODE) {
		spm_node_release(spm_test_owned, &spm_test_owner);
		spm_test_owned = NUMA_NO_NODE;
	}
	return ret;
}

static int spm_test_alloc(unsigned long nr)
{
	unsigned long done;
	struct folio *folio;

	if (spm_test_nid >= MAX_NUMNODES || !node_is_spm(spm_test_nid))
		return -EINVAL;
	if (!nr)
		return 0;
	if (spm_test_owned == NUMA_NO_NODE) {
		if (spm_node_claim(spm_test_nid, &spm_test_owner))
			return -EBUSY;
		spm_test_owned = spm_test_nid;
	} else if (spm_test_owned != spm_test_nid) {
		return -EBUSY;
	}
	for (done = 0; done < nr; done++) {
		folio = spm_folio_alloc(&spm_test_owner, spm_test_nid,
					GFP_KERNEL | __GFP_NOWARN, 0);
		if (!folio) {
			spm_test_free(done);
			return -ENOMEM;
		}
		if (WARN_ON_ONCE(folio_nid(folio) != spm_test_nid)) {
			spm_folio_free(folio);
			spm_test_free(done);
			return -EFAULT;
		}
		spm_test_fill(folio, spm_test_held);
		list_add(&folio->lru, &spm_test_folios);
		spm_test_held++;
		cond_resched();
	}
	return 0;
}

static ssize_t spm_test_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos, bool alloc)
{
	unsigned long nr;
	char buf[24];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!alloc && sysfs_streq(buf, "all"))
		nr = ULONG_MAX;
	else if (kstrtoul(buf, 0, &nr))
		return -EINVAL;

	mutex_lock(&spm_test_lock);
	ret = alloc ? spm_test_alloc(nr) : spm_test_free(nr);
	mutex_unlock(&spm_test_lock);
	return ret ? ret : len;
}

static ssize_t alloc_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	return spm_test_write(file, ubuf, len, ppos, true);
}

static ssize_t free_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	return spm_test_write(file, ubuf, len, ppos, false);
}

static const struct file_operations alloc_fops = {
	.write = alloc_write,
};

static const struct file_operations free_fops = {
	.write = free_write,
};

static int held_get(void *data, u64 *val)
{
	mutex_lock(&spm_test_lock);
	*val = spm_test_held;
	mutex_unlock(&spm_test_lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(held_fops, held_get, NULL, "%llu\n");

/* Where an allocation from hard interrupt context lands. */
struct spm_test_irq {
	struct irq_work work;
	struct page *page;
};

static void spm_test_irq_alloc(struct irq_work *work)
{
	struct spm_test_irq *t = container_of(work, struct spm_test_irq, work);

	t->page = alloc_pages_node(spm_test_nid, GFP_ATOMIC | __GFP_NOWARN, 0);
}

static void probe_report(struct seq_file *m, const char *what, struct page *page)
{
	if (page)
		seq_printf(m, "%s %d\n", what, page_to_nid(page));
	else
		seq_printf(m, "%s none\n", what);
}

static int probe_show(struct seq_file *m, void *v)
{
	const int nid = spm_test_nid;
	struct spm_test_irq t = { .work = IRQ_WORK_INIT_HARD(spm_test_irq_alloc) };
	struct page *page;
	void *p;

	if (nid >= MAX_NUMNODES || !node_online(nid))
		return -EINVAL;

	page = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN, 0);
	probe_report(m, "alloc_pages_node", page);
	if (page)
		__free_page(page);

	page = alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 0);
	probe_report(m, "alloc_pages_node_thisnode", page);
	if (page)
		__free_page(page);

	page = alloc_pages_node(nid, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0);
	probe_report(m, "alloc_pages_node_movable", page);
	if (page)
		__free_page(page);

	page = NULL;
#ifdef CONFIG_CONTIG_ALLOC
	page = alloc_contig_pages(4, GFP_KERNEL | __GFP_NOWARN, nid, NULL);
#endif
	probe_report(m, "alloc_contig_pages", page);
	if (page)
		free_contig_range(page_to_pfn(page), 4);

	p = kmalloc_node(64, GFP_KERNEL | __GFP_NOWARN, nid);
	probe_report(m, "kmalloc_node_slab", p ? virt_to_page(p) : NULL);
	kfree(p);

	p = kmalloc_node(PAGE_SIZE * 2, GFP_KERNEL | __GFP_NOWARN, nid);
	probe_report(m, "kmalloc_node_large", p ? virt_to_page(p) : NULL);
	kfree(p);

	p = vmalloc_node(PAGE_SIZE, nid);
	probe_report(m, "vmalloc_node", p ? vmalloc_to_page(p) : NULL);
	vfree(p);

	irq_work_queue(&t.work);
	irq_work_sync(&t.work);
	probe_report(m, "hardirq_alloc_pages_node", t.page);
	if (t.page)
		__free_page(t.page);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe);

static int __init spm_node_test_init(void)
{
	struct dentry *dir = debugfs_create_dir("spm_node_test", NULL);

	debugfs_create_u32("nid", 0600, dir, &spm_test_nid);
	debugfs_create_file("alloc", 0200, dir, NULL, &alloc_fops);
	debugfs_create_file("free", 0200, dir, NULL, &free_fops);
	debugfs_create_file("held", 0400, dir, NULL, &held_fops);
	debugfs_create_file("probe", 0400, dir, NULL, &probe_fops);
	return 0;
}
late_initcall(spm_node_test_init);
