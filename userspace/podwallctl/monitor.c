// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl monitor: one line per denied new connection, with pod and
 * policy names, until SIGINT or SIGTERM. -j: one JSON object per line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "explain.h"
#include "podwallctl.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "ns/pod" of an endpoint, or "" if that side is no pod here. */
static const char *pod(const struct pw_nl_ref *r)
{
	static char buf[2][PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 1];
	static int which;

	if (!r->name[0])
		return "";
	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", r->ns, r->name);
	return buf[which];
}

static int print_event(const struct pw_nl_event *ev, void *arg)
{
	char when[32], src[64], dst[64], num[8], text[1024];
	struct timespec ts;
	struct tm tm;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (ctl_json) {
		json_object *o = pw_explain_json(&ev->tuple, &ev->verdict);

		json_object_object_add(o, "time", json_object_new_int64(ts.tv_sec));
		json_object_object_add(o, "sport", json_object_new_int(ev->tuple.sport));
		json_object_object_add(o, "generation",
				       json_object_new_int64((int64_t)ev->generation));
		json_object_object_add(o, "suppressed",
				       json_object_new_int64((int64_t)ev->suppressed));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		pw_addr_format(&ev->tuple.src, src, sizeof(src));
		pw_addr_format(&ev->tuple.dst, dst, sizeof(dst));
		printf("%s %s %s%s%s:%u -> %s%s%s:%u %s", when,
		       pw_proto_name(ev->tuple.proto, num, sizeof(num)),
		       pod(&ev->verdict.src_ep), ev->verdict.src_ep.name[0] ? " " : "",
		       src, ev->tuple.sport,
		       pod(&ev->verdict.dst_ep), ev->verdict.dst_ep.name[0] ? " " : "",
		       dst, ev->tuple.dport,
		       pw_explain_text(&ev->tuple, &ev->verdict, text, sizeof(text)));
		if (ev->suppressed)
			printf(" (%llu more suppressed)",
			       (unsigned long long)ev->suppressed);
		putchar('\n');
	}
	fflush(stdout);
	return 0;
}

int monitor_main(int argc, char **argv)
{
	struct sigaction sa;
	struct pw_nl *nl;
	int ret;

	ret = ctl_simple_opts(argc, argv, "monitor [-j]");
	if (ret < 0)
		return EXIT_USAGE;
	if (ret < argc)
		return ctl_error(EXIT_USAGE, "unexpected argument '%s'", argv[ret]);
	if ((ret = ctl_open(&nl)))
		return ret;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = pw_nl_monitor(nl, print_event, NULL, &stop);
	if (ret)
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
	pw_nl_close(nl);
	return ret;
}
