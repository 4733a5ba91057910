/*
 * libkern.h — the small C library every part of the kernel uses: fixed-width types, string and
 * memory routines, formatting, and a few arithmetic helpers.
 *
 * Portable code (everything the host unit tests compile) includes only this header for its C
 * library needs. Built with NIMBUS_HOSTED (the Criterion tests, the fuzzers), it maps onto the
 * host's libc; in the kernel, libkern/string.c provides the same functions.
 */
#ifndef _LIBKERN_LIBKERN_H_
#define _LIBKERN_LIBKERN_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef NIMBUS_HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

typedef uint64_t paddr_t;
typedef uintptr_t vaddr_t;

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))
#define ROUNDUP(x, a)	 ((((x) + (a) - 1) / (a)) * (a))
#define ROUNDDOWN(x, a)	 (((x) / (a)) * (a))
#define IS_POW2(x)	 ((x) != 0 && ((x) & ((x) - 1)) == 0)
#define __packed	 __attribute__((packed))
#define __aligned(n)	 __attribute__((aligned(n)))
#define __unused	 __attribute__((unused))
#define __noreturn	 __attribute__((noreturn))
#define __printflike(f, a) __attribute__((format(printf, f, a)))
#define likely(x)	 __builtin_expect(!!(x), 1)
#define unlikely(x)	 __builtin_expect(!!(x), 0)
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

/* Formatting (libkern/format.c): C99 printf semantics for the conversions the kernel uses. */
typedef void (*format_sink_t)(void *arg, const char *s, size_t n);
int kvformat(format_sink_t sink, void *arg, const char *fmt, va_list ap);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);

/* Strict decimal/hex parsing: returns false on empty input, junk or overflow. */
bool kstrtou64(const char *s, size_t len, unsigned base, uint64_t *out);

#endif /* _LIBKERN_LIBKERN_H_ */
