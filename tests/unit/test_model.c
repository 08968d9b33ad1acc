// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The userspace model: JSON round trip, strict reading (also of large documents), diff, addresses. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model.h"

static const char *const good =
	"{\"node_set\": 2,"
	" \"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"deny\"}],"
	" \"sets\": [{\"id\": 1, \"prefixes\": [\"10.244.1.5/32\", \"10.1.2.3/8\", \"fd00::1/64\"]},"
	"            {\"id\": 2, \"prefixes\": [\"10.244.0.1\"]}],"
	" \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\","
	"              \"set\": 1, \"ports\": [{\"protocol\": \"TCP\", \"first\": 80, \"last\": 81}]},"
	"             {\"id\": 2, \"policy\": 1, \"index\": 0, \"direction\": \"egress\","
	"              \"set\": null, \"ports\": null}],"
	" \"endpoints\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"a\","
	"                  \"addrs\": [\"10.244.1.6\", \"fd00::6\"], \"isolated\": [\"ingress\", \"egress\"],"
	"                  \"ingress_rules\": [1], \"egress_rules\": [2],"
	"                  \"ingress_policies\": [1], \"egress_policies\": [1]},"
	"                 {\"id\": 2, \"namespace\": \"x\", \"name\": \"b\","
	"                  \"addrs\": [\"10.244.1.5\"], \"isolated\": [],"
	"                  \"ingress_rules\": [], \"egress_rules\": [],"
	"                  \"ingress_policies\": [], \"egress_policies\": []}]}";

static char *to_string(const struct pw_model *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(pw_model_write_json(m, f), 0);
	fclose(f);
	return buf;
}

static void test_round_trip(void **state)
{
	struct pw_model m, m2;
	char err[256];
	char *s1, *s2;

	(void)state;
	assert_int_equal(pw_model_read_json(&m, good, err, sizeof(err)), 0);
	assert_int_equal(m.nr_sets, 2);
	/* Host bits are cleared on reading. */
	assert_int_equal(m.sets[0].prefixes[1].plen, 8);
	assert_int_equal(m.sets[0].prefixes[1].a[1], 0);
	assert_true(m.rules[1].flags & PW_RULE_F_ANY_PEER);
	assert_true(m.rules[1].flags & PW_RULE_F_ANY_PORT);
	assert_int_equal(m.eps[0].flags, PODWALL_EP_F_ALL);
	s1 = to_string(&m);
	assert_int_equal(pw_model_read_json(&m2, s1, err, sizeof(err)), 0);
	s2 = to_string(&m2);
	assert_string_equal(s1, s2);
	assert_non_null(strstr(s1, "\"10.0.0.0/8\""));
	free(s1);
	free(s2);
	pw_model_free(&m);
	pw_model_free(&m2);
}

static void test_table(void **state)
{
	struct pw_model m;
	struct pw_table *t;
	struct pw_tuple tu = { .proto = PW_PROTO_TCP, .dport = 80 };
	struct pw_verdict v;
	char err[256];

	(void)state;
	assert_int_equal(pw_model_read_json(&m, good, err, sizeof(err)), 0);
	assert_int_equal(pw_model_table(&m, &t), 0);
	/* b -> a:80 admitted by rule 1 (b is in set 1). */
	assert_int_equal(pw_addr_parse("10.244.1.5", &tu.src), 0);
	assert_int_equal(pw_addr_parse("10.244.1.6", &tu.dst), 0);
	pw_match(t, &tu, &v);
	assert_true(v.allow);
	assert_int_equal(v.ingress_rule->id, 1);
	tu.dport = 82;
	pw_match(t, &tu, &v);
	assert_false(v.allow);
	assert_int_equal(v.reason, PODWALL_REASON_DENIED_INGRESS);
	/* From the node set: always allowed. */
	assert_int_equal(pw_addr_parse("10.244.0.1", &tu.src), 0);
	pw_match(t, &tu, &v);
	assert_true(v.allow);
	assert_int_equal(v.reason, PODWALL_REASON_NODE);
	pw_model_table_free(t);
	pw_model_free(&m);
}

static void expect_error(const char *text, const char *msg)
{
	struct pw_model m;
	char err[256];

	assert_int_equal(pw_model_read_json(&m, text, err, sizeof(err)), -EINVAL);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", err, msg);
	assert_int_equal(m.nr_eps + m.nr_rules + m.nr_sets + m.nr_policies, 0);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[", "invalid JSON");
	expect_error("{\"bogus\": 1}", "unknown field \"bogus\"");
	expect_error("{\"sets\": [{\"id\": 0, \"prefixes\": []}]}", "sets[0]: field \"id\" out of range");
	expect_error("{\"sets\": [{\"id\": 1, \"prefixes\": [\"10.0.0.0/33\"]}]}",
		     "sets[0]: prefixes[0]: not an IP address");
	expect_error("{\"sets\": [{\"id\": 1, \"prefixes\": []}, {\"id\": 1, \"prefixes\": []}]}",
		     "sets: id 1 appears twice");
	expect_error("{\"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"p\"}],"
		     " \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\","
		     " \"set\": 5, \"ports\": null}]}", "rule 1: field \"set\": set 5 does not exist");
	expect_error("{\"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"p\"}],"
		     " \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"up\","
		     " \"set\": null, \"ports\": null}]}", "rules[0]: field \"direction\"");
	expect_error("{\"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"p\"}],"
		     " \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"egress\","
		     " \"set\": null, \"ports\": [{\"protocol\": \"TCP\", \"first\": 90, \"last\": 80}]}]}",
		     "rules[0]: ports[0]: \"first\" 90 is above \"last\" 80");
	expect_error("{\"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"p\"}],"
		     " \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"egress\","
		     " \"set\": null, \"ports\": [{\"protocol\": \"ICMP\", \"first\": 1, \"last\": 1}]}]}",
		     "field \"protocol\" must be TCP, UDP or SCTP");
	expect_error("{\"policies\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"p\"}],"
		     " \"rules\": [{\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"egress\","
		     " \"set\": null, \"ports\": null}],"
		     " \"endpoints\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"a\", \"addrs\": [],"
		     " \"ingress_rules\": [1]}]}", "rule 1 is an egress rule");
	expect_error("{\"endpoints\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"a\", \"addrs\": [\"10.0.0.0/8\"]}]}",
		     "must be a single address");
	expect_error("{\"endpoints\": [{\"id\": 1, \"namespace\": \"x\", \"name\": \"a\", \"addrs\": [\"10.0.0.1\"]},"
		     " {\"id\": 2, \"namespace\": \"x\", \"name\": \"b\", \"addrs\": [\"10.0.0.1\"]}]}",
		     "address 10.0.0.1 is on two endpoints");
	expect_error("{\"node_set\": 4}", "node_set: set 4 does not exist");
}

static void test_diff(void **state)
{
	struct pw_model a, b;
	struct pw_model_delta d;
	char err[256];

	(void)state;
	assert_int_equal(pw_model_read_json(&a, good, err, sizeof(err)), 0);
	assert_int_equal(pw_model_read_json(&b, good, err, sizeof(err)), 0);
	assert_int_equal(pw_model_diff(&a, &b, &d), 0);
	assert_int_equal(d.node_set, UINT32_MAX);
	for (int k = 0; k < 4; k++) {
		assert_int_equal(d.nr_put[k], 0);
		assert_int_equal(d.nr_del[k], 0);
	}
	pw_model_delta_free(&d);
	/* Change endpoint 2's flags, drop rule 2 from endpoint 1 and the model. */
	b.eps[1].flags = PODWALL_EP_F_ISOLATED_INGRESS;
	b.eps[0].nr_rules[PODWALL_DIR_EGRESS] = 0;
	free(b.rules[1].ports);
	b.nr_rules = 1;
	b.node_set = 1;
	assert_int_equal(pw_model_diff(&a, &b, &d), 0);
	assert_int_equal(d.node_set, 1);
	assert_int_equal(d.nr_put[PW_MODEL_EP], 2);
	assert_int_equal(d.nr_del[PW_MODEL_RULE], 1);
	assert_int_equal(d.del[PW_MODEL_RULE][0], 2);
	assert_int_equal(d.nr_put[PW_MODEL_RULE], 0);
	assert_int_equal(d.nr_put[PW_MODEL_SET], 0);
	pw_model_delta_free(&d);
	pw_model_free(&a);
	b.nr_rules = 2;		/* ports of rule 2 already freed: NULL it */
	b.rules[1].ports = NULL;
	pw_model_free(&b);
}

static void test_addr(void **state)
{
	struct pw_addr a;
	char buf[64];

	(void)state;
	assert_int_equal(pw_addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(a.plen, 32);
	assert_string_equal(pw_addr_format(&a, buf, sizeof(buf)), "10.0.0.1");
	assert_int_equal(pw_addr_parse("fd00::/64", &a), 0);
	assert_int_equal(a.family, PW_FAMILY_INET6);
	assert_string_equal(pw_addr_format(&a, buf, sizeof(buf)), "fd00::/64");
	assert_int_equal(pw_addr_parse("10.0.0.1/", &a), -EINVAL);
	assert_int_equal(pw_addr_parse("10.0.0.1/+8", &a), -EINVAL);
	assert_int_equal(pw_addr_parse("10.0.0.1/33", &a), -EINVAL);
	assert_int_equal(pw_addr_parse("fd00::/129", &a), -EINVAL);
	assert_int_equal(pw_addr_parse("10.0.0", &a), -EINVAL);
	assert_int_equal(pw_addr_parse("", &a), -EINVAL);
}

/*
 * Large documents: many times the pieces the reader feeds json-c (8 KiB),
 * whose top-level lists are read while the tokener is still filling them.
 * The result and the messages must be those of the finished document.
 */
#define NR_RULES	3000
#define NR_SETS		4
#define SET_SIZE	3000

/*
 * A document of NR_RULES rules over one policy and NR_SETS sets, one
 * endpoint using every ingress rule. Rule @bad_rule (0-based, -1: none) has
 * direction "up"; @rules_again, if given, follows as a second "rules" member.
 */
static char *big_doc(int bad_rule, const char *rules_again)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, j;

	assert_non_null(f);
	fprintf(f, "{\"node_set\": 1,\n \"policies\": [{\"id\": 1, \"namespace\": \"ns\", \"name\": \"p\"}],\n \"sets\": [");
	for (i = 0; i < NR_SETS; i++) {
		fprintf(f, "%s\n  {\"id\": %d, \"prefixes\": [", i ? "," : "", i + 1);
		for (j = 0; j < SET_SIZE; j++)
			fprintf(f, "%s\"10.%d.%d.%d\"", j ? ", " : "", i, j / 256, j % 256);
		fprintf(f, "]}");
	}
	fprintf(f, "],\n \"rules\": [");
	for (i = 0; i < NR_RULES; i++)
		fprintf(f, "%s\n  {\"id\": %d, \"policy\": 1, \"index\": %d, \"direction\": \"%s\", \"set\": %d,"
			" \"ports\": [{\"protocol\": \"TCP\", \"first\": %d, \"last\": %d}]}",
			i ? "," : "", i + 1, i, i == bad_rule ? "up" : "ingress",
			i % NR_SETS + 1, i % 1000, i % 1000 + 1);
	fprintf(f, "],\n");
	if (rules_again)
		fprintf(f, " \"rules\": %s,\n", rules_again);
	fprintf(f, " \"endpoints\": [{\"id\": 1, \"namespace\": \"ns\", \"name\": \"a\", \"addrs\": [\"10.99.0.1\"],"
		" \"isolated\": [\"ingress\"], \"ingress_rules\": [");
	for (i = 0; i < (rules_again ? 0 : NR_RULES); i++)
		fprintf(f, "%s%d", i ? ", " : "", i + 1);
	fprintf(f, "], \"ingress_policies\": [1]}]}\n");
	fclose(f);
	assert_true(len > 4 * 65536);
	return buf;
}

static void test_big_round_trip(void **state)
{
	struct pw_model m, m2;
	char err[256], *text, *s1, *s2;

	(void)state;
	text = big_doc(-1, NULL);
	assert_int_equal(pw_model_read_json(&m, text, err, sizeof(err)), 0);
	assert_int_equal(m.nr_rules, NR_RULES);
	assert_int_equal(m.nr_sets, NR_SETS);
	assert_int_equal(m.sets[NR_SETS - 1].nr_prefixes, SET_SIZE);
	assert_int_equal(m.rules[NR_RULES - 1].id, NR_RULES);
	assert_int_equal(m.rules[NR_RULES - 1].index, NR_RULES - 1);
	assert_int_equal(m.rules[1234].ports[0].first, 234);
	assert_int_equal(m.rules[1234].set, 1234 % NR_SETS + 1);
	assert_int_equal(m.eps[0].nr_rules[PODWALL_DIR_INGRESS], NR_RULES);
	assert_int_equal(m.node_set, 1);
	s1 = to_string(&m);
	assert_int_equal(pw_model_read_json(&m2, s1, err, sizeof(err)), 0);
	s2 = to_string(&m2);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	free(text);
	pw_model_free(&m);
	pw_model_free(&m2);
}

static void test_big_errors(void **state)
{
	char *text;

	(void)state;
	/* Named by its index in the document, however the text was cut. */
	text = big_doc(2500, NULL);
	expect_error(text, "rules[2500]: field \"direction\" must be \"ingress\" or \"egress\"");
	free(text);
	/* A JSON error anywhere comes first, as if nothing had been read. */
	text = big_doc(2500, NULL);
	memcpy(strstr(text, "\"isolated\": ["), "\"isolated\": ,", 13);
	expect_error(text, "model: invalid JSON: unexpected character");
	free(text);
	text = big_doc(2500, NULL);
	text[strlen(text) - 3] = '\0';
	expect_error(text, "model: invalid JSON: unexpected end of data");
	free(text);
	/* Lists are checked in a fixed order, whatever the document's. */
	text = big_doc(2500, NULL);
	memcpy(strstr(text, "\"id\": 1, \"namespace\": \"ns\", \"name\": \"p\""),
	       "\"id\": 0", 7);
	expect_error(text, "policies[0]: field \"id\" out of range");
	free(text);
	text = big_doc(-1, NULL);
	memcpy(strstr(text, "\"node_set\": 1"), "\"node_set\": 9", 13);
	expect_error(text, "node_set: set 9 does not exist");
	free(text);
	/* A repeated id is found across pieces. */
	text = big_doc(-1, NULL);
	memcpy(strstr(text, "{\"id\": 2999, "), "{\"id\": 1000, ", 13);
	expect_error(text, "rules: id 1000 appears twice");
	free(text);
}

static void test_big_repeated_key(void **state)
{
	struct pw_model m;
	char err[256], *text;

	(void)state;
	/* json-c keeps a key's last value: the first, long list is dropped. */
	text = big_doc(-1, "[{\"id\": 7, \"policy\": 1, \"index\": 0, \"direction\": \"egress\","
		       " \"set\": null, \"ports\": null}]");
	assert_int_equal(pw_model_read_json(&m, text, err, sizeof(err)), 0);
	assert_int_equal(m.nr_rules, 1);
	assert_int_equal(m.rules[0].id, 7);
	assert_int_equal(m.rules[0].flags, PW_RULE_F_ANY_PEER | PW_RULE_F_ANY_PORT);
	pw_model_free(&m);
	free(text);
	/* ... with its errors. */
	text = big_doc(2500, "[]");
	assert_int_equal(pw_model_read_json(&m, text, err, sizeof(err)), 0);
	assert_int_equal(m.nr_rules, 0);
	pw_model_free(&m);
	free(text);
	text = big_doc(-1, "null");
	assert_int_equal(pw_model_read_json(&m, text, err, sizeof(err)), 0);
	assert_int_equal(m.nr_rules, 0);
	pw_model_free(&m);
	free(text);
	text = big_doc(-1, "5");
	expect_error(text, "model: field \"rules\" must be an array");
	free(text);
}

/*
 * Every byte of a document at the end of a piece (65536 is a multiple of
 * the piece size): the same model each time.
 */
static void test_piece_boundaries(void **state)
{
	size_t n = strlen(good), pad, k;
	struct pw_model m;
	char err[256], *want, *got, *text;

	(void)state;
	assert_int_equal(pw_model_read_json(&m, good, err, sizeof(err)), 0);
	want = to_string(&m);
	pw_model_free(&m);
	text = malloc(65536 + n + 1);
	assert_non_null(text);
	for (k = 0; k <= n; k++) {
		pad = 65536 - k;
		memset(text, ' ', pad);
		memcpy(text + pad, good, n + 1);
		if (pw_model_read_json(&m, text, err, sizeof(err)))
			fail_msg("cut after byte %zu: %s", k, err);
		got = to_string(&m);
		if (strcmp(want, got))
			fail_msg("cut after byte %zu: a different model", k);
		free(got);
		pw_model_free(&m);
	}
	free(text);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_big_round_trip),
		cmocka_unit_test(test_big_errors),
		cmocka_unit_test(test_big_repeated_key),
		cmocka_unit_test(test_piece_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
