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
