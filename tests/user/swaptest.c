/*
 * swaptest.c — anonymous memory larger than RAM, from user space (issue 7: "a -m 64M guest with
 * a swap disk touches 256 MiB of anonymous memory and verifies it"). Run as pid 1 by
 * tests/boot/swap-user.sh: it maps SWAPTEST_MIB of private anonymous memory, writes a word
 * pattern that depends on the page and the word over all of it (the pageout daemon must send
 * pages to the swap disk as the faults run out of memory), reads every word back (the faults
 * must bring them in again), prints the rates and the test summary, and powers off.
 * The one idea: each word names its own page and index, so a page brought back to the wrong
 * place, a stale copy or a zero-filled page is caught, not only a missing one.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#define SWAPTEST_MIB 256
#define PG	     4096
#define WORDS	     (PG / 8)

static uint64_t
word(uint64_t page, unsigned w)
{
	return (page << 24) ^ ((uint64_t)w * 0x9e3779b97f4a7c15ULL) ^ 0xa5a5;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
finish(int ok)
{
	printf("%d passed, %d failed, 0 skipped\n", ok, !ok);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int
main(void)
{
	uint64_t pages = (uint64_t)SWAPTEST_MIB * 1024 * 1024 / PG, bad = 0;
	volatile uint64_t *a;
	double t0, t1, t2;

	printf("swaptest: pid %d, %d MiB of anonymous memory\n", getpid(), SWAPTEST_MIB);
	a = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		printf("swaptest: mmap of %d MiB failed\n", SWAPTEST_MIB);
		finish(0);
	}
	t0 = now();
	for (uint64_t p = 0; p < pages; p++)
		for (unsigned w = 0; w < WORDS; w++)
			a[p * WORDS + w] = word(p, w);
	t1 = now();
	for (uint64_t p = 0; p < pages; p++)
		for (unsigned w = 0; w < WORDS; w++)
			bad += a[p * WORDS + w] != word(p, w);
	t2 = now();
	printf("swaptest: %llu pages written in %.2f s (%.0f pages/s), read back in %.2f s "
	       "(%.0f pages/s), %llu bad words\n", (unsigned long long)pages, t1 - t0,
	       (double)pages / (t1 - t0), t2 - t1, (double)pages / (t2 - t1),
	       (unsigned long long)bad);
	printf("%s 1 - anonymous_memory_beyond_ram\n", bad == 0 ? "ok" : "not ok");
	finish(bad == 0);
	return 0;
}
