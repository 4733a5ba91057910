/* kalloc_malloc.h — the hosted kalloc shim's counters (kalloc_malloc.c). */
#ifndef _TESTS_UNIT_SHIM_KALLOC_MALLOC_H_
#define _TESTS_UNIT_SHIM_KALLOC_MALLOC_H_

#include <stddef.h>

extern size_t kalloc_shim_live;
extern unsigned kalloc_shim_fail_after;

#endif
