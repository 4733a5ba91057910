/*
 * hosted.c — the few kernel services that portable code calls, for running it on the host:
 * the direct-map base, panic() and klog(). Linked into every unit test and fuzzer.
 *
 * Signatures follow kernel/panic.h and kernel/console.h exactly, so a prototype change in the
 * kernel breaks this build instead of silently calling the wrong thing. panic() ends the
 * process with abort(), which ASan, Criterion (.signal = SIGABRT) and libFuzzer all report as
 * a crash: a kernel invariant broken by host input is a finding, never a pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
