/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Seeded hash of a prefix for the matcher's open-addressed tables. Plain C,
 * shared by the module and userspace (see match.h). The seed is random per
 * table in the module, so remote peers cannot aim for collisions.
 */
#ifndef _PODWALL_HASH_H
#define _PODWALL_HASH_H

#include "match.h"

static inline __u32 pw_rotl32(__u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline __u32 pw_mix32(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = pw_rotl32(k, 15);
	k *= 0x1b873593U;
	h ^= k;
	h = pw_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

/* murmur3-style mixing of (family, plen, the address bytes in use). */
static inline __u32 pw_hash_addr(const struct pw_addr *k, __u32 seed)
{
	unsigned int i, words = k->family == PW_FAMILY_INET ? 1 : 4;
	__u32 h = seed;

	h = pw_mix32(h, ((__u32)k->family << 8) | k->plen);
	for (i = 0; i < words; i++)
		h = pw_mix32(h, (__u32)k->a[4 * i] |
				((__u32)k->a[4 * i + 1] << 8) |
				((__u32)k->a[4 * i + 2] << 16) |
				((__u32)k->a[4 * i + 3] << 24));
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* Where a hash starts probing in a table of @cap slots (multiply-shift). */
static inline __u32 pw_slot_start(__u32 h, __u32 cap)
{
	return (__u32)(((__u64)h * cap) >> 32);
}

/* The shard of hash @h in a set of 1 << @shift shards. */
static inline __u32 pw_shard_of(__u32 h, __u32 shift)
{
	return shift ? h >> (32 - shift) : 0;
}

__u32 pw_slot_find(const struct pw_addr *slots, size_t stride, __u32 cap,
		   __u32 start, const struct pw_addr *key);

#endif /* _PODWALL_HASH_H */
