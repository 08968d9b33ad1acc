/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The three watched kinds and how their objects are trimmed to the fields
 * the compiler needs. Trimmed objects are new json-c objects that the
 * caller owns; nothing here keeps state.
 */
#ifndef AGENT_OBJECTS_H
#define AGENT_OBJECTS_H

#include <stddef.h>
#include <json-c/json.h>

enum agent_kind { AGENT_POD, AGENT_NS, AGENT_NETPOL, AGENT_NR_KINDS };

struct agent_kind_info {
	const char *resource;	/* "pods": for logs, metrics, file names */
	const char *kind;	/* "Pod" */
	const char *api_version;
	const char *path;	/* cluster-wide collection */
	int namespaced;
};

extern const struct agent_kind_info agent_kinds[AGENT_NR_KINDS];

int agent_kind_from_name(const char *kind);	/* "Pod" or "pods"; -1 if unknown */

/*
 * Keeps metadata.{name,namespace,uid,labels,resourceVersion,
 * deletionTimestamp} and, per kind, what matters for policy: Pod
 * spec.{nodeName,hostNetwork,containers[].ports,initContainers[].ports},
 * status.{phase,podIP,podIPs}; NetworkPolicy spec; Namespace nothing more.
 * Writes "namespace/name" (or "name") to key. Returns NULL with a message
 * naming the field if the object lacks a name.
 */
json_object *agent_object_strip(enum agent_kind k, json_object *in, char *key,
				size_t keylen, char *err, size_t errlen);

/* metadata.resourceVersion, or NULL. */
const char *agent_object_rv(json_object *obj);

#endif /* AGENT_OBJECTS_H */
