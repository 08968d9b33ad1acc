// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions. A candidate starts empty (REPLACE) or as a copy of the live
 * generation's object arrays (taking a reference on each object: O(max id)
 * pointer copies, no object is copied). Commands then replace or drop
 * single objects; a set being edited is turned into a private draft. The
 * commit builds the drafts and the table, checks everything, and swaps the
 * live pointer: the old generation is freed after an RCU grace period.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <net/netfilter/nf_conntrack.h>
#include "txn.h"

static bool expired(const struct podwall_txn *txn)
{
	return time_after(jiffies, txn->last_used + txn->timeout);
}

static void txn_free(struct podwall_txn *txn)
{
	unsigned int i;

	for (i = 0; i < __PODWALL_KIND_MAX; i++)
		podwall_objs_release(&txn->objs[i]);
	podwall_obj_put(txn->node);
	kfree(txn);
}

void podwall_txn_drop(struct podwall_net *pn, struct podwall_txn *txn)
{
	lockdep_assert_held(&pn->lock);
	list_del(&txn->list);
	pn->nr_txns--;
	txn_free(txn);
}

void podwall_txn_drop_all(struct podwall_net *pn)
{
	struct podwall_txn *txn, *tmp;

	list_for_each_entry_safe(txn, tmp, &pn->txns, list)
		podwall_txn_drop(pn, txn);
}

void podwall_txn_gc(struct podwall_net *pn)
{
	struct podwall_txn *txn, *tmp;

	list_for_each_entry_safe(txn, tmp, &pn->txns, list)
		if (expired(txn))
			podwall_txn_drop(pn, txn);
}

static struct podwall_txn *lookup(struct podwall_net *pn, u32 portid)
{
	struct podwall_txn *txn;

	list_for_each_entry(txn, &pn->txns, list)
		if (txn->portid == portid)
			return txn;
	return NULL;
}

struct podwall_txn *podwall_txn_find(struct podwall_net *pn, u32 portid,
				     struct netlink_ext_ack *extack)
{
	struct podwall_txn *txn;

	lockdep_assert_held(&pn->lock);
	txn = lookup(pn, portid);
	if (!txn) {
		NL_SET_ERR_MSG_MOD(extack, "no open transaction on this socket (TXN_BEGIN first)");
		return NULL;
	}
	if (expired(txn)) {
		podwall_txn_drop(pn, txn);
		NL_SET_ERR_MSG_MOD(extack, "transaction idled past its timeout and was dropped");
		return NULL;
	}
	txn->last_used = jiffies;
	return txn;
}

int podwall_txn_begin(struct podwall_net *pn, u32 portid, u32 flags,
		      u32 timeout_ms, u64 *base, struct netlink_ext_ack *extack)
{
	const struct podwall_gen *live;
	struct podwall_txn *txn;
	unsigned int i;
	int err;

	lockdep_assert_held(&pn->lock);
	podwall_txn_gc(pn);
	txn = lookup(pn, portid);
	if (txn) {
		/* A new BEGIN restarts the sender's candidate. */
		podwall_txn_drop(pn, txn);
	}
	if (pn->nr_txns >= PODWALL_MAX_TXNS) {
		NL_SET_ERR_MSG_MOD(extack, "too many open transactions in this netns");
		return -EBUSY;
	}
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return -ENOMEM;
	txn->portid = portid;
	txn->timeout = msecs_to_jiffies(timeout_ms);
	txn->last_used = jiffies;
	live = rcu_dereference_protected(pn->live, lockdep_is_held(&pn->lock));
	txn->base = live ? live->number : 0;
	if (live && !(flags & PODWALL_TXN_F_REPLACE)) {
		for (i = 0; i < __PODWALL_KIND_MAX; i++) {
			err = podwall_objs_copy(&txn->objs[i], &live->objs[i]);
			if (err) {
				txn_free(txn);
				return err;
			}
		}
		if (live->node)
			txn->node = podwall_obj_get(live->node);
	}
	list_add(&txn->list, &pn->txns);
	pn->nr_txns++;
	if (!delayed_work_pending(&pn->gc))
		queue_delayed_work(podwall_wq, &pn->gc, HZ);
	*base = txn->base;
	return 0;
}

int podwall_txn_commit(struct podwall_net *pn, struct podwall_txn *txn,
		       const u64 *expected, u64 *generation,
		       struct netlink_ext_ack *extack)
{
	struct podwall_gen *gen, *old;
	unsigned int i;
	int err;

	lockdep_assert_held(&pn->lock);
	old = rcu_dereference_protected(pn->live, lockdep_is_held(&pn->lock));
	if (expected && *expected != (old ? old->number : 0)) {
		NL_SET_ERR_MSG_MOD(extack, "the live generation is not the expected one");
		return -ESTALE;
	}
	gen = kzalloc(sizeof(*gen), GFP_KERNEL_ACCOUNT);
	if (!gen)
		return -ENOMEM;
	/* The generation borrows the candidate's arrays until it succeeds. */
	memcpy(gen->objs, txn->objs, sizeof(gen->objs));
	gen->node = txn->node;
	gen->number = pn->commits + 1;
	err = podwall_gen_build(gen, extack, pn->msg);
	if (!err)
		err = podwall_netns_enable_ct(pn);
	if (err) {
		memset(gen->objs, 0, sizeof(gen->objs));
		gen->node = NULL;
		podwall_gen_free(gen);
		return err;
	}
	for (i = 0; i < __PODWALL_KIND_MAX; i++) {
		txn->objs[i].v = NULL;
		txn->objs[i].size = 0;
	}
	txn->node = NULL;
	podwall_txn_drop(pn, txn);

	rcu_assign_pointer(pn->live, gen);
	pn->commits++;
	podwall_gen_free_rcu(old);
	*generation = gen->number;
	return 0;
}

/* Drops the candidate of a genl socket when it closes. */
static int release_notify(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct netlink_notify *n = ptr;
	struct podwall_net *pn;
	struct podwall_txn *txn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	pn = podwall_net(n->net);
	mutex_lock(&pn->lock);
	txn = lookup(pn, n->portid);
	if (txn)
		podwall_txn_drop(pn, txn);
	mutex_unlock(&pn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block release_nb = {
	.notifier_call = release_notify,
};

int podwall_txn_notifier_register(void)
{
	return netlink_register_notifier(&release_nb);
}

void podwall_txn_notifier_unregister(void)
{
	netlink_unregister_notifier(&release_nb);
}
