// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl: inspect and drive podwall.ko, or simulate policies offline.
 * A table of subcommands (after iw and wg); each lives in its own file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "podwallctl.h"

const char *ctl_cmd = "podwallctl";

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "status", status_main, "module version, generation, mode and object counts" },
	{ "show", show_main, "list live endpoints, sets, rules or policies" },
	{ "stats", stats_main, "global, per-rule and per-endpoint counters" },
	{ "test", test_main, "judge SRC DST PROTO/PORT with the live set and explain" },
	{ "monitor", monitor_main, "stream denied connections until interrupted" },
	{ "save", save_main, "print the live set as compiled-set JSON" },
	{ "restore", restore_main, "load a compiled set (FILE or -) in one transaction" },
	{ "flush", flush_main, "commit an empty set: everything allowed again" },
	{ "simulate", simulate_main, "judge one connection offline from manifests" },
	{ "matrix", matrix_main, "print the reachability matrix offline" },
	{ "compile", compile_main, "compile manifests into a policy set" },
	{ "version", version_main, "print the tool and module versions" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

int ctl_error(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "podwallctl: %s%s", ctl_cmd ? ctl_cmd : "",
		ctl_cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int ctl_simple_opts(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl_json = 1;
			break;
		case 'h':
			printf("Usage: podwallctl %s\n", usage);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Usage: podwallctl %s\n", usage);
			return -1;
		}
	}
	return optind;
}

int ctl_open(struct pw_nl **nl)
{
	char err[256];

	if (pw_nl_open(nl, err, sizeof(err)))
		return ctl_error(EXIT_SYSTEM, "%s", err);
	return 0;
}

int ctl_resolve(struct pw_nl *nl, const struct pw_model *live, const char *text,
		int family, struct pw_addr *out)
{
	const char *slash = strchr(text, '/');
	uint32_t i, j;

	(void)nl;
	if (!pw_addr_parse(text, out)) {
		if (out->plen != (out->family == PW_FAMILY_INET ? 32 : 128))
			return ctl_error(-EINVAL, "'%s': an address, not a prefix",
					 text);
		return 0;
	}
	if (!slash || !live)
		return ctl_error(-EINVAL, "'%s': not an address or NAMESPACE/POD",
				 text);
	for (i = 0; i < live->nr_eps; i++) {
		const struct pw_model_ep *e = &live->eps[i];

		if (!e->ns || !e->name ||
		    strlen(e->ns) != (size_t)(slash - text) ||
		    strncmp(e->ns, text, (size_t)(slash - text)) ||
		    strcmp(e->name, slash + 1))
			continue;
		for (j = 0; j < e->nr_addrs; j++)
			if (!family || e->addrs[j].family == family) {
				*out = e->addrs[j];
				return 0;
			}
		return ctl_error(-ENOENT, "pod %s has no IPv%d address", text,
				 family);
	}
	return ctl_error(-ENOENT, "no pod %s on this node", text);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: podwallctl [-j|--json] COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nSee podwallctl(8). 'podwallctl COMMAND --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	/* '+': options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl_json = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			ctl_cmd = "version";
			return version_main(1, (char *[]){ "version", NULL });
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < NR_CMDS; i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		ctl_cmd = cmds[i].name;
		argc -= optind;
		argv += optind;
		optind = 0;	/* full getopt re-initialisation for the command */
		return cmds[i].main(argc, argv);
	}
	ctl_cmd = NULL;
	ctl_error(EXIT_USAGE, "unknown command '%s'", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
