/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Words for verdicts: names of reasons, statuses and protocols, the
 * PROTO/PORT parser, and the explanation of one verdict as a sentence or
 * a JSON object. Shared by `podwallctl test` and `monitor`.
 *
 * Ownership: text goes to the caller's buffer; a returned json_object
 * belongs to the caller (json_object_put). Stateless and thread-safe.
 */
#ifndef PODWALL_EXPLAIN_H
#define PODWALL_EXPLAIN_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include "nl.h"

const char *pw_reason_name(uint8_t reason);	/* "allowed", "denied-ingress"... */
const char *pw_status_name(uint8_t status);	/* "none", "not-isolated"... */
/* "tcp", "udp", "sctp", "icmp", "icmpv6", or the number in @buf. */
const char *pw_proto_name(uint8_t proto, char *buf, size_t len);

/*
 * Parses "tcp/80", "80/tcp", "udp/53", "icmp" or "80" (TCP) into protocol
 * and port. 0 or -EINVAL with a message naming the part that is wrong.
 */
int pw_portspec_parse(const char *text, uint8_t *proto, uint16_t *port,
		      char *err, size_t errlen);

/*
 * "denied: x/b is isolated for ingress by x/deny-all; no ingress rule
 * admits 10.0.0.1 to tcp/81". Returns the buffer.
 */
const char *pw_explain_text(const struct pw_tuple *t,
			    const struct pw_nl_verdict *v, char *buf,
			    size_t len);
json_object *pw_explain_json(const struct pw_tuple *t,
			     const struct pw_nl_verdict *v);

#endif /* PODWALL_EXPLAIN_H */
