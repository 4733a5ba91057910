/*
 * vm_page_test.c — unit tests of mach/vm/vm_page.c: memory-map normalisation (unsorted,
 * overlapping, empty, wrapping entries, RAM above 4 GiB, tiny maps), reserved ranges, and the
 * buddy allocator (grab/release of every page, aligned contiguous blocks that merge back).
 *
 * "Physical memory" is a host buffer: hosted_physmap_base points phystokv() at it, so the
 * vm_page array and any page the test writes land in the buffer (AddressSanitizer checks that).
 */
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define PHYS_BYTES (64 * MiB) /* the buffer stands for physical [0, 64 MiB) */

static uint8_t *physmem;

static void
setup(void)
{
	physmem = aligned_alloc(4 * MiB, PHYS_BYTES);
	cr_assert_not_null(physmem);
	hosted_physmap_base = (uintptr_t)physmem;
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(vm_page, .init = setup, .fini = teardown);

static const struct vm_phys_range low1m = { 0, MiB };

static void
boot_ram(paddr_t base, uint64_t len)
{
	struct boot_mem_region m = { base, len, BOOT_MEM_RAM };

	vm_page_bootstrap(&m, 1, &low1m, 1);
}

/* Every managed page maps back to itself through PHYS_TO_VM_PAGE. */
static uint64_t
check_lookup(paddr_t lo, paddr_t hi)
{
	uint64_t found = 0;

	for (paddr_t pa = lo; pa < hi; pa += PAGE_SIZE) {
		vm_page_t m = PHYS_TO_VM_PAGE(pa + 123);

		if (m == NULL)
			continue;
		cr_assert_eq(VM_PAGE_TO_PHYS(m), pa);
		found++;
	}
	return found;
}

Test(vm_page, simple_map)
{
	boot_ram(0, 16 * MiB);
	cr_assert_eq(vm_page_total_count + vm_page_array_pages, (15 * MiB) / PAGE_SIZE);
	cr_assert_eq(vm_page_free_count, vm_page_total_count);
	cr_assert_eq(vm_page_wire_count, 0);
	/* 15 MiB of pages need 3840 * sizeof(struct vm_page) bytes of array. */
	cr_assert_eq(vm_page_array_pages, round_page(3840 * sizeof(struct vm_page)) / PAGE_SIZE);
	cr_assert_null(PHYS_TO_VM_PAGE(0));
	cr_assert_null(PHYS_TO_VM_PAGE(MiB - 1));
	cr_assert_null(PHYS_TO_VM_PAGE(16 * MiB));
	cr_assert_eq(check_lookup(0, 32 * MiB), vm_page_total_count);
}

Test(vm_page, unsorted_overlapping_map)
{
	struct boot_mem_region m[] = {
		{ 8 * MiB, 4 * MiB, BOOT_MEM_RAM },
		{ 0, 4 * MiB, BOOT_MEM_RAM },
		{ 2 * MiB, 8 * MiB, BOOT_MEM_RAM },		 /* overlaps both */
		{ 5 * MiB, 100, BOOT_MEM_RESERVED },		 /* takes page 5 MiB */
		{ 11 * MiB + 0x800, 0x1000, BOOT_MEM_ACPI },	 /* takes two pages */
		{ 20 * MiB, 0, BOOT_MEM_RAM },			 /* empty */
		{ 0xfffffffffffff000ULL, 0x2000, BOOT_MEM_RAM }, /* wraps */
		{ 0xfffffffffffff000ULL, 0x2000, BOOT_MEM_NVS }, /* wraps */
		{ 16 * MiB + 0x800, 0x3000, BOOT_MEM_RAM },	 /* unaligned: 2 whole pages */
		{ 3 * MiB, 2 * MiB, BOOT_MEM_RAM },		 /* inside another */
	};
	uint64_t expect = (11 * MiB) / PAGE_SIZE - 1 - 2 + 2;

	vm_page_bootstrap(m, ARRAY_SIZE(m), &low1m, 1);
	cr_assert_eq(vm_page_total_count + vm_page_array_pages, expect);
	cr_assert_null(PHYS_TO_VM_PAGE(5 * MiB));
	cr_assert_not_null(PHYS_TO_VM_PAGE(5 * MiB + PAGE_SIZE));
	cr_assert_null(PHYS_TO_VM_PAGE(11 * MiB));
	cr_assert_null(PHYS_TO_VM_PAGE(11 * MiB + PAGE_SIZE));
	cr_assert_not_null(PHYS_TO_VM_PAGE(11 * MiB + 2 * PAGE_SIZE));
	cr_assert_null(PHYS_TO_VM_PAGE(16 * MiB));
	cr_assert_not_null(PHYS_TO_VM_PAGE(16 * MiB + PAGE_SIZE));
	cr_assert_not_null(PHYS_TO_VM_PAGE(16 * MiB + 2 * PAGE_SIZE));
	cr_assert_null(PHYS_TO_VM_PAGE(16 * MiB + 3 * PAGE_SIZE));
	cr_assert_eq(check_lookup(0, 32 * MiB), vm_page_total_count);
}

Test(vm_page, reserved_ranges_honoured)
{
	struct boot_mem_region m = { 0, 32 * MiB, BOOT_MEM_RAM };
	struct vm_phys_range res[] = {
		{ 0, MiB },
		{ 2 * MiB + 1, 3 * MiB - 1 },	/* rounds out to [2 MiB, 3 MiB) */
		{ 10 * MiB, 10 * MiB },		/* empty */
		{ 20 * MiB, 12 * MiB },		/* backwards */
		{ 30 * MiB, 64 * GiB },		/* past the end */
	};
	vm_page_t p;

	vm_page_bootstrap(&m, 1, res, ARRAY_SIZE(res));
	cr_assert_eq(vm_page_total_count + vm_page_array_pages, (28 * MiB) / PAGE_SIZE);
	while ((p = vm_page_grab()) != NULL) {
		paddr_t pa = VM_PAGE_TO_PHYS(p);

		cr_assert(pa >= MiB && pa < 30 * MiB);
		cr_assert(pa < 2 * MiB || pa >= 3 * MiB);
	}
	cr_assert_eq(vm_page_free_count, 0);
}

Test(vm_page, ram_above_4g)
{
	struct boot_mem_region m[] = {
		{ 4 * GiB, 8 * MiB, BOOT_MEM_RAM },
		{ 0, 3 * MiB, BOOT_MEM_RAM },
		{ 3 * MiB, GiB, BOOT_MEM_RESERVED },
	};
	uint64_t high = 0, n = 0;
	vm_page_t p;

	vm_page_bootstrap(m, ARRAY_SIZE(m), &low1m, 1);
	cr_assert_eq(vm_page_total_count + vm_page_array_pages, (10 * MiB) / PAGE_SIZE);
	/* The array must be reachable through the boot direct map. */
	cr_assert_eq(check_lookup(4 * GiB, 4 * GiB + 8 * MiB), 2048);
	cr_assert_eq(VM_PAGE_TO_PHYS(PHYS_TO_VM_PAGE(4 * GiB + 5 * MiB)), 4 * GiB + 5 * MiB);
	while ((p = vm_page_grab()) != NULL) {
		n++;
		high += VM_PAGE_TO_PHYS(p) >= 4 * GiB;
	}
	cr_assert_eq(n, vm_page_total_count);
	cr_assert_eq(high, 2048);
}

Test(vm_page, only_high_ram_manages_nothing)
{
	boot_ram(4 * GiB, 64 * MiB);
	cr_assert_eq(vm_page_total_count, 0);
	cr_assert_null(vm_page_grab());
	cr_assert_null(vm_page_grab_contig(3));
}

Test(vm_page, tiny_maps)
{
	vm_page_bootstrap(NULL, 0, NULL, 0);
	cr_assert_eq(vm_page_total_count, 0);
	cr_assert_null(vm_page_grab());

	boot_ram(MiB, PAGE_SIZE); /* the array would take the only page */
	cr_assert_eq(vm_page_total_count, 0);
	cr_assert_null(vm_page_grab());

	boot_ram(MiB, 2 * PAGE_SIZE);
	cr_assert_eq(vm_page_total_count, 1);
	vm_page_t p = vm_page_grab();
	cr_assert_not_null(p);
	cr_assert_eq(VM_PAGE_TO_PHYS(p), MiB + PAGE_SIZE);
	cr_assert_null(vm_page_grab());
	vm_page_release(p);
	cr_assert_eq(vm_page_free_count, 1);

	boot_ram(0, MiB); /* all reserved */
	cr_assert_eq(vm_page_total_count, 0);
}

Test(vm_page, fragmented_map)
{
	struct boot_mem_region m[200];

	/* 200 RAM pages each followed by a hole: more segments than the allocator keeps. */
	for (unsigned i = 0; i < ARRAY_SIZE(m); i++)
		m[i] = (struct boot_mem_region){ 8 * MiB + i * 2 * PAGE_SIZE, PAGE_SIZE,
						 BOOT_MEM_RAM };
	m[0] = (struct boot_mem_region){ MiB, 4 * MiB, BOOT_MEM_RAM }; /* room for the array */
	vm_page_bootstrap(m, ARRAY_SIZE(m), &low1m, 1);
	/* The first VM_PAGE_MAX_SEGS ranges are kept, the rest dropped with a warning. */
	cr_assert_eq(vm_page_total_count + vm_page_array_pages, 1024 + VM_PAGE_MAX_SEGS - 1);
	cr_assert_eq(check_lookup(0, 16 * MiB), vm_page_total_count);
	for (uint64_t i = 0; i < vm_page_total_count; i++)
		cr_assert_not_null(vm_page_grab());
	cr_assert_null(vm_page_grab());
}

static void
free_blocks(uint64_t c[VM_PAGE_MAX_ORDER + 1])
{
	vm_page_free_blocks(c);
}

Test(vm_page, grab_release_all)
{
	uint64_t before[VM_PAGE_MAX_ORDER + 1], after[VM_PAGE_MAX_ORDER + 1];
	struct boot_mem_region m[] = {
		{ 0, 9 * MiB + 5 * PAGE_SIZE, BOOT_MEM_RAM },
		{ 12 * MiB - 3 * PAGE_SIZE, 20 * MiB, BOOT_MEM_RAM },
	};
	uint8_t *seen = calloc(PHYS_BYTES / PAGE_SIZE, 1);
	vm_page_t *pages;
	uint64_t n = 0, total;

	vm_page_bootstrap(m, ARRAY_SIZE(m), &low1m, 1);
	total = vm_page_total_count;
	pages = calloc(total + 1, sizeof(*pages));
	free_blocks(before);
	while ((pages[n] = vm_page_grab()) != NULL) {
		paddr_t pa = VM_PAGE_TO_PHYS(pages[n]);

		cr_assert_eq(pa & PAGE_MASK, 0);
		cr_assert_eq(seen[atop(pa)], 0, "page %#lx handed out twice", (unsigned long)pa);
		seen[atop(pa)] = 1;
		cr_assert_eq(pages[n]->vmp_state, VM_PAGE_ALLOCATED);
		cr_assert_eq(pages[n]->vmp_wire_count, 1);
		/* The page really is free memory: scribbling on it must not hurt the array. */
		memset(phystokv(pa), 0xa5, PAGE_SIZE);
		n++;
		cr_assert_eq(vm_page_free_count, total - n);
		cr_assert_eq(vm_page_wire_count, n);
	}
	cr_assert_eq(n, total);
	/* Release in a scrambled order: the buddies must still merge back completely. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = (i * 7919) % n;
		vm_page_t t = pages[i];

		pages[i] = pages[j];
		pages[j] = t;
	}
	for (uint64_t i = 0; i < n; i++)
		vm_page_release(pages[i]);
	cr_assert_eq(vm_page_free_count, total);
	cr_assert_eq(vm_page_wire_count, 0);
	free_blocks(after);
	cr_assert_arr_eq(before, after, sizeof(before));
	free(pages);
	free(seen);
}

Test(vm_page, contig_aligned_and_coalescing)
{
	uint64_t before[VM_PAGE_MAX_ORDER + 1], after[VM_PAGE_MAX_ORDER + 1];
	vm_page_t blocks[VM_PAGE_MAX_ORDER + 1];

	boot_ram(0, 64 * MiB);
	free_blocks(before);
	cr_assert(before[VM_PAGE_MAX_ORDER] > 0);
	for (unsigned order = 0; order <= VM_PAGE_MAX_ORDER; order++) {
		vm_page_t b = vm_page_grab_contig(order);
		uint64_t n = 1ULL << order;

		cr_assert_not_null(b, "order %u", order);
		cr_assert_eq(atop(VM_PAGE_TO_PHYS(b)) & (n - 1), 0, "order %u misaligned", order);
		for (uint64_t i = 0; i < n; i++) {
			cr_assert_eq(VM_PAGE_TO_PHYS(&b[i]), VM_PAGE_TO_PHYS(b) + ptoa(i));
			cr_assert_eq(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(b) + ptoa(i)), &b[i]);
			cr_assert_eq(b[i].vmp_state, VM_PAGE_ALLOCATED);
		}
		memset(phystokv(VM_PAGE_TO_PHYS(b)), order, ptoa(n));
		blocks[order] = b;
	}
	cr_assert_null(vm_page_grab_contig(VM_PAGE_MAX_ORDER + 1));
	for (unsigned order = 0; order <= VM_PAGE_MAX_ORDER; order++)
		vm_page_release_contig(blocks[order], order);
	free_blocks(after);
	cr_assert_arr_eq(before, after, sizeof(before));
	cr_assert_eq(vm_page_free_count, vm_page_total_count);
}

/* Single pages go through the CPU's cache: the page just released comes back first (it is
 * cache-hot), the cache never holds more than its high mark, counts stay exact, and once the
 * caches are drained every block merges back as it was. */
Test(vm_page, per_cpu_cache)
{
	uint64_t before[VM_PAGE_MAX_ORDER + 1], after[VM_PAGE_MAX_ORDER + 1];
	vm_page_t pages[500], m;
	uint64_t free0;

	boot_ram(0, 64 * MiB);
	free_blocks(before);
	free0 = vm_page_free_count;
	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = vm_page_grab();
		cr_assert_not_null(pages[i]);
		cr_assert_eq(pages[i]->vmp_state, VM_PAGE_ALLOCATED);
		cr_assert_eq(pages[i]->vmp_flags, 0);
	}
	cr_assert_eq(vm_page_free_count, free0 - ARRAY_SIZE(pages));
	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++)
		vm_page_release(pages[i]);
	cr_assert_eq(vm_page_free_count, free0);
	m = vm_page_grab();
	cr_assert_eq(m, pages[ARRAY_SIZE(pages) - 1], "the last page released comes back first");
	vm_page_release(m);
	/* At most the high mark stays cached: the rest went back and merged. */
	unsigned cached = 0;
	for (paddr_t pa = MiB; pa < 64 * MiB; pa += PAGE_SIZE) {
		vm_page_t p = PHYS_TO_VM_PAGE(pa);

		if (p != NULL && (p->vmp_flags & VM_PAGE_F_PCACHE)) {
			cr_assert_eq(p->vmp_state, VM_PAGE_FREE);
			cached++;
		}
	}
	cr_assert(cached > 0 && cached <= 64, "%u pages cached", cached);
	free_blocks(after); /* drains the caches */
	cr_assert_arr_eq(before, after, sizeof(before));
	cr_assert_eq(vm_page_free_count, vm_page_total_count);
}

/* Everything can be taken one page at a time, the caches included, and nothing is lost. */
Test(vm_page, cache_does_not_hide_pages)
{
	uint64_t total, n = 0;
	vm_page_t m, list = NULL;

	boot_ram(0, 64 * MiB);
	total = vm_page_free_count;
	for (int i = 0; i < 40; i++) /* leave pages in the cache */
		vm_page_release(vm_page_grab());
	cr_assert_not_null(vm_page_grab_contig(VM_PAGE_MAX_ORDER - 1));
	while ((m = vm_page_grab()) != NULL) {
		m->vmp_next = list;
		list = m;
		n++;
	}
	cr_assert_eq(n, total - (1u << (VM_PAGE_MAX_ORDER - 1)));
	cr_assert_eq(vm_page_free_count, 0);
}

Test(vm_page, contig_exhaustion)
{
	uint64_t got = 0;
	vm_page_t b;

	boot_ram(0, 64 * MiB);
	/* 63 MiB less the array: 4 MiB blocks run out, smaller ones (1 MiB) remain. */
	while ((b = vm_page_grab_contig(VM_PAGE_MAX_ORDER)) != NULL)
		got++;
	cr_assert(got >= 14 && got <= 15, "got %lu", (unsigned long)got);
	cr_assert_not_null(vm_page_grab_contig(VM_PAGE_MAX_ORDER - 2));
}

Test(vm_page, grab_below)
{
	vm_page_t p;

	boot_ram(0, 64 * MiB);
	vm_page_t big = vm_page_grab_contig(0);
	cr_assert_not_null(big);
	p = vm_page_grab_below(8 * MiB);
	cr_assert_not_null(p);
	cr_assert(VM_PAGE_TO_PHYS(p) < 8 * MiB);
	cr_assert_null(vm_page_grab_below(MiB));
	vm_page_release(p);
	vm_page_release(big);
	cr_assert_eq(vm_page_free_count, vm_page_total_count);
}

Test(vm_page, print_stats)
{
	boot_ram(0, 8 * MiB);
	vm_page_print_stats();
}

Test(vm_page, double_release_panics, .signal = SIGABRT)
{
	boot_ram(0, 8 * MiB);
	vm_page_t p = vm_page_grab();
	vm_page_release(p);
	vm_page_release(p);
}

Test(vm_page, release_inside_free_block_panics, .signal = SIGABRT)
{
	boot_ram(0, 8 * MiB);
	vm_page_t p = vm_page_grab_contig(2);
	vm_page_release_contig(p, 2);
	vm_page_release(p + 1);
}

Test(vm_page, release_unmanaged_panics, .signal = SIGABRT)
{
	struct vm_page fake = { .vmp_phys = 0x1000, .vmp_state = VM_PAGE_ALLOCATED };

	boot_ram(0, 8 * MiB);
	vm_page_release(&fake);
}

Test(vm_page, release_wrong_order_panics, .signal = SIGABRT)
{
	boot_ram(0, 8 * MiB);
	vm_page_t p = vm_page_grab_contig(3);
	vm_page_release_contig(p, 2);
}
