// SPDX-License-Identifier: GPL-2.0
/*
 * match_bench [GEN] [--lookups N]: the shared matcher (kmod/match.c, built
 * for userspace) over a synthetic set (benchgen.h). N lookups of TCP/80
 * connections to the server from members of its peer set, in a scattered
 * order so the peer hash is not walked in memory order; every one must be
 * allowed. Run under `valgrind --tool=callgrind --cache-sim=yes
 * --toggle-collect=pw_match` to count instructions and cache misses of
 * pw_match() alone. Prints "lookups N allowed N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchgen.h"

int main(int argc, char **argv)
{
	unsigned long lookups = 100000, i, allowed = 0;
	const struct pw_model_set *peers;
	struct pw_table *t;
	struct benchgen g;
	struct pw_model m;
	int k, ret;

	benchgen_defaults(&g);
	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--lookups") && k + 1 < argc) {
			lookups = strtoul(argv[++k], NULL, 10);
			continue;
		}
		ret = benchgen_arg(&g, argc, argv, &k);
		if (ret != 1) {
			if (!ret)
				fprintf(stderr, "match_bench: unknown argument '%s'\n",
					argv[k]);
			return 1;
		}
	}
	if (benchgen_model(&g, &m))
		return 1;
	if (pw_model_table(&m, &t)) {
		fprintf(stderr, "match_bench: building the table failed\n");
		return 1;
	}
	peers = pw_model_set(&m, 1);
	for (i = 0; i < lookups; i++) {
		/* A stride coprime to most sizes scatters the sources. */
		struct pw_tuple tu = {
			.src = peers->prefixes[(i * 40503UL) % peers->nr_prefixes],
			.dst = g.server,
			.proto = 6,
			.sport = 40000 + i % 20000,
			.dport = 80,
		};
		struct pw_verdict v;

		memset(&v, 0, sizeof(v));
		pw_match(t, &tu, &v);
		allowed += v.allow;
	}
	printf("lookups %lu allowed %lu\n", lookups, allowed);
	pw_model_table_free(t);
	pw_model_free(&m);
	return allowed == lookups ? 0 : 1;
}
