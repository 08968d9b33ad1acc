// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The userspace model: JSON round trip, strict reading, diff, addresses. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
