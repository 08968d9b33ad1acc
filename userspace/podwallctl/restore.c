// SPDX-License-Identifier: GPL-2.0 OR MIT
/* podwallctl restore: load a compiled set in one REPLACE transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "podwallctl.h"

/* The whole of @f as a NUL-terminated string, or NULL. */
static char *slurp(FILE *f)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *grown;
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

int restore_main(int argc, char **argv)
{
	struct pw_model m;
	struct pw_nl *nl;
	uint64_t gen = 0;
	char err[512], *text;
	const char *path;
	FILE *f;
	int ret;

	ret = ctl_simple_opts(argc, argv, "restore FILE|-");
	if (ret < 0)
		return EXIT_USAGE;
	if (argc - ret != 1)
		return ctl_error(EXIT_USAGE, "expected one FILE (or - for stdin)");
	path = argv[ret];
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return ctl_error(EXIT_SYSTEM, "%s: %s", path, strerror(errno));
	text = slurp(f);
	if (f != stdin)
		fclose(f);
	if (!text)
		return ctl_error(EXIT_SYSTEM, "%s: read failed", path);
	pw_model_init(&m);
	ret = pw_model_read_json(&m, text, err, sizeof(err));
	free(text);
	if (ret) {
		pw_model_free(&m);
		return ctl_error(EXIT_USAGE, "%s", err);
	}
	if ((ret = ctl_open(&nl))) {
		pw_model_free(&m);
		return ret;
	}
	ret = pw_nl_load(nl, &m, 1, &gen);
	if (ret)
		ret = ctl_error(EXIT_SYSTEM, "%s", pw_nl_error(nl));
	pw_nl_close(nl);
	pw_model_free(&m);
	if (ret)
		return ret;
	print_begin();
	print_u64("generation", "committed generation %llu\n", gen);
	print_end();
	return EXIT_OK;
}
