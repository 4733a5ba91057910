/*
 * hosted.c — the few kernel services that portable code calls, for running it on the host:
 * the direct-map base, panic() and klog(); and a fake physical memory for parsers that read
 * loader and firmware structures through a mapper. Linked into every unit test and fuzzer.
 *
 * Signatures follow kernel/panic.h and kernel/console.h exactly, so a prototype change in the
 * kernel breaks this build instead of silently calling the wrong thing. panic() ends the
 * process with abort(), which ASan, Criterion (.signal = SIGABRT) and libFuzzer all report as
 * a crash: a kernel invariant broken by host input is a finding, never a pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <console.h>
#include <panic.h>

#include "hosted.h"

uintptr_t hosted_physmap_base;
unsigned hosted_klog_count;
int hosted_klog_last_level = -1;
char hosted_klog_last[HOSTED_KLOG_LAST_MAX];

void
hosted_physmap_set(void *buf, uint64_t pa_base)
{
	hosted_physmap_base = (uintptr_t)buf - (uintptr_t)pa_base;
}

void
hosted_klog_reset(void)
{
	hosted_klog_count = 0;
	hosted_klog_last_level = -1;
	hosted_klog_last[0] = '\0';
}

void
hosted_phys_init(struct hosted_phys *hp, const void *data, uint64_t base, size_t size)
{
	memset(hp, 0, sizeof(*hp));
	hp->hp_data = data;
	hp->hp_base = base;
	hp->hp_size = size;
}

const void *
hosted_phys_map(uint64_t pa, size_t len, void *ctx)
{
	struct hosted_phys *hp = ctx;
	uint64_t off;
	void *copy;

	hp->hp_maps++;
	off = pa - hp->hp_base;
	if (pa < hp->hp_base || off > hp->hp_size || len > hp->hp_size - off) {
		hp->hp_refused++;
		return NULL;
	}
	if (hp->hp_ncopies == hp->hp_cap) {
		size_t cap = hp->hp_cap != 0 ? hp->hp_cap * 2 : 64;
		void **n = realloc(hp->hp_copies, cap * sizeof(*n));
		if (n == NULL)
			abort();
		hp->hp_copies = n;
		hp->hp_cap = cap;
	}
	/*
	 * The copy keeps pa's alignment modulo 16 (so UBSan still sees a misaligned access where
	 * the real one would be) and ends exactly at the last byte mapped (so ASan sees a read
	 * past it). An empty aligned range gets one byte, as malloc(0) may answer NULL.
	 */
	copy = malloc((pa & 15) + len != 0 ? (pa & 15) + len : 1);
	if (copy == NULL)
		abort();
	hp->hp_copies[hp->hp_ncopies++] = copy;
	copy = (uint8_t *)copy + (pa & 15);
	memcpy(copy, hp->hp_data + off, len);
	return copy;
}

void
hosted_phys_release(struct hosted_phys *hp)
{
	for (size_t i = 0; i < hp->hp_ncopies; i++)
		free(hp->hp_copies[i]);
	free(hp->hp_copies);
	hp->hp_copies = NULL;
	hp->hp_ncopies = hp->hp_cap = 0;
}

static __noreturn void
hosted_vpanic(const char *fmt, va_list ap)
{
	fputs("panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hosted_vpanic(fmt, ap);
}

void
panic_trap(struct trapframe *tf, const char *fmt, ...)
{
	va_list ap;

	(void)tf;
	va_start(ap, fmt);
	hosted_vpanic(fmt, ap);
}

void
klog(int level, const char *fmt, ...)
{
	static int quiet = -1; /* NIMBUS_KLOG_QUIET set: the fuzzers, which log on every input */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hosted_klog_last, sizeof(hosted_klog_last), fmt, ap);
	va_end(ap);
	hosted_klog_count++;
	hosted_klog_last_level = level;
	if (quiet < 0)
		quiet = getenv("NIMBUS_KLOG_QUIET") != NULL;
	if (!quiet)
		fprintf(stderr, "klog<%d>: %s", level, hosted_klog_last);
}
