/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pools of per-CPU counter blocks for rules and endpoints. alloc_percpu()
 * per object made loading 100k rules spend much of its time in the per-CPU
 * allocator; a pool takes per-CPU chunks of PODWALL_CTRPOOL_CHUNK blocks at
 * a time and hands out zeroed blocks by slot number.
 *
 * Ownership: a block belongs to the object that got it until it puts the
 * slot back. Chunks stay until the module unloads.
 * Locking: @lock (a mutex) guards the pool; get and put may sleep.
 */
#ifndef _PODWALL_CTRPOOL_H
#define _PODWALL_CTRPOOL_H

#include <linux/mutex.h>
#include <linux/percpu.h>

#define PODWALL_CTRPOOL_CHUNK	256

struct podwall_ctrpool {
	struct mutex lock;		/* guards everything below */
	size_t size;			/* bytes of one block */
	size_t align;
	void __percpu **chunks;
	u32 nr_chunks;
	u32 *free;			/* slots put back, a stack */
	u32 nr_free;
	u32 next;			/* slots below were handed out before */
};

#define PODWALL_CTRPOOL_INIT(name, type) {			\
	.lock = __MUTEX_INITIALIZER(name.lock),			\
	.size = sizeof(type),					\
	.align = __alignof__(type),				\
}

/* A zeroed block and its slot, or NULL. */
void __percpu *podwall_ctrpool_get(struct podwall_ctrpool *pool, u32 *slot);
void podwall_ctrpool_put(struct podwall_ctrpool *pool, u32 slot);
/* Frees every chunk: no block may be in use. */
void podwall_ctrpool_destroy(struct podwall_ctrpool *pool);

#endif /* _PODWALL_CTRPOOL_H */
