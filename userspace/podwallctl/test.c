// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl test SRC DST PROTO/PORT: runs the live kernel matcher on a
 * synthetic new connection and explains the verdict. Exit 0 allowed,
 * 1 denied, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"
#include "podwallctl.h"

#define USAGE "test [-j] [--sport N] SRC DST PROTO/PORT\n" \
	      "  SRC, DST: an address or NAMESPACE/POD of this node"

int test_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sport", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pw_model live, *lp = NULL;
	struct pw_nl_verdict v;
	struct pw_tuple t = { 0 };
	struct pw_nl *nl;
	char err[256], text[1024], *end;
	unsigned long sport = 40000;
	int c, ret;

	while ((c = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
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
		case 'h':
			printf("Usage: podwallctl %s\n", USAGE);
			return EXIT_OK;
		default:
			fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
			return 2;
		}
	}
	/* Usage errors exit 2 too: 1 means "denied" here. */
	if (argc - optind != 3) {
		fprintf(stderr, "Usage: podwallctl %s\n", USAGE);
		return 2;
	}
	if (pw_portspec_parse(argv[optind + 2], &t.proto, &t.dport, err, sizeof(err)))
		return ctl_error(2, "%s", err);
	t.sport = t.proto == PW_PROTO_ICMP || t.proto == PW_PROTO_ICMPV6 ?
		  0 : (uint16_t)sport;
	if ((ret = ctl_open(&nl)))
		return 2;
	/* Names need the live endpoints; plain addresses do not. */
	if (strchr(argv[optind], '/') || strchr(argv[optind + 1], '/')) {
		if (pw_nl_dump(nl, &live)) {
			ret = ctl_error(2, "%s", pw_nl_error(nl));
			pw_nl_close(nl);
			return ret;
		}
		lp = &live;
	}
	ret = 2;
	if (ctl_resolve(nl, lp, argv[optind], 0, &t.src) ||
	    ctl_resolve(nl, lp, argv[optind + 1], t.src.family, &t.dst))
		goto out;
	if (t.src.family != t.dst.family) {
		ctl_error(2, "%s and %s are of different address families",
			  argv[optind], argv[optind + 1]);
		goto out;
	}
	if ((t.proto == PW_PROTO_ICMP && t.src.family != PW_FAMILY_INET) ||
	    (t.proto == PW_PROTO_ICMPV6 && t.src.family != PW_FAMILY_INET6)) {
		ctl_error(2, "icmp is for IPv4, icmpv6 for IPv6");
		goto out;
	}
	if (pw_nl_eval(nl, &t, &v)) {
		ctl_error(2, "%s", pw_nl_error(nl));
		goto out;
	}
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
	ret = v.allow ? 0 : 1;
	pw_nl_verdict_free(&v);
out:
	if (lp)
		pw_model_free(lp);
	pw_nl_close(nl);
	return ret;
}
