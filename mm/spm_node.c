// SPDX-License-Identifier: GPL-2.0
/*
 * Specific Purpose Memory (SPM) nodes.
 *
 * A driver hot-adds device memory with MHP_SPM_NODE.  The node it lands on
 * becomes an SPM node (N_SPM) and never joins N_MEMORY, so the fallback
 * zonelists of other nodes, mempolicy, cpusets, slab, memory tiers, kswapd
 * and kcompactd do not see it.  What is left, an allocation that starts its
 * zonelist walk on the SPM node itself (a preferred node, __GFP_THISNODE,
 * vmalloc_node(), alloc_contig_pages()), is refused by the page allocator
 * unless it carries __GFP_SPM.  Only spm_folio_alloc() sets that flag, and
 * only for the node's owner, which claimed the node before adding memory.
 *
 * All checks sit behind the spm_nodes_present static key, which is enabled
 * when the first SPM node appears: a kernel without SPM memory pays nothing.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/spm_node.h>
#include <linux/vmstat.h>

#include "internal.h"
#include "page_alloc.h"

DEFINE_STATIC_KEY_FALSE(spm_nodes_present);
/* global_zone_page_state() and node_is_spm() are inline: modules use it. */
EXPORT_SYMBOL(spm_nodes_present);
/* folio_is_spm() is inline: modules use it. */
DEFINE_STATIC_KEY_FALSE(spm_mapping);
EXPORT_SYMBOL(spm_mapping);

/* Each node's owner, or NULL. */
static const struct spm_owner *spm_owners[MAX_NUMNODES];

/**
 * spm_node_set - make a node an SPM node
 * @nid: the node id
 *
 * Called by memory hotplug, with mem_hotplug_lock held for writing (and so
 * the CPU hotplug lock for reading), when SPM memory is added to @nid.  The
 * node stays an SPM node until its last memory block is removed.
 */
void spm_node_set(int nid)
{
	node_set_state(nid, N_SPM);
	static_branch_enable_cpuslocked(&spm_nodes_present);
}

/**
 * spm_zone_page_state - what the zones of SPM nodes count of an item
 * @item: the zone counter
 *
 * SPM memory is not in totalram_pages(), and global_zone_page_state() leaves
 * it out with this: free SPM pages are not free memory to dirty limits,
 * MemFree, MemAvailable, sysinfo() or reclaim heuristics.
 *
 * Return: the sum of @item over the zones of all SPM nodes.
 */
unsigned long spm_zone_page_state(enum zone_stat_item item)
{
	unsigned long n = 0;
	int nid;

	for_each_node_state(nid, N_SPM)
		n += sum_zone_node_page_state(nid, item);
	return n;
}
EXPORT_SYMBOL(spm_zone_page_state);

/**
 * spm_node_claim - become the owner of a node's SPM memory
 * @nid: the node
 * @owner: the owner
 *
 * A driver claims the node before it adds SPM memory there, and keeps it
 * until the memory is gone.  Claiming a node one owns already succeeds.
 *
 * Return: 0, -EINVAL for an invalid node, or -EBUSY if another owner has it.
 */
int spm_node_claim(int nid, const struct spm_owner *owner)
{
	const struct spm_owner *old;

	if (nid < 0 || nid >= MAX_NUMNODES || !owner)
		return -EINVAL;
	old = cmpxchg(&spm_owners[nid], NULL, owner);
	return old && old != owner ? -EBUSY : 0;
}
EXPORT_SYMBOL_GPL(spm_node_claim);

/**
 * spm_node_release - give up the ownership of a node
 * @nid: the node
 * @owner: its owner; nothing happens if another owns it
 */
void spm_node_release(int nid, const struct spm_owner *owner)
{
	if (nid >= 0 && nid < MAX_NUMNODES)
		cmpxchg(&spm_owners[nid], owner, NULL);
}
EXPORT_SYMBOL_GPL(spm_node_release);

/**
 * spm_folio_alloc - allocate a folio on an SPM node
 * @owner: the node's owner (spm_node_claim())
 * @nid: the SPM node
 * @gfp: allocation flags; __GFP_SPM and __GFP_THISNODE are added
 * @order: the folio's order
 *
 * The only way to allocate SPM memory, and only for the node's owner: the
 * memory of a device such as a compressing one must not be written past its
 * driver.  The folio is an ordinary buddy folio with a reference held by the
 * caller; it is never on an LRU unless the caller puts it there.  Without
 * __GFP_DIRECT_RECLAIM in @gfp this does not sleep.
 *
 * Return: the folio, or NULL if @nid is not an SPM node, @owner does not
 * own it (logged, rate-limited) or it has no free page.
 */
struct folio *spm_folio_alloc(const struct spm_owner *owner, int nid,
			      gfp_t gfp, unsigned int order)
{
	const struct spm_owner *has;

	if (nid < 0 || nid >= MAX_NUMNODES || !node_is_spm(nid))
		return NULL;
	has = READ_ONCE(spm_owners[nid]);
	if (unlikely(!owner || has != owner)) {
		pr_warn_ratelimited("spm: %s may not allocate on node %d, owned by %s\n",
				    owner ? owner->name : "(no owner)", nid,
				    has ? has->name : "nobody");
		return NULL;
	}
	return __folio_alloc_node(gfp | __GFP_SPM | __GFP_THISNODE, order, nid);
}
EXPORT_SYMBOL_GPL(spm_folio_alloc);

/**
 * spm_folio_free - free a folio allocated by spm_folio_alloc()
 * @folio: the folio; the caller's reference is dropped
 */
void spm_folio_free(struct folio *folio)
{
	VM_WARN_ON_ONCE_FOLIO(!node_is_spm(folio_nid(folio)), folio);
	folio_put(folio);
}
EXPORT_SYMBOL_GPL(spm_folio_free);

/**
 * spm_mapping_enable - let pages of SPM nodes be mapped into processes
 *
 * Called by an owner before it first lets a process map one of its pages.
 * From then on, never off again, the mm treats SPM folios as never
 * exclusive (every write copies them to ordinary memory first), and the
 * page allocator hands every freed SPM page to its owner's page_freed().
 * Until then these checks are patched-out branches.  May sleep.
 */
void spm_mapping_enable(void)
{
	static_branch_enable(&spm_mapping);
}

/**
 * __spm_page_freed - offer a freed page to the owner of its node
 * @page: an order-0 page whose last reference was dropped
 *
 * Return: true if the owner keeps it.
 */
bool __spm_page_freed(struct page *page)
{
	int nid = page_to_nid(page);
	const struct spm_owner *owner;

	if (!node_is_spm(nid))
		return false;
	owner = READ_ONCE(spm_owners[nid]);
	return owner && owner->page_freed && owner->page_freed(page);
}

/**
 * __spm_page_poisoned - tell the owner of a page's node of a memory error
 * @page: a page in use that memory_failure() marked HWPoison
 */
void __spm_page_poisoned(struct page *page)
{
	int nid = page_to_nid(page);
	const struct spm_owner *owner;

	if (!node_is_spm(nid))
		return;
	owner = READ_ONCE(spm_owners[nid]);
	if (owner && owner->page_poisoned)
		owner->page_poisoned(page);
}

/**
 * spm_page_release - free a page its owner kept at free time
 * @page: a page the owner's page_freed() kept
 *
 * The owner must answer false when page_freed() is called for it again,
 * here.  Any context.
 */
void spm_page_release(struct page *page)
{
	free_frozen_pages(page, 0);
}
EXPORT_SYMBOL_GPL(spm_page_release);

/**
 * spm_page_reuse - make a page its owner kept at free time a folio again
 * @page: a page that the owner's page_freed() is about to keep, and whose
 *	data the owner keeps using (a page stored again as it was)
 *
 * Undoes the last user's state the way the page allocator would on a free
 * and an allocation, without either: the data stays, and the page is not
 * poisoned, zeroed or reported freed.  Called from page_freed(), in its
 * context.  The owner then holds it as spm_folio_alloc() returns a folio,
 * and frees it with spm_folio_free().
 *
 * Return: the folio, with one reference.
 */
struct folio *spm_page_reuse(struct page *page)
{
	struct folio *folio = page_folio(page);

	VM_WARN_ON_ONCE_PAGE(page_ref_count(page) || PageTail(page), page);
	/* As __free_pages_prepare() does, see there. */
	if (unlikely(folio_test_mlocked(folio))) {
		__folio_clear_mlocked(folio);
		zone_stat_mod_folio(folio, NR_MLOCK, -1);
		count_vm_event(UNEVICTABLE_PGCLEARED);
	}
	if (folio_test_anon(folio))
		folio->mapping = NULL;
	page_cpupid_reset_last(page);
	page->flags.f &= ~PAGE_FLAGS_CHECK_AT_PREP;
	page->private = 0;
	set_page_refcounted(page);
	return folio;
}
EXPORT_SYMBOL_GPL(spm_page_reuse);
