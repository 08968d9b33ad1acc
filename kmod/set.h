/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peer sets in the module: matcher sets (pw_set) whose shards are
 * reference counted, so a new version of a set shares every shard it did
 * not change. A set object is edited only while it belongs to the one
 * candidate that made it (podwall_obj.owner); a shard is edited in place
 * only while one set version holds it.
 *
 * Locking: edits run under the netns lock; shards are released from any
 * context that may sleep.
 */
#ifndef _PODWALL_SET_H
#define _PODWALL_SET_H

#include "match.h"

struct podwall_obj;

/* Builds @obj->set from @n prefixes. */
int podwall_set_init(struct podwall_obj *obj, const struct pw_addr *p, u32 n);
/* A new set object with @src's prefixes, sharing its shards. */
struct podwall_obj *podwall_set_clone(const struct podwall_obj *src);
/*
 * Add or remove prefixes of a set object nobody else sees yet. A set that
 * is @fresh (made in this candidate, so its whole contents usually arrive
 * in chunks) only collects added prefixes; podwall_set_flush() builds them
 * in, once.
 */
int podwall_set_add(struct podwall_obj *obj, bool fresh,
		    const struct pw_addr *p, u32 n);
int podwall_set_del(struct podwall_obj *obj, const struct pw_addr *p, u32 n);
int podwall_set_flush(struct podwall_obj *obj);
/* Prefixes of the set, counting collected ones (duplicates too). */
u32 podwall_set_count(const struct podwall_obj *obj);
/* Puts the shards, frees the rest. */
void podwall_set_release(struct pw_set *set);
/* Bytes of the set, its shard table and its shards. */
u64 podwall_set_memory(const struct pw_set *set);

#endif /* _PODWALL_SET_H */
