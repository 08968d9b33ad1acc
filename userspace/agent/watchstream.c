// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdio.h>
#include "watchstream.h"

int agent_watchstream_init(struct agent_watchstream *ws)
{
	ws->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	ws->in_object = 0;
	return ws->tok ? 0 : -ENOMEM;
}

void agent_watchstream_free(struct agent_watchstream *ws)
{
	if (ws->tok)
		json_tokener_free(ws->tok);
	ws->tok = NULL;
}

int agent_watchstream_partial(const struct agent_watchstream *ws)
{
	return ws->in_object;
}

static int is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int agent_watchstream_feed(struct agent_watchstream *ws, const char *buf,
			   size_t len, agent_watchstream_cb cb, void *ctx,
			   char *err, size_t errlen)
{
	size_t off = 0;

	while (off < len) {
		enum json_tokener_error jerr;
		json_object *obj;
		size_t used;

		/* Whitespace between objects never reaches the tokener. */
		if (!ws->in_object) {
			while (off < len && is_space(buf[off]))
				off++;
			if (off == len)
				break;
			if (buf[off] != '{') {
				snprintf(err, errlen, "watch stream: expected an object, got '%c'",
					 buf[off]);
				return -EINVAL;
			}
		}
		obj = json_tokener_parse_ex(ws->tok, buf + off, (int)(len - off));
		jerr = json_tokener_get_error(ws->tok);
		used = json_tokener_get_parse_end(ws->tok);
		if (jerr == json_tokener_continue) {
			ws->in_object = 1;
			break;
		}
		if (jerr != json_tokener_success || !obj) {
			snprintf(err, errlen, "watch stream: %s",
				 json_tokener_error_desc(jerr));
			json_tokener_reset(ws->tok);
			ws->in_object = 0;
			return -EINVAL;
		}
		ws->in_object = 0;
		json_tokener_reset(ws->tok);
		off += used;
		if (!json_object_is_type(obj, json_type_object)) {
			json_object_put(obj);
			snprintf(err, errlen, "watch stream: event is not an object");
			return -EINVAL;
		}
		{
			int ret = cb(obj, ctx);

			if (ret)
				return ret;
		}
	}
	return 0;
}
