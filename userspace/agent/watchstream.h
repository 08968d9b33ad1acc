/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Incremental parser for a watch stream: a sequence of JSON objects (one
 * event per line on the wire, but chunk boundaries fall anywhere). Bytes
 * go in as they arrive; each complete object is handed to a callback,
 * which takes ownership of it. One parser per HTTP response; not shared.
 */
#ifndef AGENT_WATCHSTREAM_H
#define AGENT_WATCHSTREAM_H

#include <stddef.h>
#include <json-c/json.h>

struct agent_watchstream {
	json_tokener *tok;
	size_t max_depth;
	int in_object;		/* a partial object is buffered in tok */
};

/* Called for each complete object; non-zero stops the feed and is returned. */
typedef int (*agent_watchstream_cb)(json_object *obj, void *ctx);

int agent_watchstream_init(struct agent_watchstream *ws);
void agent_watchstream_free(struct agent_watchstream *ws);

/*
 * Feeds len bytes. Returns 0, the callback's non-zero value, or -EINVAL on
 * malformed input (message in err): the stream must then be dropped.
 */
int agent_watchstream_feed(struct agent_watchstream *ws, const char *buf,
			   size_t len, agent_watchstream_cb cb, void *ctx,
			   char *err, size_t errlen);

/* True if the stream ended in the middle of an object. */
int agent_watchstream_partial(const struct agent_watchstream *ws);

#endif /* AGENT_WATCHSTREAM_H */
