// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl test SRC DST PROTO/PORT: runs the live kernel matcher on a
 * synthetic new connection and explains the verdict. Exit 0 allowed,
 * 1 denied, 2 error.
 *
 * podwallctl test --batch: the same for many tuples, one "SRC DST
 * PROTO/PORT" a line on stdin, one verdict line each on stdout, in order
 * (one netlink handle for all: a process per probe is too slow for the
 * thousands of probes of a conformance run). Exit 0 if every line was
 * judged, 2 if one could not be.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"
#include "podwallctl.h"

#define USAGE "test [-j] [--sport N] SRC DST PROTO/PORT\n" \
	      "       test [-j] [--sport N] --batch  < \"SRC DST PROTO/PORT\" lines\n" \
	      "  SRC, DST: an address or NAMESPACE/POD of this node"

/* Judges one tuple; prints the verdict; 0 allowed, 1 denied, 2 error. */
static int test_one(struct pw_nl *nl, struct pw_model **lp, struct pw_model *live,
		    const char *src, const char *dst, const char *spec,
		    unsigned long sport)
{
	struct pw_nl_verdict v;
	struct pw_tuple t = { 0 };
	char err[256], text[1024];
	int c;

	if (pw_portspec_parse(spec, &t.proto, &t.dport, err, sizeof(err)))
		return ctl_error(2, "%s", err);
	t.sport = t.proto == PW_PROTO_ICMP || t.proto == PW_PROTO_ICMPV6 ?
		  0 : (uint16_t)sport;
	/* Names need the live endpoints (dumped once); addresses do not. */
	if (!*lp && (strchr(src, '/') || strchr(dst, '/'))) {
		if (pw_nl_dump(nl, live))
			return ctl_error(2, "%s", pw_nl_error(nl));
		*lp = live;
	}
	if (ctl_resolve(nl, *lp, src, 0, &t.src) ||
	    ctl_resolve(nl, *lp, dst, t.src.family, &t.dst))
		return 2;
	if (t.src.family != t.dst.family)
		return ctl_error(2, "%s and %s are of different address families",
				 src, dst);
	if ((t.proto == PW_PROTO_ICMP && t.src.family != PW_FAMILY_INET) ||
	    (t.proto == PW_PROTO_ICMPV6 && t.src.family != PW_FAMILY_INET6))
		return ctl_error(2, "icmp is for IPv4, icmpv6 for IPv6");
	if (pw_nl_eval(nl, &t, &v))
		return ctl_error(2, "%s", pw_nl_error(nl));
	if (ctl_json) {
		json_object *o = pw_explain_json(&t, &v);

		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		pw_explain_text(&t, &v, text, sizeof(text));
		/* Colour the leading verdict word on a terminal only. */
		c = (int)strcspn(text, ":");
		printf("%s%.*s%s%s\n", print_color(v.allow), c, text,
		       print_reset(), text + c);
	}
	c = v.allow ? 0 : 1;
	pw_nl_verdict_free(&v);
	return c;
}

/*
 * Every stdin line in order; a line that cannot be judged prints
 * "error: LINE" (the reason goes to stderr) so the output stays aligned.
 */
static int test_batch(struct pw_nl *nl, struct pw_model **lp,
		      struct pw_model *live, unsigned long sport)
{
	char line[1024], src[256], dst[256], spec[64], extra[2];
	unsigned long n = 0;
	int ret = 0, r;

	while (fgets(line, sizeof(line), stdin)) {
		n++;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%255s %255s %63s %1s", src, dst, spec, extra) != 3) {
			ctl_error(2, "line %lu: expected \"SRC DST PROTO/PORT\": '%s'",
				  n, line);
			r = 2;
		} else {
			r = test_one(nl, lp, live, src, dst, spec, sport);
		}
		if (r == 2) {
			printf("error: %s\n", line);
			ret = 2;
		}
		fflush(stdout);
	}
	return ret;
}

int test_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sport", required_argument, NULL, 's' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pw_model live, *lp = NULL;
	struct pw_nl *nl;
	char *end;
	unsigned long sport = 40000;
	int c, ret, batch = 0;

	while ((c = getopt_long(argc, argv, "js:bh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl_json = 1;
			break;
		case 's':
			sport = strtoul(optarg, &end, 10);
			if (*end || !*optarg || sport > 65535)
				return ctl_error(2, "--sport '%s': not a port number",
						 optarg);
			break;
		case 'b':
			batch = 1;
			break;
		case 'h':
			printf("Usage: podwallctl %s\n", USAGE);
			return EXIT_OK;
		default:
			fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
			return 2;
		}
	}
	/* Usage errors exit 2 too: 1 means "denied" here. */
	if (argc - optind != (batch ? 0 : 3)) {
		fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
		return 2;
	}
	if ((ret = ctl_open(&nl)))
		return 2;
	if (batch)
		ret = test_batch(nl, &lp, &live, sport);
	else
		ret = test_one(nl, &lp, &live, argv[optind], argv[optind + 1],
			       argv[optind + 2], sport);
	if (lp)
		pw_model_free(lp);
	pw_nl_close(nl);
	return ret;
}
