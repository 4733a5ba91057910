/*
 * usercopy.h — moving bytes between the kernel and the current user address space.
 *
 * Every routine checks that the whole user range lies below USER_ADDR_MAX (a kernel address is
 * refused before it is touched), then copies with SMAP's AC flag raised for the copy only. A
 * fault on a user page is first given to vm_fault on the current task's map; one it cannot
 * resolve lands, through the fault-recovery range of usercopy.S, in a return of EFAULT.
 *   Locks:   none may be held that a page fault takes (the map, object and pmap locks).
 *   Returns: 0, or EFAULT (bad range, or a page that cannot be mapped with the access needed).
 */
#ifndef _ARCH_X86_64_USERCOPY_H_
#define _ARCH_X86_64_USERCOPY_H_

#include <libkern/libkern.h>

/* One past the highest user address: the last page below the canonical hole stays unmapped so
 * that a sysret can never land on a non-canonical address (the SYSRET #GP erratum). */
#define USER_ADDR_MAX 0x00007ffffffff000UL

/* Whether [uaddr, uaddr + len) lies in the user address space (Linux's access_ok): calls that
 * take a buffer check it whole before moving any byte. */
static inline bool
user_range_ok(const void *uaddr, size_t len)
{
	return len <= USER_ADDR_MAX && (uintptr_t)uaddr <= USER_ADDR_MAX - len;
}

int copyin(const void *uaddr, void *kaddr, size_t len);
int copyout(const void *kaddr, void *uaddr, size_t len);
/*
 * copyinstr: copy a NUL-terminated string of at most max bytes (the NUL included); *done (when
 * not NULL) gets the bytes copied, NUL included. ENAMETOOLONG when no NUL is found in max.
 */
int copyinstr(const void *uaddr, char *kaddr, size_t max, size_t *done);

/* Whether rip lies in the copy routines (the page-fault handler's recovery test), and where a
 * fault there resumes. */
bool usercopy_fault_ip(uint64_t rip);
extern const char usercopy_fault[];

#endif /* _ARCH_X86_64_USERCOPY_H_ */
