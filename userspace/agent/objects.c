// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>
#include "objects.h"

const struct agent_kind_info agent_kinds[AGENT_NR_KINDS] = {
	[AGENT_POD] = { "pods", "Pod", "v1", "/api/v1/pods", 1 },
	[AGENT_NS] = { "namespaces", "Namespace", "v1", "/api/v1/namespaces", 0 },
	[AGENT_NETPOL] = { "networkpolicies", "NetworkPolicy", "networking.k8s.io/v1",
			   "/apis/networking.k8s.io/v1/networkpolicies", 1 },
};

int agent_kind_from_name(const char *kind)
{
	for (int i = 0; i < AGENT_NR_KINDS; i++)
		if (kind && (!strcmp(kind, agent_kinds[i].kind) ||
			     !strcmp(kind, agent_kinds[i].resource)))
			return i;
	return -1;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Copies @key from @from to @to if present (sharing the value by reference). */
static void keep(json_object *to, json_object *from, const char *key)
{
	json_object *v = get(from, key);

	if (v)
		json_object_object_add(to, key, json_object_get(v));
}

const char *agent_object_rv(json_object *obj)
{
	json_object *v = get(get(obj, "metadata"), "resourceVersion");

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Only containers' names and ports: named ports resolve against them. */
static json_object *strip_containers(json_object *list)
{
	json_object *out = json_object_new_array();
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(list, i), *s;

		if (!json_object_is_type(c, json_type_object))
			continue;
		s = json_object_new_object();
		keep(s, c, "name");
		keep(s, c, "ports");
		keep(s, c, "restartPolicy");	/* sidecar init containers */
		json_object_array_add(out, s);
	}
	return out;
}

json_object *agent_object_strip(enum agent_kind k, json_object *in, char *key,
				size_t keylen, char *err, size_t errlen)
{
	json_object *md = get(in, "metadata"), *name = get(md, "name"), *ns = get(md, "namespace");
	json_object *out, *omd, *x;

	if (!json_object_is_type(name, json_type_string) || !*json_object_get_string(name)) {
		snprintf(err, errlen, "%s: object without metadata.name", agent_kinds[k].kind);
		return NULL;
	}
	if (agent_kinds[k].namespaced &&
	    (!json_object_is_type(ns, json_type_string) || !*json_object_get_string(ns))) {
		snprintf(err, errlen, "%s %s: object without metadata.namespace",
			 agent_kinds[k].kind, json_object_get_string(name));
		return NULL;
	}
	if (agent_kinds[k].namespaced)
		snprintf(key, keylen, "%s/%s", json_object_get_string(ns),
			 json_object_get_string(name));
	else
		snprintf(key, keylen, "%s", json_object_get_string(name));

	out = json_object_new_object();
	json_object_object_add(out, "apiVersion", json_object_new_string(agent_kinds[k].api_version));
	json_object_object_add(out, "kind", json_object_new_string(agent_kinds[k].kind));
	omd = json_object_new_object();
	keep(omd, md, "name");
	keep(omd, md, "namespace");
	keep(omd, md, "uid");
	keep(omd, md, "labels");
	keep(omd, md, "resourceVersion");
	keep(omd, md, "deletionTimestamp");
	json_object_object_add(out, "metadata", omd);

	switch (k) {
	case AGENT_POD: {
		json_object *spec = get(in, "spec"), *st = get(in, "status");
		json_object *ospec = json_object_new_object(), *ost = json_object_new_object();

		keep(ospec, spec, "nodeName");
		keep(ospec, spec, "hostNetwork");
		if ((x = get(spec, "containers")))
			json_object_object_add(ospec, "containers", strip_containers(x));
		if ((x = get(spec, "initContainers")))
			json_object_object_add(ospec, "initContainers", strip_containers(x));
		keep(ost, st, "phase");
		keep(ost, st, "podIP");
		keep(ost, st, "podIPs");
		json_object_object_add(out, "spec", ospec);
		json_object_object_add(out, "status", ost);
		break;
	}
	case AGENT_NETPOL:
		keep(out, in, "spec");
		break;
	default:
		break;
	}
	return out;
}
