// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "backoff.h"

void agent_backoff_init(struct agent_backoff *b, uint32_t base_ms,
			uint32_t max_ms, uint32_t seed)
{
	b->base_ms = base_ms ? base_ms : 1;
	b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
	b->attempt = 0;
	b->seed = seed ? seed : 0x9e3779b9u;
}

void agent_backoff_reset(struct agent_backoff *b)
{
	b->attempt = 0;
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

uint32_t agent_backoff_next(struct agent_backoff *b)
{
	uint64_t d = b->base_ms;

	/* Shift at most 31 times; the cap applies long before overflow. */
	for (uint32_t i = 0; i < b->attempt && d < b->max_ms && i < 31; i++)
		d <<= 1;
	if (d > b->max_ms)
		d = b->max_ms;
	if (b->attempt < UINT32_MAX)
		b->attempt++;
	return (uint32_t)(d - (d / 2 ? xorshift32(&b->seed) % (d / 2 + 1) : 0));
}
