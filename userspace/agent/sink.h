/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where committed policy sets go. The sync loop hands every effective
 * change to stage() as it happens, and calls commit() after each coalesced
 * batch; a sink keeps whatever it needs of the previous commit to send a
 * delta. Sinks are used by the sync thread only.
 */
#ifndef AGENT_SINK_H
#define AGENT_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "store.h"

struct agent_commit {
	bool full;			/* first commit (or a resync): a snapshot */
	uint64_t seq;			/* 1, 2, ...: commits by this process */
	json_object *const *objs;	/* the cache, per kind: key -> object */
};

/* This node: its name selects endpoints, its addresses form the node set. */
struct agent_node {
	const char *name;
	size_t nr_addrs;
	char **addrs;		/* textual IPs */
};

struct agent_sink;

struct agent_sink_ops {
	const char *name;
	/* One effective change (borrowed for the call). */
	int (*stage)(struct agent_sink *s, const struct agent_change *ch);
	/* 0, or a negative errno with a message logged; the commit is retried. */
	int (*commit)(struct agent_sink *s, const struct agent_commit *c);
	/* Is the target there and compatible? Refreshes kernel metrics. */
	bool (*check)(struct agent_sink *s);
	void (*free)(struct agent_sink *s);
};

struct agent_sink {
	const struct agent_sink_ops *ops;
	bool resync;	/* set by the sink: the target lost our set, send a full snapshot */
};

/* Appends one JSON line per commit to @path (for tests and dry runs). */
struct agent_sink *agent_sink_json_new(const char *path, const struct agent_node *node);
/* Commits to podwall.ko in this network namespace. */
struct agent_sink *agent_sink_kernel_new(const struct agent_node *node);

#endif /* AGENT_SINK_H */
