/*
 * vm_types.h — Mach's machine-independent VM scalar types (osfmk/mach/vm_types.h): sizes and
 * offsets in a kernel address space.
 */
#ifndef _MACH_VM_VM_TYPES_H_
#define _MACH_VM_VM_TYPES_H_

#include <libkern/libkern.h>

typedef uintptr_t vm_offset_t;
typedef uintptr_t vm_size_t;
typedef uintptr_t vm_address_t;

#endif /* _MACH_VM_VM_TYPES_H_ */
