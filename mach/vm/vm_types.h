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
typedef uint64_t vm_object_offset_t;

/* Protections (osfmk/mach/vm_prot.h). */
typedef int vm_prot_t;
#define VM_PROT_NONE	0x0
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXECUTE 0x4
#define VM_PROT_DEFAULT (VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

/* Inheritance at fork (osfmk/mach/vm_inherit.h). */
typedef unsigned vm_inherit_t;
#define VM_INHERIT_SHARE 0
#define VM_INHERIT_COPY	 1
#define VM_INHERIT_NONE	 2
#define VM_INHERIT_DEFAULT VM_INHERIT_COPY

#endif /* _MACH_VM_VM_TYPES_H_ */
