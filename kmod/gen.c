// SPDX-License-Identifier: GPL-2.0
/*
 * Objects and generations. A commit turns a candidate's object arrays into
 * a generation: it builds the matcher's table over the objects (sharing
 * every object that did not change), checks references and limits, and
 * the caller publishes it with rcu_assign_pointer(). Cost of a commit: the
 * objects that changed, plus O(max id) to fill the id-indexed pointer
 * arrays and O(endpoint addresses) for the address index. Filling the
 * arrays could be made incremental too; at 1M ids it is a few ms.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/string.h>
#include "gen.h"

struct workqueue_struct *podwall_wq;

static void *pw_zalloc(size_t size, void *ctx)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

static void pw_free(void *ptr, void *ctx)
{
	kvfree(ptr);
}

const struct pw_alloc podwall_pw_alloc = {
	.zalloc = pw_zalloc,
	.free = pw_free,
};

struct podwall_obj *podwall_obj_new(enum podwall_kind kind, u32 id)
{
	struct podwall_obj *obj;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return NULL;
	kref_init(&obj->ref);
	obj->kind = kind;
	obj->id = id;
	if (kind == PODWALL_RULE) {
		obj->hits = podwall_hits_alloc();
		if (!obj->hits)
			goto err;
	} else if (kind == PODWALL_EP) {
		obj->stats = podwall_stats_alloc();
		if (!obj->stats)
			goto err;
	}
	return obj;
err:
	kfree(obj);
	return NULL;
}

static void obj_release(struct kref *ref)
{
	struct podwall_obj *obj = container_of(ref, struct podwall_obj, ref);

	switch (obj->kind) {
	case PODWALL_SET:
		pw_set_free(&podwall_pw_alloc, obj->set);
		kvfree(obj->draft);
		break;
	case PODWALL_RULE:
		pw_rule_free(&podwall_pw_alloc, obj->rule);
		free_percpu(obj->hits);
		break;
	case PODWALL_EP:
		pw_ep_free(&podwall_pw_alloc, obj->ep);
		free_percpu(obj->stats);
		break;
	}
	kfree(obj->ns);
	kfree(obj->name);
	kfree(obj);
}

void podwall_obj_put(struct podwall_obj *obj)
{
	if (obj)
		kref_put(&obj->ref, obj_release);
}

int podwall_set_draft_add(struct podwall_obj *set, const struct pw_addr *p,
			  u32 n)
{
	u32 i;

	if (n > PODWALL_MAX_PREFIXES - set->nr_draft)
		return -E2BIG;
	if (set->nr_draft + n > set->draft_cap) {
		u32 cap = max3(16U, set->draft_cap * 2, set->nr_draft + n);
		struct pw_addr *v;

		v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
		if (set->nr_draft)
			memcpy(v, set->draft, set->nr_draft * sizeof(*v));
		kvfree(set->draft);
		set->draft = v;
		set->draft_cap = cap;
	}
	for (i = 0; i < n; i++) {
		set->draft[set->nr_draft] = p[i];
		pw_addr_mask(&set->draft[set->nr_draft]);
		set->nr_draft++;
	}
	return 0;
}

/* Removes every copy of each prefix: O(draft * n), fine for pod churn. */
void podwall_set_draft_del(struct podwall_obj *set, const struct pw_addr *p,
			   u32 n)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		struct pw_addr key = p[i];

		pw_addr_mask(&key);
		for (j = 0; j < set->nr_draft;) {
			if (!memcmp(&set->draft[j], &key, sizeof(key)))
				set->draft[j] = set->draft[--set->nr_draft];
			else
				j++;
		}
	}
}

/* A new draft with the prefixes of a built set (copy-on-write). */
struct podwall_obj *podwall_set_to_draft(const struct podwall_obj *set)
{
	struct podwall_obj *draft;
	u32 i;

	draft = podwall_obj_new(PODWALL_SET, set->id);
	if (!draft)
		return NULL;
	if (!set->set)
		return draft;
	draft->draft_cap = max(16U, set->set->nr_prefixes);
	draft->draft = kvmalloc_array(draft->draft_cap, sizeof(*draft->draft),
				      GFP_KERNEL_ACCOUNT);
	if (!draft->draft) {
		podwall_obj_put(draft);
		return NULL;
	}
	for (i = 0; i <= set->set->mask; i++)
		if (set->set->slots[i].family)
			draft->draft[draft->nr_draft++] = set->set->slots[i];
	return draft;
}

int podwall_set_build(struct podwall_obj *set)
{
	int err;

	if (set->set)
		return 0;
	err = pw_set_build(&podwall_pw_alloc, set->id, get_random_u32(),
			   set->draft, set->nr_draft, &set->set);
	if (err)
		return err;
	kvfree(set->draft);
	set->draft = NULL;
	set->nr_draft = 0;
	set->draft_cap = 0;
	return 0;
}

u32 podwall_set_size(const struct podwall_obj *set)
{
	return set->set ? set->set->nr_prefixes : set->nr_draft;
}

int podwall_objs_store(struct podwall_objs *objs, u32 id,
		       struct podwall_obj *obj)
{
	if (id >= objs->size) {
		u32 size = max3(64U, objs->size * 2, id + 1);
		struct podwall_obj **v;

		if (!obj)
			return 0;
		v = kvcalloc(size, sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
		if (objs->size)
			memcpy(v, objs->v, objs->size * sizeof(*v));
		kvfree(objs->v);
		objs->v = v;
		objs->size = size;
	}
	podwall_obj_put(objs->v[id]);
	objs->v[id] = obj;
	return 0;
}

int podwall_objs_copy(struct podwall_objs *dst, const struct podwall_objs *src)
{
	u32 i;

	dst->size = 0;
	dst->v = NULL;
	if (!src->size)
		return 0;
	dst->v = kvcalloc(src->size, sizeof(*dst->v), GFP_KERNEL_ACCOUNT);
	if (!dst->v)
		return -ENOMEM;
	dst->size = src->size;
	for (i = 0; i < src->size; i++)
		if (src->v[i])
			dst->v[i] = podwall_obj_get(src->v[i]);
	return 0;
}

void podwall_objs_release(struct podwall_objs *objs)
{
	u32 i;

	for (i = 0; i < objs->size; i++)
		podwall_obj_put(objs->v[i]);
	kvfree(objs->v);
	objs->v = NULL;
	objs->size = 0;
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

static u64 set_memory(const struct pw_set *s)
{
	return sizeof(*s) + (u64)(s->mask + 1) * sizeof(*s->slots);
}

static u64 ep_memory(const struct pw_ep *ep)
{
	u64 n = ep->nr_addrs * sizeof(*ep->addrs);
	unsigned int d;

	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		n += (ep->nr_rules[d] + ep->nr_policies[d]) * sizeof(u32);
	return sizeof(*ep) + n;
}

/* Every policy an endpoint or rule names must exist. */
static int check_policies(struct podwall_gen *gen,
			  struct netlink_ext_ack *extack, char *msg)
{
	const struct podwall_objs *pols = &gen->objs[PODWALL_POLICY];
	unsigned int d;
	u32 i, j;

	for (i = 0; i < gen->table.nr_rules; i++) {
		const struct pw_rule *r = gen->table.rules[i];

		if (r && !podwall_objs_get(pols, r->policy))
			return fail(extack, msg, -ENOENT,
				    "rule %u: policy %u does not exist",
				    r->id, r->policy);
	}
	for (i = 0; i < gen->table.nr_eps; i++) {
		const struct pw_ep *ep = gen->table.eps[i];

		for (d = 0; ep && d < __PODWALL_DIR_MAX; d++)
			for (j = 0; j < ep->nr_policies[d]; j++)
				if (!podwall_objs_get(pols, ep->policies[d][j]))
					return fail(extack, msg, -ENOENT,
						    "endpoint %u: %s policy %u does not exist",
						    ep->id,
						    d == PODWALL_DIR_INGRESS ?
						    "ingress" : "egress",
						    ep->policies[d][j]);
	}
	return 0;
}

int podwall_gen_build(struct podwall_gen *gen, struct netlink_ext_ack *extack,
		      char *msg)
{
	struct pw_table *t = &gen->table;
	u32 i, bad = 0, ref = 0;
	u64 prefixes = 0;
	int err;

	t->seed = get_random_u32();
	t->nr_sets = gen->objs[PODWALL_SET].size;
	t->nr_rules = gen->objs[PODWALL_RULE].size;
	t->nr_eps = gen->objs[PODWALL_EP].size;
	t->sets = kvcalloc(t->nr_sets ?: 1, sizeof(*t->sets), GFP_KERNEL_ACCOUNT);
	t->rules = kvcalloc(t->nr_rules ?: 1, sizeof(*t->rules), GFP_KERNEL_ACCOUNT);
	t->eps = kvcalloc(t->nr_eps ?: 1, sizeof(*t->eps), GFP_KERNEL_ACCOUNT);
	if (!t->sets || !t->rules || !t->eps)
		return fail(extack, msg, -ENOMEM, "out of memory for the tables");
	gen->memory = (u64)(t->nr_sets + t->nr_rules + t->nr_eps) * 2 *
		      sizeof(void *);

	for (i = 0; i < __PODWALL_KIND_MAX; i++) {
		const struct podwall_objs *objs = &gen->objs[i];
		u32 id;

		gen->count[i] = 0;
		for (id = 0; id < objs->size; id++)
			if (objs->v[id])
				gen->count[i]++;
	}
	for (i = 0; i < t->nr_sets; i++) {
		struct podwall_obj *s = gen->objs[PODWALL_SET].v[i];

		if (!s)
			continue;
		err = podwall_set_build(s);
		if (err)
			return fail(extack, msg, err, "set %u: cannot build (%d)",
				    i, err);
		t->sets[i] = s->set;
		prefixes += s->set->nr_prefixes;
		gen->memory += set_memory(s->set);
	}
	if (gen->node) {
		err = podwall_set_build(gen->node);
		if (err)
			return fail(extack, msg, err,
				    "node set: cannot build (%d)", err);
		t->node = gen->node->set;
		prefixes += t->node->nr_prefixes;
		gen->memory += set_memory(t->node);
	}
	if (prefixes > PODWALL_MAX_PREFIXES)
		return fail(extack, msg, -E2BIG,
			    "%llu prefixes over all sets exceed the limit of %u",
			    prefixes, PODWALL_MAX_PREFIXES);
	gen->nr_prefixes = prefixes;
	for (i = 0; i < t->nr_rules; i++) {
		struct podwall_obj *r = gen->objs[PODWALL_RULE].v[i];

		if (!r)
			continue;
		t->rules[i] = r->rule;
		gen->memory += sizeof(*r->rule) +
			       r->rule->nr_ports * sizeof(*r->rule->ports);
	}
	for (i = 0; i < t->nr_eps; i++) {
		struct podwall_obj *ep = gen->objs[PODWALL_EP].v[i];

		if (!ep)
			continue;
		t->eps[i] = ep->ep;
		gen->memory += ep_memory(ep->ep);
	}

	switch (pw_table_validate(t, &bad, &ref)) {
	case PW_CHECK_OK:
		break;
	case PW_CHECK_RULE_NO_SET:
		return fail(extack, msg, -ENOENT,
			    "rule %u: peer set %u does not exist", bad, ref);
	case PW_CHECK_EP_NO_RULE:
		return fail(extack, msg, -ENOENT,
			    "endpoint %u: rule %u does not exist", bad, ref);
	case PW_CHECK_EP_RULE_DIR:
		return fail(extack, msg, -EINVAL,
			    "endpoint %u: rule %u is listed under the wrong direction",
			    bad, ref);
	}
	err = check_policies(gen, extack, msg);
	if (err)
		return err;
	err = pw_table_build_index(&podwall_pw_alloc, t, &bad);
	if (err == -EEXIST)
		return fail(extack, msg, err,
			    "endpoint %u: an address already belongs to another endpoint",
			    bad);
	if (err)
		return fail(extack, msg, err, "out of memory for the address index");
	gen->memory += (u64)(t->ep_mask + 1) * sizeof(*t->ep_slots);
	return 0;
}

static void gen_free_tables(struct podwall_gen *gen)
{
	pw_table_free_index(&podwall_pw_alloc, &gen->table);
	kvfree(gen->table.sets);
	kvfree(gen->table.rules);
	kvfree(gen->table.eps);
}

void podwall_gen_free(struct podwall_gen *gen)
{
	unsigned int i;

	if (!gen)
		return;
	gen_free_tables(gen);
	for (i = 0; i < __PODWALL_KIND_MAX; i++)
		podwall_objs_release(&gen->objs[i]);
	podwall_obj_put(gen->node);
	kfree(gen);
}

static void gen_free_work(struct work_struct *work)
{
	podwall_gen_free(container_of(to_rcu_work(work), struct podwall_gen,
				      free_work));
}

void podwall_gen_free_rcu(struct podwall_gen *gen)
{
	if (!gen)
		return;
	INIT_RCU_WORK(&gen->free_work, gen_free_work);
	queue_rcu_work(podwall_wq, &gen->free_work);
}
