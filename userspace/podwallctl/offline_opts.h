/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The options the offline subcommands (simulate, matrix, compile) share:
 * --objects FILE... (files may also follow as plain arguments), --node-addr
 * IP (repeatable), -j where the subcommand declares it, and -h; and the
 * step from them to a loaded pw_offline. Each subcommand keeps its own
 * getopt loop and hands these to ctl_offline_opt().
 *
 * Ownership: struct ctl_offline owns its file list (the strings are argv's);
 * ctl_offline_load(), any call that returns true, or ctl_offline_free()
 * frees it. Uses getopt's globals: single-threaded.
 */
#ifndef PODWALLCTL_OFFLINE_OPTS_H
#define PODWALLCTL_OFFLINE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include "offline.h"

/* The shared entries of a subcommand's long options. */
#define CTL_OFFLINE_OPTIONS(objects)					\
	{ "objects", required_argument, NULL, (objects) },		\
	{ "node-addr", required_argument, NULL, 'n' },			\
	{ "help", no_argument, NULL, 'h' }

struct ctl_offline {
	const char *usage;
	int usage_status;	/* simulate exits 1 for "denied", so 2 there */
	int objects;		/* getopt value of --objects */
	int status;		/* exit status once a call returned true */
	char **files;
	int nr_files;
	struct pw_addr node[PODWALL_MAX_ADDRS_PER_EP];	/* --node-addr */
	uint32_t nr_node;
};

/*
 * Each of these returns true when the subcommand is over (help printed, or
 * an error reported): it then returns a->status, the file list freed.
 */

/* @objects: the getopt value of --objects given to CTL_OFFLINE_OPTIONS(). */
bool ctl_offline_init(struct ctl_offline *a, int argc, const char *usage,
		      int usage_status, int objects);
/* getopt's @c (and optarg) the subcommand does not handle itself. */
bool ctl_offline_opt(struct ctl_offline *a, int c);
/*
 * After getopt: the remaining arguments are files too; the usage unless
 * there is a file and @complete (the subcommand's required options are
 * there); then the files loaded for @node (NULL: every pod) into @o, which
 * the caller releases when false is returned.
 */
bool ctl_offline_load(struct ctl_offline *a, int argc, char **argv,
		      bool complete, struct pw_offline *o, const char *node);
void ctl_offline_free(struct ctl_offline *a);

#endif /* PODWALLCTL_OFFLINE_OPTS_H */
