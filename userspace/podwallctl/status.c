// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl status: what GET_INFO says about the live set. */
#include "podwallctl.h"

int status_main(int argc, char **argv)
{
	struct pw_nl_info info;
	struct pw_nl *nl;
	int ret;

	ret = ctl_simple_opts(argc, argv, "status [-j]");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	if ((ret = ctl_open(&nl)))
		return ret;
	if (pw_nl_info(nl, &info)) {
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
		pw_nl_close(nl);
		return ret;
	}
	pw_nl_close(nl);
	print_begin();
	print_string("module_version", "module:     podwall %s", info.module_version);
	print_u64("protocol", " (protocol %llu)\n", info.version);
	print_string("mode", "mode:       %s\n",
		     info.mode == PODWALL_MODE_ENFORCING ? "enforcing" : "open");
	print_u64("generation", "generation: %llu\n", info.generation);
	print_obj_open("objects");
	print_u64("policies", "objects:    %llu policies, ", info.nr_policies);
	print_u64("sets", "%llu sets, ", info.nr_sets);
	print_u64("rules", "%llu rules, ", info.nr_rules);
	print_u64("endpoints", "%llu endpoints, ", info.nr_eps);
	print_u64("prefixes", "%llu prefixes\n", info.nr_prefixes);
	print_obj_close();
	print_u64("memory", "memory:     %llu bytes\n", info.memory);
	print_end();
	return EXIT_OK;
}
