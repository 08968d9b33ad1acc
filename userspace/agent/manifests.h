/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Offline source: Pods, Namespaces and NetworkPolicies from a file or a
 * directory of YAML/JSON manifests instead of the API server. A thread
 * loads the path, pushes one replace per kind into the store, and reloads
 * on inotify changes. A reload with any unreadable file is skipped (the
 * last good state stays), never half-applied. The struct is owned by main.
 */
#ifndef AGENT_MANIFESTS_H
#define AGENT_MANIFESTS_H

#include <pthread.h>
#include <stdbool.h>
#include "store.h"

struct agent_manifests {
	const char *path;
	struct agent_store *store;
	bool watch;		/* keep reloading on changes (not with --once) */
	pthread_t thread;
};

/* Loads once synchronously (so errors surface at start), then watches. */
int agent_manifests_start(struct agent_manifests *m, char *err, size_t errlen);
void agent_manifests_join(struct agent_manifests *m);

#endif /* AGENT_MANIFESTS_H */
