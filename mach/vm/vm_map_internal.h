/*
 * vm_map_internal.h — the entry-level helpers of vm_map.c that vm_map_copy.c shares (Mach 3.0
 * vm/vm_map.c keeps both in one file; here the copy objects live apart, so these lose `static`).
 * Nothing outside mach/vm includes this header.
 *
 * Locks: every helper runs with the map lock held (the entry helpers need none).
 */
#ifndef _MACH_VM_VM_MAP_INTERNAL_H_
#define _MACH_VM_VM_MAP_INTERNAL_H_

#include <mach/vm/vm_map.h>

/* A zeroed entry from the entry zone, or NULL. */
vm_map_entry_t vm_map_entry_create(void);
/* Give an entry (not linked anywhere, object already released) back to its zone. */
void vm_map_entry_dispose(vm_map_entry_t e);
/* Put e after prev in map's list and tree. */
void vm_map_link(vm_map_t map, vm_map_entry_t prev, vm_map_entry_t e);
/* Split e at addr, e keeping [start, addr); false when no entry could be had. */
bool vm_map_clip_end(vm_map_t map, vm_map_entry_t e, vaddr_t addr);
/* The lowest free range of size bytes at or above hint; false when there is none. */
bool vm_map_find_space(vm_map_t map, vaddr_t hint, vm_size_t size, vaddr_t *addr);
/* The first entry of [start, end), clipped to start; the header when none, NULL on shortage. */
vm_map_entry_t vm_map_range_first(vm_map_t map, vaddr_t start, vaddr_t end);
/*
 * Make the new entry template *n a copy of e: symmetric copy-on-write (both become
 * needs_copy), or a delayed copy of a TRUE_SHARE object. False when memory is short.
 */
bool vm_map_entry_share_cow(vm_map_t map, vm_map_entry_t e, vm_map_entry_t n);
/* Give e an object shared as itself (TRUE_SHARE); false when memory is short. */
bool vm_map_entry_make_shared(vm_map_entry_t e);

#endif /* _MACH_VM_VM_MAP_INTERNAL_H_ */
