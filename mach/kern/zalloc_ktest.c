/*
 * zalloc_ktest.c — in-kernel self-tests of zones and kalloc on real memory: a zone grown over
 * several chunks, every kalloc size class, and large kalloc blocks given back to vm_page.
 */
#include <console.h>
#include <ktest.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define ZK_N 600

KTEST(zalloc_zone)
{
	static void *p[ZK_N];
	static zone_t z;
	struct zone_info zi0, zi;

	if (z == NULL)
		z = zinit(200, 0, 0, "ktest.200");
	KT_ASSERT(z != NULL);
	KT_ASSERT(zone_find("ktest.200") == z);
	zone_get_info(z, &zi0);
	for (unsigned i = 0; i < ZK_N; i++) {
		p[i] = zalloc(z);
		KT_ASSERT(p[i] != NULL);
		KT_ASSERT(PHYS_TO_VM_PAGE(kvtophys(p[i])) != NULL);
		memset(p[i], (int)i, 200);
	}
	for (unsigned i = 0; i < ZK_N; i++)
		KT_ASSERT_EQ(((uint8_t *)p[i])[199], (uint8_t)i);
	zone_get_info(z, &zi);
	KT_ASSERT_EQ(zi.zi_count, zi0.zi_count + ZK_N);
	KT_ASSERT(zi.zi_pages * PAGE_SIZE >= ZK_N * 200);
	for (unsigned i = 0; i < ZK_N; i++)
		zfree(z, p[i]);
	zone_get_info(z, &zi);
	KT_ASSERT_EQ(zi.zi_count, zi0.zi_count);
	/* The freed elements come back before the zone grows again. */
	uint64_t pages = zi.zi_pages;
	void *q = zalloc(z);
	zone_get_info(z, &zi);
	KT_ASSERT_EQ(zi.zi_pages, pages);
	zfree(z, q);
}

KTEST(kalloc_sizes)
{
	KT_ASSERT(kalloc(0) == NULL);
	KT_ASSERT(kalloc(KALLOC_MAX_SIZE + 1) == NULL);
	for (vm_size_t s = 1; s <= KALLOC_MAX_ZONE_SIZE; s = s * 3 / 2 + 1) {
		uint8_t *p = kalloc(s);

		KT_ASSERT(p != NULL);
		KT_ASSERT(kalloc_size(s) >= s);
		memset(p, 0xa5, s);
		kfree(p, s);
	}
	/* Large sizes are blocks of pages: the block's head says so and how many pages it holds.
	 * (Not the global free count: the pageout daemon and other CPUs take and give pages while
	 * this runs; that kfree gives every page back is the hosted kalloc_test's to prove.) */
	for (vm_size_t s = KALLOC_MAX_ZONE_SIZE + 1; s <= KALLOC_MAX_SIZE; s *= 2) {
		uint8_t *p = kalloc_zero(s);
		vm_page_t m;

		KT_ASSERT(p != NULL);
		KT_ASSERT_EQ((uintptr_t)p & PAGE_MASK, 0);
		KT_ASSERT_EQ(p[s - 1], 0);
		m = PHYS_TO_VM_PAGE(kvtophys(p));
		KT_ASSERT(m != NULL);
		KT_ASSERT(m->vmp_flags & VM_PAGE_F_KALLOC);
		KT_ASSERT_EQ(m->vmp_state, VM_PAGE_ALLOCATED);
		KT_ASSERT_EQ(ptoa(1ULL << m->vmp_order), kalloc_size(s));
		kfree(p, s);
	}
	zone_print_stats();
}
