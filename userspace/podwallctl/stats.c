// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl stats: global counters, then per rule and per endpoint. */
#include "podwallctl.h"

static void counters(const struct pw_nl_counters *c, int global)
{
	print_u64("judged", " judged %llu", c->judged);
	print_u64("allowed", " allowed %llu", c->allowed);
	print_u64("denied_ingress", " denied-ingress %llu", c->denied_ingress);
	print_u64("denied_egress", " denied-egress %llu", c->denied_egress);
	if (global) {
		print_u64("events", " events %llu", c->events);
		print_u64("suppressed", " suppressed %llu", c->suppressed);
		print_u64("commits", " commits %llu", c->commits);
	}
}

int stats_main(int argc, char **argv)
{
	struct pw_nl_stats st;
	struct pw_nl *nl;
	size_t i;
	int ret;

	ret = ctl_simple_opts(argc, argv, "stats [-j]");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	if ((ret = ctl_open(&nl)))
		return ret;
	if (pw_nl_stats(nl, &st)) {
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
		pw_nl_close(nl);
		return ret;
	}
	pw_nl_close(nl);
	print_begin();
	print_obj_open("global");
	print_text("global:");
	counters(&st.global, 1);
	print_text("\n");
	print_obj_close();
	print_arr_open("rules");
	for (i = 0; i < st.nr_objs; i++) {
		if (st.objs[i].kind != PW_MODEL_RULE)
			continue;
		print_obj_open(NULL);
		print_u64("id", "rule %llu:", st.objs[i].id);
		print_u64("hits", " hits %llu\n", st.objs[i].c.hits);
		print_obj_close();
	}
	print_arr_close();
	print_arr_open("endpoints");
	for (i = 0; i < st.nr_objs; i++) {
		if (st.objs[i].kind != PW_MODEL_EP)
			continue;
		print_obj_open(NULL);
		print_u64("id", "endpoint %llu:", st.objs[i].id);
		counters(&st.objs[i].c, 0);
		print_text("\n");
		print_obj_close();
	}
	print_arr_close();
	print_end();
	pw_nl_stats_free(&st);
	return EXIT_OK;
}
