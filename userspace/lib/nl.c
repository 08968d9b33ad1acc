// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The podwall netlink client: one libnl socket per handle, requests with
 * acknowledgements, dumps, and the events group. Errors carry the kernel's
 * extack message (NETLINK_EXT_ACK), copied out in the error callback.
 *
 * Loads and deltas are pipelined: their messages go out in batches, many
 * per sendmsg(), without NLM_F_ACK except on the last of each batch. The
 * kernel still answers every failing message with an error carrying its
 * sequence number, which names the object to blame; the last message's ack
 * says the whole batch has been processed. Sequence numbers are therefore
 * checked here, per request, not by libnl (which expects one answer per
 * message).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/msg.h>
#include "nl_attr.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct pw_nl {
	struct nl_sock *sk;
	int family;
	int mcgrp;		/* events group id, resolved on first monitor */
	size_t batch_max;	/* bytes per batch, below the socket's sndbuf */
	char err[512];
};

/* Messages per batch: bounds the error replies queued before we read them. */
#define BATCH_MSGS	128
#define BATCH_BYTES	(128 * 1024)
/* Rules go many to a NEW_RULES message, up to this size. */
#define RULES_BYTES	(32 * 1024)

/* State of one request while its replies are read. */
struct req {
	struct pw_nl *nl;
	int error;		/* negative errno from the kernel or a parser */
	int done;
	int intr;		/* a dump saw NLM_F_DUMP_INTR */
	uint32_t seq, nr;	/* sequence numbers seq .. seq + nr - 1 */
	uint32_t failed;	/* index of the first refused message */
	int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
};

__attribute__((format(printf, 2, 3)))
static int seterr(struct pw_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
	return 0;
}

const char *pw_nl_error(const struct pw_nl *nl)
{
	return nl->err;
}

/* Error callback: keep errno and the extack message (and its offset). */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct req *r = arg;
	size_t ack_len = sizeof(*e);
	const char *msg = NULL;
	uint32_t idx = nlh->nlmsg_seq - r->seq;
	/* Earlier messages of a batch: keep reading up to the last one's. */
	int stop = idx == r->nr - 1 ? NL_STOP : NL_SKIP;

	(void)who;
	if (stop == NL_STOP)
		r->done = 1;
	if (r->error)
		return stop;	/* the first refusal is the one to report */
	r->error = e->error < 0 ? e->error : -EPROTO;
	r->failed = idx;
	seterr(r->nl, "%s", strerror(-r->error));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return stop;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + ack_len)
		return stop;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + ack_len),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - ack_len), NULL) < 0)
		return stop;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		/* The string must end inside its attribute. */
		if (!memchr(msg, 0, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])))
			msg = NULL;
	}
	if (msg && tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) == 4)
		seterr(r->nl, "%s (%s, attribute at offset %u)", msg,
		       strerror(-r->error), nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	else if (msg)
		seterr(r->nl, "%s (%s)", msg, strerror(-r->error));
	return stop;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	if (nlmsg_hdr(msg)->nlmsg_seq - r->seq != r->nr - 1)
		return NL_SKIP;
	r->done = 1;
	return NL_STOP;
}

/* Drops answers to other requests (left over after a failed receive). */
static int on_seq(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	return nlmsg_hdr(msg)->nlmsg_seq - r->seq < r->nr ? NL_OK : NL_SKIP;
}

int pw_nl_done_error(const struct nlmsghdr *nlh, char *err, size_t errlen)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *msg = NULL;
	size_t len = sizeof(int);
	int e;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + len)
		return 0;	/* no status: a plain end */
	memcpy(&e, NLMSG_DATA(nlh), len);
	if (e >= 0)
		return 0;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + len),
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN - len), NULL) >= 0 &&
	    tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		if (!memchr(msg, 0, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])))
			msg = NULL;
	}
	if (msg)
		snprintf(err, errlen, "dump ended early: %s (%s)", msg,
			 strerror(-e));
	else
		snprintf(err, errlen, "dump ended early: %s", strerror(-e));
	return e;
}

/* NLMSG_DONE: the end of a dump, which may carry the dump's error. */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	int ret;

	r->done = 1;
	if (r->error)
		return NL_STOP;
	ret = pw_nl_done_error(nlmsg_hdr(msg), r->nl->err, sizeof(r->nl->err));
	if (ret)
		r->error = ret;
	return NL_STOP;
}

static int on_intr(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->intr = 1;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	int ret;

	if (r->error)
		return NL_SKIP;	/* keep reading to the end, ignore the rest */
	if (nlh->nlmsg_type != r->nl->family) {
		r->error = -EPROTO;
		seterr(r->nl, "unexpected message type %u", nlh->nlmsg_type);
		return NL_SKIP;
	}
	ret = pw_nl_parse(nlh, tb, r->nl->err, sizeof(r->nl->err));
	if (!ret && r->parse)
		ret = r->parse(nlh, tb, r->arg);
	if (ret)
		r->error = ret;
	return NL_OK;
}

/* Reads until @r's last message is answered (ack, error or dump's end). */
static int wait_req(struct pw_nl *nl, struct req *r)
{
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		seterr(nl, "out of memory");
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	while (!r->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r->error) {
			r->error = -EIO;
			seterr(nl, "receive: %s", nl_geterror(ret));
		}
		if (ret < 0)
			break;
	}
	nl_cb_put(cb);
	if (r->error && !nl->err[0])
		seterr(nl, "%s", strerror(-r->error));
	return r->error;
}

/* Sends @msg (consumed) and reads until the ack, an error or the dump's end. */
static int transact(struct pw_nl *nl, struct nl_msg *msg,
		    int (*parse)(struct nlmsghdr *, struct nlattr **, void *),
		    void *arg, int *intr)
{
	struct req r = { .nl = nl, .parse = parse, .arg = arg, .nr = 1,
			 .failed = UINT32_MAX };
	int ret;

	nl->err[0] = 0;
	if (!msg) {
		seterr(nl, "out of memory");
		return -ENOMEM;
	}
	nl_complete_msg(nl->sk, msg);
	r.seq = nlmsg_hdr(msg)->nlmsg_seq;
	ret = nl_send(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		seterr(nl, "send: %s", nl_geterror(ret));
		return ret == -NLE_NOMEM ? -ENOMEM : -EIO;
	}
	ret = wait_req(nl, &r);
	if (intr)
		*intr = r.intr;
	return ret;
}

static struct nl_msg *req(struct pw_nl *nl, uint8_t cmd, int flags, size_t payload)
{
	return pw_nl_msg_new(nl->family, cmd, NLM_F_REQUEST | NLM_F_ACK | flags,
			     payload);
}

int pw_nl_send_raw(struct pw_nl *nl, struct nl_msg *msg)
{
	return transact(nl, msg, NULL, NULL, NULL);
}

int pw_nl_family(const struct pw_nl *nl)
{
	return nl->family;
}

int pw_nl_open(struct pw_nl **out, char *err, size_t errlen)
{
	int one = 1, ret, sndbuf;
	struct pw_nl *nl;
	socklen_t len;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		snprintf(err, errlen, "generic netlink socket: %s",
			 nl_geterror(ret));
		pw_nl_close(nl);
		return -EIO;
	}
	/* Best effort: old kernels just send no extack text. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl_socket_enable_msg_peek(nl->sk);
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	nl->family = genl_ctrl_resolve(nl->sk, PODWALL_GENL_NAME);
	if (nl->family < 0) {
		snprintf(err, errlen,
			 "podwall kernel module not loaded (genl family '%s' not found)",
			 PODWALL_GENL_NAME);
		pw_nl_close(nl);
		return -ENOENT;
	}
	/* Answers are matched to requests here (see the top of this file). */
	nl_socket_disable_seq_check(nl->sk);
	len = sizeof(sndbuf);
	if (getsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_SNDBUF,
		       &sndbuf, &len) || sndbuf < 2 * 4096)
		sndbuf = 2 * 4096;
	nl->batch_max = (size_t)sndbuf / 2 < BATCH_BYTES ? (size_t)sndbuf / 2 :
							   BATCH_BYTES;
	nl->mcgrp = -1;
	*out = nl;
	return 0;
}

void pw_nl_close(struct pw_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

struct info_arg {
	struct pw_nl *nl;
	struct pw_nl_info *info;
	uint32_t *node_set;
	struct pw_addr **node;		/* the node's addresses, if wanted */
	uint32_t *nr_node;
};

static int parse_info(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct info_arg *a = arg;

	(void)nlh;
	if (pw_nl_get_info(tb, a->info, a->node_set, a->nl->err,
			   sizeof(a->nl->err)))
		return -EPROTO;
	if (!a->node || !tb[PODWALL_A_PREFIXES])
		return 0;
	return pw_nl_get_prefixes(tb[PODWALL_A_PREFIXES], "node addresses",
				  PODWALL_MAX_PREFIXES, a->node, a->nr_node,
				  a->nl->err, sizeof(a->nl->err)) ? -EPROTO : 0;
}

static int info(struct pw_nl *nl, struct pw_nl_info *inf, uint32_t *node_set,
		struct pw_addr **node, uint32_t *nr_node)
{
	struct info_arg a = { nl, inf, node_set, node, nr_node };
	int ret;

	memset(inf, 0, sizeof(*inf));
	inf->version = UINT32_MAX;
	ret = transact(nl, req(nl, PODWALL_CMD_GET_INFO, 0, 0), parse_info, &a,
		       NULL);
	if (ret)
		return ret;
	if (inf->version == UINT32_MAX) {
		seterr(nl, "no reply to GET_INFO");
		return -EPROTO;
	}
	return pw_nl_check_version(inf, nl->err, sizeof(nl->err));
}

int pw_nl_info(struct pw_nl *nl, struct pw_nl_info *inf)
{
	return info(nl, inf, NULL, NULL, NULL);
}

static int parse_gen(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	if (tb[PODWALL_A_GENERATION])
		*(uint64_t *)arg = nla_get_u64(tb[PODWALL_A_GENERATION]);
	return 0;
}

int pw_nl_txn_begin(struct pw_nl *nl, uint32_t flags, uint32_t timeout_ms,
		    uint64_t *base_gen)
{
	struct nl_msg *msg = req(nl, PODWALL_CMD_TXN_BEGIN, 0, 16);
	uint64_t gen = 0;
	int ret;

	if (msg && (nla_put_u32(msg, PODWALL_A_TXN_FLAGS, flags) < 0 ||
		    (timeout_ms &&
		     nla_put_u32(msg, PODWALL_A_TXN_TIMEOUT_MS, timeout_ms) < 0))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = transact(nl, msg, parse_gen, &gen, NULL);
	if (!ret && base_gen)
		*base_gen = gen;
	return ret;
}

int pw_nl_txn_commit(struct pw_nl *nl, uint64_t expect_gen, uint64_t *new_gen)
{
	struct nl_msg *msg = req(nl, PODWALL_CMD_TXN_COMMIT, 0, 16);
	uint64_t gen = 0;
	int ret;

	if (msg && expect_gen &&
	    nla_put_u64(msg, PODWALL_A_GENERATION, expect_gen) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = transact(nl, msg, parse_gen, &gen, NULL);
	if (!ret && new_gen)
		*new_gen = gen;
	return ret;
}

int pw_nl_txn_abort(struct pw_nl *nl)
{
	return transact(nl, req(nl, PODWALL_CMD_TXN_ABORT, 0, 0), NULL, NULL,
			NULL);
}

/* Prefixes the current error with the object that caused it. */
__attribute__((format(printf, 3, 4)))
static int blame(struct pw_nl *nl, int ret, const char *fmt, ...)
{
	char what[64], tmp[sizeof(nl->err) + sizeof(what) + 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s: %s", what, nl->err);
	memcpy(nl->err, tmp, sizeof(nl->err) - 1);
	nl->err[sizeof(nl->err) - 1] = 0;
	return ret;
}

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pw_addr));
}

/* What to blame if the kernel refuses a batched message. */
struct pending {
	const char *what;	/* "policy", "deleting rule", ... */
	uint32_t id;
};

/* Messages of one transaction, sent BATCH_MSGS at a time (see the top). */
struct batch {
	struct pw_nl *nl;
	char *buf;
	size_t len, cap, last;	/* last: offset of the last message */
	struct pending q[BATCH_MSGS];
	uint32_t nr;
	uint32_t seq;		/* of q[0]; the others follow it */
	struct nl_msg *rules;	/* NEW_RULES being filled, or NULL */
	struct nlattr *rules_list;
	uint32_t first_rule;	/* its first rule, to blame */
};

static void batch_free(struct batch *b)
{
	free(b->buf);
	if (b->rules)
		nlmsg_free(b->rules);
	b->rules = NULL;
}

static int batch_add(struct batch *b, struct nl_msg *msg, const char *what,
		     uint32_t id);

/* Queues the NEW_RULES message being filled. */
static int rules_flush(struct batch *b)
{
	struct nl_msg *msg = b->rules;

	if (!msg)
		return 0;
	b->rules = NULL;
	nla_nest_end(msg, b->rules_list);
	return batch_add(b, msg, "rules from rule", b->first_rule);
}

/* Sends the batch, the last message with NLM_F_ACK, and reads its answers. */
static int batch_flush(struct batch *b)
{
	struct pw_nl *nl = b->nl;
	struct req r = { .nl = nl, .seq = b->seq, .nr = b->nr,
			 .failed = UINT32_MAX };
	struct nlmsghdr *last;
	int ret;

	if (!b->nr)
		return 0;
	last = (struct nlmsghdr *)(b->buf + b->last);
	last->nlmsg_flags |= NLM_F_ACK;
	nl->err[0] = 0;
	ret = nl_sendto(nl->sk, b->buf, b->len);
	b->nr = 0;
	b->len = 0;
	if (ret < 0) {
		seterr(nl, "send: %s", nl_geterror(ret));
		return ret == -NLE_NOMEM ? -ENOMEM : -EIO;
	}
	ret = wait_req(nl, &r);
	if (ret && r.failed < r.nr)
		return blame(nl, ret, "%s %u", b->q[r.failed].what,
			     b->q[r.failed].id);
	return ret;
}

/* Queues @msg (consumed), a message about object @what @id. */
static int batch_add(struct batch *b, struct nl_msg *msg, const char *what,
		     uint32_t id)
{
	struct nlmsghdr *nlh;
	size_t len;
	int ret;

	if (!msg) {
		seterr(b->nl, "out of memory");
		return blame(b->nl, -ENOMEM, "%s %u", what, id);
	}
	/* Messages keep their order: pending rules go first. */
	if (b->rules && msg != b->rules) {
		ret = rules_flush(b);
		if (ret) {
			nlmsg_free(msg);
			return ret;
		}
	}
	/* Numbered now: a batch's messages carry consecutive numbers. */
	if (b->nr == BATCH_MSGS) {
		ret = batch_flush(b);
		if (ret)
			goto out;
	}
	nl_complete_msg(b->nl->sk, msg);
	nlh = nlmsg_hdr(msg);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	len = NLMSG_ALIGN(nlh->nlmsg_len);
	if (b->nr && b->len + len > b->nl->batch_max) {
		ret = batch_flush(b);
		if (ret)
			goto out;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->len + len > 2 * b->cap ? b->len + len : 2 * b->cap;
		char *p = realloc(b->buf, cap);

		if (!p) {
			seterr(b->nl, "out of memory");
			ret = blame(b->nl, -ENOMEM, "%s %u", what, id);
			goto out;
		}
		b->buf = p;
		b->cap = cap;
	}
	if (!b->nr)
		b->seq = nlh->nlmsg_seq;
	memcpy(b->buf + b->len, nlh, nlh->nlmsg_len);
	memset(b->buf + b->len + nlh->nlmsg_len, 0, len - nlh->nlmsg_len);
	b->last = b->len;
	b->len += len;
	b->q[b->nr].what = what;
	b->q[b->nr].id = id;
	b->nr++;
	ret = 0;
out:
	nlmsg_free(msg);
	return ret;
}

static int send_policy(struct batch *b, const struct pw_model_policy *p)
{
	struct nl_msg *msg = req(b->nl, PODWALL_CMD_NEW_POLICY, 0,
				 PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 16);

	if (msg && pw_nl_put_policy(msg, p)) {
		nlmsg_free(msg);
		seterr(b->nl, "does not fit in a message");
		return blame(b->nl, -EMSGSIZE, "policy %u", p->id);
	}
	return batch_add(b, msg, "policy", p->id);
}

static int send_set(struct batch *b, const struct pw_model_set *s)
{
	struct nl_msg **msgs;
	size_t n, i;
	int ret;

	ret = pw_nl_set_msgs(b->nl->family, s, PW_NL_CHUNK_PREFIXES, &msgs, &n);
	if (ret) {
		seterr(b->nl, "%s", strerror(-ret));
		return blame(b->nl, ret, "set %u", s->id);
	}
	for (i = 0; i < n; i++) {
		ret = batch_add(b, msgs[i], "set", s->id);
		msgs[i] = NULL;
		if (ret)
			break;
	}
	for (i = 0; i < n; i++)
		if (msgs[i])
			nlmsg_free(msgs[i]);
	free(msgs);
	return ret;
}

/* SET_ADD_ELEMS or SET_DEL_ELEMS of @n prefixes, in chunks. */
static int send_elems(struct batch *b, uint8_t cmd, uint32_t id,
		      const struct pw_addr *p, uint32_t n)
{
	uint32_t first, k;
	struct nl_msg *msg;
	int ret = 0;

	for (first = 0; !ret && first < n; first += k) {
		k = n - first < PW_NL_CHUNK_PREFIXES ? n - first :
						       PW_NL_CHUNK_PREFIXES;
		msg = req(b->nl, cmd, 0, (size_t)k * 32 + 64);
		if (msg && nla_put_u32(msg, PODWALL_A_SET_ID, id) < 0)
			ret = -EMSGSIZE;
		if (msg && !ret)
			ret = pw_nl_put_prefixes(msg, PODWALL_A_PREFIXES,
						 p + first, k);
		if (ret) {
			nlmsg_free(msg);
			seterr(b->nl, "%s", strerror(-ret));
			return blame(b->nl, ret, "set %u", id);
		}
		ret = batch_add(b, msg, "set", id);
	}
	return ret;
}

static int sorted(const struct pw_addr *p, uint32_t n)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (memcmp(&p[i - 1], &p[i], sizeof(*p)) > 0)
			return 0;
	return 1;
}

/* @p itself when already sorted, else a sorted copy in *@copy. */
static const struct pw_addr *sorted_view(const struct pw_model_set *s,
					 struct pw_addr **copy)
{
	*copy = NULL;
	if (sorted(s->prefixes, s->nr_prefixes))
		return s->prefixes;
	*copy = malloc((size_t)s->nr_prefixes * sizeof(**copy));
	if (!*copy)
		return NULL;
	memcpy(*copy, s->prefixes, (size_t)s->nr_prefixes * sizeof(**copy));
	qsort(*copy, s->nr_prefixes, sizeof(**copy), cmp_addr);
	return *copy;
}

/*
 * A changed set as the difference from its live version @old: deletions
 * and additions, unless they are no smaller than the set itself (the
 * kernel then copies fewer prefixes from a whole NEW_SET).
 */
static int send_set_delta(struct batch *b, const struct pw_model_set *old,
			  const struct pw_model_set *s)
{
	struct pw_addr *oc = NULL, *nc = NULL, *add = NULL, *del = NULL;
	const struct pw_addr *o, *n;
	uint32_t i = 0, j = 0, na = 0, nd = 0;
	int ret;

	/* An empty side has nothing to merge (and may have no array). */
	if (!old || !old->nr_prefixes || !s->nr_prefixes)
		return send_set(b, s);
	o = sorted_view(old, &oc);
	n = sorted_view(s, &nc);
	add = malloc((size_t)s->nr_prefixes * sizeof(*add));
	del = malloc(((size_t)old->nr_prefixes + 1) * sizeof(*del));
	if (!o || !n || !add || !del) {
		seterr(b->nl, "out of memory");
		ret = blame(b->nl, -ENOMEM, "set %u", s->id);
		goto out;
	}
	/* Merge of two sorted lists; duplicates count once. */
	while (i < old->nr_prefixes || j < s->nr_prefixes) {
		int c = i == old->nr_prefixes ? 1 : j == s->nr_prefixes ? -1 :
			memcmp(&o[i], &n[j], sizeof(*o));
		const struct pw_addr *v = c <= 0 ? &o[i] : &n[j];

		if (c < 0)
			del[nd++] = *v;
		else if (c > 0)
			add[na++] = *v;
		while (i < old->nr_prefixes && !memcmp(&o[i], v, sizeof(*v)))
			i++;
		while (j < s->nr_prefixes && !memcmp(&n[j], v, sizeof(*v)))
			j++;
	}
	if ((size_t)na + nd >= s->nr_prefixes)
		ret = send_set(b, s);
	else
		ret = send_elems(b, PODWALL_CMD_SET_DEL_ELEMS, s->id, del, nd);
	if (!ret && (size_t)na + nd < s->nr_prefixes)
		ret = send_elems(b, PODWALL_CMD_SET_ADD_ELEMS, s->id, add, na);
out:
	free(oc);
	free(nc);
	free(add);
	free(del);
	return ret;
}

/* Adds @r to the NEW_RULES message being filled, starting one if needed. */
static int send_rule(struct batch *b, const struct pw_model_rule *r)
{
	struct nlattr *elem;
	int ret = 0, tries;

	for (tries = 0; tries < 2; tries++) {
		if (!b->rules) {
			b->rules = req(b->nl, PODWALL_CMD_NEW_RULES, 0,
				       RULES_BYTES + (size_t)r->nr_ports * 32);
			b->rules_list = b->rules ?
					nla_nest_start(b->rules, PODWALL_A_RULES) : NULL;
			if (!b->rules_list) {
				seterr(b->nl, "out of memory");
				return blame(b->nl, -ENOMEM, "rule %u", r->id);
			}
			b->first_rule = r->id;
		}
		elem = nla_nest_start(b->rules, PODWALL_A_RULE);
		ret = elem ? pw_nl_put_rule(b->rules, r) : -EMSGSIZE;
		if (!ret) {
			nla_nest_end(b->rules, elem);
			return 0;
		}
		if (elem)
			nla_nest_cancel(b->rules, elem);
		/* Full: send what is there and start again. */
		if (ret != -EMSGSIZE || tries)
			break;
		ret = rules_flush(b);
		if (ret)
			return ret;
	}
	seterr(b->nl, "%s", strerror(-ret));
	return blame(b->nl, ret, "rule %u", r->id);
}

static int send_ep(struct batch *b, const struct pw_model_ep *e)
{
	size_t payload = 512 + (size_t)e->nr_addrs * 32;
	struct nl_msg *msg;
	unsigned int d;
	int ret;

	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		payload += 8 * ((size_t)e->nr_rules[d] + e->nr_policies[d]);
	msg = req(b->nl, PODWALL_CMD_NEW_ENDPOINT, 0, payload);
	if (msg && (ret = pw_nl_put_ep(msg, e))) {
		nlmsg_free(msg);
		seterr(b->nl, "%s", strerror(-ret));
		return blame(b->nl, ret, "endpoint %u", e->id);
	}
	return batch_add(b, msg, "endpoint", e->id);
}

/*
 * SET_NODE carries the node's addresses themselves; the model names them
 * as set @set (0: no node addresses, which clears them).
 */
static int send_node(struct batch *b, const struct pw_model *m, uint32_t set)
{
	const struct pw_model_set *s = set ? pw_model_set(m, set) : NULL;
	uint32_t n = s ? s->nr_prefixes : 0;
	struct nl_msg *msg;
	int ret;

	if (set && !s) {
		seterr(b->nl, "no such set in the model");
		return blame(b->nl, -ENOENT, "node set %u", set);
	}
	msg = req(b->nl, PODWALL_CMD_SET_NODE, 0, (size_t)n * 32 + 16);
	if (msg && (ret = pw_nl_put_prefixes(msg, PODWALL_A_PREFIXES,
					     n ? s->prefixes : NULL, n))) {
		nlmsg_free(msg);
		seterr(b->nl, "%s", strerror(-ret));
		return blame(b->nl, ret, "node set %u", set);
	}
	return batch_add(b, msg, "node set", set);
}

static int send_del(struct batch *b, enum pw_model_kind kind, uint32_t id)
{
	static const uint8_t cmds[] = {
		[PW_MODEL_POLICY] = PODWALL_CMD_DEL_POLICY,
		[PW_MODEL_SET] = PODWALL_CMD_DEL_SET,
		[PW_MODEL_RULE] = PODWALL_CMD_DEL_RULE,
		[PW_MODEL_EP] = PODWALL_CMD_DEL_ENDPOINT,
	};
	static const int attrs[] = {
		[PW_MODEL_POLICY] = PODWALL_A_POLICY_ID,
		[PW_MODEL_SET] = PODWALL_A_SET_ID,
		[PW_MODEL_RULE] = PODWALL_A_RULE_ID,
		[PW_MODEL_EP] = PODWALL_A_ENDPOINT_ID,
	};
	static const char *const names[] = {
		"deleting policy", "deleting set", "deleting rule",
		"deleting endpoint"
	};
	struct nl_msg *msg = req(b->nl, cmds[kind], 0, 16);

	if (msg && nla_put_u32(msg, attrs[kind], id) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return batch_add(b, msg, names[kind], id);
}

/*
 * Runs one open transaction to its end: the batch's last answers, then
 * commit on success, abort otherwise.
 */
static int finish(struct batch *b, int ret, uint64_t base, uint64_t *new_gen)
{
	struct pw_nl *nl = b->nl;
	char saved[sizeof(nl->err)];

	if (!ret)
		ret = rules_flush(b);
	if (!ret)
		ret = batch_flush(b);
	batch_free(b);
	if (!ret)
		return pw_nl_txn_commit(nl, base, new_gen);
	memcpy(saved, nl->err, sizeof(saved));
	pw_nl_txn_abort(nl);
	memcpy(nl->err, saved, sizeof(saved));
	return ret;
}

int pw_nl_load(struct pw_nl *nl, const struct pw_model *m, int replace,
	       uint64_t *new_gen)
{
	struct batch b = { .nl = nl };
	uint64_t base = 0;
	uint32_t i;
	int ret;

	ret = pw_nl_txn_begin(nl, replace ? PODWALL_TXN_F_REPLACE : 0, 0, &base);
	if (ret)
		return blame(nl, ret, "begin");
	for (i = 0; !ret && i < m->nr_policies; i++)
		ret = send_policy(&b, &m->policies[i]);
	for (i = 0; !ret && i < m->nr_sets; i++)
		ret = send_set(&b, &m->sets[i]);
	for (i = 0; !ret && i < m->nr_rules; i++)
		ret = send_rule(&b, &m->rules[i]);
	for (i = 0; !ret && i < m->nr_eps; i++)
		ret = send_ep(&b, &m->eps[i]);
	if (!ret && (m->node_set || !replace))
		ret = send_node(&b, m, m->node_set);
	/* Guard against a concurrent writer: commit only on our base. */
	return finish(&b, ret, base, new_gen);
}

static int missing(struct pw_nl *nl, const char *what, uint32_t id)
{
	seterr(nl, "delta names an object missing from the new model");
	return blame(nl, -ENOENT, "%s %u", what, id);
}

int pw_nl_apply_delta(struct pw_nl *nl, const struct pw_model *old,
		      const struct pw_model *new,
		      const struct pw_model_delta *d, uint64_t expect_base,
		      uint64_t *new_gen)
{
	struct batch b = { .nl = nl };
	uint64_t base = 0;
	uint32_t i;
	int k, ret, node;

	ret = pw_nl_txn_begin(nl, 0, 0, &base);
	if (ret)
		return blame(nl, ret, "begin");
	if (expect_base && base != expect_base) {
		pw_nl_txn_abort(nl);
		snprintf(nl->err, sizeof(nl->err),
			 "live generation %llu is not %llu, the one the delta was computed against",
			 (unsigned long long)base,
			 (unsigned long long)expect_base);
		return -ESTALE;
	}
	for (i = 0; !ret && i < d->nr_put[PW_MODEL_POLICY]; i++) {
		const struct pw_model_policy *p =
			pw_model_policy(new, d->put[PW_MODEL_POLICY][i]);

		ret = p ? send_policy(&b, p) :
			  missing(nl, "policy", d->put[PW_MODEL_POLICY][i]);
	}
	for (i = 0; !ret && i < d->nr_put[PW_MODEL_SET]; i++) {
		const struct pw_model_set *s =
			pw_model_set(new, d->put[PW_MODEL_SET][i]);

		/* @old is what is live: send a changed set's difference. */
		ret = s ? send_set_delta(&b, pw_model_set(old, s->id), s) :
			  missing(nl, "set", d->put[PW_MODEL_SET][i]);
	}
	for (i = 0; !ret && i < d->nr_put[PW_MODEL_RULE]; i++) {
		const struct pw_model_rule *r =
			pw_model_rule(new, d->put[PW_MODEL_RULE][i]);

		ret = r ? send_rule(&b, r) :
			  missing(nl, "rule", d->put[PW_MODEL_RULE][i]);
	}
	for (i = 0; !ret && i < d->nr_put[PW_MODEL_EP]; i++) {
		const struct pw_model_ep *e =
			pw_model_ep(new, d->put[PW_MODEL_EP][i]);

		ret = e ? send_ep(&b, e) :
			  missing(nl, "endpoint", d->put[PW_MODEL_EP][i]);
	}
	/* Deletes go last, users before what they use. */
	for (k = PW_MODEL_EP; !ret && k >= PW_MODEL_POLICY; k--)
		for (i = 0; !ret && i < d->nr_del[k]; i++)
			ret = send_del(&b, (enum pw_model_kind)k, d->del[k][i]);
	/* The kernel holds node addresses, not a set id: resend on change. */
	node = d->node_set != UINT32_MAX;
	for (i = 0; !node && new->node_set && i < d->nr_put[PW_MODEL_SET]; i++)
		node = d->put[PW_MODEL_SET][i] == new->node_set;
	if (!ret && node)
		ret = send_node(&b, new, new->node_set);
	return finish(&b, ret, base, new_gen);
}

/* Dumps: each reply message becomes (or extends) one model object. */

static void *grow(void **arr, uint32_t *n, size_t size)
{
	void *p;

	/* Doubling capacity: allocate for powers of two only. */
	if (!(*n & (*n - 1)) || !*n) {
		size_t cap = *n ? 2 * (size_t)*n : 16;

		p = realloc(*arr, cap * size);
		if (!p)
			return NULL;
		*arr = p;
	}
	p = (char *)*arr + (size_t)(*n)++ * size;
	memset(p, 0, size);
	return p;
}

struct dump_arg {
	struct pw_nl *nl;
	struct pw_model *m;
	struct pw_nl_stats *st;
};

static int add_stats(struct dump_arg *a, struct nlattr **tb, uint8_t kind,
		     uint32_t id)
{
	struct pw_nl_obj_counters *o;
	int ret;

	if (!a->st || !tb[PODWALL_A_STATS])
		return 0;
	if (a->st->nr_objs >= UINT32_MAX)
		return -E2BIG;
	{
		uint32_t n = (uint32_t)a->st->nr_objs;

		o = grow((void **)&a->st->objs, &n, sizeof(*o));
		if (!o)
			return -ENOMEM;
		a->st->nr_objs = n;
	}
	o->kind = kind;
	o->id = id;
	ret = pw_nl_get_counters(tb[PODWALL_A_STATS], &o->c, a->nl->err,
				 sizeof(a->nl->err));
	return ret;
}

static int parse_policy(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump_arg *a = arg;
	struct pw_model_policy *p;

	(void)nlh;
	p = grow((void **)&a->m->policies, &a->m->nr_policies, sizeof(*p));
	if (!p)
		return -ENOMEM;
	return pw_nl_get_policy(tb, p, a->nl->err, sizeof(a->nl->err));
}

static int parse_set(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump_arg *a = arg;
	struct pw_model_set *s = NULL;
	char what[32];
	uint32_t id;

	(void)nlh;
	if (!tb[PODWALL_A_SET_ID] || !(id = nla_get_u32(tb[PODWALL_A_SET_ID])) ||
	    id > PODWALL_MAX_SETS) {
		seterr(a->nl, "set: missing or invalid id");
		return -EPROTO;
	}
	/* A large set continues in the next messages under the same id. */
	if (a->m->nr_sets && a->m->sets[a->m->nr_sets - 1].id == id)
		s = &a->m->sets[a->m->nr_sets - 1];
	if (!s) {
		s = grow((void **)&a->m->sets, &a->m->nr_sets, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->id = id;
	}
	if (!tb[PODWALL_A_PREFIXES])
		return 0;
	snprintf(what, sizeof(what), "set %u", id);
	return pw_nl_get_prefixes(tb[PODWALL_A_PREFIXES], what,
				  PODWALL_MAX_PREFIXES, &s->prefixes,
				  &s->nr_prefixes, a->nl->err, sizeof(a->nl->err));
}

static int parse_rule(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump_arg *a = arg;
	struct pw_model_rule *r;
	int ret;

	(void)nlh;
	r = grow((void **)&a->m->rules, &a->m->nr_rules, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = pw_nl_get_rule(tb, r, a->nl->err, sizeof(a->nl->err));
	return ret ? ret : add_stats(a, tb, PW_MODEL_RULE, r->id);
}

static int parse_ep(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump_arg *a = arg;
	struct pw_model_ep *e;
	int ret;

	(void)nlh;
	e = grow((void **)&a->m->eps, &a->m->nr_eps, sizeof(*e));
	if (!e)
		return -ENOMEM;
	ret = pw_nl_get_ep(tb, e, a->nl->err, sizeof(a->nl->err));
	return ret ? ret : add_stats(a, tb, PW_MODEL_EP, e->id);
}

static int cmp_id(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Sorts an array of structs whose first member is the u32 id; no duplicates. */
static int sort_ids(void *arr, uint32_t n, size_t size)
{
	uint32_t i;

	if (n < 2)
		return 0;
	qsort(arr, n, size, cmp_id);
	for (i = 1; i < n; i++)
		if (*(uint32_t *)((char *)arr + i * size) ==
		    *(uint32_t *)((char *)arr + (i - 1) * size))
			return -EPROTO;
	return 0;
}

static int dump_objects_once(struct pw_nl *nl, struct pw_model *m,
			     struct pw_nl_stats *st, int *intr,
			     struct pw_addr **node, uint32_t *nr_node);

/*
 * The module reports the node's addresses (if it does) in GET_INFO, not
 * as a set id: name the set that holds exactly those, or add one.
 */
static int node_to_set(struct pw_model *m, struct pw_addr *node, uint32_t n)
{
	struct pw_model_set *s;
	uint32_t i, max = 0;

	if (!n)
		return 0;
	qsort(node, n, sizeof(*node), cmp_addr);
	for (i = 0; i < m->nr_sets; i++) {
		s = &m->sets[i];
		if (s->nr_prefixes == n &&
		    !memcmp(s->prefixes, node, n * sizeof(*node))) {
			m->node_set = s->id;
			return 0;
		}
		if (s->id > max)
			max = s->id;
	}
	if (max >= PODWALL_MAX_SETS)
		return -E2BIG;
	s = grow((void **)&m->sets, &m->nr_sets, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id = max + 1;
	s->prefixes = malloc(n * sizeof(*node));
	if (!s->prefixes)
		return -ENOMEM;
	memcpy(s->prefixes, node, n * sizeof(*node));
	s->nr_prefixes = n;
	m->node_set = s->id;
	return 0;
}

static int dump_once(struct pw_nl *nl, struct pw_model *m,
		     struct pw_nl_stats *st, int *intr)
{
	struct pw_addr *node = NULL;
	uint32_t nr_node = 0;
	int ret = dump_objects_once(nl, m, st, intr, &node, &nr_node);

	if (!ret && !*intr && !st)
		ret = node_to_set(m, node, nr_node);
	free(node);
	return ret;
}

static int dump_objects_once(struct pw_nl *nl, struct pw_model *m,
			     struct pw_nl_stats *st, int *intr,
			     struct pw_addr **node, uint32_t *nr_node)
{
	static const struct {
		uint8_t cmd;
		int (*parse)(struct nlmsghdr *, struct nlattr **, void *);
	} kinds[] = {
		{ PODWALL_CMD_GET_POLICY, parse_policy },
		{ PODWALL_CMD_GET_SET, parse_set },
		{ PODWALL_CMD_GET_RULE, parse_rule },
		{ PODWALL_CMD_GET_ENDPOINT, parse_ep },
	};
	struct dump_arg a = { nl, m, st };
	struct pw_nl_info inf;
	uint64_t gen;
	unsigned int k;
	int ret, i;

	ret = info(nl, &inf, &m->node_set, node, nr_node);
	if (ret)
		return ret;
	gen = inf.generation;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		/* Only rules and endpoints carry counters. */
		if (st && k < 2)
			continue;
		ret = transact(nl, req(nl, kinds[k].cmd, NLM_F_DUMP, 0),
			       kinds[k].parse, &a, &i);
		if (ret)
			return ret;
		if (i) {
			*intr = 1;
			return 0;
		}
	}
	/* A commit between two dumps mixes generations: start again. */
	ret = info(nl, &inf, NULL, NULL, NULL);
	if (ret)
		return ret;
	if (inf.generation != gen) {
		*intr = 1;
		return 0;
	}
	if (sort_ids(m->policies, m->nr_policies, sizeof(*m->policies)) ||
	    sort_ids(m->sets, m->nr_sets, sizeof(*m->sets)) ||
	    sort_ids(m->rules, m->nr_rules, sizeof(*m->rules)) ||
	    sort_ids(m->eps, m->nr_eps, sizeof(*m->eps))) {
		seterr(nl, "dump lists an object twice");
		return -EPROTO;
	}
	/* Prefixes come in hash order: sort them so a save is canonical. */
	for (k = 0; k < m->nr_sets; k++)
		if (m->sets[k].nr_prefixes > 1)
			qsort(m->sets[k].prefixes, m->sets[k].nr_prefixes,
			      sizeof(struct pw_addr), cmp_addr);
	return 0;
}

static int dump(struct pw_nl *nl, struct pw_model *m, struct pw_nl_stats *st)
{
	int tries, ret = 0, intr;

	for (tries = 0; tries < 16; tries++) {
		intr = 0;
		pw_model_init(m);
		if (st) {
			pw_nl_stats_free(st);
			memset(st, 0, sizeof(*st));
		}
		ret = dump_once(nl, m, st, &intr);
		if (ret || !intr)
			break;
		pw_model_free(m);
	}
	if (!ret && intr) {
		seterr(nl, "the set kept changing during the dump");
		ret = -EAGAIN;
	}
	if (ret)
		pw_model_free(m);
	return ret;
}

int pw_nl_dump(struct pw_nl *nl, struct pw_model *m)
{
	return dump(nl, m, NULL);
}

static int parse_stats(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct dump_arg *a = arg;

	(void)nlh;
	if (!tb[PODWALL_A_STATS]) {
		seterr(a->nl, "stats: no counters in the reply");
		return -EPROTO;
	}
	return pw_nl_get_counters(tb[PODWALL_A_STATS], &a->st->global,
				  a->nl->err, sizeof(a->nl->err));
}

int pw_nl_stats(struct pw_nl *nl, struct pw_nl_stats *st)
{
	struct dump_arg a = { nl, NULL, st };
	struct pw_model m;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = dump(nl, &m, st);
	if (ret)
		return ret;
	pw_model_free(&m);
	ret = transact(nl, req(nl, PODWALL_CMD_GET_STATS, 0, 0), parse_stats,
		       &a, NULL);
	if (ret) {
		pw_nl_stats_free(st);
		return ret;
	}
	return 0;
}

void pw_nl_stats_free(struct pw_nl_stats *st)
{
	free(st->objs);
	st->objs = NULL;
	st->nr_objs = 0;
}

struct eval_arg {
	struct pw_nl *nl;
	struct pw_nl_verdict *v;
};

static int parse_eval(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct eval_arg *a = arg;

	(void)nlh;
	if (!tb[PODWALL_A_VERDICT]) {
		seterr(a->nl, "no verdict in the reply");
		return -EPROTO;
	}
	pw_nl_verdict_free(a->v);
	return pw_nl_get_verdict(tb[PODWALL_A_VERDICT], a->v, a->nl->err,
				 sizeof(a->nl->err)) ? -EPROTO : 0;
}

int pw_nl_eval(struct pw_nl *nl, const struct pw_tuple *t,
	       struct pw_nl_verdict *v)
{
	struct nl_msg *msg = req(nl, PODWALL_CMD_EVAL, 0, 64);
	struct eval_arg a = { nl, v };
	int ret;

	memset(v, 0, sizeof(*v));
	if (msg && (ret = pw_nl_put_tuple(msg, t))) {
		nlmsg_free(msg);
		seterr(nl, "invalid tuple");
		return ret;
	}
	v->reason = PODWALL_REASON_UNSPEC;
	ret = transact(nl, msg, parse_eval, &a, NULL);
	if (!ret && v->reason == PODWALL_REASON_UNSPEC) {
		seterr(nl, "no verdict in the reply");
		ret = -EPROTO;
	}
	if (ret)
		pw_nl_verdict_free(v);
	return ret;
}

struct mon_arg {
	struct pw_nl *nl;
	int (*cb)(const struct pw_nl_event *ev, void *arg);
	void *arg;
	int ret;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct mon_arg *a = arg;
	struct pw_nl_event ev;
	char err[256];

	if (nlh->nlmsg_type != a->nl->family || gh->cmd != PODWALL_CMD_EVENT_DENY)
		return NL_SKIP;
	/* A malformed event is skipped, not fatal: the stream goes on. */
	if (pw_nl_parse(nlh, tb, err, sizeof(err)) ||
	    pw_nl_get_event(tb, &ev, err, sizeof(err))) {
		fprintf(stderr, "podwall: skipping malformed event: %s\n", err);
		return NL_SKIP;
	}
	a->ret = a->cb(&ev, a->arg);
	pw_nl_verdict_free(&ev.verdict);
	return a->ret ? NL_STOP : NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int pw_nl_monitor(struct pw_nl *nl,
		  int (*cb)(const struct pw_nl_event *ev, void *arg), void *arg,
		  const volatile sig_atomic_t *stop)
{
	struct mon_arg a = { nl, cb, arg, 0 };
	struct pollfd pfd;
	struct nl_cb *ncb;
	int ret;

	ret = genl_ctrl_resolve_grp(nl->sk, PODWALL_GENL_NAME,
				    PODWALL_MCGRP_EVENTS);
	if (ret < 0) {
		seterr(nl, "multicast group '%s' not found", PODWALL_MCGRP_EVENTS);
		return -ENOENT;
	}
	nl->mcgrp = ret;
	ret = nl_socket_add_membership(nl->sk, nl->mcgrp);
	if (ret < 0) {
		seterr(nl, "joining group '%s': %s", PODWALL_MCGRP_EVENTS,
		       nl_geterror(ret));
		return -EIO;
	}
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &a);
	pfd.fd = nl_socket_get_fd(nl->sk);
	pfd.events = POLLIN;
	while (!a.ret && !(stop && *stop)) {
		/* poll() is interrupted by signals; libnl's recv is not. */
		ret = poll(&pfd, 1, 1000);
		if (ret < 0 && errno == EINTR) {
			ret = 0;	/* a signal: the loop checks *stop */
			continue;
		}
		if (ret < 0) {
			ret = -errno;
			seterr(nl, "poll: %s", strerror(-ret));
			break;
		}
		if (!ret)
			continue;
		ret = nl_recvmsgs(nl->sk, ncb);
		if (ret < 0 && ret != -NLE_NOMEM) {
			seterr(nl, "receive: %s", nl_geterror(ret));
			ret = -EIO;
			break;
		}
		/* ENOBUFS (events lost to a full buffer): keep going. */
		ret = 0;
	}
	nl_socket_drop_membership(nl->sk, nl->mcgrp);
	nl_cb_put(ncb);
	return ret < 0 ? ret : a.ret;
}
