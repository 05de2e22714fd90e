/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Specific Purpose Memory (SPM) nodes: NUMA nodes whose memory only its
 * owner allocates, explicitly.  See Documentation/admin-guide/mm/spm_node.rst.
 */
#ifndef _LINUX_SPM_NODE_H
#define _LINUX_SPM_NODE_H

#include <linux/errno.h>
#include <linux/gfp_types.h>
#include <linux/jump_label.h>
#include <linux/nodemask.h>

struct folio;
struct page;

/**
 * struct spm_owner - the one allocator of an SPM node's memory
 * @name: for messages
 * @page_freed: called, once SPM pages may be mapped (spm_mapping_enable()),
 *	when the last reference to an order-0 page of the node is dropped,
 *	before the page allocator does anything with it; in any context
 *	but NMI, hard IRQ included.  Returns true to keep the page: the owner then holds
 *	it frozen (reference count 0, the page allocator's flags and fields
 *	untouched, page->pcp_llist free for its use) and later hands it to
 *	spm_page_release(), or makes it a folio again for its own use with
 *	spm_page_reuse().  Returns false to let the page be freed: pages
 *	the owner frees itself, and pages with a memory error.  NULL: keep
 *	nothing.
 * @page_poisoned: called, once SPM pages may be mapped, when
 *	memory_failure() finds a memory error in a page of the node that is
 *	in use (it holds a reference, and keeps the page from then on), in
 *	process context, with the page marked HWPoison.  A page the owner
 *	let the mm map will not come back through @page_freed.  NULL: nothing
 *	to do.
 *
 * A driver that hot-adds SPM memory claims its node with spm_node_claim();
 * only the owner allocates there, through spm_folio_alloc().  A page it
 * lets a process map comes back to it through @page_freed, however the
 * mapping ends, so that it can, for example, zero it first.
 */
struct spm_owner {
	const char *name;
	bool (*page_freed)(struct page *page);
	void (*page_poisoned)(struct page *page);
};

#ifdef CONFIG_SPM_NODE
DECLARE_STATIC_KEY_FALSE(spm_nodes_present);
DECLARE_STATIC_KEY_FALSE(spm_mapping);

/**
 * spm_mapping_on - may pages of SPM nodes be mapped into processes?
 *
 * Return: true once spm_mapping_enable() was called; a patched-out branch
 * before.
 */
static inline bool spm_mapping_on(void)
{
	return static_branch_unlikely(&spm_mapping);
}

/**
 * node_is_spm - is a node a Specific Purpose Memory node?
 * @nid: the node id
 *
 * Costs a patched-out branch until the first SPM node appears.
 *
 * Return: true if memory was hot-added to @nid as SPM and is still present.
 */
static inline bool node_is_spm(int nid)
{
	return static_branch_unlikely(&spm_nodes_present) &&
	       node_state(nid, N_SPM);
}

/**
 * spm_node_forbidden - may an allocation not take memory from a node?
 * @nid: the node the page allocator is about to take memory from
 * @gfp: the allocation's flags
 *
 * Return: true if @nid is an SPM node and @gfp does not ask for SPM memory.
 */
static inline bool spm_node_forbidden(int nid, gfp_t gfp)
{
	return node_is_spm(nid) && !(gfp & __GFP_SPM);
}

void spm_node_set(int nid);
int spm_node_claim(int nid, const struct spm_owner *owner);
void spm_node_release(int nid, const struct spm_owner *owner);
struct folio *spm_folio_alloc(const struct spm_owner *owner, int nid,
			      gfp_t gfp, unsigned int order);
void spm_folio_free(struct folio *folio);
void spm_mapping_enable(void);
bool __spm_page_freed(struct page *page);
void __spm_page_poisoned(struct page *page);
void spm_page_release(struct page *page);
struct folio *spm_page_reuse(struct page *page);

/**
 * spm_page_freed - let the owner of an SPM node take a freed page back
 * @page: a page whose last reference was dropped
 * @order: its order
 *
 * Called by the page allocator first thing when a page is freed.
 *
 * Return: true if the owner keeps @page (see struct spm_owner).
 */
static inline bool spm_page_freed(struct page *page, unsigned int order)
{
	return spm_mapping_on() && !order && __spm_page_freed(page);
}

/**
 * spm_page_poisoned - tell the owner of an SPM node of a memory error
 * @page: a page in use, just marked HWPoison by memory_failure()
 */
static inline void spm_page_poisoned(struct page *page)
{
	if (spm_mapping_on())
		__spm_page_poisoned(page);
}
#else
static inline bool node_is_spm(int nid)
{
	return false;
}

static inline bool spm_mapping_on(void)
{
	return false;
}

static inline bool spm_page_freed(struct page *page, unsigned int order)
{
	return false;
}

static inline void spm_page_poisoned(struct page *page)
{
}

static inline bool spm_node_forbidden(int nid, gfp_t gfp)
{
	return false;
}

static inline void spm_node_set(int nid)
{
}

static inline int spm_node_claim(int nid, const struct spm_owner *owner)
{
	return -EOPNOTSUPP;
}

static inline void spm_node_release(int nid, const struct spm_owner *owner)
{
}

static inline struct folio *spm_folio_alloc(const struct spm_owner *owner,
					    int nid, gfp_t gfp,
					    unsigned int order)
{
	return NULL;
}

static inline void spm_folio_free(struct folio *folio)
{
}

static inline void spm_mapping_enable(void)
{
}

static inline void spm_page_release(struct page *page)
{
}

static inline struct folio *spm_page_reuse(struct page *page)
{
	return NULL;
}
#endif /* CONFIG_SPM_NODE */

#endif /* _LINUX_SPM_NODE_H */
