/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The compiled policy set in userspace: exactly the objects the kernel
 * takes (see include/uapi/linux/podwall.h), with names. The compiler
 * produces it, `podwallctl restore` and the agent load it, `save` reads it
 * back from the kernel, `simulate` builds a matcher table from it.
 *
 * Ownership: a struct pw_model owns every array and string it points to;
 * pw_model_free() releases them all. Not thread-safe; callers serialise.
 */
#ifndef PODWALL_MODEL_H
#define PODWALL_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../../kmod/match.h"

struct pw_model_policy {
	uint32_t id;
	char *ns;
	char *name;
};

struct pw_model_set {
	uint32_t id;
	uint32_t nr_prefixes;
	struct pw_addr *prefixes;	/* canonical: host bits clear */
};

struct pw_model_rule {
	uint32_t id;
	uint32_t policy;
	uint32_t index;
	uint32_t set;			/* 0 with PW_RULE_F_ANY_PEER */
	uint8_t dir;			/* PODWALL_DIR_* */
	uint8_t flags;			/* PW_RULE_F_* */
	uint32_t nr_ports;
	struct pw_port_range *ports;
};

struct pw_model_ep {
	uint32_t id;
	char *ns;
	char *name;
	uint32_t flags;			/* PODWALL_EP_F_* */
	uint32_t nr_addrs;
	struct pw_addr *addrs;
	uint32_t nr_rules[__PODWALL_DIR_MAX];
	uint32_t *rules[__PODWALL_DIR_MAX];
	uint32_t nr_policies[__PODWALL_DIR_MAX];
	uint32_t *policies[__PODWALL_DIR_MAX];
};

struct pw_model {
	uint32_t node_set;		/* set id of the node's addresses, 0 = none */
	uint32_t nr_policies, nr_sets, nr_rules, nr_eps;
	struct pw_model_policy *policies;	/* sorted by id */
	struct pw_model_set *sets;		/* sorted by id */
	struct pw_model_rule *rules;		/* sorted by id */
	struct pw_model_ep *eps;		/* sorted by id */
};

void pw_model_init(struct pw_model *m);
void pw_model_free(struct pw_model *m);
/* Frees what one endpoint of a model owns (not the struct itself). */
void pw_model_ep_release(struct pw_model_ep *e);

/* Lookups by id (binary search); NULL if absent. */
const struct pw_model_policy *pw_model_policy(const struct pw_model *m, uint32_t id);
const struct pw_model_set *pw_model_set(const struct pw_model *m, uint32_t id);
const struct pw_model_rule *pw_model_rule(const struct pw_model *m, uint32_t id);
const struct pw_model_ep *pw_model_ep(const struct pw_model *m, uint32_t id);

/*
 * JSON form, what `podwallctl compile` prints and `restore` reads. On error
 * returns -EINVAL and writes a message naming the object and field to err.
 */
int pw_model_write_json(const struct pw_model *m, FILE *out);
int pw_model_read_json(struct pw_model *m, const char *text, char *err,
		       size_t errlen);

/*
 * A matcher table over the model, built with the shared builders: what the
 * kernel would hold after loading this model. pw_model_table_free() frees
 * the table and every object it built.
 */
int pw_model_table(const struct pw_model *m, struct pw_table **out);
void pw_model_table_free(struct pw_table *t);

/*
 * The changes that turn @from into @to, as lists of ids to (re)send and to
 * delete per kind. An object is resent when it is new or differs.
 */
struct pw_model_delta {
	uint32_t node_set;		/* changed node set id, or UINT32_MAX if unchanged */
	uint32_t nr_put[4], nr_del[4];	/* indexed by enum pw_model_kind */
	uint32_t *put[4], *del[4];
};

enum pw_model_kind {
	PW_MODEL_POLICY,
	PW_MODEL_SET,
	PW_MODEL_RULE,
	PW_MODEL_EP,
};

int pw_model_diff(const struct pw_model *from, const struct pw_model *to,
		  struct pw_model_delta *delta);
/*
 * Whether @a and @b, two objects of kind @k (struct pw_model_policy, _set,
 * _rule or _ep), have the same contents; ids are not compared. The test
 * pw_model_diff() uses to decide that an object is resent.
 */
bool pw_model_obj_equal(enum pw_model_kind k, const void *a, const void *b);
void pw_model_delta_free(struct pw_model_delta *delta);

/* "TCP", "UDP" or "SCTP" (the Kubernetes names) -> PW_PROTO_*; 0 or -EINVAL. */
int pw_proto_parse(const char *s, uint8_t *proto);

/* Address helpers: text <-> pw_addr ("10.0.0.1", "10.0.0.0/8", "fd00::/64"). */
int pw_addr_parse(const char *text, struct pw_addr *out);	/* 0 or -EINVAL */
const char *pw_addr_format(const struct pw_addr *a, char *buf, size_t len);

#endif /* PODWALL_MODEL_H */
