/*
 * swap_slots.c — the swap device's slot bitmap (swap_slots.h). After the swap map of 4.3BSD's
 * swap allocator reduced to one page per slot, as Mach's default pager kept it (its "paging
 * partition" bitmap, default_pager/default_pager.c, pager_alloc_page).
 *
 * The one idea: a rotor remembers where the last slot was found, so the search is a word scan
 * forward from there (64 slots a compare), and pages written one after another get neighbouring
 * slots; it wraps around once before saying the device is full.
 */
#include <mach/vm/swap_slots.h>

void
swap_slots_init(struct swap_slots *ss, uint64_t *map, uint64_t nslots)
{
	ss->ss_map = map;
	ss->ss_nslots = nslots;
	ss->ss_free = nslots;
	ss->ss_rotor = 0;
	memset(map, 0, swap_slots_map_bytes(nslots));
}

uint64_t
swap_slots_alloc(struct swap_slots *ss)
{
	uint64_t words = (ss->ss_nslots + 63) / 64;

	if (ss->ss_free == 0)
		return SWAP_SLOT_NONE;
	for (uint64_t k = 0; k <= words; k++) {
		uint64_t w = (ss->ss_rotor / 64 + k) % words;
		uint64_t bits = ss->ss_map[w];

		/* In the rotor's own word, only slots from the rotor on (the rest come last). */
		if (k == 0)
			bits |= (1ULL << (ss->ss_rotor % 64)) - 1;
		while (bits != UINT64_MAX) {
			unsigned b = (unsigned)__builtin_ctzll(~bits);
			uint64_t slot = w * 64 + b;

			if (slot >= ss->ss_nslots)
				break;
			ss->ss_map[w] |= 1ULL << b;
			ss->ss_free--;
			ss->ss_rotor = slot + 1 < ss->ss_nslots ? slot + 1 : 0;
			return slot;
		}
	}
	return SWAP_SLOT_NONE; /* not reached while ss_free agrees with the map */
}

bool
swap_slots_in_use(const struct swap_slots *ss, uint64_t slot)
{
	return slot < ss->ss_nslots && (ss->ss_map[slot / 64] & (1ULL << (slot % 64))) != 0;
}

bool
swap_slots_free(struct swap_slots *ss, uint64_t slot)
{
	if (!swap_slots_in_use(ss, slot))
		return false;
	ss->ss_map[slot / 64] &= ~(1ULL << (slot % 64));
	ss->ss_free++;
	return true;
}
