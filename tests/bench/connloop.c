// SPDX-License-Identifier: GPL-2.0
/*
 * connloop: the traffic of the data-plane benchmarks (tests/bench/guest/).
 *
 *   connloop serve PORT          accept loop: read a request, answer it,
 *                                close; a "stream" client is answered
 *                                message by message until it closes.
 *                                Forks into the background once bound.
 *   connloop conn IP PORT N      N sequential connect/request/response/
 *                                close; prints "conn N NS_TOTAL NS_EACH"
 *   connloop stream IP PORT N    one connection, N request/response round
 *                                trips of 16 bytes; prints
 *                                "stream N NS_TOTAL NS_EACH"
 *
 * Under `qemu -icount shift=0` the guest clock ticks once per instruction,
 * so guest nanoseconds are instructions. IPv4 only; exit 1 on any error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_LEN 16

static int die(const char *what)
{
	fprintf(stderr, "connloop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || !v) {
		fprintf(stderr, "connloop: %s: not a positive number: %s\n",
			what, s);
		exit(1);
	}
	return v;
}

static int serve(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 128))
		die("bind/listen");
	signal(SIGPIPE, SIG_IGN);
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		break;
	default:
		return 0;
	}
	for (;;) {
		char buf[MSG_LEN];
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* Answer every message until the client closes. */
		while (read(c, buf, sizeof(buf)) > 0)
			if (write(c, buf, sizeof(buf)) != sizeof(buf))
				break;
		close(c);
	}
}

static int dial(const struct sockaddr_in *sa)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void round_trip(int fd)
{
	char buf[MSG_LEN] = "ping";
	size_t got = 0;
	ssize_t n;

	if (write(fd, buf, sizeof(buf)) != sizeof(buf))
		die("write");
	while (got < sizeof(buf)) {
		n = read(fd, buf, sizeof(buf) - got);
		if (n <= 0)
			die(n ? "read" : "read: connection closed");
		got += n;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long n, i;
	unsigned long long t0, t;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(parse_num(argv[2], "port"));
	if (argc != 5 || (strcmp(argv[1], "conn") && strcmp(argv[1], "stream"))) {
		fprintf(stderr, "usage: connloop serve PORT | conn IP PORT N | stream IP PORT N\n");
		return 1;
	}
	if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
		fprintf(stderr, "connloop: not an IPv4 address: %s\n", argv[2]);
		return 1;
	}
	sa.sin_port = htons(parse_num(argv[3], "port"));
	n = parse_num(argv[4], "count");

	if (!strcmp(argv[1], "conn")) {
		/* One warm-up connection: ARP, route and socket caches. */
		fd = dial(&sa);
		round_trip(fd);
		close(fd);
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			fd = dial(&sa);
			round_trip(fd);
			close(fd);
		}
	} else {
		fd = dial(&sa);
		round_trip(fd);
		t0 = now_ns();
		for (i = 0; i < n; i++)
			round_trip(fd);
		close(fd);
	}
	t = now_ns() - t0;
	printf("%s %lu %llu %llu\n", argv[1], n, t, t / n);
	return 0;
}
