/*
 * vm_user.h — the Mach VM calls on an address map, as kernel functions for the IPC and BSD
 * layers to expose (Mach 3.0 vm/vm_user.c; XNU osfmk/vm/vm_user.c). Addresses and sizes are
 * rounded out to whole pages as Mach does.
 */
#ifndef _MACH_VM_VM_USER_H_
#define _MACH_VM_VM_USER_H_

#include <mach/kern/kern_return.h>
#include <mach/vm/vm_map.h>

/*
 * vm_allocate: zero-fill memory of size bytes at *addr (anywhere: the lowest free range at or
 * above *addr). Returns KERN_SUCCESS and *addr, KERN_INVALID_ARGUMENT for size 0, KERN_NO_SPACE.
 */
kern_return_t vm_allocate(vm_map_t map, vaddr_t *addr, vm_size_t size, bool anywhere);

/* vm_deallocate: unmap [addr, addr + size); size 0 does nothing. */
kern_return_t vm_deallocate(vm_map_t map, vaddr_t addr, vm_size_t size);

/* vm_protect: see vm_map_protect. */
kern_return_t vm_protect(vm_map_t map, vaddr_t addr, vm_size_t size, bool set_max,
			 vm_prot_t new_prot);

/* vm_inherit: see vm_map_inherit. */
kern_return_t vm_inherit(vm_map_t map, vaddr_t addr, vm_size_t size, vm_inherit_t inherit);

/*
 * vm_read: copy [addr, addr + size) of map into new kernel memory (kmem_alloc, page-rounded
 * size) returned in *data; the caller frees it with kmem_free(*data, size).
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS / KERN_PROTECTION_FAILURE (a page of the range
 *            not readable; nothing returned); KERN_RESOURCE_SHORTAGE.
 *   XXX: Mach hands the data back copy-on-write in the caller's map (vm_map_copyout); that waits
 *   for out-of-line IPC.
 */
kern_return_t vm_read(vm_map_t map, vaddr_t addr, vm_size_t size, vaddr_t *data);

/*
 * vm_write: copy size bytes from kernel memory data into map at addr, faulting pages in.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS / KERN_PROTECTION_FAILURE (a page of the range
 *            not writable; pages before it are written).
 */
kern_return_t vm_write(vm_map_t map, vaddr_t addr, const void *data, vm_size_t size);

/*
 * vm_copy: copy [src, src + size) of map over [dst, dst + size) of the same map (both mapped;
 * the ranges may not overlap). Returns as vm_write.
 *   XXX: copies page by page; Mach replaces whole entries copy-on-write (vm_map_copy_overwrite).
 */
kern_return_t vm_copy(vm_map_t map, vaddr_t src, vm_size_t size, vaddr_t dst);

/*
 * vm_map_copy_bytes: copy len bytes between kernel memory buf and map at addr (to_map: into
 * the map), faulting each page in with the access it needs, whether or not map is current.
 */
kern_return_t vm_map_copy_bytes(vm_map_t map, vaddr_t addr, void *buf, vm_size_t len,
				bool to_map);

/* vm_msync flags (XNU's VM_SYNC_*) */
#define VM_SYNC_ASYNCHRONOUS 0x1
#define VM_SYNC_SYNCHRONOUS  0x2
#define VM_SYNC_INVALIDATE   0x4

/*
 * vm_msync: have the pagers of the objects mapped shared (not copy-on-write) in
 * [addr, addr + size) write back their modified data (memory_object_synchronize).
 * XXX: VM_SYNC_ASYNCHRONOUS writes synchronously too (no I/O thread yet).
 *   Locks:   none held; sleeps for the I/O.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS (a hole in the range; nothing written);
 *            KERN_FAILURE (a pager's write failed).
 */
kern_return_t vm_msync(vm_map_t map, vaddr_t addr, vm_size_t size, int flags);

#endif /* _MACH_VM_VM_USER_H_ */
