/*
 * xen_cons_ring_test.c — pv/xen_cons_ring.c against a simulated backend on a page of host
 * memory: bytes go out and come in in order across the 32-bit index wrap and the ring wrap,
 * a full ring takes no more, and a backend that writes impossible indices loses input but
 * never makes the guest touch memory outside the ring (the page sits between guard canaries).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <pv/xen_cons_ring.h>

struct guarded {
	uint8_t before[64];
	struct xencons_interface r;
	uint8_t after[64];
};

static void
canaries(struct guarded *g)
{
	memset(g->before, 0xa5, sizeof(g->before));
	memset(g->after, 0x5a, sizeof(g->after));
}

static void
check_canaries(const struct guarded *g)
{
	for (size_t i = 0; i < sizeof(g->before); i++)
		cr_assert(g->before[i] == 0xa5 && g->after[i] == 0x5a, "canary %zu hit", i);
}

/* The backend takes up to n bytes from out, as xenconsoled does. */
static size_t
backend_drain(struct xencons_interface *r, char *buf, size_t n)
{
	size_t k = 0;

	while (k < n && r->out_cons != r->out_prod)
		buf[k++] = r->out[MASK_XENCONS_IDX(r->out_cons++, r->out)];
	return k;
}

static size_t
backend_fill(struct xencons_interface *r, const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && (uint32_t)(r->in_prod - r->in_cons) < sizeof(r->in))
		r->in[MASK_XENCONS_IDX(r->in_prod++, r->in)] = s[k++];
	return k;
}

Test(xen_cons_ring, stream_survives_index_wrap)
{
	static struct guarded g;
	char src[997], got[997];
	uint64_t sent = 0, recvd = 0, in_sent = 0, in_got = 0;
	bool corrupt = false;

	canaries(&g);
	/* Start near the 32-bit wrap, as a long-lived domain's indices are. */
	g.r.out_cons = g.r.out_prod = 0xfffff000u;
	g.r.in_cons = g.r.in_prod = 0xffffff00u;
	srandom(4242);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)random() % sizeof(src), put, k;

		for (size_t i = 0; i < n; i++)
			src[i] = (char)((sent + i) * 31 + 7);
		put = xencons_ring_put(&g.r, src, n, &corrupt);
		cr_assert(put <= n);
		sent += put;
		k = backend_drain(&g.r, got, (size_t)random() % sizeof(got));
		for (size_t i = 0; i < k; i++, recvd++)
			cr_assert_eq(got[i], (char)(recvd * 31 + 7), "out byte %llu",
				     (unsigned long long)recvd);
		/* input the other way */
		for (size_t i = 0; i < n; i++)
			src[i] = (char)((in_sent + i) * 17 + 3);
		in_sent += backend_fill(&g.r, src, n);
		k = xencons_ring_get(&g.r, got, (size_t)random() % sizeof(got), &corrupt);
		for (size_t i = 0; i < k; i++, in_got++)
			cr_assert_eq(got[i], (char)(in_got * 17 + 3), "in byte %llu",
				     (unsigned long long)in_got);
	}
	cr_assert_not(corrupt);
	cr_assert_gt(recvd, 1000000);
	check_canaries(&g);
}

Test(xen_cons_ring, full_ring_takes_no_more)
{
	static struct guarded g;
	char big[4096];
	bool corrupt = false;

	canaries(&g);
	memset(big, 'x', sizeof(big));
	cr_assert_eq(xencons_ring_put(&g.r, big, sizeof(big), &corrupt), sizeof(g.r.out));
	cr_assert_eq(xencons_ring_put(&g.r, big, 1, &corrupt), 0);
	g.r.out_cons += 10;
	cr_assert_eq(xencons_ring_put(&g.r, big, sizeof(big), &corrupt), 10);
	cr_assert_not(corrupt);
	check_canaries(&g);
}

Test(xen_cons_ring, hostile_indices_are_refused)
{
	static struct guarded g;
	char buf[4096];
	bool corrupt = false;

	canaries(&g);
	srandom(99);
	for (int i = 0; i < 100000; i++) {
		g.r.out_cons = (uint32_t)random() << 1 ^ (uint32_t)random();
		g.r.in_prod = (uint32_t)random() << 1 ^ (uint32_t)random();
		corrupt = false;
		size_t put = xencons_ring_put(&g.r, buf, sizeof(buf), &corrupt);
		uint32_t used = g.r.out_prod - g.r.out_cons;

		cr_assert(corrupt ? put == 0 : used <= sizeof(g.r.out));
		corrupt = false;
		size_t got = xencons_ring_get(&g.r, buf, sizeof(buf), &corrupt);

		cr_assert(got <= sizeof(g.r.in));
		if (corrupt)
			cr_assert_eq(g.r.in_cons, g.r.in_prod, "a corrupt ring is resynchronised");
	}
	check_canaries(&g);
}
