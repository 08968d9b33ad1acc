// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The end of a dump: an NLMSG_DONE that carries an error (the kernel's way
 * of saying an object did not fit the dump buffer) fails the dump with that
 * errno and the kernel's message; a clean end does not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>
#include "lib/nl_attr.h"

/* An NLMSG_DONE with status @status, optionally a @text extack message. */
static struct nl_msg *done_new(int status, const char *text, int terminated)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(msg);
	nlh = nlmsg_put(msg, 0, 1, NLMSG_DONE, 0, NLM_F_MULTI);
	assert_non_null(nlh);
	assert_int_equal(nlmsg_append(msg, &status, sizeof(status), 0), 0);
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		assert_int_equal(nla_put(msg, NLMSGERR_ATTR_MSG,
					 (int)strlen(text) + !!terminated, text), 0);
	}
	return msg;
}

static void test_clean_end(void **state)
{
	struct nl_msg *msg = done_new(0, NULL, 1);
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_done_error(nlmsg_hdr(msg), err, sizeof(err)), 0);
	assert_string_equal(err, "");
	nlmsg_free(msg);
}

static void test_no_status(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	char err[256] = "";

	(void)state;
	assert_non_null(nlmsg_put(msg, 0, 1, NLMSG_DONE, 0, NLM_F_MULTI));
	assert_int_equal(pw_nl_done_error(nlmsg_hdr(msg), err, sizeof(err)), 0);
	nlmsg_free(msg);
}

static void test_error_without_text(void **state)
{
	struct nl_msg *msg = done_new(-EMSGSIZE, NULL, 1);
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_done_error(nlmsg_hdr(msg), err, sizeof(err)),
			 -EMSGSIZE);
	assert_non_null(strstr(err, "dump ended early"));
	assert_non_null(strstr(err, strerror(EMSGSIZE)));
	nlmsg_free(msg);
}

static void test_error_with_text(void **state)
{
	struct nl_msg *msg = done_new(-EMSGSIZE, "rule 7 too big", 1);
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_done_error(nlmsg_hdr(msg), err, sizeof(err)),
			 -EMSGSIZE);
	assert_non_null(strstr(err, "rule 7 too big"));
	nlmsg_free(msg);
}

/* A message that does not end inside its attribute is not read past it. */
static void test_unterminated_text(void **state)
{
	struct nl_msg *msg = done_new(-ENOBUFS, "abcd", 0);
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_done_error(nlmsg_hdr(msg), err, sizeof(err)),
			 -ENOBUFS);
	assert_null(strstr(err, "abcd"));
	assert_non_null(strstr(err, strerror(ENOBUFS)));
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_end),
		cmocka_unit_test(test_no_status),
		cmocka_unit_test(test_error_without_text),
		cmocka_unit_test(test_error_with_text),
		cmocka_unit_test(test_unterminated_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
