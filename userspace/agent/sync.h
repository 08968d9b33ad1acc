/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The sync loop: runs on the main thread. Takes operations from the store,
 * stages the effective changes into the sink, and commits: first a full
 * snapshot once every resource has been listed (never before: until then
 * the kernel keeps enforcing its last committed set), then coalesced
 * incremental commits. Returns when the store is stopped, after finishing
 * any commit in progress.
 */
#ifndef AGENT_SYNC_H
#define AGENT_SYNC_H

#include <stdbool.h>
#include "sink.h"
#include "store.h"

struct agent_sync_cfg {
	unsigned int coalesce_ms;
	unsigned int kinds;	/* bit per kind that must be listed before the first commit */
	bool once;		/* return after the first successful commit */
};

int agent_sync_run(struct agent_store *st, struct agent_sink *sink,
		   const struct agent_sync_cfg *cfg);

#endif /* AGENT_SYNC_H */
