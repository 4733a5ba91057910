/*
 * kalloc_test.c — unit tests of mach/kern/kalloc.c: every size class, the class boundaries,
 * large page-block allocations, kfree giving memory back, and the limits.
 */
// unit-deps: mach/kern/zalloc.c mach/vm/vm_page.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#include "hosted_vm.h"

#define MiB	   (1ULL << 20)
#define PHYS_BYTES (64 * MiB)

static uint8_t *physmem;

static void
setup(void)
{
	physmem = hosted_vm_page_boot(PHYS_BYTES);
	zone_bootstrap();
	kalloc_init();
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(kalloc, .init = setup, .fini = teardown);

static const vm_size_t classes[] = { 16,   32,	 48,   64,   96,   128,	 192,  256,  384,
				     512,  768,	 1024, 1536, 2048, 3072, 4096, 6144, 8192 };

static uint64_t
zone_in_use(vm_size_t cls)
{
	char name[32];
	struct zone_info zi;
	zone_t z;

	snprintf(name, sizeof(name), "kalloc.%lu", (unsigned long)cls);
	z = zone_find(name);
	cr_assert_not_null(z, "no zone %s", name);
	zone_get_info(z, &zi);
	return zi.zi_count;
}

Test(kalloc, every_size_class)
{
	vm_size_t prev = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(classes); i++) {
		vm_size_t c = classes[i];
		vm_size_t sizes[] = { prev + 1, c };

		for (unsigned j = 0; j < 2; j++) {
			vm_size_t s = sizes[j];
			uint64_t before = zone_in_use(c);
			uint8_t *p = kalloc(s);

			cr_assert_not_null(p, "kalloc(%lu)", (unsigned long)s);
			cr_assert_eq(kalloc_size(s), c, "size %lu", (unsigned long)s);
			cr_assert_eq(zone_in_use(c), before + 1, "kalloc(%lu) not from kalloc.%lu",
				     (unsigned long)s, (unsigned long)c);
			memset(p, 0x77, s);
			kfree(p, s);
			cr_assert_eq(zone_in_use(c), before);
		}
		prev = c;
	}
}

Test(kalloc, zero_and_limits)
{
	cr_assert_null(kalloc(0));
	cr_assert_null(kalloc(KALLOC_MAX_SIZE + 1));
	cr_assert_null(kalloc((vm_size_t)-1));
	cr_assert_eq(kalloc_size(0), 0);
	kfree(NULL, 100);

	uint8_t *z = kalloc_zero(300);
	cr_assert_not_null(z);
	for (unsigned i = 0; i < 300; i++)
		cr_assert_eq(z[i], 0);
	kfree(z, 300);
}

Test(kalloc, large_allocations_return_pages)
{
	uint64_t free0 = vm_page_free_count;
	vm_size_t sizes[] = { 8193, 12288, 16384, 100000, MiB, KALLOC_MAX_SIZE };
	void *p[ARRAY_SIZE(sizes)];
	uint64_t used = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kalloc(sizes[i]);
		cr_assert_not_null(p[i], "kalloc(%lu)", (unsigned long)sizes[i]);
		cr_assert_eq((uintptr_t)p[i] % PAGE_SIZE, 0);
		/* Naturally aligned to its block size. */
		cr_assert_eq(kvtophys(p[i]) % kalloc_size(sizes[i]), 0);
		memset(p[i], 0xee, sizes[i]);
		used += kalloc_size(sizes[i]) / PAGE_SIZE;
		cr_assert_eq(vm_page_free_count, free0 - used);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i], sizes[i]);
	cr_assert_eq(vm_page_free_count, free0);
}

Test(kalloc, many_mixed)
{
	enum { N = 3000 };
	void *p[N];
	vm_size_t s[N];

	for (unsigned i = 0; i < N; i++) {
		s[i] = 1 + (i * 2654435761u) % (3 * 8192);
		p[i] = kalloc(s[i]);
		cr_assert_not_null(p[i]);
		memset(p[i], (int)i, s[i]);
	}
	for (unsigned i = 0; i < N; i++) {
		cr_assert_eq(((uint8_t *)p[i])[s[i] - 1], (uint8_t)i);
		kfree(p[i], s[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(classes); i++)
		cr_assert_eq(zone_in_use(classes[i]), 0);
}

Test(kalloc, wrong_class_size_panics, .signal = SIGABRT)
{
	void *p = kalloc(100);

	kfree(p, 20);
}

Test(kalloc, wrong_large_size_panics, .signal = SIGABRT)
{
	void *p = kalloc(64 * 1024);

	kfree(p, 16 * 1024);
}

Test(kalloc, large_free_of_zone_memory_panics, .signal = SIGABRT)
{
	void *p = kalloc(8192);

	kfree(p, 9000);
}
