// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counter blocks handed out from chunks; see ctrpool.h.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include "ctrpool.h"

static int add_chunk(struct podwall_ctrpool *pool)
{
	u32 n = pool->nr_chunks + 1;
	void __percpu *chunk;
	void __percpu **chunks;
	u32 *free;

	chunk = __alloc_percpu_gfp(PODWALL_CTRPOOL_CHUNK * pool->size,
				   pool->align, GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	chunks = kvmalloc_array(n, sizeof(*chunks), GFP_KERNEL);
	free = kvmalloc_array((size_t)n * PODWALL_CTRPOOL_CHUNK, sizeof(*free),
			      GFP_KERNEL);
	if (!chunks || !free) {
		kvfree(chunks);
		kvfree(free);
		free_percpu(chunk);
		return -ENOMEM;
	}
	if (pool->nr_chunks)
		memcpy(chunks, pool->chunks, pool->nr_chunks * sizeof(*chunks));
	if (pool->nr_free)
		memcpy(free, pool->free, pool->nr_free * sizeof(*free));
	chunks[pool->nr_chunks] = chunk;
	kvfree(pool->chunks);
	kvfree(pool->free);
	pool->chunks = chunks;
	pool->free = free;
	pool->nr_chunks = n;
	return 0;
}

void __percpu *podwall_ctrpool_get(struct podwall_ctrpool *pool, u32 *slot)
{
	void __percpu *block;
	u32 s;
	int cpu;

	mutex_lock(&pool->lock);
	if (pool->nr_free) {
		s = pool->free[--pool->nr_free];
	} else {
		if (pool->next == pool->nr_chunks * PODWALL_CTRPOOL_CHUNK &&
		    add_chunk(pool)) {
			mutex_unlock(&pool->lock);
			return NULL;
		}
		s = pool->next++;
	}
	block = (void __percpu *)((char __percpu *)pool->chunks[s / PODWALL_CTRPOOL_CHUNK] +
				  (s % PODWALL_CTRPOOL_CHUNK) * pool->size);
	mutex_unlock(&pool->lock);
	/* The slot is ours alone now; a reused one still holds old counts. */
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(block, cpu), 0, pool->size);
	*slot = s;
	return block;
}

void podwall_ctrpool_put(struct podwall_ctrpool *pool, u32 slot)
{
	mutex_lock(&pool->lock);
	pool->free[pool->nr_free++] = slot;
	mutex_unlock(&pool->lock);
}

void podwall_ctrpool_destroy(struct podwall_ctrpool *pool)
{
	u32 i;

	for (i = 0; i < pool->nr_chunks; i++)
		free_percpu(pool->chunks[i]);
	kvfree(pool->chunks);
	kvfree(pool->free);
	pool->chunks = NULL;
	pool->free = NULL;
	pool->nr_chunks = 0;
	pool->nr_free = 0;
	pool->next = 0;
}
