/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deny events on the PODWALL_MCGRP_EVENTS multicast group, rate-limited by
 * a token bucket per CPU (struct podwall_net.ratelimit, touched only by its
 * own CPU in softirq). Called from the hooks under rcu_read_lock().
 */
#ifndef _PODWALL_EVENTS_H
#define _PODWALL_EVENTS_H

#include "netns.h"

#define PODWALL_EVENTS_PER_SEC	100
#define PODWALL_EVENTS_BURST	200

/* Events flow only while the genl family is registered (see main.c). */
void podwall_events_start(void);
void podwall_events_stop(void);

void podwall_event_deny(struct podwall_net *pn, const struct podwall_gen *gen,
			const struct pw_tuple *t, const struct pw_verdict *v);

#endif /* _PODWALL_EVENTS_H */
