// SPDX-License-Identifier: GPL-2.0
/*
 * The copy-on-write id radix of generations and candidates; see ids.h.
 * Leaves are single pages from kmalloc: a commit never waits on vmalloc
 * or its lazy purges.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "ids.h"
#include "gen.h"

static_assert(sizeof(struct podwall_leaf) <= PAGE_SIZE);

struct podwall_obj *podwall_ids_get(const struct podwall_ids *ids, u32 id)
{
	u32 l = id / PW_IDS_LEAF;

	if (l >= ids->pw.nr_leaves || !ids->leaves[l])
		return NULL;
	return ids->leaves[l]->obj[id % PW_IDS_LEAF];
}

u32 podwall_ids_users(const struct podwall_ids *ids, u32 id)
{
	u32 l = id / PW_IDS_LEAF;

	if (l >= ids->nr_uses || !ids->uses[l])
		return 0;
	return ids->uses[l]->users[id % PW_IDS_LEAF];
}

struct podwall_obj *podwall_ids_next(const struct podwall_ids *ids, u32 *id)
{
	u32 i = *id;

	while (i / PW_IDS_LEAF < ids->pw.nr_leaves) {
		const struct podwall_leaf *leaf = ids->leaves[i / PW_IDS_LEAF];

		if (!leaf || !leaf->nr) {
			i = (i / PW_IDS_LEAF + 1) * PW_IDS_LEAF;
			continue;
		}
		if (leaf->obj[i % PW_IDS_LEAF]) {
			*id = i;
			return leaf->obj[i % PW_IDS_LEAF];
		}
		i++;
	}
	*id = i;
	return NULL;
}

static void leaf_put(struct podwall_leaf *leaf)
{
	u32 i;

	if (!leaf || !refcount_dec_and_test(&leaf->ref))
		return;
	for (i = 0; leaf->nr && i < PW_IDS_LEAF; i++)
		podwall_obj_put(leaf->obj[i]);
	kfree(leaf);
}

static void uses_put(struct podwall_uses *uses)
{
	if (uses && refcount_dec_and_test(&uses->ref))
		kfree(uses);
}

/* Grows the array *@v of *@nr pointers to at least @want entries. */
static int grow(void ***v, u32 *nr, u32 want)
{
	u32 n = max(4U, *nr);
	void **nv;

	while (n < want)
		n *= 2;
	nv = kvcalloc(n, sizeof(*nv), GFP_KERNEL_ACCOUNT);
	if (!nv)
		return -ENOMEM;
	if (*nr)
		memcpy(nv, *v, *nr * sizeof(*nv));
	kvfree(*v);
	*v = nv;
	*nr = n;
	return 0;
}

static int grow_leaves(struct podwall_ids *ids, u32 want)
{
	u32 nr = ids->pw.nr_leaves;

	if (grow((void ***)&ids->pw.leaves, &nr, want))
		return -ENOMEM;
	nr = ids->pw.nr_leaves;
	if (grow((void ***)&ids->leaves, &nr, want))
		return -ENOMEM;
	ids->pw.nr_leaves = nr;
	return 0;
}

int podwall_ids_copy(struct podwall_ids *dst, const struct podwall_ids *src)
{
	u32 l;

	memset(dst, 0, sizeof(*dst));
	if (src->pw.nr_leaves && grow_leaves(dst, src->pw.nr_leaves))
		goto err;
	if (src->nr_uses && grow((void ***)&dst->uses, &dst->nr_uses,
				 src->nr_uses))
		goto err;
	for (l = 0; l < src->pw.nr_leaves; l++) {
		dst->leaves[l] = src->leaves[l];
		dst->pw.leaves[l] = src->pw.leaves[l];
		if (dst->leaves[l])
			refcount_inc(&dst->leaves[l]->ref);
	}
	for (l = 0; l < src->nr_uses; l++) {
		dst->uses[l] = src->uses[l];
		if (dst->uses[l])
			refcount_inc(&dst->uses[l]->ref);
	}
	return 0;
err:
	podwall_ids_release(dst);
	return -ENOMEM;
}

void podwall_ids_release(struct podwall_ids *ids)
{
	u32 l;

	for (l = 0; l < ids->pw.nr_leaves; l++)
		leaf_put(ids->leaves[l]);
	for (l = 0; l < ids->nr_uses; l++)
		uses_put(ids->uses[l]);
	kvfree(ids->leaves);
	kvfree(ids->pw.leaves);
	kvfree(ids->uses);
	memset(ids, 0, sizeof(*ids));
}

/* The leaf of @id, private to @ids: created or copied as needed. */
static struct podwall_leaf *writable(struct podwall_ids *ids, u32 id)
{
	u32 l = id / PW_IDS_LEAF, i;
	struct podwall_leaf *leaf, *old;

	if (l >= ids->pw.nr_leaves && grow_leaves(ids, l + 1))
		return NULL;
	old = ids->leaves[l];
	if (old && refcount_read(&old->ref) == 1)
		return old;
	leaf = kmalloc(sizeof(*leaf), GFP_KERNEL_ACCOUNT);
	if (!leaf)
		return NULL;
	if (old) {
		memcpy(leaf, old, sizeof(*leaf));
		for (i = 0; leaf->nr && i < PW_IDS_LEAF; i++)
			if (leaf->obj[i])
				podwall_obj_get(leaf->obj[i]);
	} else {
		memset(leaf, 0, sizeof(*leaf));
	}
	refcount_set(&leaf->ref, 1);
	ids->leaves[l] = leaf;
	ids->pw.leaves[l] = leaf->pw;
	leaf_put(old);
	return leaf;
}

int podwall_ids_store(struct podwall_ids *ids, u32 id, struct podwall_obj *obj)
{
	u32 i = id % PW_IDS_LEAF;
	struct podwall_leaf *leaf;

	if (!obj && !podwall_ids_get(ids, id))
		return 0;
	leaf = writable(ids, id);
	if (!leaf) {
		podwall_obj_put(obj);
		return -ENOMEM;
	}
	if (leaf->obj[i])
		leaf->nr--;
	podwall_obj_put(leaf->obj[i]);
	leaf->obj[i] = obj;
	leaf->pw[i] = obj ? podwall_obj_pw(obj) : NULL;
	if (obj)
		leaf->nr++;
	return 0;
}

int podwall_ids_refresh(struct podwall_ids *ids, u32 id)
{
	u32 i = id % PW_IDS_LEAF;
	struct podwall_leaf *leaf = writable(ids, id);

	if (!leaf)
		return -ENOMEM;
	leaf->pw[i] = leaf->obj[i] ? podwall_obj_pw(leaf->obj[i]) : NULL;
	return 0;
}

int podwall_ids_use(struct podwall_ids *ids, u32 id, int delta)
{
	u32 l = id / PW_IDS_LEAF;
	struct podwall_uses *uses, *old;

	if (l >= ids->nr_uses && grow((void ***)&ids->uses, &ids->nr_uses, l + 1))
		return -ENOMEM;
	old = ids->uses[l];
	if (!old || refcount_read(&old->ref) != 1) {
		uses = kmalloc(sizeof(*uses), GFP_KERNEL_ACCOUNT);
		if (!uses)
			return -ENOMEM;
		if (old)
			memcpy(uses, old, sizeof(*uses));
		else
			memset(uses, 0, sizeof(*uses));
		refcount_set(&uses->ref, 1);
		ids->uses[l] = uses;
		uses_put(old);
	}
	ids->uses[l]->users[id % PW_IDS_LEAF] += delta;
	return 0;
}

u64 podwall_ids_memory(const struct podwall_ids *ids)
{
	u64 n = (u64)ids->pw.nr_leaves * (sizeof(*ids->leaves) + sizeof(*ids->pw.leaves)) +
		(u64)ids->nr_uses * sizeof(*ids->uses);
	u32 l;

	for (l = 0; l < ids->pw.nr_leaves; l++)
		if (ids->leaves[l])
			n += sizeof(struct podwall_leaf);
	for (l = 0; l < ids->nr_uses; l++)
		if (ids->uses[l])
			n += sizeof(struct podwall_uses);
	return n;
}
