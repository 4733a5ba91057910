/*
 * pvclock_test.c — unit tests for pv/pvclock.c: the scale arithmetic against an independent
 * long-hand computation, TSC wrap, torn updates seen through an odd or changing version, and
 * the monotonic guard across two simulated vCPUs whose clocks disagree.
 */
#include <criterion/criterion.h>
#include <pv/pvclock.h>

/* Reference: the same formula computed in pieces (high and low 32 bits of delta), no __int128. */
static uint64_t
ref_scale(uint64_t delta, uint32_t mul, int shift)
{
	uint64_t lo, hi;

	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	lo = (delta & 0xffffffffu) * mul;
	hi = (delta >> 32) * mul;
	return hi + (lo >> 32);
}

Test(pvclock, scale_identity)
{
	/* mul = 2^31, shift 1: one tick is exactly one nanosecond (a 1 GHz TSC). */
	cr_assert_eq(pvclock_scale(0, 0x80000000u, 1), 0);
	cr_assert_eq(pvclock_scale(123456789, 0x80000000u, 1), 123456789);
	/* mul = 2^31, shift 0: half a nanosecond per tick (2 GHz). */
	cr_assert_eq(pvclock_scale(1000, 0x80000000u, 0), 500);
	/* Negative shift: a 4 GHz TSC seen as 2^-1 ticks. */
	cr_assert_eq(pvclock_scale(4000, 0x80000000u, -1), 1000);
}

Test(pvclock, scale_matches_reference)
{
	static const uint32_t muls[] = { 1, 0x80000000u, 0xffffffffu, 0xa0000000u, 0x3b9aca00u,
					 0x4ccccccdu };
	static const int shifts[] = { -5, -1, 0, 1, 2 };
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t m = 0; m < sizeof(muls) / sizeof(muls[0]); m++)
		for (size_t s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++)
			for (int i = 0; i < 1000; i++) {
				uint64_t d;

				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				d = x >> (i % 40); /* small and large deltas */
				cr_assert_eq(pvclock_scale(d, muls[m], (int8_t)shifts[s]),
					     ref_scale(d, muls[m], shifts[s]),
					     "delta %#llx mul %#x shift %d", (unsigned long long)d,
					     muls[m], shifts[s]);
			}
}

/* A product that needs more than 64 bits: 2^40 ticks at mul 0xffffffff. */
Test(pvclock, scale_128bit_product)
{
	uint64_t d = 1ull << 40;

	cr_assert_eq(pvclock_scale(d, 0xffffffffu, 0), (d >> 32) * 0xffffffffull);
	cr_assert_eq(pvclock_scale(UINT64_MAX, 0xffffffffu, 0), 0xfffffffeffffffffull);
}

Test(pvclock, tsc_khz)
{
	cr_assert_eq(pvclock_tsc_khz(0x80000000u, 1), 1000000);	/* 1 GHz */
	cr_assert_eq(pvclock_tsc_khz(0x80000000u, 0), 2000000);	/* 2 GHz */
	cr_assert_eq(pvclock_tsc_khz(0x80000000u, -1), 4000000); /* 4 GHz */
	cr_assert_eq(pvclock_tsc_khz(0, 0), 0);
}

/* A scripted TSC and, optionally, a "hypervisor" that updates the structure during a read. */
struct sim {
	volatile struct vcpu_time_info *ti;
	uint64_t tsc;
	int reads;
	int tear_on_read;  /* on this read, bump the version (an update completing under us) */
	int odd_reads;	   /* keep the version odd until this many TSC reads have happened */
};

static uint64_t
sim_tsc(void *ctx)
{
	struct sim *s = ctx;

	s->reads++;
	if (s->reads == s->tear_on_read) {
		s->ti->version += 2;
		s->ti->system_time += 1000000;
	}
	return s->tsc;
}

static void
ti_set(volatile struct vcpu_time_info *ti, uint64_t ts, uint64_t sys, uint32_t mul, int8_t sh,
       uint8_t flags)
{
	ti->version = 2;
	ti->tsc_timestamp = ts;
	ti->system_time = sys;
	ti->tsc_to_system_mul = mul;
	ti->tsc_shift = sh;
	ti->flags = flags;
}

Test(pvclock, read_plain)
{
	struct vcpu_time_info ti;
	struct pvclock_snap snap;
	struct sim s = { .ti = &ti, .tsc = 5000 };

	ti_set(&ti, 1000, 7000000, 0x80000000u, 1, PVCLOCK_TSC_STABLE_BIT);
	cr_assert_eq(pvclock_read(&ti, sim_tsc, &s, &snap), 0);
	cr_assert_eq(pvclock_snap_ns(&snap), 7000000 + 4000);
	cr_assert_eq(snap.ps_flags, PVCLOCK_TSC_STABLE_BIT);
	cr_assert_eq(s.reads, 1);
}

/* The TSC wrapped past 2^64 since the hypervisor's timestamp: the difference is still right. */
Test(pvclock, tsc_wrap)
{
	struct vcpu_time_info ti;
	struct pvclock_snap snap;
	struct sim s = { .ti = &ti, .tsc = 100 };

	ti_set(&ti, UINT64_MAX - 99, 1000, 0x80000000u, 1, 0);
	cr_assert_eq(pvclock_read(&ti, sim_tsc, &s, &snap), 0);
	cr_assert_eq(pvclock_snap_ns(&snap), 1000 + 200);
}

/* The version changed between the two reads: the first copy is thrown away. */
Test(pvclock, torn_update_retried)
{
	struct vcpu_time_info ti;
	struct pvclock_snap snap;
	struct sim s = { .ti = &ti, .tsc = 2000, .tear_on_read = 1 };

	ti_set(&ti, 1000, 0, 0x80000000u, 1, 0);
	cr_assert_eq(pvclock_read(&ti, sim_tsc, &s, &snap), 0);
	cr_assert_eq(s.reads, 2);
	cr_assert_eq(pvclock_snap_ns(&snap), 1000000 + 1000); /* the updated system_time */
}

/* An odd version (update in progress) is never used; a version that stays odd gives up. */
Test(pvclock, odd_version_refused)
{
	struct vcpu_time_info ti;
	struct pvclock_snap snap = { .ps_system_time = 42 };
	struct sim s = { .ti = &ti, .tsc = 2000 };

	ti_set(&ti, 1000, 0, 0x80000000u, 1, 0);
	ti.version = 3;
	cr_assert_eq(pvclock_read(&ti, sim_tsc, &s, &snap), -1);
	cr_assert_eq(s.reads, 0, "the TSC was read under an odd version");
	cr_assert_eq(snap.ps_system_time, 42, "snapshot written on failure");
}

/*
 * Two vCPUs whose clocks disagree (no stable bit): reading them alternately, raw values step
 * back by up to 5 us; through the guard they never do, and the clamps are counted.
 */
Test(pvclock, guard_two_cpus)
{
	struct vcpu_time_info cpu[2];
	struct pvclock_guard g = { 0 };
	uint64_t prev = 0, raw_prev = 0;
	bool raw_went_back = false;

	ti_set(&cpu[0], 0, 1000000, 0x80000000u, 1, 0);
	ti_set(&cpu[1], 0, 1000000 - 5000, 0x80000000u, 1, 0); /* 5 us behind */
	for (uint64_t tsc = 0; tsc < 100000; tsc += 1000) {
		for (int c = 0; c < 2; c++) {
			struct sim s = { .ti = &cpu[c], .tsc = tsc + (uint64_t)c };
			struct pvclock_snap snap;
			uint64_t raw, ns;

			cr_assert_eq(pvclock_read(&cpu[c], sim_tsc, &s, &snap), 0);
			raw = pvclock_snap_ns(&snap);
			if (raw < raw_prev)
				raw_went_back = true;
			raw_prev = raw;
			ns = pvclock_guard_apply(&g, raw);
			cr_assert_geq(ns, prev, "time went back: %llu after %llu",
				      (unsigned long long)ns, (unsigned long long)prev);
			cr_assert_geq(ns, raw);
			prev = ns;
		}
	}
	cr_assert(raw_went_back, "the simulation never stepped back: the test proves nothing");
	cr_assert_gt(g.pg_clamped, 0);
}

Test(pvclock, guard_forward_passes)
{
	struct pvclock_guard g = { 0 };

	cr_assert_eq(pvclock_guard_apply(&g, 10), 10);
	cr_assert_eq(pvclock_guard_apply(&g, 20), 20);
	cr_assert_eq(pvclock_guard_apply(&g, 15), 20);
	cr_assert_eq(pvclock_guard_apply(&g, 21), 21);
	cr_assert_eq(g.pg_clamped, 1);
}
