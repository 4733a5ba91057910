/*
 * swap_slots_test.c — unit tests of mach/vm/swap_slots.c: every slot handed out exactly once
 * until the device is full, consecutive allocations get consecutive slots, the rotor wraps to
 * freed slots, bad frees are refused, and sizes that are not a multiple of 64 never hand out a
 * slot past the end; a random alloc/free sequence keeps the free count equal to the map.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/vm/swap_slots.h>

static uint64_t
count_map(const struct swap_slots *ss)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < ss->ss_nslots; i++)
		n += swap_slots_in_use(ss, i);
	return n;
}

Test(swap_slots, fills_every_slot_once_then_reports_full)
{
	const uint64_t n = 200; /* not a multiple of 64 */
	uint64_t *map = malloc(swap_slots_map_bytes(n));
	struct swap_slots ss;

	swap_slots_init(&ss, map, n);
	for (uint64_t i = 0; i < n; i++)
		cr_assert_eq(swap_slots_alloc(&ss), i, "slot %llu", (unsigned long long)i);
	cr_assert_eq(ss.ss_free, 0);
	cr_assert_eq(swap_slots_alloc(&ss), SWAP_SLOT_NONE);
	cr_assert(swap_slots_free(&ss, 77));
	cr_assert_eq(swap_slots_alloc(&ss), 77, "the rotor wraps to the freed slot");
	cr_assert_eq(swap_slots_alloc(&ss), SWAP_SLOT_NONE);
	free(map);
}

Test(swap_slots, refuses_bad_frees)
{
	uint64_t map[2];
	struct swap_slots ss;

	swap_slots_init(&ss, map, 100);
	cr_assert_not(swap_slots_free(&ss, 5), "never allocated");
	cr_assert_not(swap_slots_free(&ss, 100), "out of range");
	cr_assert_not(swap_slots_free(&ss, SWAP_SLOT_NONE));
	cr_assert_eq(swap_slots_alloc(&ss), 0);
	cr_assert(swap_slots_free(&ss, 0));
	cr_assert_not(swap_slots_free(&ss, 0), "double free");
	cr_assert_eq(ss.ss_free, 100);
}

Test(swap_slots, rotor_continues_after_the_last_slot)
{
	uint64_t map[1];
	struct swap_slots ss;

	swap_slots_init(&ss, map, 10);
	for (unsigned i = 0; i < 4; i++)
		(void)swap_slots_alloc(&ss);
	cr_assert(swap_slots_free(&ss, 1));
	cr_assert_eq(swap_slots_alloc(&ss), 4, "forward from the rotor first");
}

Test(swap_slots, random_sequence_keeps_counts)
{
	const uint64_t n = 1000;
	uint64_t *map = malloc(swap_slots_map_bytes(n));
	bool *used = calloc(n, sizeof(bool));
	struct swap_slots ss;

	srand(42);
	swap_slots_init(&ss, map, n);
	for (unsigned step = 0; step < 20000; step++) {
		if (rand() % 3 != 0) {
			uint64_t s = swap_slots_alloc(&ss);

			if (s == SWAP_SLOT_NONE) {
				cr_assert_eq(ss.ss_free, 0);
				continue;
			}
			cr_assert_lt(s, n);
			cr_assert_not(used[s], "slot %llu handed out twice", (unsigned long long)s);
			used[s] = true;
		} else {
			uint64_t s = (uint64_t)rand() % n;

			cr_assert_eq(swap_slots_free(&ss, s), used[s]);
			used[s] = false;
		}
	}
	cr_assert_eq(n - ss.ss_free, count_map(&ss));
	free(map);
	free(used);
}
