/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Offline evaluation for `podwallctl simulate`, `matrix` and `compile`:
 * manifests loaded into a compiler, compiled, and a matcher table built
 * over the result, with names resolved to addresses.
 *
 * Ownership: struct pw_offline owns its compiler, model and table;
 * pw_offline_release() frees them. Single-threaded.
 */
#ifndef PODWALL_OFFLINE_H
#define PODWALL_OFFLINE_H

#include "compiler.h"

struct pw_offline {
	struct pw_compiler *c;
	struct pw_model m;
	struct pw_table *t;
};

/*
 * Loads @files (JSON or YAML, "-" for stdin), sets @node (NULL = all pods)
 * and the node addresses, compiles and builds the table. Invalid objects
 * are reported on stderr and left out. Returns 0 or a negative errno after
 * printing the reason.
 */
int pw_offline_load(struct pw_offline *o, char *const *files, int nr_files,
		    const char *node, const struct pw_addr *node_addrs,
		    uint32_t nr_node_addrs);
void pw_offline_release(struct pw_offline *o);

/*
 * "NS/POD" (its address of @family, or its first when @family is 0) or an
 * address. 0, or -EINVAL/-ENOENT with the reason in err.
 */
int pw_offline_resolve(struct pw_offline *o, const char *text, int family,
		       struct pw_addr *out, char *err, size_t errlen);

#endif /* PODWALL_OFFLINE_H */
