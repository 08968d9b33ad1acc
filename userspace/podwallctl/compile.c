// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl compile --objects FILE... [--node NAME] [--node-addr IP]...
 * Compiles manifests into the policy set JSON that `restore` loads (the
 * format is documented in userspace/lib/model.c). Exit 0, or 2 on error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "offline.h"
#include "podwallctl.h"

#define USAGE "compile --objects FILE... [--node NAME] [--node-addr IP]... [-o OUT]\n" \
	      "  --node: endpoints are the pods scheduled there (default: every pod)"

int compile_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "objects", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "node-addr", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pw_addr node[PODWALL_MAX_ADDRS_PER_EP];
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	const char *node_name = NULL, *output = NULL;
	struct pw_offline o;
	uint32_t nr_node = 0;
	int c, nr_files = 0, ret;
	FILE *out = stdout;

	if (!files)
		return ctl_error(EXIT_SYSTEM, "out of memory");
	while ((c = getopt_long(argc, argv, "f:N:n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			files[nr_files++] = optarg;
			break;
		case 'N':
			node_name = optarg;
			break;
		case 'n':
			if (nr_node == PODWALL_MAX_ADDRS_PER_EP ||
			    pw_addr_parse(optarg, &node[nr_node])) {
				free(files);
				return ctl_error(EXIT_USAGE, "--node-addr '%s': not an address (at most %d)",
						 optarg, PODWALL_MAX_ADDRS_PER_EP);
			}
			nr_node++;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("Usage: podwallctl %s\n", USAGE);
			free(files);
			return EXIT_OK;
		default:
			fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
			free(files);
			return EXIT_USAGE;
		}
	}
	while (optind < argc)
		files[nr_files++] = argv[optind++];
	if (!nr_files) {
		fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
		free(files);
		return EXIT_USAGE;
	}
	ret = pw_offline_load(&o, files, nr_files, node_name, node, nr_node);
	free(files);
	if (ret) {
		pw_offline_release(&o);
		return ctl_error(EXIT_SYSTEM, "cannot build the policy set from the objects given");
	}
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
