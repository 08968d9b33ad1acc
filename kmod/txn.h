/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Candidates: a policy set being edited by one netlink socket (portid).
 * A candidate is a view (gen.h) that starts as a copy of the live
 * generation's roots (or empty, for REPLACE) and records which objects it
 * changed, so the commit checks and builds only those.
 *
 * Ownership: a candidate belongs to its netns (struct podwall_net.txns)
 * and holds references like a generation; everything here runs under the
 * netns lock. A candidate ends on commit, abort, socket release or idle
 * timeout.
 */
#ifndef _PODWALL_TXN_H
#define _PODWALL_TXN_H

#include <linux/list.h>
#include "netns.h"

#define PODWALL_MAX_TXNS	16	/* open candidates per netns */

struct podwall_change {
	u32 kind;
	u32 id;
};

struct podwall_txn {
	struct list_head list;
	u32 portid;
	u64 base;			/* live generation when opened */
	bool replace;			/* started empty */
	bool index_dirty;		/* endpoint addresses changed */
	bool broken;			/* bookkeeping ran out of memory */
	unsigned long timeout;		/* jiffies */
	unsigned long last_used;	/* jiffies */
	struct podwall_view view;
	struct podwall_change *changes;	/* ids stored or deleted, in order */
	u32 nr_changes;
	u32 max_changes;
	char msg[PODWALL_MSG_MAX];	/* extack text of the last failure */
};

int podwall_txn_begin(struct podwall_net *pn, u32 portid, u32 flags,
		      u32 timeout_ms, u64 *base, struct netlink_ext_ack *extack);
/* The sender's candidate, or NULL (extack set) if none or it expired. */
struct podwall_txn *podwall_txn_find(struct podwall_net *pn, u32 portid,
				     struct netlink_ext_ack *extack);
/* On success the candidate is gone; on failure it stays open. */
int podwall_txn_commit(struct podwall_net *pn, struct podwall_txn *txn,
		       const u64 *expected, u64 *generation,
		       struct netlink_ext_ack *extack);
void podwall_txn_drop(struct podwall_net *pn, struct podwall_txn *txn);
void podwall_txn_drop_all(struct podwall_net *pn);
void podwall_txn_gc(struct podwall_net *pn);

static inline struct podwall_obj *podwall_txn_obj(const struct podwall_txn *txn,
						  enum podwall_kind kind, u32 id)
{
	return podwall_ids_get(&txn->view.ids[kind], id);
}

/*
 * Stores @obj (NULL: deletes) as object @id of @kind, taking over the
 * caller's reference (also on failure). A failure after the first change
 * leaves the candidate broken: its commit is refused.
 */
int podwall_txn_store(struct podwall_txn *txn, enum podwall_kind kind, u32 id,
		      struct podwall_obj *obj);
/* Adds (@add) or removes prefixes of set @id: -ENOENT if there is none. */
int podwall_txn_edit_set(struct podwall_txn *txn, u32 id, bool add,
			 const struct pw_addr *p, u32 n);
/* Replaces the node set (NULL: none), taking over the reference. */
void podwall_txn_set_node(struct podwall_txn *txn, struct podwall_obj *node);

int podwall_txn_notifier_register(void);
void podwall_txn_notifier_unregister(void);

#endif /* _PODWALL_TXN_H */
