// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The agent's object store: coalescing of queued operations into effective
 * changes, relist (replace) semantics, and object trimming.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../userspace/agent/objects.c"
#include "../../userspace/agent/store.c"

static json_object *obj(const char *text)
{
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static const struct agent_change *find(const struct agent_change *c, size_t n,
				       const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].key, key))
			return &c[i];
	return NULL;
}

static void apply_all(struct agent_store *s, struct agent_change **c, size_t *n)
{
	unsigned int synced;
	struct timespec now;
	struct agent_op *ops;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ops = agent_store_take(s, &now, &synced);
	assert_int_equal(agent_store_apply(s, ops, c, n), 0);
	agent_store_ops_free(ops);
}

static void coalesce(void **state)
{
	struct agent_store s;
	struct agent_change *c;
	size_t n;

	(void)state;
	agent_store_init(&s);
	agent_store_put(&s, AGENT_POD, "ns/a", obj("{\"v\":1}"));
	agent_store_put(&s, AGENT_POD, "ns/a", obj("{\"v\":2}"));
	agent_store_put(&s, AGENT_POD, "ns/b", obj("{\"v\":1}"));
	agent_store_delete(&s, AGENT_POD, "ns/b");	/* came and went: no change */
	agent_store_delete(&s, AGENT_POD, "ns/never");	/* unknown: no change */
	apply_all(&s, &c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].key, "ns/a");
	assert_null(c[0].old);
	assert_int_equal(json_object_get_int(json_object_object_get(c[0].obj, "v")), 2);
	agent_store_changes_free(c, n);

	/* The same object again is no change; a different one is an update. */
	agent_store_put(&s, AGENT_POD, "ns/a", obj("{\"v\":2}"));
	apply_all(&s, &c, &n);
	assert_int_equal(n, 0);
	agent_store_changes_free(c, n);
	agent_store_put(&s, AGENT_POD, "ns/a", obj("{\"v\":3}"));
	agent_store_delete(&s, AGENT_POD, "ns/a");
	apply_all(&s, &c, &n);
	assert_int_equal(n, 1);
	assert_null(c[0].obj);
	assert_non_null(c[0].old);
	assert_int_equal(json_object_get_int(json_object_object_get(c[0].old, "v")), 2);
	agent_store_changes_free(c, n);
	agent_store_free(&s);
}

static void relist(void **state)
{
	struct agent_store s;
	struct agent_change *c;
	json_object *map;
	size_t n;

	(void)state;
	agent_store_init(&s);
	agent_store_put(&s, AGENT_NETPOL, "ns/keep", obj("{\"v\":1}"));
	agent_store_put(&s, AGENT_NETPOL, "ns/gone", obj("{\"v\":1}"));
	agent_store_put(&s, AGENT_NETPOL, "ns/changed", obj("{\"v\":1}"));
	agent_store_put(&s, AGENT_NS, "ns", obj("{\"v\":1}"));
	apply_all(&s, &c, &n);
	assert_int_equal(n, 4);
	agent_store_changes_free(c, n);

	/* A relist after 410: only the differences come out, other kinds untouched. */
	map = json_object_new_object();
	json_object_object_add(map, "ns/keep", obj("{\"v\":1}"));
	json_object_object_add(map, "ns/changed", obj("{\"v\":2}"));
	json_object_object_add(map, "ns/new", obj("{\"v\":1}"));
	agent_store_replace(&s, AGENT_NETPOL, map);
	apply_all(&s, &c, &n);
	assert_int_equal(n, 3);
	assert_null(find(c, n, "ns/keep"));
	assert_null(find(c, n, "ns"));
	assert_null(find(c, n, "ns/gone")->obj);
	assert_non_null(find(c, n, "ns/changed")->old);
	assert_null(find(c, n, "ns/new")->old);
	assert_int_equal(json_object_object_length(s.objs[AGENT_NETPOL]), 3);
	assert_int_equal(json_object_object_length(s.objs[AGENT_NS]), 1);
	agent_store_changes_free(c, n);
	assert_true(s.synced & (1u << AGENT_NETPOL));
	assert_false(s.synced & (1u << AGENT_POD));
	agent_store_free(&s);
}

static void strip(void **state)
{
	json_object *in = obj("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\","
			      "\"labels\":{\"a\":\"b\"},\"managedFields\":[{}],\"annotations\":{\"x\":\"y\"}},"
			      "\"spec\":{\"nodeName\":\"n1\",\"hostNetwork\":true,\"volumes\":[{}],"
			      "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"env\":[],"
			      "\"ports\":[{\"name\":\"http\",\"containerPort\":80}]}]},"
			      "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.1\","
			      "\"podIPs\":[{\"ip\":\"10.0.0.1\"}],\"conditions\":[{}]}}");
	char key[64], err[128];
	json_object *out = agent_object_strip(AGENT_POD, in, key, sizeof(key), err, sizeof(err));
	const char *s;

	(void)state;
	assert_non_null(out);
	json_object_put(in);
	assert_string_equal(key, "n/p");
	s = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(s, "managedFields"));
	assert_null(strstr(s, "annotations"));
	assert_null(strstr(s, "image"));
	assert_null(strstr(s, "conditions"));
	assert_null(strstr(s, "volumes"));
	assert_non_null(strstr(s, "\"containerPort\":80"));
	assert_non_null(strstr(s, "\"hostNetwork\":true"));
	assert_non_null(strstr(s, "\"podIPs\""));
	assert_non_null(strstr(s, "\"labels\":{\"a\":\"b\"}"));
	json_object_put(out);

	in = obj("{\"metadata\":{\"name\":\"p\"}}");
	assert_null(agent_object_strip(AGENT_NETPOL, in, key, sizeof(key), err, sizeof(err)));
	assert_non_null(strstr(err, "metadata.namespace"));
	assert_non_null(out = agent_object_strip(AGENT_NS, in, key, sizeof(key), err, sizeof(err)));
	assert_string_equal(key, "p");
	json_object_put(out);
	json_object_put(in);
	in = obj("{\"metadata\":{}}");
	assert_null(agent_object_strip(AGENT_NS, in, key, sizeof(key), err, sizeof(err)));
	assert_non_null(strstr(err, "metadata.name"));
	json_object_put(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(coalesce),
		cmocka_unit_test(relist),
		cmocka_unit_test(strip),
	};

	return cmocka_run_group_tests_name("agent_store", tests, NULL, NULL);
}
