/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Kubernetes objects as the compiler keeps them: Pods, Namespaces and
 * NetworkPolicies (networking.k8s.io/v1), reduced to the fields policy
 * needs, validated as the API server validates them, and defaulted.
 *
 * Ownership: each parsed object owns its strings and arrays; labels are a
 * json-c object of strings held by one reference. Free with the matching
 * *_free(). Nothing here is thread-safe; callers serialise.
 */
#ifndef PODWALL_K8S_H
#define PODWALL_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "model.h"

#define PW_K8S_MAX_IPS	PODWALL_MAX_ADDRS_PER_EP

struct pw_k8s_cport {
	char *name;			/* NULL if unnamed */
	uint16_t port;
	uint8_t proto;			/* PW_PROTO_* */
};

struct pw_k8s_pod {
	char *ns;
	char *name;
	json_object *labels;		/* object of strings, never NULL */
	char *node;			/* spec.nodeName, NULL if unscheduled */
	bool host_network;
	bool terminated;		/* phase Succeeded or Failed */
	uint32_t nr_ips;
	struct pw_addr ips[PW_K8S_MAX_IPS];
	uint32_t nr_cports;
	struct pw_k8s_cport *cports;
};

struct pw_k8s_ns {
	char *name;
	json_object *labels;		/* always holds kubernetes.io/metadata.name */
};

enum pw_k8s_op {
	PW_K8S_OP_IN,
	PW_K8S_OP_NOT_IN,
	PW_K8S_OP_EXISTS,
	PW_K8S_OP_DOES_NOT_EXIST,
};

struct pw_k8s_expr {
	char *key;
	enum pw_k8s_op op;
	uint32_t nr_values;
	char **values;
};

/* A label selector; the empty selector matches everything. */
struct pw_k8s_selector {
	json_object *match_labels;	/* NULL if none */
	uint32_t nr_exprs;
	struct pw_k8s_expr *exprs;
};

struct pw_k8s_peer {
	struct pw_k8s_selector *pod_sel;	/* NULL if absent */
	struct pw_k8s_selector *ns_sel;		/* NULL if absent */
	bool is_block;
	struct pw_addr cidr;			/* canonical */
	uint32_t nr_except;
	struct pw_addr *except;			/* canonical */
};

struct pw_k8s_port {
	uint8_t proto;			/* defaulted: TCP */
	bool any_port;			/* no port given: all ports of proto */
	char *name;			/* named port, or NULL */
	uint16_t first, last;		/* numeric port (and endPort) */
};

struct pw_k8s_rule {
	bool any_peer;			/* from/to absent or empty */
	uint32_t nr_peers;
	struct pw_k8s_peer *peers;
	bool any_port;			/* ports absent or empty */
	uint32_t nr_ports;
	struct pw_k8s_port *ports;
};

struct pw_k8s_policy {
	char *ns;
	char *name;
	struct pw_k8s_selector pod_sel;
	bool types[__PODWALL_DIR_MAX];	/* effective policyTypes */
	uint32_t nr_rules[__PODWALL_DIR_MAX];
	struct pw_k8s_rule *rules[__PODWALL_DIR_MAX];
};

/*
 * Parsers take the object as the API returns it (apiVersion/kind/metadata/
 * spec/status). On error they return -EINVAL with "kind ns/name: field:
 * problem" in err; *out is untouched.
 */
int pw_k8s_pod_parse(json_object *o, struct pw_k8s_pod **out, char *err,
		     size_t errlen);
int pw_k8s_ns_parse(json_object *o, struct pw_k8s_ns **out, char *err,
		    size_t errlen);
int pw_k8s_policy_parse(json_object *o, struct pw_k8s_policy **out, char *err,
			size_t errlen);
void pw_k8s_pod_free(struct pw_k8s_pod *pod);
void pw_k8s_ns_free(struct pw_k8s_ns *ns);
void pw_k8s_policy_free(struct pw_k8s_policy *pol);

/* A label map: a json-c object whose values are all strings. */
int pw_k8s_labels_parse(json_object *o, const char *what, json_object **out,
			char *err, size_t errlen);
/* A new namespace with these labels (metadata.name is forced to @name). */
struct pw_k8s_ns *pw_k8s_ns_new(const char *name, json_object *labels);

int pw_k8s_selector_parse(json_object *o, const char *what,
			  struct pw_k8s_selector *sel, char *err, size_t errlen);
void pw_k8s_selector_release(struct pw_k8s_selector *sel);
/* A deep copy (labels shared by reference); -ENOMEM leaves @dst empty. */
int pw_k8s_selector_dup(const struct pw_k8s_selector *src,
			struct pw_k8s_selector *dst);
bool pw_k8s_selector_matches(const struct pw_k8s_selector *sel,
			     json_object *labels);
bool pw_k8s_selector_empty(const struct pw_k8s_selector *sel);

/*
 * Reading files: JSON or YAML (multi-document), single objects or Lists
 * (kind "List" or "*List" with items). Each object is passed to @fn with
 * its kind; an error in one object is reported through @fn's return and
 * stops nothing else. Returns -EINVAL only for unreadable input.
 */
typedef int (*pw_k8s_object_fn)(json_object *obj, const char *kind, void *ctx);
int pw_k8s_load_text(const char *text, size_t len, const char *origin,
		     pw_k8s_object_fn fn, void *ctx, char *err, size_t errlen);
int pw_k8s_load_file(const char *path, pw_k8s_object_fn fn, void *ctx,
		     char *err, size_t errlen);

/* YAML documents to json-c objects (an array, one element per document). */
int pw_yaml_to_json(const char *text, size_t len, json_object **out, char *err,
		    size_t errlen);

#endif /* PODWALL_K8S_H */
