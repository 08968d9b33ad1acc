// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Offline evaluation: manifests to a compiled model and a matcher table
 * (see offline.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "offline.h"

int pw_offline_load(struct pw_offline *o, char *const *files, int nr_files,
		    const char *node, const struct pw_addr *node_addrs,
		    uint32_t nr_node_addrs)
{
	int i, ret;

	memset(o, 0, sizeof(*o));
	pw_model_init(&o->m);
	o->c = pw_compiler_new();
	if (!o->c)
		return -ENOMEM;
	for (i = 0; i < nr_files; i++) {
		ret = pw_compiler_load_file(o->c, files[i], stderr);
		if (ret)
			return ret;
	}
	if (pw_compiler_nr_invalid(o->c))
		fprintf(stderr, "%u invalid object(s) left out: the API server would refuse them, so they enforce nothing\n",
			pw_compiler_nr_invalid(o->c));
	ret = pw_compiler_set_node(o->c, node);
	if (!ret)
		ret = pw_compiler_set_node_addrs(o->c, node_addrs, nr_node_addrs);
	if (!ret)
		ret = pw_compiler_compile(o->c, &o->m);
	if (ret) {
		fprintf(stderr, "compile: %s\n", strerror(-ret));
		return ret;
	}
	ret = pw_model_table(&o->m, &o->t);
	if (ret)
		fprintf(stderr, "the compiled set does not load into a matcher table: %s%s\n",
			strerror(-ret), ret == -EEXIST ? " (two pods share an address)" : "");
	return ret;
}

void pw_offline_release(struct pw_offline *o)
{
	pw_model_table_free(o->t);
	pw_model_free(&o->m);
	pw_compiler_free(o->c);
	memset(o, 0, sizeof(*o));
}

int pw_offline_resolve(struct pw_offline *o, const char *text, int family,
		       struct pw_addr *out, char *err, size_t errlen)
{
	const struct pw_k8s_pod *pod;
	const char *slash = strchr(text, '/');
	char ns[PODWALL_NAMESPACE_MAX];
	uint32_t i;

	if (!pw_addr_parse(text, out)) {
		if (out->plen != (out->family == PW_FAMILY_INET ? 32 : 128)) {
			snprintf(err, errlen, "'%s': an address, not a prefix", text);
			return -EINVAL;
		}
		return 0;
	}
	if (!slash || (size_t)(slash - text) >= sizeof(ns)) {
		snprintf(err, errlen, "'%s': not an address or NAMESPACE/POD", text);
		return -EINVAL;
	}
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - text), text);
	pod = pw_compiler_pod(o->c, ns, slash + 1);
	if (!pod) {
		snprintf(err, errlen, "no pod %s in the objects given", text);
		return -ENOENT;
	}
	for (i = 0; i < pod->nr_ips; i++)
		if (!family || pod->ips[i].family == family) {
			*out = pod->ips[i];
			return 0;
		}
	snprintf(err, errlen, "pod %s has no %s address", text,
		 family == PW_FAMILY_INET6 ? "IPv6" : family ? "IPv4" : "IP");
	return -ENOENT;
}
