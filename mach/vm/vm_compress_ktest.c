/*
 * vm_compress_ktest.c — the default pager's compressed in-memory store at work: with no swap
 * device, an anonymous region one and a half times the size of memory, in a map of its own,
 * is written with compressible data (what anonymous memory mostly holds: small integers,
 * repeated pointers), so the pageout daemon must keep pages compressed in memory to go on;
 * then every word is read back and checked, and the teardown leaves no compressed page behind.
 * tests/boot/mem-compress.sh runs it in a 64 MiB guest without swap (issue 6: "touching more
 * memory than it has").
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_map.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

#define CZ_MIN 0x40000000UL

/* Word w of page i: the page number in a few words, small counters in the rest. */
static uint64_t
cz_word(uint64_t page, unsigned w)
{
	return (w & 63) == 0 ? page * 0x9e3779b97f4a7c15ull : (uint64_t)(w & 7) + (page & 0xff);
}

KTEST_ON_CPU0(vm_compressed_store_larger_than_ram)
{
	uint64_t npages, t0, t_write, t_read, bad = 0, most = 0;
	uint64_t comp0 = default_pager_compressed, objs0 = vm_object_count;
	volatile uint64_t *a;
	vaddr_t va = CZ_MIN;
	struct vm_kt_region reg;

	if (default_pager_has_swap())
		KT_SKIP("a swap device takes the page-outs");
	/* Every page is written and read back twice over: minutes in a large guest under TCG. */
	if (ptoa(vm_page_total_count) > 128ULL << 20)
		KT_SKIP("more than 128 MiB of memory (tests/boot/mem-compress.sh runs it in 64 MiB)");
	npages = vm_page_total_count * 3 / 2;
	KT_ASSERT(vm_kt_region_create(&reg, CZ_MIN, npages));
	va = reg.kr_va;
	a = (volatile uint64_t *)va;

	t0 = clock_uptime_ns();
	for (uint64_t i = 0; i < npages; i++) {
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++)
			a[i * (PAGE_SIZE / 8) + w] = cz_word(i, w);
		if (default_pager_compressed - comp0 > most)
			most = default_pager_compressed - comp0;
	}
	t_write = clock_uptime_ns() - t0;
	t0 = clock_uptime_ns();
	for (uint64_t i = 0; i < npages; i++)
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++)
			bad += a[i * (PAGE_SIZE / 8) + w] != cz_word(i, w);
	t_read = clock_uptime_ns() - t0;
	printf("# vm_compress: %llu pages (%llu MiB) in %llu MiB of memory: up to %llu pages "
	       "held compressed, %llu KiB now; write %llu pages/s, read-back %llu pages/s; "
	       "%llu bad words\n", (unsigned long long)npages,
	       (unsigned long long)(ptoa(npages) >> 20),
	       (unsigned long long)(ptoa(vm_page_total_count) >> 20), (unsigned long long)most,
	       (unsigned long long)(default_pager_bytes >> 10),
	       (unsigned long long)(t_write ? npages * 1000000000ULL / t_write : 0),
	       (unsigned long long)(t_read ? npages * 1000000000ULL / t_read : 0),
	       (unsigned long long)bad);
	KT_ASSERT_EQ(bad, 0);
	/* More than memory was written: at least the excess had to be compressed away. */
	KT_ASSERT(most >= npages - vm_page_total_count);

	vm_kt_region_destroy(&reg);
	KT_ASSERT_EQ(default_pager_compressed, comp0);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(vm_page_queues_check());
}
