// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reading Kubernetes objects from files: JSON (one value or several
 * concatenated) or YAML (multi-document), objects or Lists ("List" or any
 * "*List" kind with items, as `kubectl get -o json` prints them).
 */
#include <stdlib.h>
#include <string.h>
#include "k8s.h"
#include "k8s_err.h"

static int walk(json_object *o, const char *origin, pw_k8s_object_fn fn,
		void *ctx, char *err, size_t errlen, int depth)
{
	const char *kind;
	json_object *items;
	size_t i, n;
	int ret, first = 0;

	if (!o)
		return 0;	/* an empty YAML document */
	if (depth > 4)
		return pw_k8s_err(err, errlen, "%s: Lists nested too deeply", origin);
	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			ret = walk(json_object_array_get_idx(o, i), origin, fn, ctx,
				   err, errlen, depth + 1);
			if (ret && !first)
				first = ret;
		}
		return first;
	}
	if (!json_object_is_type(o, json_type_object))
		return pw_k8s_err(err, errlen, "%s: expected an object", origin);
	kind = pw_k8s_get_str(o, "kind");
	if (!kind)
		return pw_k8s_err(err, errlen, "%s: object without \"kind\"", origin);
	n = strlen(kind);
	if (n >= 4 && !strcmp(kind + n - 4, "List")) {
		items = pw_k8s_get(o, "items");
		if (items && !json_object_is_type(items, json_type_array))
			return pw_k8s_err(err, errlen, "%s: %s.items: must be a list",
					  origin, kind);
		/* Items of a typed list (PodList) may lack their kind. */
		for (i = 0; items && i < json_object_array_length(items); i++) {
			json_object *it = json_object_array_get_idx(items, i);

			if (n > 4 && json_object_is_type(it, json_type_object) &&
			    !pw_k8s_get(it, "kind")) {
				char k[64];

				snprintf(k, sizeof(k), "%.*s", (int)(n - 4), kind);
				json_object_object_add(it, "kind", json_object_new_string(k));
			}
			ret = walk(it, origin, fn, ctx, err, errlen, depth + 1);
			if (ret && !first)
				first = ret;
		}
		return first;
	}
	return fn(o, kind, ctx);
}

static int parse_json_stream(const char *text, size_t len, json_object **out,
			     char *err, size_t errlen, const char *origin)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *all = json_object_new_array();
	size_t off = 0;

	if (!tok || !all) {
		json_tokener_free(tok);
		json_object_put(all);
		return -ENOMEM;
	}
	while (off < len) {
		json_object *o;
		enum json_tokener_error je;

		while (off < len && strchr(" \t\r\n", text[off]))
			off++;
		if (off == len)
			break;
		o = json_tokener_parse_ex(tok, text + off, (int)(len - off));
		je = json_tokener_get_error(tok);
		if (!o || je != json_tokener_success) {
			json_tokener_free(tok);
			json_object_put(all);
			json_object_put(o);
			return pw_k8s_err(err, errlen, "%s: invalid JSON at byte %zu: %s",
					  origin, off, json_tokener_error_desc(je));
		}
		json_object_array_add(all, o);
		off += json_tokener_get_parse_end(tok);
		json_tokener_reset(tok);
	}
	json_tokener_free(tok);
	*out = all;
	return 0;
}

int pw_k8s_load_text(const char *text, size_t len, const char *origin,
		     pw_k8s_object_fn fn, void *ctx, char *err, size_t errlen)
{
	json_object *docs = NULL;
	size_t i = 0;
	int ret;

	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '[')) {
		ret = parse_json_stream(text, len, &docs, err, errlen, origin);
		/* YAML flow style looks like JSON at first: give it a chance. */
		if (ret == -EINVAL && !pw_yaml_to_json(text, len, &docs, NULL, 0))
			ret = 0;
	} else {
		ret = pw_yaml_to_json(text, len, &docs, err, errlen);
	}
	if (ret) {
		if (ret == -EINVAL && err && !strstr(err, origin)) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s", err);
			pw_k8s_err(err, errlen, "%s: %s", origin, tmp);
		}
		return ret;
	}
	ret = walk(docs, origin, fn, ctx, err, errlen, 0);
	json_object_put(docs);
	return ret;
}

int pw_k8s_load_file(const char *path, pw_k8s_object_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f)
		return pw_k8s_err(err, errlen, "%s: %s", path, strerror(errno));
	do {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 262144);

			if (!nb) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap += 262144;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (f != stdin)
		fclose(f);
	buf[len] = '\0';
	ret = pw_k8s_load_text(buf, len, path, fn, ctx, err, errlen);
	free(buf);
	return ret;
}
