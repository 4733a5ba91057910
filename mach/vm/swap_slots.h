/*
 * swap_slots.h — the slot allocator of a swap device: one bit per page-sized slot, found with a
 * rotor so that consecutive page-outs land in consecutive slots (and read back in few I/Os).
 * Portable (no locks: the default pager serialises calls), unit-tested on the host.
 */
#ifndef _MACH_VM_SWAP_SLOTS_H_
#define _MACH_VM_SWAP_SLOTS_H_

#include <libkern/libkern.h>

#define SWAP_SLOT_NONE UINT64_MAX

struct swap_slots {
	uint64_t *ss_map;    /* bit i set: slot i is in use */
	uint64_t ss_nslots;
	uint64_t ss_free;    /* slots not in use */
	uint64_t ss_rotor;   /* where the next search starts */
};

/* Bytes of map that swap_slots_init needs for nslots slots. */
static inline size_t
swap_slots_map_bytes(uint64_t nslots)
{
	return (size_t)((nslots + 63) / 64) * sizeof(uint64_t);
}

/* Set up ss over map (swap_slots_map_bytes(nslots) bytes, contents overwritten): all free. */
void swap_slots_init(struct swap_slots *ss, uint64_t *map, uint64_t nslots);

/* Take a free slot: its number, or SWAP_SLOT_NONE when every slot is in use. */
uint64_t swap_slots_alloc(struct swap_slots *ss);

/*
 * Give slot back. Returns false (and changes nothing) when slot is out of range or not in use:
 * the caller's bookkeeping is broken, which it reports.
 */
bool swap_slots_free(struct swap_slots *ss, uint64_t slot);

/* Whether slot is in use (false out of range). */
bool swap_slots_in_use(const struct swap_slots *ss, uint64_t slot);

#endif /* _MACH_VM_SWAP_SLOTS_H_ */
