// SPDX-License-Identifier: GPL-2.0
/*
 * pwprobe - connectivity probe for the podwall VM tests.
 *
 *   pwprobe serve [--netns NS] [--tag TEXT] [--foreground] PROTO:PORT...
 *	Listen on every PROTO:PORT (PROTO = tcp, udp or sctp) on all IPv4 and
 *	IPv6 addresses (one dual-stack socket per port) of network namespace NS
 *	(/run/netns/NS, or a path; default: the current one).  TCP and SCTP:
 *	accept, write TEXT, close.  UDP: answer each datagram with TEXT, from
 *	the address it was sent to.  TEXT defaults to NS, or "ok".
 *	All sockets are bound before the command returns: by default it forks
 *	into the background and prints the server's pid on stdout; with
 *	--foreground it serves in the calling process.
 *
 *   pwprobe connect [--netns NS] [--timeout-ms N] [--bind ADDR] [-r] [-v]
 *		     DST_IP PORT PROTO
 *	One probe.  Prints one word and exits with:
 *	  allowed  0  TCP/SCTP connected (the answer is read until the
 *		      timeout); UDP got an answer
 *	  blocked  1  nothing came back within the timeout (default 500 ms),
 *		      or the packet was dropped locally (EPERM)
 *	  error    2  bad arguments, no such namespace, ...
 *	  refused  3  active rejection: RST/ABORT, ICMP unreachable
 *	-r (--reply) adds the server's answer as a second word ("-" if none):
 *	"allowed b".  -v prints the reason and the reply to stderr.
 *
 *   pwprobe batch [--parallel N] [--timeout-ms N] [-r] [-v]
 *	Reads lines "ID FROM_NS DST_IP PORT PROTO" from stdin (FROM_NS "-" is
 *	pwprobe's own namespace; empty lines and lines starting with # are
 *	skipped), runs them on N threads (default 32), each thread entering the
 *	client namespace with setns(2), and prints "ID VERDICT" per probe in
 *	completion order (-r appends the reply word, -v then the reason).
 *	Exits 0 once all have run, 2 on bad input.
 *
 *   pwprobe send [--netns NS] DST_IP PORT BYTES
 *	Connects over TCP and writes BYTES zero bytes in 64 KiB write()s, so
 *	segments are full-size whatever the scheduling (a path MTU test needs
 *	them to be). Exits 0 once all are written and the socket is closed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

enum verdict { ALLOWED, BLOCKED, ERROR, REFUSED };
static const char *const verdict_name[] = {
	[ALLOWED] = "allowed", [BLOCKED] = "blocked",
	[ERROR] = "error", [REFUSED] = "refused",
};

static int default_timeout_ms = 500;

/* The reply as one printable word (servers answer with a short tag). */
static const char *reply_word(char *r)
{
	char *p;

	for (p = r; *p; p++) {
		if (*p <= ' ' || *p > '~') {
			*p = '\0';
			break;
		}
	}
	return *r ? r : "-";
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pwprobe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void usage(void)
{
	fputs("usage: pwprobe serve [--netns NS] [--tag TEXT] [--foreground] PROTO:PORT...\n"
	      "       pwprobe connect [--netns NS] [--timeout-ms N] [--bind ADDR] [-r] [-v] DST_IP PORT PROTO\n"
	      "       pwprobe batch [--parallel N] [--timeout-ms N] [-r] [-v] < lines \"ID FROM_NS DST_IP PORT PROTO\"\n"
	      "       pwprobe send [--netns NS] DST_IP PORT BYTES\n"
	      "PROTO: tcp, udp or sctp.  connect exits 0 allowed, 1 blocked, 2 error, 3 refused.\n",
	      stderr);
	exit(2);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_proto(const char *s, int *type, int *proto)
{
	if (!strcmp(s, "tcp")) {
		*type = SOCK_STREAM;
		*proto = IPPROTO_TCP;
	} else if (!strcmp(s, "udp")) {
		*type = SOCK_DGRAM;
		*proto = IPPROTO_UDP;
	} else if (!strcmp(s, "sctp")) {
		*type = SOCK_STREAM;
		*proto = IPPROTO_SCTP;
	} else {
		return -1;
	}
	return 0;
}

static int parse_port(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

static int parse_int(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1 || v > INT_MAX)
		die("bad %s: %s", what, s);
	return (int)v;
}

/* "10.0.0.1", "fd00::1" or "[fd00::1]" */
static int parse_addr(const char *s, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static int open_netns(const char *name)
{
	char path[PATH_MAX];

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* setns() of a network namespace only affects the calling thread. */
static int enter_netns(const char *name, char *why, size_t whylen)
{
	int fd = open_netns(name);

	if (fd < 0) {
		snprintf(why, whylen, "netns %s: %s", name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		snprintf(why, whylen, "setns %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static enum verdict classify(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ECONNRESET:
	case ECONNABORTED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EPROTO:
		return REFUSED;
	case EPERM:	/* dropped by netfilter on the way out */
	case EACCES:
	case ETIMEDOUT:
		return BLOCKED;
	default:
		return ERROR;
	}
}

/* Wait for events on fd until the deadline; 0 on timeout, <0 on error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

struct probe {
	const char *dst;
	int port;
	int type, proto;
	int timeout_ms;
	const char *bind_addr;
	char why[160];
	char reply[64];
};

static enum verdict probe_stream(struct probe *p, int fd, const struct sockaddr_storage *ss,
				 socklen_t len, long long deadline)
{
	socklen_t elen = sizeof(int);
	int err = 0;
	ssize_t n;
	int r;

	if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS) {
		err = errno;
		snprintf(p->why, sizeof(p->why), "connect: %s", strerror(err));
		return classify(err);
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r == 0) {
		snprintf(p->why, sizeof(p->why), "connect timed out after %d ms", p->timeout_ms);
		return BLOCKED;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) {
		snprintf(p->why, sizeof(p->why), "poll: %s", strerror(errno));
		return ERROR;
	}
	if (err) {
		snprintf(p->why, sizeof(p->why), "connect: %s", strerror(err));
		return classify(err);
	}
	/*
	 * Established: allowed.  Read the server's answer (its tag) until the
	 * deadline; a server that says nothing only costs the wait.
	 */
	r = wait_fd(fd, POLLIN, deadline);
	if (r == 0) {
		snprintf(p->why, sizeof(p->why), "connected, no reply within %d ms", p->timeout_ms);
		return ALLOWED;
	}
	n = read(fd, p->reply, sizeof(p->reply) - 1);
	if (n < 0) {
		snprintf(p->why, sizeof(p->why), "connected, then read: %s", strerror(errno));
		return ALLOWED;
	}
	p->reply[n] = '\0';
	snprintf(p->why, sizeof(p->why), n ? "connected, got reply" : "connected, got EOF");
	return ALLOWED;
}

static enum verdict probe_udp(struct probe *p, int fd, const struct sockaddr_storage *ss,
			      socklen_t len, long long deadline)
{
	static const char msg[] = "pwprobe";
	int resend_ms = p->timeout_ms / 4 > 50 ? p->timeout_ms / 4 : 50;
	int err;

	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		err = errno;
		snprintf(p->why, sizeof(p->why), "connect: %s", strerror(err));
		return classify(err);
	}
	for (;;) {
		long long next = now_ms() + resend_ms;
		ssize_t n;
		int r;

		if (send(fd, msg, sizeof(msg) - 1, 0) < 0) {
			err = errno;
			snprintf(p->why, sizeof(p->why), "send: %s", strerror(err));
			if (classify(err) != BLOCKED)
				return classify(err);
			/* EPERM: dropped locally; keep trying until the deadline */
		}
		r = wait_fd(fd, POLLIN, next < deadline ? next : deadline);
		if (r < 0) {
			snprintf(p->why, sizeof(p->why), "poll: %s", strerror(errno));
			return ERROR;
		}
		if (r > 0) {
			n = recv(fd, p->reply, sizeof(p->reply) - 1, 0);
			if (n >= 0) {
				p->reply[n] = '\0';
				snprintf(p->why, sizeof(p->why), "got reply");
				return ALLOWED;
			}
			err = errno;
			snprintf(p->why, sizeof(p->why), "recv: %s", strerror(err));
			if (err != EAGAIN && classify(err) != BLOCKED)
				return classify(err);
		}
		if (now_ms() >= deadline) {
			if (!p->why[0] || !strncmp(p->why, "got", 3))
				snprintf(p->why, sizeof(p->why), "no reply within %d ms", p->timeout_ms);
			return BLOCKED;
		}
	}
}

static enum verdict run_probe(struct probe *p)
{
	struct sockaddr_storage ss, bs;
	socklen_t len, blen;
	long long deadline;
	enum verdict v;
	int fd;

	p->why[0] = p->reply[0] = '\0';
	if (parse_addr(p->dst, p->port, &ss, &len) < 0) {
		snprintf(p->why, sizeof(p->why), "bad address %s", p->dst);
		return ERROR;
	}
	fd = socket(ss.ss_family, p->type | SOCK_NONBLOCK | SOCK_CLOEXEC, p->proto);
	if (fd < 0) {
		snprintf(p->why, sizeof(p->why), "socket: %s", strerror(errno));
		return ERROR;
	}
	if (p->bind_addr) {
		if (parse_addr(p->bind_addr, 0, &bs, &blen) < 0 ||
		    bind(fd, (struct sockaddr *)&bs, blen) < 0) {
			snprintf(p->why, sizeof(p->why), "bind %s: %s", p->bind_addr, strerror(errno));
			close(fd);
			return ERROR;
		}
	}
	deadline = now_ms() + p->timeout_ms;
	if (p->type == SOCK_DGRAM)
		v = probe_udp(p, fd, &ss, len, deadline);
	else
		v = probe_stream(p, fd, &ss, len, deadline);
	close(fd);
	return v;
}

/* ---------------------------------------------------------------- connect */

static int cmd_connect(int argc, char **argv)
{
	struct probe p = { .timeout_ms = default_timeout_ms };
	const char *netns = NULL;
	bool verbose = false, reply = false;
	enum verdict v;
	int i;

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			netns = argv[++i];
		else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc)
			p.timeout_ms = parse_int(argv[++i], "timeout");
		else if (!strcmp(argv[i], "--bind") && i + 1 < argc)
			p.bind_addr = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--reply"))
			reply = true;
		else
			usage();
	}
	if (argc - i != 3)
		usage();
	p.dst = argv[i];
	p.port = parse_port(argv[i + 1]);
	if (p.port < 0 || parse_proto(argv[i + 2], &p.type, &p.proto) < 0)
		usage();
	if (netns && enter_netns(netns, p.why, sizeof(p.why)) < 0) {
		v = ERROR;
	} else {
		v = run_probe(&p);
	}
	if (verbose)
		fprintf(stderr, "pwprobe: %s %s %d/%s: %s%s%s\n", netns ? netns : "-", p.dst,
			p.port, argv[i + 2], p.why, p.reply[0] ? ": " : "", p.reply);
	if (reply)
		printf("%s %s\n", verdict_name[v], reply_word(p.reply));
	else
		printf("%s\n", verdict_name[v]);
	return (int)v;
}

static int cmd_send(int argc, char **argv)
{
	static char buf[64 * 1024];
	struct sockaddr_storage ss;
	const char *netns = NULL;
	char why[256] = "";
	long long left;
	socklen_t len;
	int i, fd;

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			netns = argv[++i];
		else
			usage();
	}
	if (argc - i != 3)
		usage();
	left = atoll(argv[i + 2]);
	if (parse_port(argv[i + 1]) < 0 || left < 0 ||
	    parse_addr(argv[i], parse_port(argv[i + 1]), &ss, &len) < 0)
		usage();
	if (netns && enter_netns(netns, why, sizeof(why)) < 0) {
		fprintf(stderr, "pwprobe: %s\n", why);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("pwprobe: send");
		return 2;
	}
	while (left > 0) {
		ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ?
					   (size_t)left : sizeof(buf));

		if (n < 0) {
			perror("pwprobe: send: write");
			return 2;
		}
		left -= n;
	}
	if (close(fd) < 0) {
		perror("pwprobe: send: close");
		return 2;
	}
	return 0;
}

/* ------------------------------------------------------------------ batch */

struct job {
	char *id, *from, *dst, *port, *proto;
};

static struct {
	struct job *jobs;
	size_t njobs, next;
	int timeout_ms;
	bool verbose, reply;
	int home_fd;
	pthread_mutex_t lock;
} B = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *batch_worker(void *arg)
{
	char cur[256] = "-";	/* threads start in pwprobe's own netns */

	(void)arg;
	for (;;) {
		struct probe p = { .timeout_ms = B.timeout_ms };
		enum verdict v = ERROR;
		struct job *j;

		pthread_mutex_lock(&B.lock);
		j = B.next < B.njobs ? &B.jobs[B.next++] : NULL;
		pthread_mutex_unlock(&B.lock);
		if (!j)
			return NULL;

		p.dst = j->dst;
		p.port = parse_port(j->port);
		if (p.port < 0 || parse_proto(j->proto, &p.type, &p.proto) < 0) {
			snprintf(p.why, sizeof(p.why), "bad port or protocol");
			goto out;
		}
		if (strcmp(cur, j->from)) {
			if (!strcmp(j->from, "-")) {
				if (setns(B.home_fd, CLONE_NEWNET) < 0) {
					snprintf(p.why, sizeof(p.why), "setns home: %s", strerror(errno));
					goto out;
				}
			} else if (enter_netns(j->from, p.why, sizeof(p.why)) < 0) {
				snprintf(cur, sizeof(cur), "%s", "?");
				goto out;
			}
			snprintf(cur, sizeof(cur), "%s", j->from);
		}
		v = run_probe(&p);
out:
		pthread_mutex_lock(&B.lock);
		printf("%s %s", j->id, verdict_name[v]);
		if (B.reply)
			printf(" %s", reply_word(p.reply));
		if (B.verbose)
			printf(" %s", p.why);
		putchar('\n');
		fflush(stdout);
		pthread_mutex_unlock(&B.lock);
	}
}

static int cmd_batch(int argc, char **argv)
{
	size_t cap = 0, lineno = 0;
	int parallel = 32, i;
	char *line = NULL;
	size_t linecap = 0;
	pthread_attr_t attr;
	pthread_t *tids;

	B.timeout_ms = default_timeout_ms;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--parallel") && i + 1 < argc)
			parallel = parse_int(argv[++i], "parallelism");
		else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc)
			B.timeout_ms = parse_int(argv[++i], "timeout");
		else if (!strcmp(argv[i], "-v"))
			B.verbose = true;
		else if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--reply"))
			B.reply = true;
		else
			usage();
	}
	while (getline(&line, &linecap, stdin) > 0) {
		char *f[5], *save = NULL, *s = line;
		int n = 0;

		lineno++;
		while (n < 5 && (f[n] = strtok_r(s, " \t\r\n", &save)))
			s = NULL, n++;
		if (n == 0 || f[0][0] == '#')
			continue;
		if (n != 5 || strtok_r(NULL, " \t\r\n", &save))
			die("stdin line %zu: want \"ID FROM_NS DST_IP PORT PROTO\"", lineno);
		if (B.njobs == cap) {
			cap = cap ? cap * 2 : 256;
			B.jobs = realloc(B.jobs, cap * sizeof(*B.jobs));
			if (!B.jobs)
				die("out of memory");
		}
		B.jobs[B.njobs++] = (struct job){
			strdup(f[0]), strdup(f[1]), strdup(f[2]), strdup(f[3]), strdup(f[4]),
		};
	}
	free(line);
	if (!B.njobs)
		return 0;
	B.home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (B.home_fd < 0)
		die("/proc/self/ns/net: %s", strerror(errno));
	if ((size_t)parallel > B.njobs)
		parallel = (int)B.njobs;
	tids = calloc((size_t)parallel, sizeof(*tids));
	if (!tids)
		die("out of memory");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < parallel; i++) {
		int err = pthread_create(&tids[i], &attr, batch_worker, NULL);

		if (err) {
			if (i == 0)
				die("pthread_create: %s", strerror(err));
			break;	/* run with the threads we got */
		}
	}
	parallel = i;
	for (i = 0; i < parallel; i++)
		pthread_join(tids[i], NULL);
	return 0;
}

/* ------------------------------------------------------------------ serve */

struct listener {
	int fd, type, proto;
};

static int open_listener(int type, int proto, int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				     .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, zero = 0, fd;

	fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (type == SOCK_DGRAM)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			die("bind [::]:%d: %s", port, strerror(errno));
	} else if (errno == EAFNOSUPPORT) {	/* kernel without IPv6 */
		fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (type == SOCK_DGRAM)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die("bind 0.0.0.0:%d: %s", port, strerror(errno));
	} else {
		die("socket(%s): %s", proto == IPPROTO_SCTP ? "sctp" : "", strerror(errno));
	}
	if (type == SOCK_STREAM && listen(fd, 512) < 0)
		die("listen :%d: %s", port, strerror(errno));
	return fd;
}

/* Answer each datagram from the address it was sent to (pktinfo). */
static void serve_udp(int fd, const char *tag)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} rbuf, sbuf;
		struct in6_pktinfo *pi6 = NULL;
		struct in_pktinfo *pi4 = NULL;
		struct sockaddr_storage peer;
		char data[2048];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = {
			.msg_name = &peer, .msg_namelen = sizeof(peer),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = rbuf.buf, .msg_controllen = sizeof(rbuf.buf),
		};
		struct cmsghdr *c;

		if (recvmsg(fd, &m, 0) < 0)
			return;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
				pi6 = (struct in6_pktinfo *)CMSG_DATA(c);
			else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				pi4 = (struct in_pktinfo *)CMSG_DATA(c);
		}
		iov.iov_base = (void *)tag;
		iov.iov_len = strlen(tag);
		memset(sbuf.buf, 0, sizeof(sbuf.buf));
		m.msg_control = sbuf.buf;
		m.msg_controllen = sizeof(sbuf.buf);
		m.msg_flags = 0;
		c = CMSG_FIRSTHDR(&m);
		if (pi6) {
			struct in6_pktinfo out = { .ipi6_addr = pi6->ipi6_addr };

			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(out));
			memcpy(CMSG_DATA(c), &out, sizeof(out));
			m.msg_controllen = CMSG_SPACE(sizeof(out));
		} else if (pi4) {
			struct in_pktinfo out = { .ipi_spec_dst = pi4->ipi_addr };

			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(out));
			memcpy(CMSG_DATA(c), &out, sizeof(out));
			m.msg_controllen = CMSG_SPACE(sizeof(out));
		} else {
			m.msg_control = NULL;
			m.msg_controllen = 0;
		}
		sendmsg(fd, &m, MSG_DONTWAIT);
	}
}

static int cmd_serve(int argc, char **argv)
{
	const char *netns = NULL, *tag = NULL;
	bool foreground = false;
	struct listener *ls;
	struct pollfd *pfd;
	char why[160];
	int i, n = 0;
	pid_t pid;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--netns") && i + 1 < argc)
			netns = argv[++i];
		else if (!strcmp(argv[i], "--tag") && i + 1 < argc)
			tag = argv[++i];
		else if (!strcmp(argv[i], "--foreground"))
			foreground = true;
		else
			usage();
	}
	if (i == argc)
		usage();
	if (!tag)
		tag = netns && !strchr(netns, '/') ? netns : "ok";
	if (netns && enter_netns(netns, why, sizeof(why)) < 0)
		die("%s", why);
	ls = calloc((size_t)(argc - i), sizeof(*ls));
	pfd = calloc((size_t)(argc - i), sizeof(*pfd));
	if (!ls || !pfd)
		die("out of memory");
	for (; i < argc; i++, n++) {
		char *spec = argv[i], *colon = strchr(spec, ':');
		int port;

		if (!colon)
			die("bad PROTO:PORT %s", spec);
		*colon = '\0';
		port = parse_port(colon + 1);
		if (port < 0 || parse_proto(spec, &ls[n].type, &ls[n].proto) < 0)
			die("bad PROTO:PORT %s:%s", spec, colon + 1);
		ls[n].fd = open_listener(ls[n].type, ls[n].proto, port);
		pfd[n] = (struct pollfd){ .fd = ls[n].fd, .events = POLLIN };
	}

	if (!foreground) {
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid > 0) {
			printf("%d\n", (int)pid);
			return 0;
		}
		setsid();
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
	}
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (ls[i].type == SOCK_DGRAM) {
				serve_udp(ls[i].fd, tag);
				continue;
			}
			for (;;) {
				int c = accept4(ls[i].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

				if (c < 0)
					break;
				if (write(c, tag, strlen(tag)) < 0) {
					/* the client is gone already; nothing to do */
				}
				close(c);
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("PWPROBE_TIMEOUT_MS");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env && *env)
		default_timeout_ms = parse_int(env, "PWPROBE_TIMEOUT_MS");
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 2, argv + 2);
	if (!strcmp(argv[1], "connect"))
		return cmd_connect(argc - 2, argv + 2);
	if (!strcmp(argv[1], "batch"))
		return cmd_batch(argc - 2, argv + 2);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 2, argv + 2);
	usage();
	return 2;
}
