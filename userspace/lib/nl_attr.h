/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Pure encoding and decoding of podwall netlink attributes: structs to
 * nl_msg, parsed attributes to structs. No socket here, so unit tests run
 * them without a kernel. Private to libpodwall (nl.c) and its tests: the
 * rest of userspace includes nl.h only.
 *
 * Ownership: encoders fill a caller's nl_msg; decoders allocate arrays and
 * strings inside the caller's struct, which frees them with the usual
 * pw_model_free() / pw_nl_verdict_free(). Decoders write a message naming
 * the object and field to err and return -EINVAL on malformed input.
 */
#ifndef PODWALL_NL_ATTR_H
#define PODWALL_NL_ATTR_H

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include "nl.h"

/* A set is sent in chunks of at most this many prefixes (≤ 32 KiB). */
#define PW_NL_CHUNK_PREFIXES	1024

extern struct nla_policy pw_nl_policy[PODWALL_A_MAX + 1];

/*
 * The status a dump's NLMSG_DONE carries: 0, or the negative errno that cut
 * the dump short (an object too big for the dump buffer), with a message
 * (the extack text if any) in @err. Defined in nl.c.
 */
int pw_nl_done_error(const struct nlmsghdr *nlh, char *err, size_t errlen);

/* A request message for @cmd with room for @payload bytes of attributes. */
struct nl_msg *pw_nl_msg_new(int family, uint8_t cmd, int flags, size_t payload);

int pw_nl_put_policy(struct nl_msg *msg, const struct pw_model_policy *p);
int pw_nl_put_rule(struct nl_msg *msg, const struct pw_model_rule *r);
int pw_nl_put_ep(struct nl_msg *msg, const struct pw_model_ep *e);
int pw_nl_put_prefixes(struct nl_msg *msg, int type, const struct pw_addr *a,
		       uint32_t n);
int pw_nl_put_tuple(struct nl_msg *msg, const struct pw_tuple *t);

/*
 * The messages that create set @s: NEW_SET with the first @per_msg
 * prefixes, then SET_ADD_ELEMS with the rest. *out is an array of *n
 * messages; free each with nlmsg_free() and the array with free().
 */
int pw_nl_set_msgs(int family, const struct pw_model_set *s, uint32_t per_msg,
		   struct nl_msg ***out, size_t *n);

/* Parses a genl message's attributes with pw_nl_policy. */
int pw_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb, char *err,
		size_t errlen);

int pw_nl_get_info(struct nlattr **tb, struct pw_nl_info *info,
		   uint32_t *node_set, char *err, size_t errlen);
/* 0, or -EPROTO with the message if the module speaks another version. */
int pw_nl_check_version(const struct pw_nl_info *info, char *err, size_t errlen);
int pw_nl_get_policy(struct nlattr **tb, struct pw_model_policy *p, char *err,
		     size_t errlen);
/* Appends the prefixes of a nest to *a / *n (at most @max in all). */
int pw_nl_get_prefixes(struct nlattr *nest, const char *what, uint32_t max,
		       struct pw_addr **a, uint32_t *n, char *err,
		       size_t errlen);
int pw_nl_get_rule(struct nlattr **tb, struct pw_model_rule *r, char *err,
		   size_t errlen);
int pw_nl_get_ep(struct nlattr **tb, struct pw_model_ep *e, char *err,
		 size_t errlen);
int pw_nl_get_counters(struct nlattr *nest, struct pw_nl_counters *c,
		       char *err, size_t errlen);
int pw_nl_get_verdict(struct nlattr *nest, struct pw_nl_verdict *v, char *err,
		      size_t errlen);
int pw_nl_get_event(struct nlattr **tb, struct pw_nl_event *ev, char *err,
		    size_t errlen);

/* The binary address attribute of an EVAL or event (4 or 16 bytes). */
int pw_nl_get_addr(struct nlattr *attr, const char *what, struct pw_addr *a,
		   char *err, size_t errlen);

/*
 * Sends a prepared request (consumed) on @nl and waits for its ack: for
 * tests that must put malformed messages on the wire. @msg's family must
 * be pw_nl_family(@nl).
 */
int pw_nl_send_raw(struct pw_nl *nl, struct nl_msg *msg);
int pw_nl_family(const struct pw_nl *nl);

#endif /* PODWALL_NL_ATTR_H */
