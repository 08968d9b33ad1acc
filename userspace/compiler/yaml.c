// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * YAML to json-c, so JSON and YAML input share one code path. Uses
 * libyaml's event parser; plain scalars get YAML 1.2 core types (null,
 * booleans, integers, floats), quoted scalars stay strings. Anchors and
 * aliases are rejected: Kubernetes manifests do not need them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "k8s.h"
#include "k8s_err.h"

#define MAX_DEPTH 64

static json_object *scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	char *end;
	long long n;
	double d;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (ev->data.scalar.tag && !strcmp((const char *)ev->data.scalar.tag,
					    YAML_STR_TAG)))
		return json_object_new_string(v);
	if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	    !strcmp(v, "NULL"))
		return NULL;
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
		return json_object_new_boolean(1);
	if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
		return json_object_new_boolean(0);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*end && !errno && (v[0] == '-' || v[0] == '+' || (v[0] >= '0' && v[0] <= '9')))
		return json_object_new_int64(n);
	errno = 0;
	d = strtod(v, &end);
	if (!*end && !errno && ((v[0] >= '0' && v[0] <= '9') || v[0] == '-' ||
				 v[0] == '.'))
		return json_object_new_double(d);
	return json_object_new_string(v);
}

struct frame {
	json_object *obj;
	char *key;		/* pending mapping key */
	bool is_map;
};

int pw_yaml_to_json(const char *text, size_t len, json_object **out, char *err,
		    size_t errlen)
{
	struct frame st[MAX_DEPTH];
	yaml_parser_t parser;
	yaml_event_t ev;
	json_object *docs = json_object_new_array();
	json_object *doc = NULL;
	int depth = 0, ret = 0;
	bool done = false;

	if (!docs)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		json_object_put(docs);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		json_object *val = NULL;
		bool have_val = false;

		if (!yaml_parser_parse(&parser, &ev)) {
			ret = pw_k8s_err(err, errlen, "YAML line %zu: %s",
					 parser.problem_mark.line + 1,
					 parser.problem ? parser.problem : "syntax error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			doc = NULL;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (doc)
				json_object_array_add(docs, doc);
			doc = NULL;
			break;
		case YAML_ALIAS_EVENT:
			ret = pw_k8s_err(err, errlen, "YAML line %zu: aliases are not supported",
					 ev.start_mark.line + 1);
			break;
		case YAML_SCALAR_EVENT:
			if (depth && st[depth - 1].is_map && !st[depth - 1].key) {
				st[depth - 1].key = strdup((const char *)ev.data.scalar.value);
				if (!st[depth - 1].key)
					ret = -ENOMEM;
				break;
			}
			val = scalar(&ev);
			have_val = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == MAX_DEPTH) {
				ret = pw_k8s_err(err, errlen, "YAML line %zu: nested too deeply",
						 ev.start_mark.line + 1);
				break;
			}
			if (depth && st[depth - 1].is_map && !st[depth - 1].key) {
				ret = pw_k8s_err(err, errlen, "YAML line %zu: complex mapping keys are not supported",
						 ev.start_mark.line + 1);
				break;
			}
			st[depth].is_map = ev.type == YAML_MAPPING_START_EVENT;
			st[depth].obj = st[depth].is_map ? json_object_new_object() :
							   json_object_new_array();
			st[depth].key = NULL;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			val = st[depth].obj;
			have_val = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (ret)
			break;
		if (!have_val)
			continue;
		if (!depth) {
			json_object_put(doc);
			doc = val;
		} else if (st[depth - 1].is_map) {
			json_object_object_add(st[depth - 1].obj, st[depth - 1].key, val);
			free(st[depth - 1].key);
			st[depth - 1].key = NULL;
		} else {
			json_object_array_add(st[depth - 1].obj, val);
		}
	}
	while (depth-- > 0) {
		json_object_put(st[depth].obj);
		free(st[depth].key);
	}
	json_object_put(doc);
	yaml_parser_delete(&parser);
	if (ret) {
		json_object_put(docs);
		return ret;
	}
	*out = docs;
	return 0;
}
