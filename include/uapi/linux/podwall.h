/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * podwall: Kubernetes NetworkPolicy enforcement in netfilter.
 *
 * This header is the whole contract between podwall.ko and userspace. It is
 * a generic netlink family named PODWALL_GENL_NAME. Every command acts on
 * the network namespace of the sending socket (one "node" per netns) and
 * requires CAP_NET_ADMIN (GENL_ADMIN_PERM). Attributes are validated
 * strictly: unknown attributes, wrong lengths and out-of-range values are
 * rejected with EINVAL or ERANGE and an extack message naming the attribute.
 *
 * The policy set
 * --------------
 * The kernel never sees labels. Userspace compiles NetworkPolicies into four
 * kinds of objects, each named by a u32 id >= 1 chosen by userspace (ids
 * are dense: below the PODWALL_MAX_* limit of their kind):
 *
 *   policy    PODWALL_A_POLICY_ID, PODWALL_A_NAMESPACE, PODWALL_A_NAME.
 *             Names only, for explanations (drop events, EVAL, dumps).
 *   set       PODWALL_A_SET_ID, PODWALL_A_PREFIXES: a set of IPv4/IPv6
 *             prefixes. Pod IPs are full-length prefixes. ipBlock excepts
 *             are subtracted by userspace, so a set is a plain union. Host
 *             bits are ignored. IPv4 and IPv6 never match each other.
 *   rule      PODWALL_A_RULE_ID, PODWALL_A_POLICY_ID, PODWALL_A_RULE_INDEX,
 *             PODWALL_A_DIRECTION, optional PODWALL_A_SET_ID (the peers;
 *             absent = any peer), optional PODWALL_A_PORTS (absent = every
 *             protocol and port, ICMP included). A port range admits only
 *             its protocol.
 *   endpoint  PODWALL_A_ENDPOINT_ID, PODWALL_A_NAMESPACE, PODWALL_A_NAME,
 *             PODWALL_A_ADDRS (the pod's IPs, full length), PODWALL_A_EP_FLAGS
 *             (isolated for ingress / egress), PODWALL_A_INGRESS_RULES and
 *             PODWALL_A_EGRESS_RULES (rule ids), PODWALL_A_INGRESS_POLICIES
 *             and PODWALL_A_EGRESS_POLICIES (ids of the isolating policies).
 *             Endpoints are the pods of this node; an address belongs to at
 *             most one endpoint.
 *
 * Plus one node set (PODWALL_CMD_SET_NODE, at most PODWALL_MAX_NODE_PREFIXES
 * prefixes, all in one message and all returned by GET_INFO): connections
 * from any of its addresses are always allowed (kubelet probes).
 *
 * Verdict: a new connection from S to D is allowed iff (S is not an
 * isolated-for-egress endpoint, or one of its egress rules admits D and the
 * destination port/protocol) and (D is not an isolated-for-ingress endpoint,
 * or one of its ingress rules admits S and the port/protocol). Established
 * and related packets are never judged.
 *
 * Transactions
 * ------------
 *   PODWALL_CMD_TXN_BEGIN [PODWALL_A_TXN_FLAGS] [PODWALL_A_TXN_TIMEOUT_MS]
 *       Opens the sender's candidate. With PODWALL_TXN_F_REPLACE it starts
 *       empty (a full snapshot follows); otherwise it starts as a copy of the
 *       live set (an incremental change follows). One candidate per socket
 *       (netlink port id). Replies with PODWALL_A_GENERATION, the live
 *       generation it is based on.
 *   PODWALL_CMD_NEW_* / PODWALL_CMD_DEL_* / PODWALL_CMD_SET_ADD_ELEMS /
 *   PODWALL_CMD_SET_DEL_ELEMS / PODWALL_CMD_SET_NODE
 *       Change the candidate, never the live set. NEW_* creates or replaces
 *       the object with that id. Large sets span many messages: NEW_SET with
 *       the first chunk, SET_ADD_ELEMS with the rest. References between
 *       objects are checked at commit, so objects may come in any order.
 *   PODWALL_CMD_NEW_RULES PODWALL_A_RULES
 *       Many NEW_RULEs in one message (a full load has one rule per pod
 *       and peer, so per-message costs add up): each PODWALL_A_RULE nest
 *       holds what a NEW_RULE message would. All or none are stored; an
 *       error names the rule.
 *   PODWALL_CMD_TXN_COMMIT [PODWALL_A_GENERATION]
 *       Validates the candidate (every referenced set, rule and policy
 *       exists, rule directions match, no address on two endpoints, limits)
 *       and publishes it atomically: a packet sees the old set or the new
 *       one, never a mix. With PODWALL_A_GENERATION the commit fails with
 *       ESTALE unless the live generation is still that one. Replies with
 *       the new PODWALL_A_GENERATION. A failed commit leaves the live set
 *       untouched and the candidate open.
 *   PODWALL_CMD_TXN_ABORT
 *       Drops the candidate.
 *   A candidate is also dropped when its socket closes or when it has been
 *   idle for longer than its timeout (default PODWALL_TXN_TIMEOUT_MS_DEFAULT).
 *   Without any committed set everything is allowed. A committed set keeps
 *   enforcing until another commit replaces it, whatever userspace does.
 *
 * Reads
 * -----
 *   PODWALL_CMD_GET_INFO (do): PODWALL_A_VERSION, PODWALL_A_MODULE_VERSION,
 *       PODWALL_A_GENERATION, PODWALL_A_NR_POLICIES/SETS/RULES/ENDPOINTS,
 *       PODWALL_A_NR_PREFIXES, PODWALL_A_MEMORY, PODWALL_A_MODE,
 *       PODWALL_A_PREFIXES (the node set's addresses, if there are any).
 *   PODWALL_CMD_GET_POLICY / GET_SET / GET_RULE / GET_ENDPOINT (dump): one
 *       message per object with the attributes it was created with, plus
 *       counters (PODWALL_A_STATS) for rules and endpoints. A set larger than
 *       one message is continued in further messages with the same
 *       PODWALL_A_SET_ID. All messages of a dump come from one generation; a
 *       commit during the dump sets NLM_F_DUMP_INTR and the dump must be
 *       retried.
 *   PODWALL_CMD_GET_STATS (do): PODWALL_A_STATS for the whole netns.
 *   PODWALL_CMD_EVAL (do): PODWALL_A_SRC, PODWALL_A_DST, PODWALL_A_PROTO,
 *       [PODWALL_A_SPORT], PODWALL_A_DPORT. Runs the live matcher, changes
 *       nothing, and replies with PODWALL_A_VERDICT: the decision, reason,
 *       per-direction status, endpoints, allowing rules and isolating
 *       policies (with names).
 *
 * Events
 * ------
 *   Multicast group PODWALL_MCGRP_EVENTS carries PODWALL_CMD_EVENT_DENY: a
 *   PODWALL_A_VERDICT for each denied new connection, plus PODWALL_A_SRC,
 *   PODWALL_A_DST, PODWALL_A_PROTO, PODWALL_A_SPORT, PODWALL_A_DPORT and
 *   PODWALL_A_GENERATION. Events are rate-limited per CPU; counters stay
 *   exact, and PODWALL_A_SUPPRESSED tells how many events this CPU dropped
 *   since its previous event.
 */
#ifndef _UAPI_LINUX_PODWALL_H
#define _UAPI_LINUX_PODWALL_H

#include <linux/types.h>

#define PODWALL_GENL_NAME		"podwall"
#define PODWALL_GENL_VERSION		2
#define PODWALL_MCGRP_EVENTS		"events"

/* Limits, enforced at the message or at commit. Ids are 1..MAX. */
#define PODWALL_MAX_POLICIES		(1U << 20)
#define PODWALL_MAX_SETS		(1U << 20)
#define PODWALL_MAX_RULES		(1U << 20)
#define PODWALL_MAX_ENDPOINTS		(1U << 16)
#define PODWALL_MAX_PREFIXES		(1U << 24)	/* over all sets */
#define PODWALL_MAX_ADDRS_PER_EP	16
#define PODWALL_MAX_NODE_PREFIXES	1024	/* the node's own addresses */
#define PODWALL_MAX_PORTS_PER_RULE	1024
#define PODWALL_NAMESPACE_MAX		64	/* 63 + NUL */
#define PODWALL_NAME_MAX		254	/* 253 + NUL */
#define PODWALL_TXN_TIMEOUT_MS_DEFAULT	30000
#define PODWALL_TXN_TIMEOUT_MS_MAX	600000

enum podwall_cmd {
	PODWALL_CMD_UNSPEC,
	PODWALL_CMD_GET_INFO,
	PODWALL_CMD_TXN_BEGIN,
	PODWALL_CMD_TXN_COMMIT,
	PODWALL_CMD_TXN_ABORT,
	PODWALL_CMD_NEW_POLICY,
	PODWALL_CMD_DEL_POLICY,
	PODWALL_CMD_NEW_SET,
	PODWALL_CMD_DEL_SET,
	PODWALL_CMD_SET_ADD_ELEMS,
	PODWALL_CMD_SET_DEL_ELEMS,
	PODWALL_CMD_NEW_RULE,
	PODWALL_CMD_DEL_RULE,
	PODWALL_CMD_NEW_ENDPOINT,
	PODWALL_CMD_DEL_ENDPOINT,
	PODWALL_CMD_SET_NODE,
	PODWALL_CMD_GET_POLICY,
	PODWALL_CMD_GET_SET,
	PODWALL_CMD_GET_RULE,
	PODWALL_CMD_GET_ENDPOINT,
	PODWALL_CMD_GET_STATS,
	PODWALL_CMD_EVAL,
	PODWALL_CMD_EVENT_DENY,
	PODWALL_CMD_NEW_RULES,
	__PODWALL_CMD_MAX
};

#define PODWALL_CMD_MAX (__PODWALL_CMD_MAX - 1)

enum podwall_attr {
	PODWALL_A_UNSPEC,
	PODWALL_A_PAD,
	PODWALL_A_VERSION,		/* u32: PODWALL_GENL_VERSION */
	PODWALL_A_MODULE_VERSION,	/* string */
	PODWALL_A_GENERATION,		/* u64: 0 = nothing committed yet */
	PODWALL_A_TXN_FLAGS,		/* u32: PODWALL_TXN_F_* */
	PODWALL_A_TXN_TIMEOUT_MS,	/* u32: 1..PODWALL_TXN_TIMEOUT_MS_MAX */
	PODWALL_A_POLICY_ID,		/* u32 */
	PODWALL_A_SET_ID,		/* u32 */
	PODWALL_A_RULE_ID,		/* u32 */
	PODWALL_A_ENDPOINT_ID,		/* u32 */
	PODWALL_A_NAMESPACE,		/* string, < PODWALL_NAMESPACE_MAX */
	PODWALL_A_NAME,			/* string, < PODWALL_NAME_MAX */
	PODWALL_A_PREFIXES,		/* nest: PODWALL_A_PREFIX... */
	PODWALL_A_PREFIX,		/* nest: PODWALL_PREFIX_A_* */
	PODWALL_A_RULE_INDEX,		/* u32: index of the rule in its policy */
	PODWALL_A_DIRECTION,		/* u8: PODWALL_DIR_* */
	PODWALL_A_PORTS,		/* nest: PODWALL_A_PORT... */
	PODWALL_A_PORT,			/* nest: PODWALL_PORT_A_* */
	PODWALL_A_ADDRS,		/* nest: PODWALL_A_PREFIX... (full length) */
	PODWALL_A_EP_FLAGS,		/* u32: PODWALL_EP_F_* */
	PODWALL_A_INGRESS_RULES,	/* nest: PODWALL_A_RULE_ID... */
	PODWALL_A_EGRESS_RULES,		/* nest: PODWALL_A_RULE_ID... */
	PODWALL_A_INGRESS_POLICIES,	/* nest: PODWALL_A_POLICY_ID... */
	PODWALL_A_EGRESS_POLICIES,	/* nest: PODWALL_A_POLICY_ID... */
	PODWALL_A_NR_POLICIES,		/* u32 */
	PODWALL_A_NR_SETS,		/* u32 */
	PODWALL_A_NR_RULES,		/* u32 */
	PODWALL_A_NR_ENDPOINTS,		/* u32 */
	PODWALL_A_NR_PREFIXES,		/* u32 */
	PODWALL_A_MEMORY,		/* u64: bytes held by the live set */
	PODWALL_A_MODE,			/* u32: PODWALL_MODE_* */
	PODWALL_A_SRC,			/* binary: 4 or 16 bytes, network order */
	PODWALL_A_DST,			/* binary: 4 or 16 bytes, network order */
	PODWALL_A_PROTO,		/* u8: IPPROTO_* */
	PODWALL_A_SPORT,		/* u16, host order */
	PODWALL_A_DPORT,		/* u16, host order */
	PODWALL_A_VERDICT,		/* nest: PODWALL_VERDICT_A_* */
	PODWALL_A_STATS,		/* nest: PODWALL_STATS_A_* */
	PODWALL_A_SUPPRESSED,		/* u64 */
	PODWALL_A_RULES,		/* nest: PODWALL_A_RULE... */
	PODWALL_A_RULE,			/* nest: the attributes of NEW_RULE */
	__PODWALL_A_MAX
};

#define PODWALL_A_MAX (__PODWALL_A_MAX - 1)

enum podwall_prefix_attr {
	PODWALL_PREFIX_A_UNSPEC,
	PODWALL_PREFIX_A_ADDR,		/* binary: 4 (IPv4) or 16 (IPv6) bytes */
	PODWALL_PREFIX_A_PLEN,		/* u8: 0..32 or 0..128; absent = full */
	__PODWALL_PREFIX_A_MAX
};

#define PODWALL_PREFIX_A_MAX (__PODWALL_PREFIX_A_MAX - 1)

enum podwall_port_attr {
	PODWALL_PORT_A_UNSPEC,
	PODWALL_PORT_A_PROTO,		/* u8: IPPROTO_TCP, _UDP or _SCTP */
	PODWALL_PORT_A_FIRST,		/* u16: first port, inclusive */
	PODWALL_PORT_A_LAST,		/* u16: last port, inclusive, >= first */
	__PODWALL_PORT_A_MAX
};

#define PODWALL_PORT_A_MAX (__PODWALL_PORT_A_MAX - 1)

enum podwall_verdict_attr {
	PODWALL_VERDICT_A_UNSPEC,
	PODWALL_VERDICT_A_ALLOW,	/* u8: 1 allowed, 0 denied */
	PODWALL_VERDICT_A_REASON,	/* u8: PODWALL_REASON_* */
	PODWALL_VERDICT_A_EGRESS,	/* u8: PODWALL_STATUS_* of the source */
	PODWALL_VERDICT_A_INGRESS,	/* u8: PODWALL_STATUS_* of the dest */
	PODWALL_VERDICT_A_SRC_ENDPOINT,	/* nest: ENDPOINT_ID, NAMESPACE, NAME */
	PODWALL_VERDICT_A_DST_ENDPOINT,	/* nest: ENDPOINT_ID, NAMESPACE, NAME */
	PODWALL_VERDICT_A_EGRESS_RULE,	/* nest: RULE_ID, RULE_INDEX, POLICY_ID, NAMESPACE, NAME */
	PODWALL_VERDICT_A_INGRESS_RULE,	/* nest: as EGRESS_RULE */
	PODWALL_VERDICT_A_EGRESS_POLICIES,  /* nest of nests: POLICY_ID, NAMESPACE, NAME */
	PODWALL_VERDICT_A_INGRESS_POLICIES, /* nest of nests: as above */
	__PODWALL_VERDICT_A_MAX
};

#define PODWALL_VERDICT_A_MAX (__PODWALL_VERDICT_A_MAX - 1)

enum podwall_stats_attr {
	PODWALL_STATS_A_UNSPEC,
	PODWALL_STATS_A_PAD,
	PODWALL_STATS_A_JUDGED,		/* u64: new connections judged */
	PODWALL_STATS_A_ALLOWED,	/* u64 */
	PODWALL_STATS_A_DENIED_INGRESS,	/* u64 */
	PODWALL_STATS_A_DENIED_EGRESS,	/* u64 */
	PODWALL_STATS_A_HITS,		/* u64: rule: connections it admitted */
	PODWALL_STATS_A_EVENTS,		/* u64: deny events sent */
	PODWALL_STATS_A_SUPPRESSED,	/* u64: deny events rate-limited */
	PODWALL_STATS_A_COMMITS,	/* u64: commits since load */
	__PODWALL_STATS_A_MAX
};

#define PODWALL_STATS_A_MAX (__PODWALL_STATS_A_MAX - 1)

/* PODWALL_A_TXN_FLAGS */
#define PODWALL_TXN_F_REPLACE		(1U << 0)
#define PODWALL_TXN_F_ALL		PODWALL_TXN_F_REPLACE

/* PODWALL_A_EP_FLAGS */
#define PODWALL_EP_F_ISOLATED_INGRESS	(1U << 0)
#define PODWALL_EP_F_ISOLATED_EGRESS	(1U << 1)
#define PODWALL_EP_F_ALL		(PODWALL_EP_F_ISOLATED_INGRESS | \
					 PODWALL_EP_F_ISOLATED_EGRESS)

/* PODWALL_A_DIRECTION */
enum podwall_direction {
	PODWALL_DIR_INGRESS,
	PODWALL_DIR_EGRESS,
	__PODWALL_DIR_MAX
};

/* PODWALL_A_MODE */
enum podwall_mode {
	PODWALL_MODE_OPEN,		/* nothing committed: everything passes */
	PODWALL_MODE_ENFORCING,		/* a committed set is enforced */
	__PODWALL_MODE_MAX
};

/* Why a connection got its verdict (PODWALL_VERDICT_A_REASON). */
enum podwall_reason {
	PODWALL_REASON_UNSPEC,
	PODWALL_REASON_NO_POLICY,	/* allow: no set committed */
	PODWALL_REASON_NOT_ENDPOINT,	/* allow: neither side is a pod here */
	PODWALL_REASON_NODE,		/* allow: from the node itself */
	PODWALL_REASON_SELF,		/* allow: a pod talking to itself */
	PODWALL_REASON_ALLOWED,		/* allow: each side not isolated or a rule admits */
	PODWALL_REASON_DENIED_EGRESS,	/* deny: source isolated, no egress rule admits */
	PODWALL_REASON_DENIED_INGRESS,	/* deny: dest isolated, no ingress rule admits */
	PODWALL_REASON_DENIED_BOTH,	/* deny: both of the above */
	__PODWALL_REASON_MAX
};

/* Per-direction status (PODWALL_VERDICT_A_EGRESS / _INGRESS). */
enum podwall_status {
	PODWALL_STATUS_NONE,		/* that side is not an endpoint here */
	PODWALL_STATUS_NOT_ISOLATED,	/* endpoint, not isolated: allows */
	PODWALL_STATUS_ALLOWED,		/* isolated; a rule admits */
	PODWALL_STATUS_DENIED,		/* isolated; no rule admits */
	__PODWALL_STATUS_MAX
};

#endif /* _UAPI_LINUX_PODWALL_H */
