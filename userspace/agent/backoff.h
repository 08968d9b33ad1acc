/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Exponential backoff with jitter for reconnects. Each reflector owns one;
 * not shared between threads.
 */
#ifndef AGENT_BACKOFF_H
#define AGENT_BACKOFF_H

#include <stdint.h>

struct agent_backoff {
	uint32_t base_ms;	/* first delay (before jitter) */
	uint32_t max_ms;	/* cap on the delay */
	uint32_t attempt;	/* failures since the last reset */
	uint32_t seed;		/* jitter state (xorshift32), never 0 */
};

void agent_backoff_init(struct agent_backoff *b, uint32_t base_ms,
			uint32_t max_ms, uint32_t seed);
void agent_backoff_reset(struct agent_backoff *b);

/*
 * The delay before the next attempt: uniformly in [d/2, d] where
 * d = min(max_ms, base_ms * 2^attempt), so reconnecting nodes spread out.
 */
uint32_t agent_backoff_next(struct agent_backoff *b);

#endif /* AGENT_BACKOFF_H */
