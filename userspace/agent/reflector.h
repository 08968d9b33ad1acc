/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One reflector per resource: a thread that lists the resource (paginated)
 * into the store, then watches from the list's resourceVersion, relisting
 * on 410 and reconnecting with backoff on errors. The struct is owned by
 * main; the thread reads its configuration and the shared kube client and
 * writes only to the store (which locks) and to metrics.
 */
#ifndef AGENT_REFLECTOR_H
#define AGENT_REFLECTOR_H

#include <pthread.h>
#include <stdint.h>
#include "kube.h"
#include "objects.h"
#include "store.h"

struct agent_reflector_cfg {
	unsigned int page_size;		/* list limit */
	unsigned int watch_timeout_s;	/* timeoutSeconds, jittered by up to 20% */
	uint32_t backoff_base_ms;
	uint32_t backoff_max_ms;
};

struct agent_reflector {
	enum agent_kind kind;
	const struct agent_reflector_cfg *cfg;
	struct agent_kube *kube;
	struct agent_store *store;
	pthread_t thread;
};

int agent_reflector_start(struct agent_reflector *r);
void agent_reflector_join(struct agent_reflector *r);

#endif /* AGENT_REFLECTOR_H */
