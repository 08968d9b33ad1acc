/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The policy compiler: Kubernetes Pods, Namespaces and NetworkPolicies in,
 * a struct pw_model (what the kernel takes) out. DESIGN.md "Semantics" is
 * the specification; each rule of it is implemented in compile.c.
 *
 * Usage: create a context, put/delete objects as they arrive (a list or a
 * watch), then pw_compiler_compile() whenever a model is wanted; pass the
 * previous and the new model to pw_model_diff() for the delta to send. A
 * long-lived user (the agent) keeps one model and updates it with
 * pw_compiler_compile_into(), which gives the delta too.
 *
 * Stable ids: a policy or endpoint keeps its id for as long as an object
 * with that namespace/name exists; a rule keeps its id for as long as its
 * (policy, direction, index, port variant) exists; a set's id follows its
 * content. So recompiling after a small change yields a small diff.
 *
 * Incremental: the context keeps the model between compiles. A put or
 * delete marks the policies whose output it may change: the policy
 * itself; for a pod, the policies that select it or whose peers take it,
 * before or after the change (any pod change if a policy has egress named
 * ports towards any peer or ipBlocks); for a namespace, the policies with
 * a namespaceSelector its old and new labels answer differently. A
 * compile recomputes only those, and rule peer sets follow pod and
 * namespace changes by the pod's addresses, without a recount. Handing
 * out a whole model (pw_compiler_compile()) still costs in proportion to
 * the model; pw_compiler_compile_into() updates the caller's previous
 * model in place and costs in proportion to the change (figures in
 * docs/performance.md, "Compiler").
 *
 * Ownership: put functions take ownership of the object they are given
 * (also on error); the context owns everything it holds; the model
 * written by compile belongs to the caller (pw_model_free()).
 * Thread-safety: none; one thread uses a context at a time.
 */
#ifndef PODWALL_COMPILER_H
#define PODWALL_COMPILER_H

#include <stdio.h>
#include "k8s.h"
#include "model.h"

struct pw_compiler;

struct pw_compiler *pw_compiler_new(void);
void pw_compiler_free(struct pw_compiler *c);

/* Endpoints are the pods with spec.nodeName == @node; NULL = every pod. */
int pw_compiler_set_node(struct pw_compiler *c, const char *node);
/* The node's own addresses: connections from them are always allowed. */
int pw_compiler_set_node_addrs(struct pw_compiler *c,
			       const struct pw_addr *addrs, uint32_t n);

/* Create or replace by namespace/name; ownership passes to @c. */
int pw_compiler_put_pod(struct pw_compiler *c, struct pw_k8s_pod *pod);
int pw_compiler_put_ns(struct pw_compiler *c, struct pw_k8s_ns *ns);
int pw_compiler_put_policy(struct pw_compiler *c, struct pw_k8s_policy *pol);
/* -ENOENT if there is no such object. */
int pw_compiler_del_pod(struct pw_compiler *c, const char *ns, const char *name);
int pw_compiler_del_ns(struct pw_compiler *c, const char *name);
int pw_compiler_del_policy(struct pw_compiler *c, const char *ns,
			   const char *name);
const struct pw_k8s_pod *pw_compiler_pod(struct pw_compiler *c,
					 const char *ns, const char *name);
const struct pw_k8s_ns *pw_compiler_ns(struct pw_compiler *c, const char *name);

/*
 * Parse an API object (Pod, Namespace, NetworkPolicy; others are ignored
 * and return 1) and put it. An invalid object returns -EINVAL with the
 * reason in err and is counted; it is left out, as the API server would
 * have refused it (so leaving it out allows nothing it would have denied).
 */
int pw_compiler_add_object(struct pw_compiler *c, json_object *obj,
			   const char *kind, char *err, size_t errlen);
/* Loads files; each invalid object is reported on @log. */
int pw_compiler_load_file(struct pw_compiler *c, const char *path, FILE *log);
unsigned int pw_compiler_nr_invalid(const struct pw_compiler *c);

/* The current model; @out is initialised and owned by the caller. */
int pw_compiler_compile(struct pw_compiler *c, struct pw_model *out);
/*
 * The same model written over @m in place: @m must be what the previous
 * pw_compiler_compile_into() on @c left there, or empty (pw_model_init())
 * the first time. Only objects changed since are rewritten. @delta (may
 * be NULL) gets what differs, as pw_model_diff(old @m, new @m) would; free
 * it with pw_model_delta_free(). On error @m is unchanged, or emptied if
 * it was half updated (the next call then fills it whole).
 */
int pw_compiler_compile_into(struct pw_compiler *c, struct pw_model *m,
			     struct pw_model_delta *delta);
/*
 * As pw_compiler_compile_into(), and @was (initialised here, freed by the
 * caller with pw_model_free(); empty on error) receives, instead of their
 * being freed, the versions @m held of the objects the delta puts anew or
 * deletes, and the old node set id: the part of the old model that
 * pw_nl_apply_delta() reads (a changed set is sent as its difference from
 * the live one), without copying the whole model before the update.
 */
int pw_compiler_compile_into_was(struct pw_compiler *c, struct pw_model *m,
				 struct pw_model_delta *delta, struct pw_model *was);

#endif /* PODWALL_COMPILER_H */
