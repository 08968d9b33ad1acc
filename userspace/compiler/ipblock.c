// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Prefix lists: an ipBlock's CIDR minus its excepts as disjoint prefixes
 * (split the CIDR in halves until no half partly overlaps an except), and
 * sorting/deduplication so identical sets compare equal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"

bool pw_prefix_contains(const struct pw_addr *prefix, const struct pw_addr *a)
{
	struct pw_addr t = *a;

	if (a->family != prefix->family || a->plen < prefix->plen)
		return false;
	t.plen = prefix->plen;
	pw_addr_mask(&t);
	return !memcmp(t.a, prefix->a, sizeof(t.a));
}

int pw_prefixes_add(struct pw_prefixes *p, uint32_t *cap, const struct pw_addr *a)
{
	if (p->n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 8;
		struct pw_addr *na = realloc(p->a, ncap * sizeof(*na));

		if (!na)
			return -ENOMEM;
		p->a = na;
		*cap = ncap;
	}
	p->a[p->n] = *a;
	pw_addr_mask(&p->a[p->n]);
	p->n++;
	return 0;
}

static int expand(const struct pw_addr *pfx, const struct pw_addr *except,
		  uint32_t nr_except, struct pw_prefixes *p, uint32_t *cap)
{
	unsigned int max = pfx->family == PW_FAMILY_INET ? 32 : 128;
	bool partial = false;
	struct pw_addr lo, hi;
	uint32_t i;
	int ret;

	for (i = 0; i < nr_except; i++) {
		if (pw_prefix_contains(&except[i], pfx))
			return 0;		/* wholly excepted */
		if (pw_prefix_contains(pfx, &except[i]))
			partial = true;
	}
	if (!partial || pfx->plen >= max)
		return pw_prefixes_add(p, cap, pfx);
	lo = *pfx;
	lo.plen++;
	hi = lo;
	hi.a[pfx->plen / 8] |= (uint8_t)(0x80 >> (pfx->plen % 8));
	ret = expand(&lo, except, nr_except, p, cap);
	return ret ? ret : expand(&hi, except, nr_except, p, cap);
}

int pw_block_expand(const struct pw_addr *cidr, const struct pw_addr *except,
		    uint32_t nr_except, struct pw_prefixes *p, uint32_t *cap)
{
	struct pw_addr c = *cidr;

	pw_addr_mask(&c);
	return expand(&c, except, nr_except, p, cap);
}

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pw_addr));
}

void pw_prefixes_normalise(struct pw_prefixes *p)
{
	uint32_t i, n = 0;

	if (p->n < 2)
		return;
	qsort(p->a, p->n, sizeof(*p->a), cmp_addr);
	for (i = 0; i < p->n; i++)
		if (!n || memcmp(&p->a[n - 1], &p->a[i], sizeof(p->a[i])))
			p->a[n++] = p->a[i];
	p->n = n;
}
