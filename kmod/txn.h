/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Candidates: a policy set being edited by one netlink socket (portid).
 * Ownership: a candidate belongs to its netns (struct podwall_net.txns) and
 * holds one reference on each of its objects; everything here runs under
 * the netns lock. A candidate ends on commit, abort, socket release or
 * idle timeout.
 */
#ifndef _PODWALL_TXN_H
#define _PODWALL_TXN_H

#include <linux/list.h>
#include "netns.h"

#define PODWALL_MAX_TXNS	16	/* open candidates per netns */

struct podwall_txn {
	struct list_head list;
	u32 portid;
	u64 base;			/* live generation when opened */
	unsigned long timeout;		/* jiffies */
	unsigned long last_used;	/* jiffies */
	struct podwall_objs objs[__PODWALL_KIND_MAX];
	struct podwall_obj *node;
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

int podwall_txn_notifier_register(void);
void podwall_txn_notifier_unregister(void);

#endif /* _PODWALL_TXN_H */
