// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl compile --objects FILE... [--node NAME] [--node-addr IP]...
 * Compiles manifests into the policy set JSON that `restore` loads (the
 * format is documented in userspace/lib/model.c). Exit 0, 1 on a usage
 * error, 2 on any other.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "offline_opts.h"
#include "podwallctl.h"

#define USAGE "compile --objects FILE... [--node NAME] [--node-addr IP]... [-o OUT]\n" \
	      "  --node: endpoints are the pods scheduled there (default: every pod)"

int compile_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_OFFLINE_OPTIONS('f'),
		{ "node", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *node_name = NULL, *output = NULL;
	struct ctl_offline a;
	struct pw_offline o;
	FILE *out = stdout;
	int c, ret;

	if (ctl_offline_init(&a, argc, USAGE, EXIT_USAGE, 'f'))
		return a.status;
	while ((c = getopt_long(argc, argv, "f:N:n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			node_name = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		default:
			if (ctl_offline_opt(&a, c))
				return a.status;
		}
	}
	if (ctl_offline_load(&a, argc, argv, true, &o, node_name))
		return a.status;
	if (output && !(out = fopen(output, "w"))) {
		pw_offline_release(&o);
		return ctl_error(EXIT_SYSTEM, "%s: %s", output, strerror(errno));
	}
	ret = pw_model_write_json(&o.m, out);
	if (out != stdout && fclose(out))
		ret = -errno;
	pw_offline_release(&o);
	if (ret)
		return ctl_error(EXIT_SYSTEM, "writing the set: %s", strerror(-ret));
	return EXIT_OK;
}
