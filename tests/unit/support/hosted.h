/*
 * hosted.h — what the host-side build (unit tests and fuzzers) adds to the kernel's portable
 * code: the direct-map base that phystokv() uses, and a record of klog() calls.
 *
 * Portable kernel code compiled with NIMBUS_HOSTED reaches physical memory through
 * phystokv(pa) == hosted_physmap_base + pa (mach/vm/vm_param.h). A test that hands the code a
 * fake physical memory points hosted_physmap_base at its buffer minus the physical address the
 * buffer stands for, e.g. hosted_physmap_set(buf, 0x100000).
 *
 * klog() (kernel/console.h) prints to stderr and remembers the last message and a count, so a
 * test can check that bad input was reported, as ARCHITECTURE.md requires, and not only
 * survived. hosted_phys_* is a fake physical memory whose mapper makes every over-read
 * visible to AddressSanitizer. panic() prints `panic: ...` to stderr and abort()s: Criterion's
 * `.signal = SIGABRT` catches it.
 */
#ifndef _TESTS_UNIT_SUPPORT_HOSTED_H_
#define _TESTS_UNIT_SUPPORT_HOSTED_H_

#include <stddef.h>
#include <stdint.h>

extern uintptr_t hosted_physmap_base;

/* Make phystokv(pa) == buf + (pa - pa_base) for pa in the buffer. */
void hosted_physmap_set(void *buf, uint64_t pa_base);

/*
 * Fake physical memory for code that reads loader or firmware structures through a mapper
 * (boot_map_fn in boot/bootinfo.h has this shape). hosted_phys_map() returns a fresh heap copy
 * of the len bytes asked for, at pa's alignment modulo 16, so AddressSanitizer reports a read
 * past what the code mapped (not only past the end of the fake memory) and UBSan a misaligned
 * access; it returns NULL for a range outside [base, base + size). The copies live until
 * hosted_phys_release().
 */
struct hosted_phys {
	const uint8_t *hp_data; /* the fake memory's contents */
	uint64_t hp_base;	/* the physical address of hp_data[0] */
	size_t hp_size;
	void **hp_copies; /* what hosted_phys_map() handed out */
	size_t hp_ncopies, hp_cap;
	size_t hp_maps, hp_refused; /* calls, and calls answered with NULL */
};

void hosted_phys_init(struct hosted_phys *hp, const void *data, uint64_t base, size_t size);
const void *hosted_phys_map(uint64_t pa, size_t len, void *hp);
void hosted_phys_release(struct hosted_phys *hp);

#define HOSTED_KLOG_LAST_MAX 512

/* Messages logged by klog() since the last hosted_klog_reset(), and the last one's text. */
extern unsigned hosted_klog_count;
extern int hosted_klog_last_level;
extern char hosted_klog_last[HOSTED_KLOG_LAST_MAX];
void hosted_klog_reset(void);

#endif /* _TESTS_UNIT_SUPPORT_HOSTED_H_ */
