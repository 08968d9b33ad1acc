// SPDX-License-Identifier: GPL-2.0
/*
 * The copy-on-write id radix of generations and candidates; see ids.h.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "ids.h"
#include "gen.h"

struct podwall_obj *podwall_ids_get(const struct podwall_ids *ids, u32 id)
{
	u32 l = id >> PW_IDS_SHIFT;

	if (l >= ids->pw.nr_leaves || !ids->leaves[l])
		return NULL;
	return ids->leaves[l]->obj[id & (PW_IDS_LEAF - 1)];
}

u32 podwall_ids_users(const struct podwall_ids *ids, u32 id)
{
	u32 l = id >> PW_IDS_SHIFT;

	if (l >= ids->pw.nr_leaves || !ids->leaves[l])
		return 0;
	return ids->leaves[l]->users[id & (PW_IDS_LEAF - 1)];
}

struct podwall_obj *podwall_ids_next(const struct podwall_ids *ids, u32 *id)
{
	u32 i = *id;

	while ((i >> PW_IDS_SHIFT) < ids->pw.nr_leaves) {
		const struct podwall_leaf *leaf = ids->leaves[i >> PW_IDS_SHIFT];

		if (!leaf || !leaf->nr) {
			i = ((i >> PW_IDS_SHIFT) + 1) << PW_IDS_SHIFT;
			continue;
		}
		if (leaf->obj[i & (PW_IDS_LEAF - 1)]) {
			*id = i;
			return leaf->obj[i & (PW_IDS_LEAF - 1)];
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
	kvfree(leaf);
}

static int grow(struct podwall_ids *ids, u32 nr_leaves)
{
	struct podwall_leaf **leaves;
	const void ***pw;
	u32 n = max(4U, ids->pw.nr_leaves);

	while (n < nr_leaves)
		n *= 2;
	leaves = kvcalloc(n, sizeof(*leaves), GFP_KERNEL_ACCOUNT);
	pw = kvcalloc(n, sizeof(*pw), GFP_KERNEL_ACCOUNT);
	if (!leaves || !pw) {
		kvfree(leaves);
		kvfree(pw);
		return -ENOMEM;
	}
	if (ids->pw.nr_leaves) {
		memcpy(leaves, ids->leaves, ids->pw.nr_leaves * sizeof(*leaves));
		memcpy(pw, ids->pw.leaves, ids->pw.nr_leaves * sizeof(*pw));
	}
	kvfree(ids->leaves);
	kvfree(ids->pw.leaves);
	ids->leaves = leaves;
	ids->pw.leaves = pw;
	ids->pw.nr_leaves = n;
	return 0;
}

int podwall_ids_copy(struct podwall_ids *dst, const struct podwall_ids *src)
{
	u32 l;

	memset(dst, 0, sizeof(*dst));
	if (!src->pw.nr_leaves)
		return 0;
	if (grow(dst, src->pw.nr_leaves))
		return -ENOMEM;
	for (l = 0; l < src->pw.nr_leaves; l++) {
		dst->leaves[l] = src->leaves[l];
		dst->pw.leaves[l] = src->pw.leaves[l];
		if (dst->leaves[l])
			refcount_inc(&dst->leaves[l]->ref);
	}
	return 0;
}

void podwall_ids_release(struct podwall_ids *ids)
{
	u32 l;

	for (l = 0; l < ids->pw.nr_leaves; l++)
		leaf_put(ids->leaves[l]);
	kvfree(ids->leaves);
	kvfree(ids->pw.leaves);
	memset(ids, 0, sizeof(*ids));
}

/* The leaf of @id, private to @ids: created or copied as needed. */
static struct podwall_leaf *writable(struct podwall_ids *ids, u32 id)
{
	u32 l = id >> PW_IDS_SHIFT, i;
	struct podwall_leaf *leaf, *old;

	if (l >= ids->pw.nr_leaves && grow(ids, l + 1))
		return NULL;
	old = ids->leaves[l];
	if (old && refcount_read(&old->ref) == 1)
		return old;
	leaf = kvmalloc(sizeof(*leaf), GFP_KERNEL_ACCOUNT);
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
	u32 i = id & (PW_IDS_LEAF - 1);
	struct podwall_leaf *leaf;

	if (!obj && !podwall_ids_get(ids, id))
		return 0;
	leaf = writable(ids, id);
	if (!leaf)
		return -ENOMEM;
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
	u32 i = id & (PW_IDS_LEAF - 1);
	struct podwall_leaf *leaf = writable(ids, id);

	if (!leaf)
		return -ENOMEM;
	leaf->pw[i] = leaf->obj[i] ? podwall_obj_pw(leaf->obj[i]) : NULL;
	return 0;
}

int podwall_ids_use(struct podwall_ids *ids, u32 id, int delta)
{
	struct podwall_leaf *leaf = writable(ids, id);

	if (!leaf)
		return -ENOMEM;
	leaf->users[id & (PW_IDS_LEAF - 1)] += delta;
	return 0;
}

u64 podwall_ids_memory(const struct podwall_ids *ids)
{
	u64 n = (u64)ids->pw.nr_leaves * (sizeof(*ids->leaves) + sizeof(*ids->pw.leaves));
	u32 l;

	for (l = 0; l < ids->pw.nr_leaves; l++)
		if (ids->leaves[l])
			n += sizeof(struct podwall_leaf);
	return n;
}
