/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libpodwall's client for the podwall generic netlink family (see
 * include/uapi/linux/podwall.h). The only code that touches libnl; callers
 * see plain structs. Every function returns 0 or a negative errno, and on a
 * failure pw_nl_error() holds a one-line reason (the kernel's extack
 * message when it sent one).
 *
 * Ownership: a struct pw_nl owns its sockets; structs filled by a call
 * belong to the caller and are released with the matching *_free().
 * A struct pw_nl is not thread-safe: one thread per handle.
 */
#ifndef PODWALL_NL_H
#define PODWALL_NL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct pw_nl;

int pw_nl_open(struct pw_nl **out, char *err, size_t errlen);
void pw_nl_close(struct pw_nl *nl);
const char *pw_nl_error(const struct pw_nl *nl);

struct pw_nl_info {
	uint32_t version;		/* PODWALL_GENL_VERSION of the module */
	char module_version[64];
	uint64_t generation;
	uint32_t nr_policies, nr_sets, nr_rules, nr_eps, nr_prefixes;
	uint64_t memory;
	uint32_t mode;			/* PODWALL_MODE_* */
};

/* Fails with -EPROTO if the module speaks another protocol version. */
int pw_nl_info(struct pw_nl *nl, struct pw_nl_info *info);

/* Transactions on this handle's candidate (one per handle). */
int pw_nl_txn_begin(struct pw_nl *nl, uint32_t flags, uint32_t timeout_ms,
		    uint64_t *base_gen);
/* @expect_gen 0: commit whatever is live; otherwise -ESTALE if it moved. */
int pw_nl_txn_commit(struct pw_nl *nl, uint64_t expect_gen, uint64_t *new_gen);
int pw_nl_txn_abort(struct pw_nl *nl);

/* One REPLACE (or incremental) transaction with every object of @m. */
int pw_nl_load(struct pw_nl *nl, const struct pw_model *m, int replace,
	       uint64_t *new_gen);
/*
 * One incremental transaction turning @old (live) into @new. Of @old only
 * the sets that @delta names are read (to send a changed set as element
 * edits), so @old may hold just the previous versions of changed objects.
 * With
 * @expect_base non-zero, fails with -ESTALE (and sends nothing) unless the
 * live generation is @expect_base, the one @old was committed as: a delta
 * applied to someone else's set would silently give wrong contents.
 */
int pw_nl_apply_delta(struct pw_nl *nl, const struct pw_model *old,
		      const struct pw_model *new,
		      const struct pw_model_delta *delta, uint64_t expect_base,
		      uint64_t *new_gen);

/* Reads the live set; retried while commits interrupt the dump. */
int pw_nl_dump(struct pw_nl *nl, struct pw_model *m);

struct pw_nl_counters {
	uint64_t judged, allowed, denied_ingress, denied_egress;
	uint64_t hits, events, suppressed, commits;
};

struct pw_nl_obj_counters {
	uint8_t kind;			/* PW_MODEL_RULE or PW_MODEL_EP */
	uint32_t id;
	struct pw_nl_counters c;
};

struct pw_nl_stats {
	struct pw_nl_counters global;
	size_t nr_objs;
	struct pw_nl_obj_counters *objs;	/* rules, then endpoints */
};

int pw_nl_stats(struct pw_nl *nl, struct pw_nl_stats *st);
void pw_nl_stats_free(struct pw_nl_stats *st);

/* A named object in a verdict (endpoint, policy or rule). */
struct pw_nl_ref {
	uint32_t id;			/* 0: absent */
	uint32_t rule_index;		/* rules only */
	uint32_t policy;		/* rules only */
	char ns[PODWALL_NAMESPACE_MAX];
	char name[PODWALL_NAME_MAX];
};

struct pw_nl_verdict {
	uint8_t allow, reason, egress, ingress;
	struct pw_nl_ref src_ep, dst_ep;
	struct pw_nl_ref egress_rule, ingress_rule;	/* admitting rules */
	uint32_t nr_policies[__PODWALL_DIR_MAX];
	struct pw_nl_ref *policies[__PODWALL_DIR_MAX];	/* isolating ones */
};

void pw_nl_verdict_free(struct pw_nl_verdict *v);

int pw_nl_eval(struct pw_nl *nl, const struct pw_tuple *t,
	       struct pw_nl_verdict *v);

struct pw_nl_event {
	struct pw_tuple tuple;
	uint64_t generation;
	uint64_t suppressed;
	struct pw_nl_verdict verdict;
};

/*
 * Calls @cb for every deny event until @cb returns non-zero (that value is
 * returned) or *@stop becomes set (returns 0, e.g. from a SIGINT handler).
 */
int pw_nl_monitor(struct pw_nl *nl,
		  int (*cb)(const struct pw_nl_event *ev, void *arg), void *arg,
		  const volatile sig_atomic_t *stop);

#endif /* PODWALL_NL_H */
