/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects by id, copy on write: a root of leaves, PW_IDS_LEAF ids each.
 * A leaf holds a reference on each of its objects and the matcher's
 * pointers to them (the table's pw_ids point at these). Beside it, count
 * leaves say how many objects of the same version refer to each id. Leaves
 * are shared between generations and candidates; a writer copies a leaf
 * it shares (reference count above one) before changing it, so a new
 * version costs its roots plus the leaves it touched.
 *
 * Locking: writers (a candidate) run under the netns lock; a published
 * version is never written. Leaves are released from any context that may
 * sleep (a generation is freed from the podwall workqueue after a grace
 * period).
 */
#ifndef _PODWALL_IDS_H
#define _PODWALL_IDS_H

#include <linux/refcount.h>
#include "match.h"

struct podwall_obj;

struct podwall_leaf {
	refcount_t ref;
	u32 nr;					/* objects held */
	const void *pw[PW_IDS_LEAF];		/* matcher objects, by id */
	struct podwall_obj *obj[PW_IDS_LEAF];
};

/* Referrers of each id: copying one takes no object references. */
struct podwall_uses {
	refcount_t ref;
	u32 users[PW_IDS_LEAF];
};

struct podwall_ids {
	struct pw_ids pw;			/* the matcher's root */
	struct podwall_leaf **leaves;		/* pw.nr_leaves entries */
	u32 nr_uses;
	struct podwall_uses **uses;		/* nr_uses entries */
};

/* The matcher's pointer for an object (gen.c). */
const void *podwall_obj_pw(const struct podwall_obj *obj);

struct podwall_obj *podwall_ids_get(const struct podwall_ids *ids, u32 id);
u32 podwall_ids_users(const struct podwall_ids *ids, u32 id);
/* The object with the smallest id >= *id (stored in *id), or NULL. */
struct podwall_obj *podwall_ids_next(const struct podwall_ids *ids, u32 *id);

/* A new root sharing every leaf of @src. */
int podwall_ids_copy(struct podwall_ids *dst, const struct podwall_ids *src);
void podwall_ids_release(struct podwall_ids *ids);

/* Stores @obj (taking over the caller's reference) and puts the old one. */
int podwall_ids_store(struct podwall_ids *ids, u32 id, struct podwall_obj *obj);
/* Re-reads the matcher pointer of @id from its object (after an edit). */
int podwall_ids_refresh(struct podwall_ids *ids, u32 id);
/* Adds @delta to the referrers of @id. */
int podwall_ids_use(struct podwall_ids *ids, u32 id, int delta);

/* Bytes held by the roots and the leaves. */
u64 podwall_ids_memory(const struct podwall_ids *ids);

#endif /* _PODWALL_IDS_H */
