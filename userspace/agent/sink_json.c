// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The file sink: one JSON object per commit, appended as a line:
 * {"seq":N,"type":"replace"|"delta","changes":["pods/ns/name",...],
 *  "node":..., "nodeAddrs":[...], "endpoints":[...],
 *  "objects":{"pods":{key:obj},...}, "model":<the compiled set, as
 *  `podwallctl compile` prints it>}. Tests read it; a dry run shows what
 * would be committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "log.h"
#include "sink.h"

struct json_sink {
	struct agent_sink base;
	char *path;
	const struct agent_node *node;
	json_object *changes;	/* staged since the last commit */
	struct agent_compile ac;
	struct pw_model m;	/* the compiled set, updated in place */
};

/* The compiled model as a json-c object, or NULL with a message logged. */
static json_object *model_json(struct json_sink *js)
{
	json_object *o = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	ret = agent_compile_model(&js->ac, &js->m, NULL, NULL);
	if (ret) {
		log_err("sink %s: compile failed: %s", js->path, strerror(-ret));
		return NULL;
	}
	f = open_memstream(&buf, &len);
	if (f && !pw_model_write_json(&js->m, f) && !fclose(f))
		o = json_tokener_parse(buf);
	else if (f)
		fclose(f);
	free(buf);
	return o;
}

static int stage(struct agent_sink *s, const struct agent_change *c)
{
	struct json_sink *js = (struct json_sink *)s;
	char buf[600];

	snprintf(buf, sizeof(buf), "%s%s/%s", c->obj ? "" : "-",
		 agent_kinds[c->kind].resource, c->key);
	json_object_array_add(js->changes, json_object_new_string(buf));
	return agent_compile_stage(&js->ac, c);
}

static int commit(struct agent_sink *s, const struct agent_commit *c)
{
	struct json_sink *js = (struct json_sink *)s;
	json_object *line = json_object_new_object();
	json_object *objs = json_object_new_object();
	FILE *f;
	int ret = 0;

	json_object_object_add(line, "seq", json_object_new_int64((int64_t)c->seq));
	json_object_object_add(line, "type", json_object_new_string(c->full ? "replace" : "delta"));
	json_object_object_add(line, "changes", json_object_get(js->changes));
	{
		json_object *eps = json_object_new_array(), *addrs = json_object_new_array();

		/* What the compiler turns into endpoints: this node's pods. */
		json_object_object_foreach(c->objs[AGENT_POD], key, pod) {
			json_object *spec, *nn;

			if (json_object_object_get_ex(pod, "spec", &spec) &&
			    json_object_object_get_ex(spec, "nodeName", &nn) &&
			    !strcmp(json_object_get_string(nn), js->node->name))
				json_object_array_add(eps, json_object_new_string(key));
		}
		for (size_t i = 0; i < js->node->nr_addrs; i++)
			json_object_array_add(addrs, json_object_new_string(js->node->addrs[i]));
		json_object_object_add(line, "node", json_object_new_string(js->node->name));
		json_object_object_add(line, "nodeAddrs", addrs);
		json_object_object_add(line, "endpoints", eps);
	}
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		json_object_object_add(objs, agent_kinds[k].resource, json_object_get(c->objs[k]));
	json_object_object_add(line, "objects", objs);
	{
		json_object *m = model_json(js);

		if (!m) {
			json_object_put(line);
			return -EINVAL;
		}
		json_object_object_add(line, "model", m);
	}
	f = fopen(js->path, "a");
	if (!f || fprintf(f, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0) {
		ret = -errno;
		log_err("sink %s: %s", js->path, strerror(errno));
	}
	if (f && fclose(f) && !ret) {
		ret = -errno;
		log_err("sink %s: %s", js->path, strerror(errno));
	}
	json_object_put(line);
	if (!ret) {
		json_object_put(js->changes);
		js->changes = json_object_new_array();
	}
	return ret;
}

static bool check(struct agent_sink *s)
{
	(void)s;
	return true;
}

static void sink_free(struct agent_sink *s)
{
	struct json_sink *js = (struct json_sink *)s;

	json_object_put(js->changes);
	agent_compile_free(&js->ac);
	pw_model_free(&js->m);
	free(js->path);
	free(js);
}

static const struct agent_sink_ops ops = {
	.name = "json",
	.stage = stage,
	.commit = commit,
	.check = check,
	.free = sink_free,
};

struct agent_sink *agent_sink_json_new(const char *path, const struct agent_node *node)
{
	struct json_sink *js = calloc(1, sizeof(*js));

	if (!js || !(js->path = strdup(path))) {
		free(js);
		return NULL;
	}
	if (agent_compile_init(&js->ac, node)) {
		agent_compile_free(&js->ac);
		free(js->path);
		free(js);
		return NULL;
	}
	js->changes = json_object_new_array();
	pw_model_init(&js->m);
	js->node = node;
	js->base.ops = &ops;
	return &js->base;
}
