// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl simulate --objects FILE... --from SRC --to DST --port PROTO/PORT
 * Judges one new connection offline: the manifests are compiled as for one
 * node holding every pod, and the verdict comes from the same matcher the
 * kernel runs, explained with the policies that isolate and the rule that
 * admits. Exit 0 allowed, 1 denied, 2 error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"
#include "offline_opts.h"
#include "podwallctl.h"

#define USAGE "simulate [-j] --objects FILE... --from SRC --to DST --port PROTO/PORT\n" \
	      "                  [--node-addr IP]...\n" \
	      "  SRC, DST: NAMESPACE/POD, an address, or @node (the first --node-addr)\n" \
	      "  FILE: Pods, Namespaces, NetworkPolicies as JSON or YAML (Lists too)"

static void ref_ep(const struct pw_model *m, const struct pw_ep *ep,
		   struct pw_nl_ref *r)
{
	const struct pw_model_ep *e = ep ? pw_model_ep(m, ep->id) : NULL;

	if (!ep)
		return;
	r->id = ep->id;
	if (e) {
		snprintf(r->ns, sizeof(r->ns), "%s", e->ns);
		snprintf(r->name, sizeof(r->name), "%s", e->name);
	}
}

static void ref_policy(const struct pw_model *m, uint32_t id,
		       struct pw_nl_ref *r)
{
	const struct pw_model_policy *p = pw_model_policy(m, id);

	r->id = id;
	if (p) {
		snprintf(r->ns, sizeof(r->ns), "%s", p->ns);
		snprintf(r->name, sizeof(r->name), "%s", p->name);
	}
}

static void ref_rule(const struct pw_model *m, const struct pw_rule *rule,
		     struct pw_nl_ref *r)
{
	if (!rule)
		return;
	ref_policy(m, rule->policy, r);
	r->id = rule->id;
	r->policy = rule->policy;
	r->rule_index = rule->index;
}

/* The verdict in the form the kernel's EVAL reply takes, names included. */
static int to_nl_verdict(const struct pw_model *m, const struct pw_verdict *v,
			 struct pw_nl_verdict *out)
{
	unsigned int d;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->allow = v->allow;
	out->reason = v->reason;
	out->egress = v->egress;
	out->ingress = v->ingress;
	ref_ep(m, v->src_ep, &out->src_ep);
	ref_ep(m, v->dst_ep, &out->dst_ep);
	ref_rule(m, v->egress_rule, &out->egress_rule);
	ref_rule(m, v->ingress_rule, &out->ingress_rule);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		const struct pw_ep *ep = d == PODWALL_DIR_INGRESS ? v->dst_ep : v->src_ep;

		if (!ep || !ep->nr_policies[d])
			continue;
		out->policies[d] = calloc(ep->nr_policies[d], sizeof(*out->policies[d]));
		if (!out->policies[d])
			return -ENOMEM;
		out->nr_policies[d] = ep->nr_policies[d];
		for (i = 0; i < ep->nr_policies[d]; i++)
			ref_policy(m, ep->policies[d][i], &out->policies[d][i]);
	}
	return 0;
}

int simulate_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_OFFLINE_OPTIONS('o'),
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *to = NULL, *port = NULL;
	struct pw_tuple t = { .sport = 40000 };
	struct ctl_offline a;
	struct pw_offline o;
	struct pw_verdict v;
	struct pw_nl_verdict nv;
	char err[512], text[2048];
	int c, ret;

	if (ctl_offline_init(&a, argc, USAGE, 2, 'o'))
		return a.status;
	while ((c = getopt_long(argc, argv, "o:f:t:p:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'p':
			port = optarg;
			if (pw_portspec_parse(port, &t.proto, &t.dport, err, sizeof(err))) {
				ctl_offline_free(&a);
				return ctl_error(2, "--port: %s", err);
			}
			break;
		default:
			if (ctl_offline_opt(&a, c))
				return a.status;
		}
	}
	if (ctl_offline_load(&a, argc, argv, from && to && port, &o, NULL))
		return a.status;
	/* Resolve the side given as an address first: it fixes the family. */
	if (!strcmp(to, "@node")) {
		ret = ctl_error(2, "--to @node: the node is only a source");
		goto out;
	}
	if (pw_offline_resolve(&o, to, 0, &t.dst, err, sizeof(err))) {
		ret = ctl_error(2, "--to: %s", err);
		goto out;
	}
	if (!strcmp(from, "@node")) {
		uint32_t i;

		for (i = 0; i < a.nr_node && a.node[i].family != t.dst.family; i++)
			;
		if (i == a.nr_node) {
			ret = ctl_error(2, "--from @node: no --node-addr of the destination's family");
			goto out;
		}
		t.src = a.node[i];
		t.src.plen = t.src.family == PW_FAMILY_INET ? 32 : 128;
	} else if (pw_offline_resolve(&o, from, t.dst.family, &t.src, err, sizeof(err))) {
		ret = ctl_error(2, "--from: %s", err);
		goto out;
	}
	pw_match(o.t, &t, &v);
	if (to_nl_verdict(&o.m, &v, &nv)) {
		ret = ctl_error(2, "out of memory");
		goto out;
	}
	if (ctl_json) {
		json_object *j = pw_explain_json(&t, &nv);

		json_object_object_add(j, "from", json_object_new_string(from));
		json_object_object_add(j, "to", json_object_new_string(to));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		printf("%s%s%s\n", print_color(v.allow),
		       pw_explain_text(&t, &nv, text, sizeof(text)), print_reset());
	}
	pw_nl_verdict_free(&nv);
	ret = v.allow ? 0 : 1;
out:
	pw_offline_release(&o);
	return ret;
}
