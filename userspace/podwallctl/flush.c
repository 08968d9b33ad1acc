// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl flush: commit an empty set, so everything is allowed again. */
#include "podwallctl.h"

int flush_main(int argc, char **argv)
{
	struct pw_model m;
	struct pw_nl *nl;
	uint64_t gen = 0;
	int ret;

	ret = ctl_simple_opts(argc, argv, "flush");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	if ((ret = ctl_open(&nl)))
		return ret;
	pw_model_init(&m);
	ret = pw_nl_load(nl, &m, 1, &gen);
	if (ret)
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
	pw_nl_close(nl);
	if (ret)
		return ret;
	print_begin();
	print_u64("generation", "committed empty generation %llu\n", gen);
	print_end();
	return EXIT_OK;
}
