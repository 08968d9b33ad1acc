// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwallctl matrix --objects FILE... [--port PROTO/PORT]...
 * The reachability table offline: for each port, rows are the source pods,
 * columns the destination pods, "." allowed and "X" denied (the notation
 * of the upstream e2e truth tables). With -j, one JSON document. Every pod
 * with an address takes part; a pod to itself is always allowed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"
#include "offline_opts.h"
#include "podwallctl.h"

#define USAGE "matrix [-j] --objects FILE... [--port PROTO/PORT]... [--node-addr IP]...\n" \
	      "  default port: tcp/80; -6 judges over IPv6 addresses"

#define MAX_PORTS 64

struct mport {
	uint8_t proto;
	uint16_t port;
	char name[24];
};

struct mpod {
	const struct pw_model_ep *ep;
	char label[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];
	struct pw_addr addr;
};

static int cmp_pod(const void *a, const void *b)
{
	return strcmp(((const struct mpod *)a)->label, ((const struct mpod *)b)->label);
}

static bool judge(const struct pw_table *t, const struct mpod *from,
		  const struct mpod *to, const struct mport *p)
{
	struct pw_tuple tu = { .src = from->addr, .dst = to->addr,
			       .proto = p->proto, .sport = 40000, .dport = p->port };
	struct pw_verdict v;

	if (from == to)
		return true;
	pw_match(t, &tu, &v);
	return v.allow;
}

int matrix_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_OFFLINE_OPTIONS('o'),
		{ "port", required_argument, NULL, 'p' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct mport ports[MAX_PORTS];
	struct mpod *pods = NULL;
	struct ctl_offline a;
	struct pw_offline o;
	uint32_t nr_pods = 0, i, j, k;
	int c, nr_ports = 0, family = PW_FAMILY_INET;
	size_t width = 4;
	char err[256];

	if (ctl_offline_init(&a, argc, USAGE, EXIT_USAGE, 'o'))
		return a.status;
	while ((c = getopt_long(argc, argv, "o:p:n:6jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (nr_ports == MAX_PORTS ||
			    pw_portspec_parse(optarg, &ports[nr_ports].proto,
					      &ports[nr_ports].port, err, sizeof(err))) {
				ctl_offline_free(&a);
				return ctl_error(EXIT_USAGE, "--port '%s': %s", optarg,
						 nr_ports == MAX_PORTS ? "too many ports" : err);
			}
			nr_ports++;
			break;
		case '6':
			family = PW_FAMILY_INET6;
			break;
		default:
			if (ctl_offline_opt(&a, c))
				return a.status;
		}
	}
	if (ctl_offline_load(&a, argc, argv, true, &o, NULL))
		return a.status;
	if (!nr_ports) {
		ports[0].proto = PW_PROTO_TCP;
		ports[0].port = 80;
		nr_ports = 1;
	}
	for (k = 0; k < (uint32_t)nr_ports; k++) {
		char num[8];

		snprintf(ports[k].name, sizeof(ports[k].name), "%s/%u",
			 pw_proto_name(ports[k].proto, num, sizeof(num)), ports[k].port);
	}
	pods = calloc(o.m.nr_eps ? o.m.nr_eps : 1, sizeof(*pods));
	if (!pods) {
		pw_offline_release(&o);
		return ctl_error(EXIT_SYSTEM, "out of memory");
	}
	for (i = 0; i < o.m.nr_eps; i++) {
		const struct pw_model_ep *e = &o.m.eps[i];

		for (j = 0; j < e->nr_addrs && e->addrs[j].family != family; j++)
			;
		if (j == e->nr_addrs)
			continue;	/* no address of this family */
		pods[nr_pods].ep = e;
		pods[nr_pods].addr = e->addrs[j];
		snprintf(pods[nr_pods].label, sizeof(pods[nr_pods].label), "%s/%s",
			 e->ns, e->name);
		if (strlen(pods[nr_pods].label) > width)
			width = strlen(pods[nr_pods].label);
		nr_pods++;
	}
	qsort(pods, nr_pods, sizeof(*pods), cmp_pod);
	if (ctl_json) {
		json_object *root = json_object_new_object();
		json_object *names = json_object_new_array();
		json_object *arr = json_object_new_array();

		for (i = 0; i < nr_pods; i++)
			json_object_array_add(names, json_object_new_string(pods[i].label));
		json_object_object_add(root, "pods", names);
		for (k = 0; k < (uint32_t)nr_ports; k++) {
			json_object *pm = json_object_new_object();
			json_object *rows = json_object_new_array();

			json_object_object_add(pm, "port", json_object_new_string(ports[k].name));
			for (i = 0; i < nr_pods; i++) {
				json_object *row = json_object_new_array();

				for (j = 0; j < nr_pods; j++)
					json_object_array_add(row, json_object_new_boolean(
						judge(o.t, &pods[i], &pods[j], &ports[k])));
				json_object_array_add(rows, row);
			}
			/* allowed[from][to], indexes into "pods". */
			json_object_object_add(pm, "allowed", rows);
			json_object_array_add(arr, pm);
		}
		json_object_object_add(root, "matrix", arr);
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (k = 0; k < (uint32_t)nr_ports; k++) {
			printf("%s%s (rows: from, columns: to; . allowed, X denied)\n",
			       k ? "\n" : "", ports[k].name);
			printf("%-*s", (int)width, "");
			for (j = 0; j < nr_pods; j++)
				printf(" %s", pods[j].label);
			putchar('\n');
			for (i = 0; i < nr_pods; i++) {
				printf("%-*s", (int)width, pods[i].label);
				for (j = 0; j < nr_pods; j++) {
					bool ok = judge(o.t, &pods[i], &pods[j], &ports[k]);

					/* Padded to the column, but no trailing blanks. */
					printf(" %s%s%s%*s", print_color(ok), ok ? "." : "X",
					       print_reset(),
					       j + 1 < nr_pods ? (int)strlen(pods[j].label) - 1 : 0,
					       "");
				}
				putchar('\n');
			}
		}
	}
	free(pods);
	pw_offline_release(&o);
	return EXIT_OK;
}
