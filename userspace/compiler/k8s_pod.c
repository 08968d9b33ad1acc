// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Pods and Namespaces: the fields policy needs. A pod keeps its labels,
 * node, hostNetwork, whether it has terminated, its IPs (status.podIPs,
 * else status.podIP) and its container ports (for named ports).
 */
#include <stdlib.h>
#include <string.h>
#include "k8s.h"
#include "k8s_err.h"

static int meta_names(json_object *o, const char *kind, bool namespaced,
		      const char **ns, const char **name, char *err,
		      size_t errlen)
{
	json_object *meta = pw_k8s_get(o, "metadata");

	*name = pw_k8s_get_str(meta, "name");
	*ns = namespaced ? pw_k8s_get_str(meta, "namespace") : NULL;
	if (!*name || !**name)
		return pw_k8s_err(err, errlen, "%s: metadata.name: required", kind);
	if (strlen(*name) >= PODWALL_NAME_MAX)
		return pw_k8s_err(err, errlen, "%s %s: metadata.name: longer than %d characters",
				  kind, *name, PODWALL_NAME_MAX - 1);
	if (namespaced && (!*ns || !**ns))
		return pw_k8s_err(err, errlen, "%s %s: metadata.namespace: required",
				  kind, *name);
	if (namespaced && strlen(*ns) >= PODWALL_NAMESPACE_MAX)
		return pw_k8s_err(err, errlen, "%s %s/%s: metadata.namespace: longer than %d characters",
				  kind, *ns, *name, PODWALL_NAMESPACE_MAX - 1);
	return 0;
}

static int add_ip(struct pw_k8s_pod *pod, const char *ip, const char *field,
		  char *err, size_t errlen)
{
	struct pw_addr a;
	uint32_t i;

	if (pw_addr_parse(ip, &a) || a.plen != (a.family == PW_FAMILY_INET ? 32 : 128))
		return pw_k8s_err(err, errlen, "Pod %s/%s: %s: \"%s\" is not an IP address",
				  pod->ns, pod->name, field, ip);
	for (i = 0; i < pod->nr_ips; i++)
		if (!memcmp(&pod->ips[i], &a, sizeof(a)))
			return 0;
	if (pod->nr_ips >= PW_K8S_MAX_IPS)
		return pw_k8s_err(err, errlen, "Pod %s/%s: %s: more than %d IPs",
				  pod->ns, pod->name, field, PW_K8S_MAX_IPS);
	pod->ips[pod->nr_ips++] = a;
	return 0;
}

static int pod_ports(struct pw_k8s_pod *pod, json_object *spec, char *err,
		     size_t errlen)
{
	json_object *ctrs = pw_k8s_get(spec, "containers");
	size_t i, j, total = 0;

	if (!ctrs)
		return 0;
	if (!json_object_is_type(ctrs, json_type_array))
		return pw_k8s_err(err, errlen, "Pod %s/%s: spec.containers: must be a list",
				  pod->ns, pod->name);
	for (i = 0; i < json_object_array_length(ctrs); i++) {
		json_object *p = pw_k8s_get(json_object_array_get_idx(ctrs, i), "ports");

		if (p && json_object_is_type(p, json_type_array))
			total += json_object_array_length(p);
	}
	pod->cports = calloc(total ? total : 1, sizeof(*pod->cports));
	if (!pod->cports)
		return -ENOMEM;
	for (i = 0; i < json_object_array_length(ctrs); i++) {
		json_object *p = pw_k8s_get(json_object_array_get_idx(ctrs, i), "ports");

		for (j = 0; p && json_object_is_type(p, json_type_array) &&
			    j < json_object_array_length(p); j++) {
			json_object *cp = json_object_array_get_idx(p, j);
			json_object *num = pw_k8s_get(cp, "containerPort");
			const char *name = pw_k8s_get_str(cp, "name");
			const char *proto = pw_k8s_get_str(cp, "protocol");
			struct pw_k8s_cport *c = &pod->cports[pod->nr_cports];
			int64_t n;

			if (!num || !json_object_is_type(num, json_type_int) ||
			    (n = json_object_get_int64(num)) < 1 || n > 65535)
				return pw_k8s_err(err, errlen,
						  "Pod %s/%s: spec.containers[%zu].ports[%zu].containerPort: must be 1..65535",
						  pod->ns, pod->name, i, j);
			c->port = (uint16_t)n;
			c->proto = PW_PROTO_TCP;
			if (proto && pw_proto_parse(proto, &c->proto))
				return pw_k8s_err(err, errlen,
						  "Pod %s/%s: spec.containers[%zu].ports[%zu].protocol: \"%s\" is not TCP, UDP or SCTP",
						  pod->ns, pod->name, i, j, proto);
			if (name && *name) {
				c->name = strdup(name);
				if (!c->name)
					return -ENOMEM;
			}
			pod->nr_cports++;
		}
	}
	return 0;
}

int pw_k8s_pod_parse(json_object *o, struct pw_k8s_pod **out, char *err,
		     size_t errlen)
{
	json_object *spec = pw_k8s_get(o, "spec");
	json_object *status = pw_k8s_get(o, "status");
	json_object *ips = pw_k8s_get(status, "podIPs");
	struct pw_k8s_pod *pod;
	const char *ns, *name, *s;
	char what[340];
	json_object *hn;
	int ret;
	size_t i;

	ret = meta_names(o, "Pod", true, &ns, &name, err, errlen);
	if (ret)
		return ret;
	pod = calloc(1, sizeof(*pod));
	if (!pod)
		return -ENOMEM;
	pod->ns = strdup(ns);
	pod->name = strdup(name);
	if (!pod->ns || !pod->name) {
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(what, sizeof(what), "Pod %s/%s: metadata.labels", ns, name);
	ret = pw_k8s_labels_parse(pw_k8s_get(pw_k8s_get(o, "metadata"), "labels"),
				  what, &pod->labels, err, errlen);
	if (ret)
		goto fail;
	s = pw_k8s_get_str(spec, "nodeName");
	if (s && *s && !(pod->node = strdup(s))) {
		ret = -ENOMEM;
		goto fail;
	}
	hn = pw_k8s_get(spec, "hostNetwork");
	pod->host_network = hn && json_object_get_boolean(hn);
	s = pw_k8s_get_str(status, "phase");
	pod->terminated = s && (!strcmp(s, "Succeeded") || !strcmp(s, "Failed"));
	if (ips && json_object_is_type(ips, json_type_array)) {
		for (i = 0; i < json_object_array_length(ips); i++) {
			s = pw_k8s_get_str(json_object_array_get_idx(ips, i), "ip");
			if (!s)
				continue;
			ret = add_ip(pod, s, "status.podIPs", err, errlen);
			if (ret)
				goto fail;
		}
	}
	s = pw_k8s_get_str(status, "podIP");
	if (s && *s) {
		ret = add_ip(pod, s, "status.podIP", err, errlen);
		if (ret)
			goto fail;
	}
	ret = pod_ports(pod, spec, err, errlen);
	if (ret)
		goto fail;
	*out = pod;
	return 0;
fail:
	pw_k8s_pod_free(pod);
	return ret;
}

void pw_k8s_pod_free(struct pw_k8s_pod *pod)
{
	uint32_t i;

	if (!pod)
		return;
	free(pod->ns);
	free(pod->name);
	free(pod->node);
	json_object_put(pod->labels);
	for (i = 0; i < pod->nr_cports; i++)
		free(pod->cports[i].name);
	free(pod->cports);
	free(pod);
}

struct pw_k8s_ns *pw_k8s_ns_new(const char *name, json_object *labels)
{
	struct pw_k8s_ns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->name = strdup(name);
	/* A private copy: the API server sets metadata.name on every namespace. */
	ns->labels = json_object_new_object();
	if (!ns->name || !ns->labels) {
		pw_k8s_ns_free(ns);
		return NULL;
	}
	if (labels) {
		json_object_object_foreach(labels, key, val)
			json_object_object_add(ns->labels, key, json_object_get(val));
	}
	json_object_object_add(ns->labels, "kubernetes.io/metadata.name",
			       json_object_new_string(name));
	return ns;
}

int pw_k8s_ns_parse(json_object *o, struct pw_k8s_ns **out, char *err,
		    size_t errlen)
{
	const char *ns, *name;
	json_object *labels;
	char what[320];
	int ret;

	ret = meta_names(o, "Namespace", false, &ns, &name, err, errlen);
	if (ret)
		return ret;
	if (strlen(name) >= PODWALL_NAMESPACE_MAX)
		return pw_k8s_err(err, errlen, "Namespace %s: metadata.name: longer than %d characters",
				  name, PODWALL_NAMESPACE_MAX - 1);
	snprintf(what, sizeof(what), "Namespace %s: metadata.labels", name);
	ret = pw_k8s_labels_parse(pw_k8s_get(pw_k8s_get(o, "metadata"), "labels"),
				  what, &labels, err, errlen);
	if (ret)
		return ret;
	*out = pw_k8s_ns_new(name, labels);
	json_object_put(labels);
	return *out ? 0 : -ENOMEM;
}

void pw_k8s_ns_free(struct pw_k8s_ns *ns)
{
	if (!ns)
		return;
	free(ns->name);
	json_object_put(ns->labels);
	free(ns);
}
