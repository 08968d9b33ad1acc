// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions. A candidate starts empty (REPLACE) or as a copy of the
 * live generation's roots: O(leaves), no object is copied. Commands store
 * or delete single objects, copying only the id leaves they touch, and
 * keep per-id referrer counts, object counts, prefix and memory totals up
 * to date by difference. The commit checks only what changed: the
 * references of each changed object, that nothing still refers to a
 * deleted one, and the address index if endpoint addresses moved; then
 * it swaps the live pointer. The old generation is freed after an RCU
 * grace period.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <net/netfilter/nf_conntrack.h>
#include "txn.h"
#include "set.h"

static bool expired(const struct podwall_txn *txn)
{
	return time_after(jiffies, txn->last_used + txn->timeout);
}

static void txn_free(struct podwall_txn *txn)
{
	podwall_view_release(&txn->view);
	kvfree(txn->changes);
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
	txn->replace = !live || (flags & PODWALL_TXN_F_REPLACE);
	if (!txn->replace && podwall_view_copy(&txn->view, &live->view)) {
		kfree(txn);
		return -ENOMEM;
	}
	list_add(&txn->list, &pn->txns);
	pn->nr_txns++;
	if (!delayed_work_pending(&pn->gc))
		queue_delayed_work(podwall_wq, &pn->gc, HZ);
	*base = txn->base;
	return 0;
}

static int note_change(struct podwall_txn *txn, enum podwall_kind kind, u32 id)
{
	if (txn->nr_changes == txn->max_changes) {
		u32 max = max(64U, 2 * txn->max_changes);
		struct podwall_change *v;

		v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
		if (txn->nr_changes)
			memcpy(v, txn->changes, txn->nr_changes * sizeof(*v));
		kvfree(txn->changes);
		txn->changes = v;
		txn->max_changes = max;
	}
	txn->changes[txn->nr_changes].kind = kind;
	txn->changes[txn->nr_changes].id = id;
	txn->nr_changes++;
	return 0;
}

/* Adds @delta to the referrer counts of what @obj refers to. */
static int use_refs(struct podwall_txn *txn, const struct podwall_obj *obj,
		    int delta)
{
	struct podwall_ids *ids = txn->view.ids;
	const struct pw_rule *r;
	const struct pw_ep *ep;
	unsigned int d;
	int err = 0;
	u32 j;

	switch (obj->kind) {
	case PODWALL_RULE:
		r = obj->rule;
		if (!(r->flags & PW_RULE_F_ANY_PEER) &&
		    podwall_ids_use(&ids[PODWALL_SET], r->set, delta))
			err = -ENOMEM;
		if (podwall_ids_use(&ids[PODWALL_POLICY], r->policy, delta))
			err = -ENOMEM;
		break;
	case PODWALL_EP:
		ep = obj->ep;
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			for (j = 0; j < ep->nr_rules[d]; j++)
				if (podwall_ids_use(&ids[PODWALL_RULE],
						    ep->rules[d][j], delta))
					err = -ENOMEM;
			for (j = 0; j < ep->nr_policies[d]; j++)
				if (podwall_ids_use(&ids[PODWALL_POLICY],
						    ep->policies[d][j], delta))
					err = -ENOMEM;
		}
		break;
	}
	return err;
}

static bool same_addrs(const struct podwall_obj *a, const struct podwall_obj *b)
{
	if (!a || !b || a->ep->nr_addrs != b->ep->nr_addrs)
		return false;
	return !memcmp(a->ep->addrs, b->ep->addrs,
		       a->ep->nr_addrs * sizeof(*a->ep->addrs));
}

/* Totals of @view with @obj counted @delta times. */
static void account(struct podwall_view *view, const struct podwall_obj *obj,
		    int delta)
{
	view->count[obj->kind] += delta;
	view->obj_memory += delta * (s64)podwall_obj_memory(obj);
	if (obj->kind == PODWALL_SET)
		view->nr_prefixes += delta * (s64)podwall_set_count(obj);
}

int podwall_txn_store(struct podwall_txn *txn, enum podwall_kind kind, u32 id,
		      struct podwall_obj *obj)
{
	struct podwall_obj *old = podwall_txn_obj(txn, kind, id);
	int err;

	if (!old && !obj)
		return 0;
	if (obj)
		obj->owner = txn;
	if (kind == PODWALL_EP && !same_addrs(old, obj))
		txn->index_dirty = true;
	err = note_change(txn, kind, id);
	if (!err && old)
		err = use_refs(txn, old, -1);
	if (!err && obj)
		err = use_refs(txn, obj, 1);
	if (err) {
		txn->broken = true;
		podwall_obj_put(obj);
		return err;
	}
	if (old)
		account(&txn->view, old, -1);
	if (obj)
		account(&txn->view, obj, 1);
	err = podwall_ids_store(&txn->view.ids[kind], id, obj);
	if (err)
		txn->broken = true;
	return err;
}

int podwall_txn_edit_set(struct podwall_txn *txn, u32 id, bool add,
			 const struct pw_addr *p, u32 n)
{
	struct podwall_obj *obj = podwall_txn_obj(txn, PODWALL_SET, id);
	int err;

	if (!obj)
		return -ENOENT;
	if (obj->owner != txn) {
		/* Published sets are shared: edit a copy (it shares shards). */
		obj = podwall_set_clone(obj);
		if (!obj)
			return -ENOMEM;
		err = podwall_txn_store(txn, PODWALL_SET, id, obj);
		if (err)
			return err;
	}
	account(&txn->view, obj, -1);
	if (add)
		err = podwall_set_add(obj, obj->fresh, p, n);
	else
		err = podwall_set_del(obj, p, n);
	account(&txn->view, obj, 1);
	/* A rebuilt set is a new pw_set: the leaf must point at it. */
	if (podwall_ids_refresh(&txn->view.ids[PODWALL_SET], id))
		txn->broken = true;
	/* A partial edit must not be committed. */
	if (err && err != -E2BIG && err != -EINVAL)
		txn->broken = true;
	return err;
}

/* The node set is not an id'd set: it counts prefixes and memory only. */
static void account_node(struct podwall_view *view, int delta)
{
	view->obj_memory += delta * (s64)podwall_obj_memory(view->node);
	view->nr_prefixes += delta * (s64)view->node->set->nr_prefixes;
}

void podwall_txn_set_node(struct podwall_txn *txn, struct podwall_obj *node)
{
	if (txn->view.node) {
		account_node(&txn->view, -1);
		podwall_obj_put(txn->view.node);
	}
	txn->view.node = node;
	if (node) {
		node->owner = txn;
		account_node(&txn->view, 1);
	}
}

static __printf(4, 5) int fail(struct netlink_ext_ack *extack, char *msg,
			       int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, PODWALL_MSG_MAX, fmt, ap);
	va_end(ap);
	if (extack)
		extack->_msg = msg;
	return err;
}

static const char *const kind_name[__PODWALL_KIND_MAX] = {
	[PODWALL_POLICY]	= "policy",
	[PODWALL_SET]		= "set",
	[PODWALL_RULE]		= "rule",
	[PODWALL_EP]		= "endpoint",
};

/* Some object of @view that refers to @id of @kind (for the message). */
static const struct podwall_obj *
find_referrer(const struct podwall_view *view, enum podwall_kind kind, u32 id)
{
	const struct podwall_obj *obj;
	unsigned int d;
	u32 i, j;

	for (i = 0; (obj = podwall_ids_next(&view->ids[PODWALL_RULE], &i)); i++)
		if ((kind == PODWALL_SET && obj->rule->set == id &&
		     !(obj->rule->flags & PW_RULE_F_ANY_PEER)) ||
		    (kind == PODWALL_POLICY && obj->rule->policy == id))
			return obj;
	for (i = 0; (obj = podwall_ids_next(&view->ids[PODWALL_EP], &i)); i++)
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			for (j = 0; kind == PODWALL_RULE && j < obj->ep->nr_rules[d]; j++)
				if (obj->ep->rules[d][j] == id)
					return obj;
			for (j = 0; kind == PODWALL_POLICY && j < obj->ep->nr_policies[d]; j++)
				if (obj->ep->policies[d][j] == id)
					return obj;
		}
	return NULL;
}

static int check_deleted(struct podwall_txn *txn, enum podwall_kind kind,
			 u32 id, struct netlink_ext_ack *extack)
{
	const struct podwall_obj *user;

	if (!podwall_ids_users(&txn->view.ids[kind], id))
		return 0;
	user = find_referrer(&txn->view, kind, id);
	if (user)
		return fail(extack, txn->msg, -ENOENT,
			    "%s %u: %s %u does not exist",
			    kind_name[user->kind], user->id, kind_name[kind], id);
	return fail(extack, txn->msg, -ENOENT, "%s %u does not exist but is in use",
		    kind_name[kind], id);
}

static int check_policies(struct podwall_txn *txn, const struct podwall_obj *obj,
			  struct netlink_ext_ack *extack)
{
	const struct podwall_ids *pols = &txn->view.ids[PODWALL_POLICY];
	unsigned int d;
	u32 j;

	if (obj->kind == PODWALL_RULE) {
		if (!podwall_ids_get(pols, obj->rule->policy))
			return fail(extack, txn->msg, -ENOENT,
				    "rule %u: policy %u does not exist",
				    obj->id, obj->rule->policy);
		return 0;
	}
	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		for (j = 0; j < obj->ep->nr_policies[d]; j++)
			if (!podwall_ids_get(pols, obj->ep->policies[d][j]))
				return fail(extack, txn->msg, -ENOENT,
					    "endpoint %u: %s policy %u does not exist",
					    obj->id, d == PODWALL_DIR_INGRESS ?
					    "ingress" : "egress",
					    obj->ep->policies[d][j]);
	return 0;
}

static int check_refs(struct podwall_txn *txn, const struct pw_table *t,
		      const struct podwall_obj *obj, struct netlink_ext_ack *extack)
{
	u32 ref = 0;

	switch (obj->kind == PODWALL_RULE ? pw_rule_check(t, obj->rule, &ref) :
		pw_ep_check(t, obj->ep, &ref)) {
	case PW_CHECK_OK:
		break;
	case PW_CHECK_RULE_NO_SET:
		return fail(extack, txn->msg, -ENOENT,
			    "rule %u: peer set %u does not exist", obj->id, ref);
	case PW_CHECK_EP_NO_RULE:
		return fail(extack, txn->msg, -ENOENT,
			    "endpoint %u: rule %u does not exist", obj->id, ref);
	case PW_CHECK_EP_RULE_DIR:
		return fail(extack, txn->msg, -EINVAL,
			    "endpoint %u: rule %u is listed under the wrong direction",
			    obj->id, ref);
	}
	return check_policies(txn, obj, extack);
}

/* A rule that changed direction: every endpoint must still agree. */
static int check_all_eps(struct podwall_txn *txn, const struct pw_table *t,
			 struct netlink_ext_ack *extack)
{
	const struct podwall_obj *obj;
	u32 i;
	int err;

	for (i = 0; (obj = podwall_ids_next(&txn->view.ids[PODWALL_EP], &i)); i++) {
		err = check_refs(txn, t, obj, extack);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Checks what the candidate changed against the candidate as a whole.
 * @base is the generation the candidate started from (NULL for REPLACE).
 */
static int check(struct podwall_txn *txn, const struct podwall_gen *base,
		 const struct pw_table *t, struct netlink_ext_ack *extack)
{
	bool dir_changed = false;
	u32 i;
	int err;

	for (i = 0; i < txn->nr_changes; i++) {
		enum podwall_kind kind = txn->changes[i].kind;
		u32 id = txn->changes[i].id;
		const struct podwall_obj *obj = podwall_txn_obj(txn, kind, id);
		const struct podwall_obj *was;

		if (!obj) {
			err = check_deleted(txn, kind, id, extack);
		} else if (kind == PODWALL_RULE || kind == PODWALL_EP) {
			err = check_refs(txn, t, obj, extack);
			if (kind == PODWALL_RULE && base) {
				was = podwall_gen_obj(base, kind, id);
				if (was && was->rule->dir != obj->rule->dir)
					dir_changed = true;
			}
		} else {
			err = 0;
		}
		if (err)
			return err;
	}
	return dir_changed ? check_all_eps(txn, t, extack) : 0;
}

/* Builds the prefixes that fresh sets collected into them. */
static int flush_sets(struct podwall_txn *txn, struct netlink_ext_ack *extack)
{
	u32 i;
	int err;

	for (i = 0; i < txn->nr_changes; i++) {
		u32 id = txn->changes[i].id;
		struct podwall_obj *obj;

		if (txn->changes[i].kind != PODWALL_SET)
			continue;
		obj = podwall_txn_obj(txn, PODWALL_SET, id);
		if (!obj || !obj->nr_pending)
			continue;
		account(&txn->view, obj, -1);
		err = podwall_set_flush(obj);
		account(&txn->view, obj, 1);
		if (!err)
			err = podwall_ids_refresh(&txn->view.ids[PODWALL_SET], id);
		if (err)
			return fail(extack, txn->msg, err,
				    "set %u: cannot build its prefixes (%d)", id, err);
	}
	if (txn->view.nr_prefixes > PODWALL_MAX_PREFIXES)
		return fail(extack, txn->msg, -E2BIG,
			    "%llu prefixes over all sets exceed the limit of %u",
			    txn->view.nr_prefixes, PODWALL_MAX_PREFIXES);
	return 0;
}

/* The address index: the base's, unless endpoint addresses changed. */
static int build_index(struct podwall_txn *txn, const struct pw_table *t,
		       struct netlink_ext_ack *extack)
{
	struct podwall_index *index;
	u32 bad = 0;
	int err;

	if (txn->view.index && !txn->index_dirty)
		return 0;
	index = kzalloc(sizeof(*index), GFP_KERNEL_ACCOUNT);
	if (!index)
		return -ENOMEM;
	refcount_set(&index->ref, 1);
	err = pw_ep_index_build(&podwall_pw_alloc, &t->eps, get_random_u32(),
				&index->index, &bad);
	if (err) {
		kfree(index);
		if (err == -EEXIST)
			return fail(extack, txn->msg, err,
				    "endpoint %u: an address already belongs to another endpoint",
				    bad);
		return err;
	}
	podwall_index_put(txn->view.index);
	txn->view.index = index;
	txn->index_dirty = false;
	return 0;
}

int podwall_txn_commit(struct podwall_net *pn, struct podwall_txn *txn,
		       const u64 *expected, u64 *generation,
		       struct netlink_ext_ack *extack)
{
	struct podwall_gen *gen, *old;
	const struct podwall_gen *base;
	struct pw_table t = {};
	u32 i;
	int err;

	lockdep_assert_held(&pn->lock);
	old = rcu_dereference_protected(pn->live, lockdep_is_held(&pn->lock));
	if (expected && *expected != (old ? old->number : 0)) {
		NL_SET_ERR_MSG_MOD(extack, "the live generation is not the expected one");
		return -ESTALE;
	}
	if (txn->broken)
		return fail(extack, txn->msg, -ENOMEM,
			    "the transaction ran out of memory while it was built; begin again");
	/* Also checks the prefix limit, once collected prefixes are in. */
	err = flush_sets(txn, extack);
	if (err)
		return err;
	/* The base is only needed if it is still live: else check all rules. */
	base = !txn->replace && old && old->number == txn->base ? old : NULL;
	t.sets = txn->view.ids[PODWALL_SET].pw;
	t.rules = txn->view.ids[PODWALL_RULE].pw;
	t.eps = txn->view.ids[PODWALL_EP].pw;
	err = check(txn, base, &t, extack);
	if (!err && !base && !txn->replace)
		err = check_all_eps(txn, &t, extack);
	if (!err)
		err = build_index(txn, &t, extack);
	if (!err)
		err = podwall_netns_enable_ct(pn);
	if (err)
		return err;
	gen = kzalloc(sizeof(*gen), GFP_KERNEL_ACCOUNT);
	if (!gen)
		return -ENOMEM;
	/* Published: nobody edits these objects any more. */
	for (i = 0; i < txn->nr_changes; i++) {
		struct podwall_obj *obj = podwall_txn_obj(txn, txn->changes[i].kind,
							  txn->changes[i].id);

		if (obj) {
			obj->owner = NULL;
			obj->fresh = false;
		}
	}
	if (txn->view.node)
		txn->view.node->owner = NULL;
	gen->view = txn->view;
	memset(&txn->view, 0, sizeof(txn->view));
	gen->number = pn->commits + 1;
	podwall_gen_table(gen);
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
