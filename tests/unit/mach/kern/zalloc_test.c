/*
 * zalloc_test.c — unit tests of mach/kern/zalloc.c: many allocations and frees, distinct and
 * reused addresses, statistics, growth across chunks, the max limit, and the kernel-bug checks
 * (double free, foreign or interior pointers, writes after free) that must panic.
 *
 * Zones take their pages from vm_page, bootstrapped over a host buffer standing for 32 MiB of
 * physical memory.
 */
// unit-deps: mach/vm/vm_page.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#include "hosted_vm.h"

#define MiB	   (1ULL << 20)
#define PHYS_BYTES (32 * MiB)

static uint8_t *physmem;

static void
setup(void)
{
	physmem = hosted_vm_page_boot(PHYS_BYTES);
	zone_bootstrap();
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(zalloc, .init = setup, .fini = teardown);

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

Test(zalloc, many_allocs_distinct_and_reused)
{
	enum { N = 5000 };
	zone_t z = zinit(72, 0, 0, "test.72");
	void **p = calloc(N, sizeof(*p));
	struct zone_info zi;
	uint64_t free0 = vm_page_free_count;

	cr_assert_not_null(z);
	for (unsigned i = 0; i < N; i++) {
		p[i] = zalloc(z);
		cr_assert_not_null(p[i]);
		cr_assert_eq((uintptr_t)p[i] % 8, 0);
		memset(p[i], (int)i, 72);
	}
	/* No two elements overlap. */
	qsort(p, N, sizeof(*p), cmp_ptr);
	for (unsigned i = 1; i < N; i++)
		cr_assert((uintptr_t)p[i] - (uintptr_t)p[i - 1] >= 72, "overlap at %u", i);
	zone_get_info(z, &zi);
	cr_assert_eq(zi.zi_count, N);
	cr_assert_eq(zi.zi_elem_size, 72);
	cr_assert(zi.zi_pages >= (N * 72) / PAGE_SIZE);
	cr_assert_eq(vm_page_free_count, free0 - zi.zi_pages);
	cr_assert_eq(zi.zi_free_count, zi.zi_pages * PAGE_SIZE / zi.zi_alloc_size *
					       (zi.zi_alloc_size / 72) - N);

	for (unsigned i = 0; i < N; i += 2)
		zfree(z, p[i]);
	zone_get_info(z, &zi);
	cr_assert_eq(zi.zi_count, N / 2);
	uint64_t pages = zi.zi_pages;

	/* Freed elements are reused before the zone grows. */
	for (unsigned i = 0; i < N; i += 2) {
		void *q = zalloc(z);

		cr_assert(bsearch(&q, p, N, sizeof(*p), cmp_ptr) != NULL);
	}
	zone_get_info(z, &zi);
	cr_assert_eq(zi.zi_pages, pages);
	cr_assert_eq(zi.zi_count, N);
	free(p);
}

Test(zalloc, growth_across_pages_and_big_elements)
{
	zone_t z = zinit(3000, 0, 0, "test.3000");
	zone_t big = zinit(20000, 0, 0, "test.20000");
	struct zone_info zi;
	void *p[40];

	for (unsigned i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = zalloc(z);
		memset(p[i], 0x5a, 3000);
	}
	zone_get_info(z, &zi);
	cr_assert(zi.zi_pages >= 30);
	/* Little waste: 3000-byte elements are not one per page. */
	cr_assert(zi.zi_alloc_size % 3000 <= zi.zi_alloc_size / 8);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		zfree(z, p[i]);

	void *b = zalloc(big);
	cr_assert_not_null(b);
	memset(b, 1, 20000);
	zone_get_info(big, &zi);
	cr_assert(zi.zi_alloc_size >= 20000);
	zfree(big, b);
}

Test(zalloc, max_limits_growth)
{
	zone_t z = zinit(1024, 2 * PAGE_SIZE, PAGE_SIZE, "test.max");
	unsigned n = 0;

	while (zalloc(z) != NULL)
		n++;
	cr_assert_eq(n, 8);
}

Test(zalloc, out_of_memory_returns_null)
{
	zone_t z = zinit(PAGE_SIZE, 0, 0, "test.oom");
	uint64_t n = 0;

	while (zalloc(z) != NULL)
		n++;
	cr_assert_eq(vm_page_free_count, 0);
	cr_assert_eq(n, vm_page_total_count - 1); /* one page holds the zone struct */
}

Test(zalloc, zone_of_zones_and_lookup)
{
	struct zone_info zi;
	zone_t a = zinit(16, 0, 0, "test.a");
	zone_t b = zinit(1, 0, 0, "test.b");

	cr_assert_eq(zone_find("test.a"), a);
	cr_assert_eq(zone_find("test.b"), b);
	cr_assert_null(zone_find("test.c"));
	cr_assert_eq(zone_count(), 3);
	zone_get_info(zone_find("zones"), &zi);
	cr_assert_eq(zi.zi_count, 2);
	zone_get_info(b, &zi);
	cr_assert_eq(zi.zi_elem_size, ZONE_MIN_ELEM);
	cr_assert_null(zinit(0, 0, 0, "test.zero"));
	zone_print_stats();
}

Test(zalloc, double_free_panics, .signal = SIGABRT)
{
	zone_t z = zinit(64, 0, 0, "test.df");
	void *p = zalloc(z);

	zfree(z, p);
	zfree(z, p);
}

Test(zalloc, foreign_zone_panics, .signal = SIGABRT)
{
	zone_t a = zinit(64, 0, 0, "test.a");
	zone_t b = zinit(64, 0, 0, "test.b");

	zfree(b, zalloc(a));
}

Test(zalloc, interior_pointer_panics, .signal = SIGABRT)
{
	zone_t z = zinit(64, 0, 0, "test.int");

	zfree(z, (char *)zalloc(z) + 8);
}

Test(zalloc, non_zone_pointer_panics, .signal = SIGABRT)
{
	static uint64_t not_a_zone_element[8];
	zone_t z = zinit(64, 0, 0, "test.np");

	zfree(z, not_a_zone_element);
}

Test(zalloc, write_after_free_panics, .signal = SIGABRT)
{
	zone_t z = zinit(64, 0, 0, "test.uaf");
	uint8_t *p = zalloc(z);

	zfree(z, p);
	p[40] = 1;
	zalloc(z);
}
