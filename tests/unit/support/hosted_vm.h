/*
 * hosted_vm.h — a fake physical memory for unit tests of code that takes its pages from
 * mach/vm/vm_page.c (zones, kalloc, vm_object, vm_map, IPC): a host buffer standing for
 * `bytes` of RAM from physical address 0, the direct map pointed at it (hosted.h), and the
 * page allocator bootstrapped over it with the first MiB reserved as the kernel's would be.
 * The test frees the returned buffer in its teardown. Criterion tests only (it asserts).
 */
#ifndef _TESTS_UNIT_SUPPORT_HOSTED_VM_H_
#define _TESTS_UNIT_SUPPORT_HOSTED_VM_H_

#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#include "hosted.h"

static inline uint8_t *
hosted_vm_page_boot(size_t bytes)
{
	struct boot_mem_region ram = { 0, bytes, BOOT_MEM_RAM };
	struct vm_phys_range low = { 0, 1 << 20 };
	uint8_t *mem = aligned_alloc(PAGE_SIZE, bytes);

	cr_assert_not_null(mem);
	hosted_physmap_base = (uintptr_t)mem;
	vm_page_bootstrap(&ram, 1, &low, 1);
	return mem;
}

#endif /* _TESTS_UNIT_SUPPORT_HOSTED_VM_H_ */
