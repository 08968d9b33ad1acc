// SPDX-License-Identifier: GPL-2.0
/*
 * Objects and generations. A generation is a candidate's view made
 * immutable (txn.c builds and checks it); here are the objects it shares,
 * the address index, and freeing a generation after readers are done.
 * Freeing puts the generation's roots: what it shares with newer versions
 * stays, so the cost follows what changed, not the size of the set.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "gen.h"
#include "set.h"

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
		obj->hits = podwall_hits_get(&obj->ctr_slot);
		if (!obj->hits)
			goto err;
	} else if (kind == PODWALL_EP) {
		obj->stats = podwall_ep_stats_get(&obj->ctr_slot);
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
		podwall_set_release(obj->set);
		kvfree(obj->pending);
		break;
	case PODWALL_RULE:
		pw_rule_free(&podwall_pw_alloc, obj->rule);
		podwall_hits_put(obj->ctr_slot);
		break;
	case PODWALL_EP:
		pw_ep_free(&podwall_pw_alloc, obj->ep);
		podwall_ep_stats_put(obj->ctr_slot);
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

const void *podwall_obj_pw(const struct podwall_obj *obj)
{
	switch (obj->kind) {
	case PODWALL_SET:
		return obj->set;
	case PODWALL_RULE:
		return obj->rule;
	case PODWALL_EP:
		return obj->ep;
	}
	return NULL;
}

static u64 ep_memory(const struct pw_ep *ep)
{
	u64 n = ep->nr_addrs * sizeof(*ep->addrs);
	unsigned int d;

	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		n += (ep->nr_rules[d] + ep->nr_policies[d]) * sizeof(u32);
	return sizeof(*ep) + n;
}

u64 podwall_obj_memory(const struct podwall_obj *obj)
{
	u64 n = sizeof(*obj);

	switch (obj->kind) {
	case PODWALL_SET:
		return n + podwall_set_memory(obj->set) +
		       obj->max_pending * sizeof(*obj->pending);
	case PODWALL_RULE:
		return n + sizeof(*obj->rule) +
		       obj->rule->nr_ports * sizeof(*obj->rule->ports);
	case PODWALL_EP:
		return n + ep_memory(obj->ep);
	}
	return n;
}

struct podwall_index *podwall_index_get(struct podwall_index *index)
{
	if (index)
		refcount_inc(&index->ref);
	return index;
}

void podwall_index_put(struct podwall_index *index)
{
	if (index && refcount_dec_and_test(&index->ref)) {
		pw_ep_index_free(&podwall_pw_alloc, index->index);
		kfree(index);
	}
}

int podwall_view_copy(struct podwall_view *dst, const struct podwall_view *src)
{
	unsigned int i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < __PODWALL_KIND_MAX; i++) {
		if (podwall_ids_copy(&dst->ids[i], &src->ids[i])) {
			podwall_view_release(dst);
			return -ENOMEM;
		}
		dst->count[i] = src->count[i];
	}
	if (src->node)
		dst->node = podwall_obj_get(src->node);
	dst->index = podwall_index_get(src->index);
	dst->nr_prefixes = src->nr_prefixes;
	dst->obj_memory = src->obj_memory;
	return 0;
}

void podwall_view_release(struct podwall_view *view)
{
	unsigned int i;

	for (i = 0; i < __PODWALL_KIND_MAX; i++)
		podwall_ids_release(&view->ids[i]);
	podwall_obj_put(view->node);
	podwall_index_put(view->index);
	memset(view, 0, sizeof(*view));
}

void podwall_gen_table(struct podwall_gen *gen)
{
	struct pw_table *t = &gen->table;
	unsigned int i;

	t->index = gen->view.index ? gen->view.index->index : NULL;
	t->node = gen->view.node ? gen->view.node->set : NULL;
	t->sets = gen->view.ids[PODWALL_SET].pw;
	t->rules = gen->view.ids[PODWALL_RULE].pw;
	t->eps = gen->view.ids[PODWALL_EP].pw;
	gen->memory = gen->view.obj_memory;
	for (i = 0; i < __PODWALL_KIND_MAX; i++)
		gen->memory += podwall_ids_memory(&gen->view.ids[i]);
	if (t->index)
		gen->memory += sizeof(*t->index) +
			       (u64)t->index->cap * sizeof(*t->index->slots);
}

void podwall_gen_free(struct podwall_gen *gen)
{
	if (!gen)
		return;
	podwall_view_release(&gen->view);
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
