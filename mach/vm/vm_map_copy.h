/*
 * vm_map_copy.h — copy objects: a range of one map taken copy-on-write, held outside any map
 * while it travels (an out-of-line region of a Mach message), then mapped into another map
 * (Mach 3.0 vm/vm_map.h, vm_map_copy_t of type VM_MAP_COPY_ENTRY_LIST; XNU osfmk/vm/vm_map.h).
 *
 * The one idea: a copy is a list of map entries that belong to no map. vm_map_copyin makes
 * each entry share the source's object copy-on-write (the sender's pages are write-protected,
 * not copied); vm_map_copyout links the entries into the destination at a free address. So a
 * region moves between address spaces without touching its pages; the first write on either
 * side copies just the page written (vm_fault).
 */
#ifndef _MACH_VM_VM_MAP_COPY_H_
#define _MACH_VM_VM_MAP_COPY_H_

#include <mach/vm/vm_map.h>

struct vm_map_copy {
	struct vm_map_entry cpy_header; /* list sentinel; entries keep their source addresses */
	unsigned cpy_nentries;
	vaddr_t cpy_base;	/* trunc_page of the source address */
	vm_size_t cpy_offset;	/* source address & PAGE_MASK */
	vm_size_t cpy_size;	/* bytes asked for */
};
typedef struct vm_map_copy *vm_map_copy_t;

#define VM_MAP_COPY_NULL ((vm_map_copy_t)0)

/* Copy objects in existence (for leak checks). */
extern uint64_t vm_map_copy_count;

/*
 * vm_map_copyin: take [addr, addr + len) of src_map as a copy object. Every page of the range
 * must be mapped and readable. The source keeps its data; both sides share the pages
 * copy-on-write. src_destroy: the range is then removed from src_map (Mach's deallocate).
 * len 0 gives *copyp = VM_MAP_COPY_NULL.
 *   Locks:   takes src_map's lock; none held on entry.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS (range outside the map, wraps, or a hole);
 *            KERN_PROTECTION_FAILURE (a part not readable); KERN_RESOURCE_SHORTAGE.
 */
kern_return_t vm_map_copyin(vm_map_t src_map, vaddr_t addr, vm_size_t len, bool src_destroy,
			    vm_map_copy_t *copyp);

/*
 * vm_map_copyout: map copy into dst_map at the lowest free range; *addrp is where the first
 * byte landed (same offset within its page as in the source). Consumes copy on success only.
 * The new range is read-write (max: all), inherited by copy, as XNU does for received memory.
 * VM_MAP_COPY_NULL gives *addrp = 0.
 *   Locks:   takes dst_map's lock.
 *   Returns: KERN_SUCCESS; KERN_NO_SPACE (no free range large enough; copy kept).
 */
kern_return_t vm_map_copyout(vm_map_t dst_map, vaddr_t *addrp, vm_map_copy_t copy);

/* vm_map_copy_discard: release copy's entries and objects (VM_MAP_COPY_NULL is ignored). */
void vm_map_copy_discard(vm_map_copy_t copy);

#endif /* _MACH_VM_VM_MAP_COPY_H_ */
