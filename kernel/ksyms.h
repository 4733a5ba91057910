/*
 * ksyms.h — the kernel's own symbol table, embedded at link time (ci/ksyms.sh), for naming
 * addresses in backtraces.
 */
#ifndef _KERNEL_KSYMS_H_
#define _KERNEL_KSYMS_H_

#include <libkern/libkern.h>

/* Name of the function containing addr and the offset into it; NULL if addr is not kernel text. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Address of the function called name, 0 if there is none. */
uint64_t ksyms_address(const char *name);

#endif
