// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "compiler.h"
#include "log.h"

int agent_compile_init(struct agent_compile *ac, const struct agent_node *node)
{
	struct pw_addr *addrs;
	int ret;

	ac->invalid = 0;
	ac->c = pw_compiler_new();
	if (!ac->c)
		return -ENOMEM;
	ret = pw_compiler_set_node(ac->c, node->name);
	if (ret)
		return ret;
	addrs = calloc(node->nr_addrs + 1, sizeof(*addrs));
	if (!addrs)
		return -ENOMEM;
	for (size_t i = 0; i < node->nr_addrs; i++) {
		if (pw_addr_parse(node->addrs[i], &addrs[i])) {
			log_err("node address %s: not an IP address", node->addrs[i]);
			free(addrs);
			return -EINVAL;
		}
	}
	ret = pw_compiler_set_node_addrs(ac->c, addrs, (uint32_t)node->nr_addrs);
	free(addrs);
	return ret;
}

void agent_compile_free(struct agent_compile *ac)
{
	if (ac->c)
		pw_compiler_free(ac->c);
	ac->c = NULL;
}

static int del(struct agent_compile *ac, enum agent_kind k, const char *key)
{
	const char *slash = strchr(key, '/');
	char ns[256];

	if (k == AGENT_NS)
		return pw_compiler_del_ns(ac->c, key);
	if (!slash || (size_t)(slash - key) >= sizeof(ns))
		return -EINVAL;
	memcpy(ns, key, slash - key);
	ns[slash - key] = 0;
	if (k == AGENT_POD)
		return pw_compiler_del_pod(ac->c, ns, slash + 1);
	return pw_compiler_del_policy(ac->c, ns, slash + 1);
}

int agent_compile_stage(struct agent_compile *ac, const struct agent_change *ch)
{
	char err[512];
	int ret;

	if (!ch->obj) {
		ret = del(ac, ch->kind, ch->key);
		return ret == -ENOENT ? 0 : ret;	/* it may have been invalid */
	}
	ret = pw_compiler_add_object(ac->c, ch->obj, agent_kinds[ch->kind].kind, err,
				     sizeof(err));
	if (ret == -EINVAL) {
		ac->invalid++;
		log_warn("%s %s: invalid, left out: %s", agent_kinds[ch->kind].kind, ch->key, err);
		ret = del(ac, ch->kind, ch->key);
		return ret == -ENOENT ? 0 : ret;
	}
	return ret < 0 ? ret : 0;
}

int agent_compile_model(struct agent_compile *ac, struct pw_model *m,
			struct pw_model_delta *delta, struct pw_model *was)
{
	if (!was)
		return pw_compiler_compile_into(ac->c, m, delta);
	return pw_compiler_compile_into_was(ac->c, m, delta, was);
}
