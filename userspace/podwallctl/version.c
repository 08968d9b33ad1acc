// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl version: this tool's version and, if loaded, the module's. */
#include <stdio.h>
#include "podwallctl.h"

int version_main(int argc, char **argv)
{
	struct pw_nl_info info;
	struct pw_nl *nl;
	char err[256];
	int ret, have = 0;

	ret = ctl_simple_opts(argc, argv, "version [-j]");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	/* The module is optional here: version works without it. */
	if (!pw_nl_open(&nl, err, sizeof(err))) {
		have = !pw_nl_info(nl, &info);
		pw_nl_close(nl);
	}
	print_begin();
	print_string("version", "podwallctl %s", PODWALLCTL_VERSION);
	print_u64("protocol", " (protocol %llu)\n", PODWALL_GENL_VERSION);
	if (have) {
		print_obj_open("module");
		print_string("version", "podwall.ko %s", info.module_version);
		print_u64("protocol", " (protocol %llu)\n", info.version);
		print_obj_close();
	} else {
		print_text("podwall.ko not loaded\n");
	}
	print_end();
	return EXIT_OK;
}
