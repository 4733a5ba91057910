/*
 * vm_fault_ktest.c — in-kernel self-tests of page faults: a map over a fresh pmap, made current,
 * whose pages are faulted in by touching them (the page-fault trap calls vm_fault); zero fill
 * reads zeros; a copy-on-write copy of the range (vm_map_copy_region) reads the same and keeps
 * writes on either side private; read-only entries refuse writes through vm_fault; nothing is
 * leaked once map and pmap are gone. Prints zero-fill and COW faults per second as figures.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_param.h>

#define VM_KT_MIN   0x10000000UL
#define VM_KT_PAGES 256 /* 1 MiB: nested KVM (shadow paging) takes ~4 ms a fault */

/* Fault counters change inside the page-fault trap: read them with a barrier. */
#define VM_KT_STAT(f) __atomic_load_n(&vm_fault_stats.f, __ATOMIC_SEQ_CST)

static uint64_t
per_second(uint64_t n, uint64_t ns)
{
	return ns != 0 ? n * 1000000000ULL / ns : 0;
}

KTEST(vm_fault_zero_fill_and_cow)
{
	uint64_t pv0, objs0, t0, t_zero, t_cow, f0, cow0;
	volatile uint64_t *src, *dst;
	vm_map_t map;
	vaddr_t a, d;
	pmap_t p;

	pv0 = pmap_pv_count;
	objs0 = vm_object_count;
	p = pmap_create();
	KT_ASSERT(p != NULL);
	map = vm_map_create(p, VM_KT_MIN, PMAP_USER_TOP);
	KT_ASSERT(map != NULL);
	a = VM_KT_MIN;
	KT_ASSERT_EQ(vm_map_enter(map, &a, ptoa(VM_KT_PAGES), VM_FLAGS_ANYWHERE, NULL, 0, false,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY), KERN_SUCCESS);
	src = (volatile uint64_t *)a;
	vm_map_switch(map);

	/* Zero fill: every page reads zero, then takes a pattern. One fault per page. */
	f0 = VM_KT_STAT(vfs_zero_fill);
	t0 = clock_uptime_ns();
	for (unsigned i = 0; i < VM_KT_PAGES; i++)
		src[i * PAGE_SIZE / 8] = 0x5a00000000ULL + i;
	t_zero = clock_uptime_ns() - t0;
	KT_ASSERT_EQ(VM_KT_STAT(vfs_zero_fill) - f0, VM_KT_PAGES);
	for (unsigned i = 0; i < VM_KT_PAGES; i++) {
		KT_ASSERT_EQ(src[i * PAGE_SIZE / 8], 0x5a00000000ULL + i);
		KT_ASSERT_EQ(src[i * PAGE_SIZE / 8 + 1], 0);
	}

	/* Copy-on-write copy of the whole range into the same map. */
	KT_ASSERT_EQ(vm_map_copy_region(map, a, ptoa(VM_KT_PAGES), map, &d), KERN_SUCCESS);
	KT_ASSERT(d != a);
	dst = (volatile uint64_t *)d;
	KT_ASSERT(vm_map_check(map));
	/* Reads share the pages. */
	for (unsigned i = 0; i < VM_KT_PAGES; i++)
		KT_ASSERT_EQ(dst[i * PAGE_SIZE / 8], 0x5a00000000ULL + i);
	KT_ASSERT_EQ(pmap_extract(p, d), pmap_extract(p, a));
	/* Writes on the copy are private to it: one COW fault per page. */
	cow0 = VM_KT_STAT(vfs_cow);
	t0 = clock_uptime_ns();
	for (unsigned i = 0; i < VM_KT_PAGES; i++)
		dst[i * PAGE_SIZE / 8] = 0xd00000000ULL + i;
	t_cow = clock_uptime_ns() - t0;
	KT_ASSERT_EQ(VM_KT_STAT(vfs_cow) - cow0, VM_KT_PAGES);
	/* And writes on the source are private to it. */
	for (unsigned i = 0; i < VM_KT_PAGES; i += 2)
		src[i * PAGE_SIZE / 8 + 1] = 0x5111;
	for (unsigned i = 0; i < VM_KT_PAGES; i++) {
		KT_ASSERT_EQ(src[i * PAGE_SIZE / 8], 0x5a00000000ULL + i);
		KT_ASSERT_EQ(dst[i * PAGE_SIZE / 8], 0xd00000000ULL + i);
		KT_ASSERT_EQ(src[i * PAGE_SIZE / 8 + 1], (i % 2) == 0 ? 0x5111 : 0);
		KT_ASSERT_EQ(dst[i * PAGE_SIZE / 8 + 1], 0);
	}
	KT_ASSERT(pmap_extract(p, d) != pmap_extract(p, a));

	/* A read-only entry refuses a write through vm_fault. */
	KT_ASSERT_EQ(vm_map_protect(map, d, d + PAGE_SIZE, VM_PROT_READ, false), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_fault(map, d, VM_PROT_WRITE), KERN_PROTECTION_FAILURE);
	KT_ASSERT_EQ(vm_fault(map, VM_KT_MIN - PAGE_SIZE, VM_PROT_READ), KERN_INVALID_ADDRESS);
	KT_ASSERT_EQ(dst[0], 0xd00000000ULL);

	printf("# vm_fault: %u zero-fill faults in %llu us (%llu/s), %u COW faults in %llu us "
	       "(%llu/s)\n", VM_KT_PAGES, (unsigned long long)(t_zero / 1000),
	       (unsigned long long)per_second(VM_KT_PAGES, t_zero), VM_KT_PAGES,
	       (unsigned long long)(t_cow / 1000),
	       (unsigned long long)per_second(VM_KT_PAGES, t_cow));

	vm_map_switch(NULL);
	vm_map_deallocate(map);
	pmap_destroy(p);
	KT_ASSERT_EQ(vm_object_count, objs0);
	/* The objects' pages went with them; vm_fault_no_leak counts every page. */
	KT_ASSERT_EQ(pmap_pv_count, pv0);
}

/*
 * Map 64 pages, fault them in, copy them COW, write some of the copy, drop the source, check the
 * copy, tear down. Returns false on a failed check.
 */
static bool
vm_fault_ktest_cycle(void)
{
	volatile uint64_t *q;
	vm_map_t map;
	vaddr_t a = VM_KT_MIN, d;
	pmap_t p = pmap_create();
	bool ok = true;

	if (p == NULL || (map = vm_map_create(p, VM_KT_MIN, PMAP_USER_TOP)) == NULL)
		return false;
	if (vm_map_enter(map, &a, ptoa(64), VM_FLAGS_ANYWHERE, NULL, 0, false, VM_PROT_DEFAULT,
			 VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS)
		return false;
	vm_map_switch(map);
	q = (volatile uint64_t *)a;
	for (unsigned i = 0; i < 64; i++)
		q[i * PAGE_SIZE / 8] = i;
	if (vm_map_copy_region(map, a, ptoa(64), map, &d) != KERN_SUCCESS)
		ok = false;
	q = (volatile uint64_t *)d;
	for (unsigned i = 0; ok && i < 64; i += 3)
		q[i * PAGE_SIZE / 8] = 100 + i;
	if (vm_map_remove(map, a, a + ptoa(64)) != KERN_SUCCESS)
		ok = false;
	for (unsigned i = 0; ok && i < 64; i++)
		ok = q[i * PAGE_SIZE / 8] == ((i % 3) == 0 ? 100 + i : i);
	vm_map_switch(NULL);
	vm_map_deallocate(map);
	pmap_destroy(p);
	return ok;
}

/* After a first run has grown the zones: exactly the same free pages before and after. */
KTEST(vm_fault_no_leak)
{
	uint64_t objs0 = vm_object_count;
	bool ok;

	KT_ASSERT(vm_fault_ktest_cycle());
	vm_kt_account_begin();
	ok = vm_fault_ktest_cycle();
	VM_KT_ASSERT_BALANCE(0);
	KT_ASSERT(ok);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT_EQ(vm_map_entry_count, 0 + kernel_map->vm_nentries);
}
