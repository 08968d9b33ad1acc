// SPDX-License-Identifier: GPL-2.0
/*
 * Peer sets with shared, reference-counted shards; see set.h. Every
 * allocation of a set goes through set_alloc, which puts a reference
 * count in front of it; only shards use it.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include "gen.h"
#include "hash.h"
#include "set.h"

struct set_head {
	refcount_t ref;
	u32 size;
};

static void *set_zalloc(size_t size, void *ctx)
{
	struct set_head *h = kvzalloc(sizeof(*h) + size, GFP_KERNEL_ACCOUNT);

	if (!h)
		return NULL;
	refcount_set(&h->ref, 1);
	h->size = size;
	return h + 1;
}

static void set_free(void *ptr, void *ctx)
{
	if (ptr)
		kvfree((struct set_head *)ptr - 1);
}

static const struct pw_alloc set_alloc = {
	.zalloc = set_zalloc,
	.free = set_free,
};

static struct set_head *head(const void *ptr)
{
	return (struct set_head *)ptr - 1;
}

static u64 shard_memory(const struct pw_shard *shard)
{
	return shard ? sizeof(struct set_head) + head(shard)->size : 0;
}

static void shard_put(struct pw_shard *shard)
{
	if (shard && refcount_dec_and_test(&head(shard)->ref))
		set_free(shard, NULL);
}

u64 podwall_set_memory(const struct pw_set *set)
{
	u64 n;
	u32 i;

	if (!set)
		return 0;
	n = 2 * sizeof(struct set_head) + sizeof(*set) +
	    ((u64)sizeof(*set->shards) << set->shift);
	for (i = 0; i < 1U << set->shift; i++)
		n += shard_memory(set->shards[i]);
	return n;
}

void podwall_set_release(struct pw_set *set)
{
	u32 i;

	if (!set)
		return;
	for (i = 0; i < 1U << set->shift; i++)
		shard_put(set->shards[i]);
	set_free(set->shards, NULL);
	set_free(set, NULL);
}

int podwall_set_init(struct podwall_obj *obj, const struct pw_addr *p, u32 n)
{
	return pw_set_build(&set_alloc, obj->id, get_random_u32(), p, n,
			    &obj->set);
}

struct podwall_obj *podwall_set_clone(const struct podwall_obj *src)
{
	const struct pw_set *s = src->set;
	struct podwall_obj *obj;
	struct pw_set *set;
	u32 i;

	obj = podwall_obj_new(PODWALL_SET, src->id);
	if (!obj)
		return NULL;
	set = set_zalloc(sizeof(*set), NULL);
	if (!set)
		goto err;
	*set = *s;
	set->shards = set_zalloc(sizeof(*set->shards) << s->shift, NULL);
	if (!set->shards) {
		set_free(set, NULL);
		goto err;
	}
	for (i = 0; i < 1U << s->shift; i++) {
		set->shards[i] = s->shards[i];
		if (set->shards[i])
			refcount_inc(&head(set->shards[i])->ref);
	}
	obj->set = set;
	return obj;
err:
	podwall_obj_put(obj);
	return NULL;
}

/* Shard @i of @set, private to it and with room for @extra more. */
static struct pw_shard *own_shard(struct pw_set *set, u32 i, u32 extra)
{
	struct pw_shard *old = set->shards[i], *shard;
	u32 nr = old ? old->nr : 0;

	if (old && refcount_read(&head(old)->ref) == 1 &&
	    2 * (nr + extra) <= old->cap)
		return old;
	if (pw_shard_copy(&set_alloc, old, pw_shard_cap(nr + extra + nr / 4),
			  set->seed, set->shift, &shard))
		return NULL;
	set->shards[i] = shard;
	shard_put(old);
	return shard;
}

/*
 * Rebuilds the whole set with @n more prefixes, when it outgrew its shard
 * count.
 */
static int rebuild(struct podwall_obj *obj, const struct pw_addr *p, u32 n)
{
	struct pw_set *old = obj->set, *set;
	struct pw_addr *all;
	u32 i, j, k = 0;
	int err;

	all = kvmalloc_array((size_t)old->nr_prefixes + n, sizeof(*all),
			     GFP_KERNEL_ACCOUNT);
	if (!all)
		return -ENOMEM;
	for (i = 0; i < 1U << old->shift; i++) {
		const struct pw_shard *shard = old->shards[i];

		for (j = 0; shard && j < shard->cap; j++)
			if (shard->slots[j].family)
				all[k++] = shard->slots[j];
	}
	memcpy(all + k, p, n * sizeof(*p));
	err = pw_set_build(&set_alloc, obj->id, old->seed, all, k + n, &set);
	kvfree(all);
	if (err)
		return err;
	obj->set = set;
	podwall_set_release(old);
	return 0;
}

u32 podwall_set_count(const struct podwall_obj *obj)
{
	return obj->set->nr_prefixes + obj->nr_pending;
}

/* Collects @n prefixes to build in later. */
static int collect(struct podwall_obj *obj, const struct pw_addr *p, u32 n)
{
	if (obj->nr_pending + n > obj->max_pending) {
		u32 max = max3(1024U, 2 * obj->max_pending, obj->nr_pending + n);
		struct pw_addr *v;

		v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
		if (obj->nr_pending)
			memcpy(v, obj->pending, obj->nr_pending * sizeof(*v));
		kvfree(obj->pending);
		obj->pending = v;
		obj->max_pending = max;
	}
	memcpy(obj->pending + obj->nr_pending, p, n * sizeof(*p));
	obj->nr_pending += n;
	return 0;
}

int podwall_set_flush(struct podwall_obj *obj)
{
	int err;

	if (!obj->nr_pending)
		return 0;
	err = rebuild(obj, obj->pending, obj->nr_pending);
	if (err)
		return err;
	kvfree(obj->pending);
	obj->pending = NULL;
	obj->nr_pending = 0;
	obj->max_pending = 0;
	return 0;
}

int podwall_set_add(struct podwall_obj *obj, bool fresh,
		    const struct pw_addr *p, u32 n)
{
	struct pw_set *set = obj->set;
	u32 i;

	if (n > PODWALL_MAX_PREFIXES - podwall_set_count(obj))
		return -E2BIG;
	for (i = 0; i < n; i++)
		if (!pw_addr_valid(&p[i]))
			return -EINVAL;
	if (fresh)
		return collect(obj, p, n);
	/*
	 * Rebuild only when the shards would average over four times their
	 * size: a set loaded in chunks then rebuilds at each doubling, O(n)
	 * in all, and a small edit never does.
	 */
	if (pw_set_shift_for(set->nr_prefixes + n) > set->shift + 2)
		return rebuild(obj, p, n);
	for (i = 0; i < n; i++) {
		struct pw_addr key = p[i];
		struct pw_shard *shard;
		u32 s;

		pw_addr_mask(&key);
		s = pw_set_shard(set, &key);
		shard = own_shard(set, s, 1);
		if (!shard)
			return -ENOMEM;
		if (pw_shard_insert(shard, set->seed, set->shift, &key))
			continue;	/* already there */
		set->nr_prefixes++;
		pw_set_note_plen(set, &key);
	}
	return 0;
}

int podwall_set_del(struct podwall_obj *obj, const struct pw_addr *p, u32 n)
{
	struct pw_set *set;
	u32 i;
	int err;

	err = podwall_set_flush(obj);
	if (err)
		return err;
	set = obj->set;

	for (i = 0; i < n; i++) {
		struct pw_addr key = p[i];
		struct pw_shard *shard;
		u32 s;

		if (!pw_addr_valid(&key))
			continue;
		pw_addr_mask(&key);
		s = pw_set_shard(set, &key);
		if (!set->shards[s])
			continue;
		shard = own_shard(set, s, 0);
		if (!shard)
			return -ENOMEM;
		if (!pw_shard_remove(shard, set->seed, set->shift, &key))
			set->nr_prefixes--;
	}
	return 0;
}
