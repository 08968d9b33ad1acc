// SPDX-License-Identifier: GPL-2.0
/*
 * dropcap CMD [ARGS...]: run CMD as root without CAP_NET_ADMIN. Drops it
 * from the bounding set, so execve() as root cannot regain it.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: dropcap CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0)) {
		fprintf(stderr, "dropcap: PR_CAPBSET_DROP: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "dropcap: %s: %s\n", argv[1], strerror(errno));
	return 2;
}
