// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Label maps and label selectors (metav1.LabelSelector): parsing with the
 * API server's checks, and matching. matchLabels and matchExpressions are
 * ANDed; NotIn and DoesNotExist match objects that lack the key.
 */
#include <stdlib.h>
#include <string.h>
#include "k8s.h"
#include "k8s_err.h"

int pw_k8s_labels_parse(json_object *o, const char *what, json_object **out,
			char *err, size_t errlen)
{
	if (!o) {
		*out = json_object_new_object();
		return 0;
	}
	if (!json_object_is_type(o, json_type_object))
		return pw_k8s_err(err, errlen, "%s: must be a map of strings", what);
	json_object_object_foreach(o, key, val) {
		if (!*key)
			return pw_k8s_err(err, errlen, "%s: empty label key", what);
		if (!json_object_is_type(val, json_type_string))
			return pw_k8s_err(err, errlen,
					  "%s[%s]: label value must be a string",
					  what, key);
	}
	*out = json_object_get(o);
	return 0;
}

static int expr_parse(json_object *o, const char *what,
		      struct pw_k8s_expr *e, char *err, size_t errlen)
{
	const char *key = pw_k8s_get_str(o, "key");
	const char *op = pw_k8s_get_str(o, "operator");
	json_object *vals = pw_k8s_get(o, "values");
	size_t i, n;

	if (!json_object_is_type(o, json_type_object))
		return pw_k8s_err(err, errlen, "%s: must be an object", what);
	if (!key || !*key)
		return pw_k8s_err(err, errlen, "%s.key: required", what);
	if (!op)
		return pw_k8s_err(err, errlen, "%s.operator: required", what);
	if (!strcmp(op, "In"))
		e->op = PW_K8S_OP_IN;
	else if (!strcmp(op, "NotIn"))
		e->op = PW_K8S_OP_NOT_IN;
	else if (!strcmp(op, "Exists"))
		e->op = PW_K8S_OP_EXISTS;
	else if (!strcmp(op, "DoesNotExist"))
		e->op = PW_K8S_OP_DOES_NOT_EXIST;
	else
		return pw_k8s_err(err, errlen,
				  "%s.operator: \"%s\" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)",
				  what, op);
	if (vals && !json_object_is_type(vals, json_type_array))
		return pw_k8s_err(err, errlen, "%s.values: must be a list", what);
	n = vals ? json_object_array_length(vals) : 0;
	if ((e->op == PW_K8S_OP_IN || e->op == PW_K8S_OP_NOT_IN) && !n)
		return pw_k8s_err(err, errlen,
				  "%s.values: must be specified when operator is %s",
				  what, op);
	if ((e->op == PW_K8S_OP_EXISTS || e->op == PW_K8S_OP_DOES_NOT_EXIST) && n)
		return pw_k8s_err(err, errlen,
				  "%s.values: may not be specified when operator is %s",
				  what, op);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(vals, i),
					 json_type_string))
			return pw_k8s_err(err, errlen,
					  "%s.values[%zu]: must be a string", what, i);
	e->key = strdup(key);
	e->values = calloc(n ? n : 1, sizeof(*e->values));
	if (!e->key || !e->values)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e->values[i] = strdup(json_object_get_string(
				json_object_array_get_idx(vals, i)));
		if (!e->values[i])
			return -ENOMEM;
		e->nr_values++;
	}
	return 0;
}

int pw_k8s_selector_parse(json_object *o, const char *what,
			  struct pw_k8s_selector *sel, char *err, size_t errlen)
{
	json_object *ml, *me;
	char sub[512];
	size_t i, n;
	int ret;

	memset(sel, 0, sizeof(*sel));
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return pw_k8s_err(err, errlen, "%s: must be a label selector", what);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "matchLabels") && strcmp(key, "matchExpressions"))
			return pw_k8s_err(err, errlen, "%s: unknown field \"%s\"",
					  what, key);
	}
	ml = pw_k8s_get(o, "matchLabels");
	if (ml) {
		snprintf(sub, sizeof(sub), "%s.matchLabels", what);
		ret = pw_k8s_labels_parse(ml, sub, &sel->match_labels, err, errlen);
		if (ret)
			return ret;
	}
	me = pw_k8s_get(o, "matchExpressions");
	if (!me)
		return 0;
	if (!json_object_is_type(me, json_type_array)) {
		pw_k8s_selector_release(sel);
		return pw_k8s_err(err, errlen, "%s.matchExpressions: must be a list",
				  what);
	}
	n = json_object_array_length(me);
	sel->exprs = calloc(n ? n : 1, sizeof(*sel->exprs));
	if (!sel->exprs) {
		pw_k8s_selector_release(sel);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s.matchExpressions[%zu]", what, i);
		sel->nr_exprs++;
		ret = expr_parse(json_object_array_get_idx(me, i), sub,
				 &sel->exprs[i], err, errlen);
		if (ret) {
			pw_k8s_selector_release(sel);
			return ret;
		}
	}
	return 0;
}

void pw_k8s_selector_release(struct pw_k8s_selector *sel)
{
	uint32_t i, j;

	json_object_put(sel->match_labels);
	for (i = 0; i < sel->nr_exprs; i++) {
		free(sel->exprs[i].key);
		for (j = 0; j < sel->exprs[i].nr_values; j++)
			free(sel->exprs[i].values[j]);
		free(sel->exprs[i].values);
	}
	free(sel->exprs);
	memset(sel, 0, sizeof(*sel));
}

int pw_k8s_selector_dup(const struct pw_k8s_selector *src,
			struct pw_k8s_selector *dst)
{
	uint32_t i, j;

	memset(dst, 0, sizeof(*dst));
	dst->match_labels = json_object_get(src->match_labels);
	dst->exprs = calloc(src->nr_exprs ? src->nr_exprs : 1, sizeof(*dst->exprs));
	if (!dst->exprs)
		goto nomem;
	for (i = 0; i < src->nr_exprs; i++) {
		const struct pw_k8s_expr *s = &src->exprs[i];
		struct pw_k8s_expr *d = &dst->exprs[i];

		dst->nr_exprs++;
		d->op = s->op;
		d->key = strdup(s->key);
		d->values = calloc(s->nr_values ? s->nr_values : 1, sizeof(*d->values));
		if (!d->key || !d->values)
			goto nomem;
		for (j = 0; j < s->nr_values; j++) {
			d->values[j] = strdup(s->values[j]);
			if (!d->values[j])
				goto nomem;
			d->nr_values++;
		}
	}
	return 0;
nomem:
	pw_k8s_selector_release(dst);
	return -ENOMEM;
}

bool pw_k8s_selector_empty(const struct pw_k8s_selector *sel)
{
	return !sel->nr_exprs &&
	       (!sel->match_labels || !json_object_object_length(sel->match_labels));
}

static bool in_values(const struct pw_k8s_expr *e, const char *v)
{
	uint32_t i;

	for (i = 0; i < e->nr_values; i++)
		if (!strcmp(e->values[i], v))
			return true;
	return false;
}

bool pw_k8s_selector_matches(const struct pw_k8s_selector *sel,
			     json_object *labels)
{
	uint32_t i;

	if (sel->match_labels) {
		json_object_object_foreach(sel->match_labels, key, want) {
			const char *have = pw_k8s_get_str(labels, key);

			if (!have || strcmp(have, json_object_get_string(want)))
				return false;
		}
	}
	for (i = 0; i < sel->nr_exprs; i++) {
		const struct pw_k8s_expr *e = &sel->exprs[i];
		const char *have = pw_k8s_get_str(labels, e->key);

		switch (e->op) {
		case PW_K8S_OP_IN:
			if (!have || !in_values(e, have))
				return false;
			break;
		case PW_K8S_OP_NOT_IN:
			if (have && in_values(e, have))
				return false;
			break;
		case PW_K8S_OP_EXISTS:
			if (!have)
				return false;
			break;
		case PW_K8S_OP_DOES_NOT_EXIST:
			if (have)
				return false;
			break;
		}
	}
	return true;
}
