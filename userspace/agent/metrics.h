/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Counters, gauges and histograms exported on /metrics in the Prometheus
 * text format. Written by the reflector and sync threads, read by the HTTP
 * thread; one mutex (inside) guards everything.
 */
#ifndef AGENT_METRICS_H
#define AGENT_METRICS_H

#include <stdint.h>
#include <stdio.h>
#include "objects.h"

enum agent_restart_reason {
	RESTART_TIMEOUT,	/* the server ended the watch normally */
	RESTART_EXPIRED,	/* 410 Gone: relist */
	RESTART_DISCONNECT,
	RESTART_THROTTLED,	/* 429 */
	RESTART_SERVER_ERROR,	/* 5xx */
	RESTART_UNAUTHORIZED,	/* 401/403 */
	RESTART_ERROR,		/* anything else: bad response, TLS, DNS */
	NR_RESTART_REASONS
};

void agent_metrics_restart(enum agent_kind k, enum agent_restart_reason r);
void agent_metrics_event(enum agent_kind k);
void agent_metrics_objects(enum agent_kind k, uint64_t n);
void agent_metrics_sync(double seconds, int full, int ok);
void agent_metrics_latency(double seconds);
void agent_metrics_kernel(uint64_t generation, uint64_t judged, uint64_t denied);
void agent_metrics_tick(void);
double agent_metrics_since_tick(void);	/* seconds since the last loop tick */
void agent_metrics_set_ready(int ready);
int agent_metrics_ready(void);

/* Writes the whole exposition; returns a malloc'd string. */
char *agent_metrics_render(void);

extern const char *const agent_restart_names[NR_RESTART_REASONS];

#endif /* AGENT_METRICS_H */
