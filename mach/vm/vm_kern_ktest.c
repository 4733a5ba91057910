/*
 * vm_kern_ktest.c — in-kernel self-tests of kernel_map: kmem_alloc gives zeroed, writable,
 * wired memory in kernel_map through the kernel pmap, and kmem_free gives every page back.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_kern.h>
#include <mach/vm/vm_param.h>

KTEST(vm_kmem_alloc_free)
{
	uint64_t *p;
	vaddr_t a, b;

	/* Grow the zones once so the counts below compare like with like. */
	KT_ASSERT_EQ(kmem_alloc(3 * PAGE_SIZE, &a), KERN_SUCCESS);
	kmem_free(a, 3 * PAGE_SIZE);
	vm_kt_account_begin();

	KT_ASSERT_EQ(kmem_alloc(3 * PAGE_SIZE - 100, &a), KERN_SUCCESS);
	KT_ASSERT(a >= VM_KERNEL_MAP_MIN && a < VM_KERNEL_MAP_MAX);
	KT_ASSERT_EQ(kmem_alloc(PAGE_SIZE, &b), KERN_SUCCESS);
	KT_ASSERT_EQ(b, a + 3 * PAGE_SIZE);
	p = (uint64_t *)a;
	for (unsigned i = 0; i < 3 * PAGE_SIZE / 8; i++)
		KT_ASSERT_EQ(p[i], 0);
	p[0] = 1;
	p[3 * PAGE_SIZE / 8 - 1] = 2;
	KT_ASSERT(pmap_kextract(a + PAGE_SIZE) != 0);
	KT_ASSERT_EQ(kmem_alloc(0, &b), KERN_INVALID_ARGUMENT);
	kmem_free(a, 3 * PAGE_SIZE - 100);
	KT_ASSERT_EQ(pmap_kextract(a), 0);
	kmem_free(b, PAGE_SIZE);
	VM_KT_ASSERT_BALANCE(0);
	KT_ASSERT(vm_map_check(kernel_map));
}
