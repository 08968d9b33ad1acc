// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl save: the live set as compiled-set JSON, what restore reads. */
#include <stdio.h>
#include "podwallctl.h"

int save_main(int argc, char **argv)
{
	struct pw_model m;
	struct pw_nl *nl;
	int ret;

	ret = ctl_simple_opts(argc, argv, "save > FILE");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	if ((ret = ctl_open(&nl)))
		return ret;
	if (pw_nl_dump(nl, &m)) {
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
		pw_nl_close(nl);
		return ret;
	}
	pw_nl_close(nl);
	ret = pw_model_write_json(&m, stdout);
	pw_model_free(&m);
	if (ret || fflush(stdout))
		return ctl_error(EXIT_SYSTEM, "writing to stdout failed");
	return EXIT_OK;
}
