// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The watch-stream parser: events split at every byte boundary, several
 * events per chunk, whitespace between them, and malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../userspace/agent/watchstream.c"

struct seen {
	char types[16][16];
	char rvs[16][16];
	int n;
};

static int collect(json_object *obj, void *ctx)
{
	struct seen *s = ctx;
	json_object *t, *o, *md, *rv;

	assert_true(json_object_object_get_ex(obj, "type", &t));
	assert_true(s->n < 16);
	snprintf(s->types[s->n], sizeof(s->types[0]), "%s", json_object_get_string(t));
	if (json_object_object_get_ex(obj, "object", &o) &&
	    json_object_object_get_ex(o, "metadata", &md) &&
	    json_object_object_get_ex(md, "resourceVersion", &rv))
		snprintf(s->rvs[s->n], sizeof(s->rvs[0]), "%s", json_object_get_string(rv));
	s->n++;
	json_object_put(obj);
	return 0;
}

static const char stream[] =
	"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"11\","
	"\"labels\":{\"x\":\"}{\\\"\"}}}}\n"
	"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"12\"}}}\r\n"
	"  {\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"13\"}}}\n";

static void check_three(const struct seen *s)
{
	assert_int_equal(s->n, 3);
	assert_string_equal(s->types[0], "ADDED");
	assert_string_equal(s->rvs[0], "11");
	assert_string_equal(s->types[1], "BOOKMARK");
	assert_string_equal(s->rvs[1], "12");
	assert_string_equal(s->types[2], "DELETED");
	assert_string_equal(s->rvs[2], "13");
}

static void whole(void **state)
{
	struct agent_watchstream ws;
	struct seen s = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(agent_watchstream_init(&ws), 0);
	assert_int_equal(agent_watchstream_feed(&ws, stream, strlen(stream), collect, &s,
						err, sizeof(err)), 0);
	check_three(&s);
	assert_false(agent_watchstream_partial(&ws));
	agent_watchstream_free(&ws);
}

/* Every split point of the stream into two chunks, then one byte at a time. */
static void split_everywhere(void **state)
{
	size_t len = strlen(stream);
	char err[128];

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		struct agent_watchstream ws;
		struct seen s = { 0 };

		assert_int_equal(agent_watchstream_init(&ws), 0);
		assert_int_equal(agent_watchstream_feed(&ws, stream, cut, collect, &s, err,
							sizeof(err)), 0);
		assert_int_equal(agent_watchstream_feed(&ws, stream + cut, len - cut, collect,
							&s, err, sizeof(err)), 0);
		check_three(&s);
		agent_watchstream_free(&ws);
	}
	{
		struct agent_watchstream ws;
		struct seen s = { 0 };

		assert_int_equal(agent_watchstream_init(&ws), 0);
		for (size_t i = 0; i < len; i++) {
			assert_int_equal(agent_watchstream_feed(&ws, stream + i, 1, collect, &s,
								err, sizeof(err)), 0);
			/* Nothing is delivered before its closing brace arrives. */
			assert_true(s.n <= 3);
		}
		check_three(&s);
		agent_watchstream_free(&ws);
	}
}

static void partial_at_end(void **state)
{
	struct agent_watchstream ws;
	struct seen s = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(agent_watchstream_init(&ws), 0);
	assert_int_equal(agent_watchstream_feed(&ws, stream, 30, collect, &s, err,
						sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_true(agent_watchstream_partial(&ws));
	agent_watchstream_free(&ws);
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"[1,2]\n",
		"{\"type\":\"ADDED\",]}\n",
		"\"text\"\n",
		"{\"type\":\"ADDED\"} garbage\n",
	};
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct agent_watchstream ws;
		struct seen s = { 0 };

		assert_int_equal(agent_watchstream_init(&ws), 0);
		err[0] = 0;
		assert_int_equal(agent_watchstream_feed(&ws, bad[i], strlen(bad[i]), collect,
							&s, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		agent_watchstream_free(&ws);
	}
}

static int stop_after_first(json_object *obj, void *ctx)
{
	(*(int *)ctx)++;
	json_object_put(obj);
	return 7;
}

static void callback_stops(void **state)
{
	struct agent_watchstream ws;
	char err[128];
	int n = 0;

	(void)state;
	assert_int_equal(agent_watchstream_init(&ws), 0);
	assert_int_equal(agent_watchstream_feed(&ws, stream, strlen(stream), stop_after_first,
						&n, err, sizeof(err)), 7);
	assert_int_equal(n, 1);
	agent_watchstream_free(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole),
		cmocka_unit_test(split_everywhere),
		cmocka_unit_test(partial_at_end),
		cmocka_unit_test(malformed),
		cmocka_unit_test(callback_stops),
	};

	return cmocka_run_group_tests_name("agent_watchstream", tests, NULL, NULL);
}
