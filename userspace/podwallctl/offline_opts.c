// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The options simulate, matrix and compile share (see offline_opts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include "offline_opts.h"
#include "podwallctl.h"

bool ctl_offline_init(struct ctl_offline *a, int argc, const char *usage,
		      int usage_status, int objects)
{
	*a = (struct ctl_offline){ .usage = usage, .usage_status = usage_status,
				   .objects = objects };
	/* Every argument could be a file. */
	a->files = calloc((size_t)argc + 1, sizeof(*a->files));
	if (!a->files) {
		a->status = ctl_error(EXIT_SYSTEM, "out of memory");
		return true;
	}
	return false;
}

static bool usage_error(struct ctl_offline *a)
{
	fprintf(stderr, "Usage: podwallctl %s\n", a->usage);
	ctl_offline_free(a);
	a->status = a->usage_status;
	return true;
}

bool ctl_offline_opt(struct ctl_offline *a, int c)
{
	if (c == a->objects) {
		a->files[a->nr_files++] = optarg;
		return false;
	}
	switch (c) {
	case 'n':
		if (a->nr_node == PODWALL_MAX_ADDRS_PER_EP ||
		    pw_addr_parse(optarg, &a->node[a->nr_node])) {
			ctl_offline_free(a);
			a->status = ctl_error(a->usage_status,
					      "--node-addr '%s': not an address (at most %d)",
					      optarg, PODWALL_MAX_ADDRS_PER_EP);
			return true;
		}
		a->nr_node++;
		return false;
	case 'j':	/* only returned by getopt where declared */
		ctl_json = 1;
		return false;
	case 'h':
		printf("Usage: podwallctl %s\n", a->usage);
		ctl_offline_free(a);
		a->status = EXIT_OK;
		return true;
	default:
		return usage_error(a);
	}
}

bool ctl_offline_load(struct ctl_offline *a, int argc, char **argv,
		      bool complete, struct pw_offline *o, const char *node)
{
	int ret;

	while (optind < argc)
		a->files[a->nr_files++] = argv[optind++];
	if (!a->nr_files || !complete)
		return usage_error(a);
	ret = pw_offline_load(o, a->files, a->nr_files, node, a->node, a->nr_node);
	ctl_offline_free(a);
	if (ret) {
		pw_offline_release(o);
		a->status = ctl_error(EXIT_SYSTEM, "cannot build the policy set from the objects given");
		return true;
	}
	return false;
}

void ctl_offline_free(struct ctl_offline *a)
{
	free(a->files);
	a->files = NULL;
	a->nr_files = 0;
}
