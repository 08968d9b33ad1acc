// SPDX-License-Identifier: GPL-2.0
/*
 * pwtxn CASE: drives one transaction corner of podwall.ko through
 * libpodwall and prints "ret=<negative errno> <kernel message>" (or more,
 * per case). Exit 0 if the case ran, 2 if it could not.
 *
 *   begin-exit     begin a REPLACE transaction and exit without committing
 *   abort          begin, abort; prints the live generation before and after
 *   stale          commit with a generation that is not the live one
 *   commit-alone   commit without a transaction
 *   bad-plen       NEW_SET with an IPv4 prefix of length 40
 *   bad-addr       NEW_SET with a 5-byte address
 *   many-ports     NEW_RULE with PODWALL_MAX_PORTS_PER_RULE + 1 ranges
 *   bad-attr       NEW_POLICY with an attribute type past PODWALL_A_MAX
 *   delta OLD NEW [BASE]
 *                  apply the difference between two compiled sets (JSON
 *                  files; OLD is what is live) in one incremental commit;
 *                  with BASE, only onto that live generation
 *
 * Incremental commits on a small base set (REPLACE-loaded first; ids in
 * several radix leaves). Refused ones print "ret=<errno> <message>" and
 * "live unchanged" (generation and dump) or "live CHANGED ...":
 *   del-used-set   DEL_SET of a set an unchanged rule uses
 *   del-listed-rule
 *                  DEL_RULE of a rule an unchanged endpoint lists
 *   del-rule-policy
 *                  DEL_POLICY of a policy a rule names
 *   del-ep-policy  DEL_POLICY of a policy only an endpoint names
 *   flip-dir       NEW_RULE turning a listed ingress rule into egress
 *   dup-addr       NEW_ENDPOINT B with the address of unchanged A
 *   no-set         NEW_RULE naming a set that never existed
 * Accepted ones print "ret=0" and "dump ok" or "dump DIFFERS ...":
 *   move-user      DEL_SET plus NEW_RULE moving its only user elsewhere
 *   fix-after-fail DEL_SET, a refused commit, NEW_SET again, commit
 *   two-txns       A and B begin, B commits, A commits: prints whose
 *                  changes the live set holds
 *   elems-same     ADD_ELEMS then DEL_ELEMS of one prefix of a published
 *                  3000-prefix set (new and existing prefix)
 *   elems-grow     a set grown from 1 to 5000 prefixes by small
 *                  ADD_ELEMS over 50 commits, dump checked after each
 *   grow-empty     pw_nl_apply_delta giving an empty set (no prefix
 *                  array, as the compiler makes it) its first prefix
 *   node-count     SET_NODE replacing the node set: GET_INFO's set count
 *                  before and after
 *   node-big       a node set of PODWALL_MAX_NODE_PREFIXES IPv6 addresses
 *                  (the longest encoding) read back through GET_INFO, and
 *                  one more address refused
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/nl_attr.h"

static void report(struct pw_nl *nl, int ret)
{
	printf("ret=%d %s\n", ret, ret ? pw_nl_error(nl) : "");
}

static struct nl_msg *raw(struct pw_nl *nl, uint8_t cmd)
{
	return pw_nl_msg_new(pw_nl_family(nl), cmd, NLM_F_REQUEST | NLM_F_ACK,
			     64 * 1024);
}

static int in_txn(struct pw_nl *nl, struct nl_msg *msg)
{
	int ret = pw_nl_txn_begin(nl, PODWALL_TXN_F_REPLACE, 0, NULL);

	if (ret) {
		report(nl, ret);
		nlmsg_free(msg);
		return 2;
	}
	report(nl, pw_nl_send_raw(nl, msg));
	pw_nl_txn_abort(nl);
	return 0;
}

static int load_file(const char *path, struct pw_model *m)
{
	char err[512], *text;
	FILE *f = fopen(path, "r");
	long len;
	int ret;

	pw_model_init(m);
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "pwtxn: %s: cannot read\n", path);
		return -1;
	}
	text = calloc(1, (size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "pwtxn: %s: cannot read\n", path);
		return -1;
	}
	fclose(f);
	ret = pw_model_read_json(m, text, err, sizeof(err));
	free(text);
	if (ret)
		fprintf(stderr, "pwtxn: %s: %s\n", path, err);
	return ret;
}

static int delta(const char *old_path, const char *new_path, uint64_t base)
{
	struct pw_model old, new;
	struct pw_model_delta d;
	struct pw_nl *nl;
	char err[256];

	if (load_file(old_path, &old) || load_file(new_path, &new) ||
	    pw_model_diff(&old, &new, &d))
		return 2;
	if (pw_nl_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "pwtxn: %s\n", err);
		return 2;
	}
	report(nl, pw_nl_apply_delta(nl, &old, &new, &d, base, NULL));
	pw_model_delta_free(&d);
	pw_model_free(&old);
	pw_model_free(&new);
	pw_nl_close(nl);
	return 0;
}

/* ---- incremental commits on a base set ---- */

static const char base_json[] =
	"{\"node_set\": 0,"
	" \"policies\": [ {\"id\": 1, \"namespace\": \"x\", \"name\": \"p1\"},"
	"   {\"id\": 2, \"namespace\": \"x\", \"name\": \"p2\"},"
	"   {\"id\": 700, \"namespace\": \"x\", \"name\": \"p700\"} ],"
	" \"sets\": [ {\"id\": 1, \"prefixes\": [\"10.1.0.0/16\"]},"
	"   {\"id\": 2, \"prefixes\": [\"10.2.0.1\"]},"
	"   {\"id\": 600, \"prefixes\": [\"10.6.0.0/24\", \"fd00::1\"]} ],"
	" \"rules\": [ {\"id\": 1, \"policy\": 1, \"index\": 0, \"direction\": \"ingress\","
	"     \"set\": 1, \"ports\": [ {\"protocol\": \"TCP\", \"first\": 80, \"last\": 80} ]},"
	"   {\"id\": 2, \"policy\": 1, \"index\": 1, \"direction\": \"egress\", \"set\": 2, \"ports\": null},"
	"   {\"id\": 1030, \"policy\": 2, \"index\": 0, \"direction\": \"ingress\", \"set\": 600, \"ports\": null} ],"
	" \"endpoints\": [ {\"id\": 1, \"namespace\": \"x\", \"name\": \"a\","
	"     \"addrs\": [\"10.244.1.3\"], \"isolated\": [\"ingress\", \"egress\"],"
	"     \"ingress_rules\": [1], \"egress_rules\": [2],"
	"     \"ingress_policies\": [1], \"egress_policies\": [1]},"
	"   {\"id\": 520, \"namespace\": \"x\", \"name\": \"b\","
	"     \"addrs\": [\"10.244.1.4\", \"fd00::4\"], \"isolated\": [\"ingress\"],"
	"     \"ingress_rules\": [1030], \"egress_rules\": [],"
	"     \"ingress_policies\": [2], \"egress_policies\": [700]} ] }";

static int send_msg(struct pw_nl *nl, struct nl_msg *msg, const char *what)
{
	int ret = pw_nl_send_raw(nl, msg);

	if (ret)
		printf("send %s: ret=%d %s\n", what, ret, pw_nl_error(nl));
	return ret;
}

static int send_del(struct pw_nl *nl, uint8_t cmd, int attr, uint32_t id)
{
	struct nl_msg *msg = raw(nl, cmd);

	nla_put_u32(msg, attr, id);
	return send_msg(nl, msg, "delete");
}

static int send_rule(struct pw_nl *nl, const struct pw_model_rule *r)
{
	struct nl_msg *msg = raw(nl, PODWALL_CMD_NEW_RULE);

	pw_nl_put_rule(msg, r);
	return send_msg(nl, msg, "rule");
}

static int send_prefixes(struct pw_nl *nl, uint8_t cmd, uint32_t set,
			 const struct pw_addr *p, uint32_t n)
{
	struct nl_msg *msg = raw(nl, cmd);

	if (cmd != PODWALL_CMD_SET_NODE)
		nla_put_u32(msg, PODWALL_A_SET_ID, set);
	pw_nl_put_prefixes(msg, PODWALL_A_PREFIXES, p, n);
	return send_msg(nl, msg, "prefixes");
}

static struct pw_model_rule *rule_of(struct pw_model *m, uint32_t id)
{
	return (struct pw_model_rule *)pw_model_rule(m, id);
}

static struct pw_model_set *set_of(struct pw_model *m, uint32_t id)
{
	return (struct pw_model_set *)pw_model_set(m, id);
}

/* "dump ok" if the live set is @want, else the first kind that differs. */
static int dump_equals(struct pw_nl *nl, const struct pw_model *want,
		       const char *when)
{
	static const char *const kinds[] = { "policy", "set", "rule", "endpoint" };
	struct pw_model_delta d;
	struct pw_model got;
	int k;

	if (pw_nl_dump(nl, &got)) {
		printf("%s: dump failed: %s\n", when, pw_nl_error(nl));
		return 1;
	}
	if (pw_model_diff(want, &got, &d)) {
		pw_model_free(&got);
		return 1;
	}
	for (k = 0; k < 4; k++) {
		if (d.nr_put[k] || d.nr_del[k]) {
			printf("%s: dump DIFFERS: %s %u %s\n", when, kinds[k],
			       d.nr_put[k] ? d.put[k][0] : d.del[k][0],
			       d.nr_put[k] ? "differs or is extra" : "is missing");
			break;
		}
	}
	if (k == 4 && d.node_set != UINT32_MAX) {
		printf("%s: dump DIFFERS: node set %u\n", when, d.node_set);
		k = 0;
	}
	pw_model_delta_free(&d);
	pw_model_free(&got);
	if (k == 4)
		printf("%s: dump ok\n", when);
	return k != 4;
}

static uint64_t live_gen(struct pw_nl *nl)
{
	struct pw_nl_info inf;

	return pw_nl_info(nl, &inf) ? 0 : inf.generation;
}

static void add_prefix(struct pw_model_set *s, struct pw_addr a)
{
	s->prefixes = realloc(s->prefixes, (s->nr_prefixes + 1) * sizeof(a));
	if (!s->prefixes)
		exit(2);
	s->prefixes[s->nr_prefixes++] = a;
}

static struct pw_addr v4(uint32_t x)
{
	struct pw_addr a = { .family = PW_FAMILY_INET, .plen = 32,
			     .a = { x >> 24, x >> 16, x >> 8, x } };
	return a;
}

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pw_addr));
}

/* Appends set @id with @n addresses from @first to @m (kept sorted). */
static void big_set(struct pw_model *m, uint32_t id, uint32_t first, uint32_t n)
{
	struct pw_model_set *s;
	uint32_t i;

	m->sets = realloc(m->sets, (m->nr_sets + 1) * sizeof(*m->sets));
	if (!m->sets)
		exit(2);
	s = &m->sets[m->nr_sets++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	for (i = 0; i < n; i++)
		add_prefix(s, v4(first + i));
	qsort(s->prefixes, s->nr_prefixes, sizeof(*s->prefixes), cmp_addr);
}

static int elems_grow(struct pw_nl *nl, struct pw_model *m)
{
	struct pw_model_set *s;
	struct pw_addr batch[10];
	uint32_t next = 0x0a500001, c, i, j;
	int bad = 0;

	big_set(m, 4001, next++, 1);
	if (pw_nl_load(nl, m, 1, NULL)) {
		printf("load: ret %s\n", pw_nl_error(nl));
		return 2;
	}
	s = set_of(m, 4001);
	for (c = 0; c < 50 && !bad; c++) {
		if (pw_nl_txn_begin(nl, 0, 0, NULL))
			return 2;
		/* 10 messages of 10 (the last commit 99): small edits. */
		for (i = 0; i < 10; i++) {
			uint32_t n = c == 49 && i == 9 ? 9 : 10;

			for (j = 0; j < n; j++) {
				batch[j] = v4(next++);
				add_prefix(s, batch[j]);
			}
			if (send_prefixes(nl, PODWALL_CMD_SET_ADD_ELEMS, 4001, batch, n))
				return 2;
		}
		qsort(s->prefixes, s->nr_prefixes, sizeof(*s->prefixes), cmp_addr);
		if (pw_nl_txn_commit(nl, 0, NULL)) {
			printf("commit %u: ret %s\n", c, pw_nl_error(nl));
			return 2;
		}
		bad = dump_equals(nl, m, "grow") && printf("grow: after commit %u, %u prefixes\n",
							    c, s->nr_prefixes);
	}
	printf("grown to %u prefixes in %u commits\n", s->nr_prefixes, c);
	return 0;
}

/* The largest node set GET_INFO must return whole, and one too many. */
static int node_big(struct pw_nl *nl, struct pw_model *m)
{
	struct pw_model_set *s;
	struct pw_model got;
	uint32_t i, n;
	int ret;

	big_set(m, 4002, 0, 0);
	s = set_of(m, 4002);
	m->node_set = 4002;
	for (i = 0; i <= PODWALL_MAX_NODE_PREFIXES; i++) {
		struct pw_addr a = { .family = PW_FAMILY_INET6, .plen = 128,
				     .a = { 0xfd, 0x00, 0x01, 0x00, [14] = i >> 8, [15] = i } };

		add_prefix(s, a);
	}
	s->nr_prefixes--;	/* the maximum first */
	if (pw_nl_load(nl, m, 1, NULL)) {
		printf("node set of %u: load failed: %s\n", s->nr_prefixes,
		       pw_nl_error(nl));
		return 0;
	}
	n = 0;
	if (!pw_nl_dump(nl, &got)) {
		n = got.node_set ? pw_model_set(&got, got.node_set)->nr_prefixes : 0;
		pw_model_free(&got);
	}
	printf("node set: %u addresses loaded, GET_INFO gives %u\n", s->nr_prefixes, n);
	s->nr_prefixes++;
	ret = pw_nl_load(nl, m, 1, NULL);
	printf("node set of %u: ret=%d %s\n", s->nr_prefixes, ret,
	       ret ? pw_nl_error(nl) : "");
	return 0;
}

static int incremental(const char *c)
{
	struct pw_model m, want;
	struct pw_model_rule *r;
	struct pw_nl *nl, *nl2;
	struct pw_nl_info a, b;
	struct nl_msg *msg;
	uint64_t g0;
	char err[512];
	int ret = -1, accepted = 0;

	pw_model_init(&m);
	pw_model_init(&want);
	if (pw_model_read_json(&m, base_json, err, sizeof(err)) ||
	    pw_model_read_json(&want, base_json, err, sizeof(err))) {
		fprintf(stderr, "pwtxn: base: %s\n", err);
		return 2;
	}
	if (pw_nl_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "pwtxn: %s\n", err);
		return 2;
	}
	if (!strcmp(c, "elems-grow"))
		return elems_grow(nl, &m);
	if (!strcmp(c, "elems-same"))
		big_set(&m, 4000, 0x0a010001, 3000), big_set(&want, 4000, 0x0a010001, 3000);
	if (!strcmp(c, "node-big"))
		return node_big(nl, &m);
	if (!strcmp(c, "node-count"))
		big_set(&m, 4003, 0xc0a8640a, 1), m.node_set = 4003;
	if (!strcmp(c, "grow-empty")) {
		free(set_of(&m, 2)->prefixes);
		set_of(&m, 2)->prefixes = NULL;
		set_of(&m, 2)->nr_prefixes = 0;
	}
	if (pw_nl_load(nl, &m, 1, NULL)) {
		printf("base load: %s\n", pw_nl_error(nl));
		return 2;
	}
	g0 = live_gen(nl);
	if (!strcmp(c, "grow-empty")) {
		struct pw_model_delta d;

		if (pw_model_diff(&m, &want, &d))
			return 2;
		ret = pw_nl_apply_delta(nl, &m, &want, &d, g0, NULL);
		report(nl, ret);
		pw_model_delta_free(&d);
		if (!ret)
			dump_equals(nl, &want, c);
		return 0;
	}
	if (pw_nl_txn_begin(nl, 0, 0, NULL))
		return 2;
	if (!strcmp(c, "del-used-set")) {
		ret = send_del(nl, PODWALL_CMD_DEL_SET, PODWALL_A_SET_ID, 1);
	} else if (!strcmp(c, "del-listed-rule")) {
		ret = send_del(nl, PODWALL_CMD_DEL_RULE, PODWALL_A_RULE_ID, 1);
	} else if (!strcmp(c, "del-rule-policy")) {
		ret = send_del(nl, PODWALL_CMD_DEL_POLICY, PODWALL_A_POLICY_ID, 2);
	} else if (!strcmp(c, "del-ep-policy")) {
		ret = send_del(nl, PODWALL_CMD_DEL_POLICY, PODWALL_A_POLICY_ID, 700);
	} else if (!strcmp(c, "flip-dir")) {
		r = rule_of(&m, 1);
		r->dir = PODWALL_DIR_EGRESS;
		ret = send_rule(nl, r);
	} else if (!strcmp(c, "dup-addr")) {
		struct pw_model_ep *e = (struct pw_model_ep *)pw_model_ep(&m, 520);

		e->addrs[0] = pw_model_ep(&m, 1)->addrs[0];
		msg = raw(nl, PODWALL_CMD_NEW_ENDPOINT);
		pw_nl_put_ep(msg, e);
		ret = send_msg(nl, msg, "endpoint");
	} else if (!strcmp(c, "no-set")) {
		struct pw_model_rule nr = *rule_of(&m, 2);

		nr.id = 4;
		nr.set = 4242;
		ret = send_rule(nl, &nr);
	} else if (!strcmp(c, "move-user")) {
		accepted = 1;
		ret = send_del(nl, PODWALL_CMD_DEL_SET, PODWALL_A_SET_ID, 2);
		r = rule_of(&want, 2);
		r->set = 600;
		if (!ret)
			ret = send_rule(nl, r);
		set_of(&want, 2)->id = 0;	/* gone: drop it below */
		memmove(&want.sets[1], &want.sets[2], sizeof(*want.sets));
		want.nr_sets--;
	} else if (!strcmp(c, "fix-after-fail")) {
		accepted = 1;
		ret = send_del(nl, PODWALL_CMD_DEL_SET, PODWALL_A_SET_ID, 1);
		if (!ret) {
			ret = pw_nl_txn_commit(nl, 0, NULL);
			printf("first commit: ret=%d %s\n", ret, ret ? pw_nl_error(nl) : "");
			printf("after the refused commit: generation %s\n",
			       live_gen(nl) == g0 ? "unchanged" : "CHANGED");
			ret = ret ? 0 : -1;
		}
		if (!ret)
			ret = send_prefixes(nl, PODWALL_CMD_NEW_SET, 1,
					    set_of(&m, 1)->prefixes, 1);
	} else if (!strcmp(c, "two-txns")) {
		struct pw_model_policy p7 = { 7, "x", "from-b" }, p8 = { 8, "x", "from-a" };
		struct pw_model got;

		if (pw_nl_open(&nl2, err, sizeof(err)) || pw_nl_txn_begin(nl2, 0, 0, NULL))
			return 2;
		msg = raw(nl2, PODWALL_CMD_NEW_POLICY);
		pw_nl_put_policy(msg, &p7);
		send_msg(nl2, msg, "B policy");
		ret = pw_nl_txn_commit(nl2, 0, NULL);
		printf("B commit: ret=%d %s\n", ret, ret ? pw_nl_error(nl2) : "");
		msg = raw(nl, PODWALL_CMD_NEW_POLICY);
		pw_nl_put_policy(msg, &p8);
		send_msg(nl, msg, "A policy");
		ret = pw_nl_txn_commit(nl, 0, NULL);
		printf("A commit: ret=%d %s\n", ret, ret ? pw_nl_error(nl) : "");
		if (pw_nl_dump(nl, &got))
			return 2;
		printf("live: generation %llu (base %llu), policy 7 (B's) %s, policy 8 (A's) %s\n",
		       (unsigned long long)live_gen(nl), (unsigned long long)g0,
		       pw_model_policy(&got, 7) ? "present" : "absent",
		       pw_model_policy(&got, 8) ? "present" : "absent");
		return 0;
	} else if (!strcmp(c, "elems-same")) {
		struct pw_addr fresh = v4(0x0a4d0001), old = v4(0x0a010005);

		accepted = 1;
		ret = send_prefixes(nl, PODWALL_CMD_SET_ADD_ELEMS, 4000, &fresh, 1);
		if (!ret)
			ret = send_prefixes(nl, PODWALL_CMD_SET_DEL_ELEMS, 4000, &fresh, 1);
		/* An existing prefix added again, then deleted: gone. */
		if (!ret)
			ret = send_prefixes(nl, PODWALL_CMD_SET_ADD_ELEMS, 4000, &old, 1);
		if (!ret)
			ret = send_prefixes(nl, PODWALL_CMD_SET_DEL_ELEMS, 4000, &old, 1);
		memmove(&set_of(&want, 4000)->prefixes[4], &set_of(&want, 4000)->prefixes[5],
			2995 * sizeof(struct pw_addr));
		set_of(&want, 4000)->nr_prefixes--;
	} else if (!strcmp(c, "node-count")) {
		struct pw_addr n2 = v4(0xc0a8640b);

		if (pw_nl_info(nl, &a))
			return 2;
		ret = send_prefixes(nl, PODWALL_CMD_SET_NODE, 0, &n2, 1);
		if (!ret)
			ret = pw_nl_txn_commit(nl, 0, NULL);
		if (ret || pw_nl_info(nl, &b))
			return 2;
		printf("sets in GET_INFO: %u before, %u after replacing the node set\n",
		       a.nr_sets, b.nr_sets);
		return 0;
	} else {
		fprintf(stderr, "pwtxn: unknown case %s\n", c);
		return 2;
	}
	if (ret)
		return 2;
	ret = pw_nl_txn_commit(nl, 0, NULL);
	report(nl, ret);
	if (accepted)
		return ret ? 0 : (dump_equals(nl, &want, c), 0);
	pw_nl_txn_abort(nl);
	if (live_gen(nl) != g0)
		printf("live CHANGED: generation %llu, was %llu\n",
		       (unsigned long long)live_gen(nl), (unsigned long long)g0);
	else if (!dump_equals(nl, &want, "refused"))
		printf("live unchanged\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct pw_nl_info a, b;
	struct pw_nl *nl;
	struct nl_msg *msg;
	struct nlattr *list, *p;
	uint8_t bytes[5] = { 10, 1, 2, 3, 4 };
	char err[256];
	const char *c;
	int i;

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "delta"))
		return delta(argv[2], argv[3],
			     argc == 5 ? strtoull(argv[4], NULL, 10) : 0);
	if (argc != 2) {
		fprintf(stderr, "usage: pwtxn CASE (see the source)\n");
		return 2;
	}
	c = argv[1];
	if (!strncmp(c, "del-", 4) || !strncmp(c, "elems-", 6) ||
	    !strncmp(c, "node-", 5) || !strcmp(c, "flip-dir") ||
	    !strcmp(c, "dup-addr") || !strcmp(c, "no-set") ||
	    !strcmp(c, "move-user") || !strcmp(c, "fix-after-fail") ||
	    !strcmp(c, "two-txns") || !strcmp(c, "grow-empty"))
		return incremental(c);
	if (pw_nl_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "pwtxn: %s\n", err);
		return 2;
	}
	if (!strcmp(c, "begin-exit")) {
		report(nl, pw_nl_txn_begin(nl, PODWALL_TXN_F_REPLACE, 0, NULL));
		fflush(stdout);
		_exit(0);	/* the socket closes with the candidate open */
	} else if (!strcmp(c, "abort")) {
		if (pw_nl_info(nl, &a))
			return 2;
		report(nl, pw_nl_txn_begin(nl, PODWALL_TXN_F_REPLACE, 0, NULL));
		report(nl, pw_nl_txn_abort(nl));
		if (pw_nl_info(nl, &b))
			return 2;
		printf("gen %llu %llu\n", (unsigned long long)a.generation,
		       (unsigned long long)b.generation);
	} else if (!strcmp(c, "stale")) {
		if (pw_nl_info(nl, &a))
			return 2;
		pw_nl_txn_begin(nl, 0, 0, NULL);
		report(nl, pw_nl_txn_commit(nl, a.generation + 1000, NULL));
		pw_nl_txn_abort(nl);
	} else if (!strcmp(c, "commit-alone")) {
		report(nl, pw_nl_txn_commit(nl, 0, NULL));
	} else if (!strcmp(c, "bad-plen") || !strcmp(c, "bad-addr")) {
		msg = raw(nl, PODWALL_CMD_NEW_SET);
		nla_put_u32(msg, PODWALL_A_SET_ID, 1);
		list = nla_nest_start(msg, PODWALL_A_PREFIXES);
		p = nla_nest_start(msg, PODWALL_A_PREFIX);
		nla_put(msg, PODWALL_PREFIX_A_ADDR, c[4] == 'a' ? 5 : 4, bytes);
		nla_put_u8(msg, PODWALL_PREFIX_A_PLEN, c[4] == 'a' ? 24 : 40);
		nla_nest_end(msg, p);
		nla_nest_end(msg, list);
		return in_txn(nl, msg);
	} else if (!strcmp(c, "many-ports")) {
		msg = raw(nl, PODWALL_CMD_NEW_RULE);
		nla_put_u32(msg, PODWALL_A_RULE_ID, 1);
		nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
		nla_put_u32(msg, PODWALL_A_RULE_INDEX, 0);
		nla_put_u8(msg, PODWALL_A_DIRECTION, PODWALL_DIR_INGRESS);
		list = nla_nest_start(msg, PODWALL_A_PORTS);
		for (i = 0; i <= (int)PODWALL_MAX_PORTS_PER_RULE; i++) {
			p = nla_nest_start(msg, PODWALL_A_PORT);
			nla_put_u8(msg, PODWALL_PORT_A_PROTO, PW_PROTO_TCP);
			nla_put_u16(msg, PODWALL_PORT_A_FIRST, (uint16_t)(2 * i + 1));
			nla_put_u16(msg, PODWALL_PORT_A_LAST, (uint16_t)(2 * i + 1));
			nla_nest_end(msg, p);
		}
		nla_nest_end(msg, list);
		return in_txn(nl, msg);
	} else if (!strcmp(c, "bad-attr")) {
		msg = raw(nl, PODWALL_CMD_NEW_POLICY);
		nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
		nla_put_string(msg, PODWALL_A_NAMESPACE, "x");
		nla_put_string(msg, PODWALL_A_NAME, "p");
		nla_put_u32(msg, PODWALL_A_MAX + 1, 1);
		return in_txn(nl, msg);
	} else {
		fprintf(stderr, "pwtxn: unknown case %s\n", c);
		return 2;
	}
	pw_nl_close(nl);
	return 0;
}
