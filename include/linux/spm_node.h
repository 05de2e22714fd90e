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

/**
 * struct spm_owner - the one allocator of an SPM node's memory
 * @name: for messages
 *
 * A driver that hot-adds SPM memory claims its node with spm_node_claim();
 * only the owner allocates there, through spm_folio_alloc().
 */
struct spm_owner {
	const char *name;
};

#ifdef CONFIG_SPM_NODE
DECLARE_STATIC_KEY_FALSE(spm_nodes_present);

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
#else
static inline bool node_is_spm(int nid)
{
	return false;
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
#endif /* CONFIG_SPM_NODE */

#endif /* _LINUX_SPM_NODE_H */
