// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl show endpoints|sets|rules|policies: the live objects. */
#include <stdio.h>
#include <string.h>
#include "explain.h"
#include "podwallctl.h"

#define USAGE "show [-j] endpoints|sets|rules|policies"

static const char *dir_name(uint8_t dir)
{
	return dir == PODWALL_DIR_EGRESS ? "egress" : "ingress";
}

static void show_policies(const struct pw_model *m)
{
	uint32_t i;

	for (i = 0; i < m->nr_policies; i++) {
		const struct pw_model_policy *p = &m->policies[i];

		print_obj_open(NULL);
		print_u64("id", "policy %llu ", p->id);
		print_string("namespace", "%s/", p->ns);
		print_string("name", "%s\n", p->name);
		print_obj_close();
	}
}

static void show_sets(const struct pw_model *m)
{
	uint32_t i, j;

	for (i = 0; i < m->nr_sets; i++) {
		const struct pw_model_set *s = &m->sets[i];

		print_obj_open(NULL);
		print_u64("id", "set %llu", s->id);
		print_bool("node", s->id == m->node_set ? " (node)" : NULL,
			   s->id == m->node_set);
		print_u64("nr_prefixes", " %llu prefixes:", s->nr_prefixes);
		print_arr_open("prefixes");
		for (j = 0; j < s->nr_prefixes; j++)
			print_addr(NULL, " %s", &s->prefixes[j]);
		print_arr_close();
		print_text("\n");
		print_obj_close();
	}
}

static void show_rules(const struct pw_model *m)
{
	char num[8];
	uint32_t i, j;

	for (i = 0; i < m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[i];
		const struct pw_model_policy *p = pw_model_policy(m, r->policy);

		print_obj_open(NULL);
		print_u64("id", "rule %llu", r->id);
		print_string("direction", " %s", dir_name(r->dir));
		print_u64("policy", " policy %llu", r->policy);
		if (p && p->name) {
			print_string("policy_namespace", " (%s/", p->ns);
			print_string("policy_name", "%s", p->name);
			print_u64("index", " #%llu)", r->index);
		} else {
			print_u64("index", " #%llu", r->index);
		}
		if (r->flags & PW_RULE_F_ANY_PEER)
			print_string("peers", " peers any", "any");
		else
			print_u64("set", " peers set %llu", r->set);
		print_arr_open("ports");
		if (r->flags & PW_RULE_F_ANY_PORT) {
			print_text(" ports any");
		} else {
			print_text(" ports");
			if (!r->nr_ports)
				print_text(" none");
		}
		for (j = 0; j < r->nr_ports; j++) {
			const struct pw_port_range *pr = &r->ports[j];

			print_obj_open(NULL);
			print_string("proto", " %s", pw_proto_name(pr->proto, num,
								     sizeof(num)));
			print_u64("first", "/%llu", pr->first);
			print_u64("last", pr->last != pr->first ? "-%llu" : NULL,
				  pr->last);
			print_obj_close();
		}
		print_arr_close();
		print_bool("any_port", NULL, !!(r->flags & PW_RULE_F_ANY_PORT));
		print_text("\n");
		print_obj_close();
	}
}

static void show_eps(const struct pw_model *m)
{
	unsigned int d;
	uint32_t i, j;

	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[i];

		print_obj_open(NULL);
		print_u64("id", "endpoint %llu ", e->id);
		print_string("namespace", "%s/", e->ns);
		print_string("name", "%s", e->name);
		print_arr_open("addrs");
		for (j = 0; j < e->nr_addrs; j++)
			print_addr(NULL, j ? ",%s" : " %s", &e->addrs[j]);
		print_arr_close();
		print_text("\n");
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			uint32_t flag = d == PODWALL_DIR_INGRESS ?
					PODWALL_EP_F_ISOLATED_INGRESS :
					PODWALL_EP_F_ISOLATED_EGRESS;

			print_obj_open(dir_name((uint8_t)d));
			print_string(NULL, "  %-8s", dir_name((uint8_t)d));
			print_bool("isolated", " isolated %s", !!(e->flags & flag));
			print_ids("rules", " rules %s", e->rules[d], e->nr_rules[d]);
			print_ids("policies", " policies %s", e->policies[d],
				  e->nr_policies[d]);
			print_text("\n");
			print_obj_close();
		}
		print_obj_close();
	}
}

int show_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*show)(const struct pw_model *m);
	} kinds[] = {
		{ "endpoints", show_eps },
		{ "sets", show_sets },
		{ "rules", show_rules },
		{ "policies", show_policies },
	};
	struct pw_model m;
	struct pw_nl *nl;
	size_t k;
	int ret;

	ret = ctl_simple_opts(argc, argv, USAGE);
	if (ret < 0)
		return EXIT_USAGE;
	if (argc - ret != 1)
		return ctl_error(EXIT_USAGE, "usage: podwallctl %s", USAGE);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(argv[ret], kinds[k].name))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return ctl_error(EXIT_USAGE, "unknown object kind '%s' (%s)",
				 argv[ret], "endpoints, sets, rules, policies");
	if ((ret = ctl_open(&nl)))
		return ret;
	if (pw_nl_dump(nl, &m)) {
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
		pw_nl_close(nl);
		return ret;
	}
	pw_nl_close(nl);
	print_begin();
	print_arr_open(kinds[k].name);
	kinds[k].show(&m);
	print_arr_close();
	print_end();
	pw_model_free(&m);
	return EXIT_OK;
}
