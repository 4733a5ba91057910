/*
 * cmdline.h — the kernel command line, parsed once at boot and queried by name.
 *
 * Syntax (ARCHITECTURE.md, "Interfaces"): words separated by spaces; a word is `key=value` or a
 * bare flag (`quiet`). A value may be double-quoted to hold spaces. Keys may repeat (`console=`);
 * cmdline_get() returns the last, cmdline_next() walks all. Keys the kernel does not know are
 * kept, in order, for init.
 */
#ifndef _KERNEL_CMDLINE_H_
#define _KERNEL_CMDLINE_H_

#include <libkern/libkern.h>

#define CMDLINE_MAX_ARGS 64
#define CMDLINE_MAX_LEN	 1024

struct cmdline_arg {
	const char *key;
	const char *value; /* NULL for a bare flag */
	bool known;	   /* one of the kernel's own keys */
};

struct cmdline {
	char buf[CMDLINE_MAX_LEN];
	struct cmdline_arg args[CMDLINE_MAX_ARGS];
	unsigned nargs;
	unsigned dropped; /* words beyond CMDLINE_MAX_ARGS or CMDLINE_MAX_LEN */
};

/* Parse s into cl. Never fails: over-long input is truncated and counted in cl->dropped. */
void cmdline_parse(struct cmdline *cl, const char *s);
/* The value of the last `key=...`, "" for a bare flag, NULL if absent. */
const char *cmdline_get(const struct cmdline *cl, const char *key);
bool cmdline_has(const struct cmdline *cl, const char *key);
/* Iterate over every occurrence of key: start with *pos = 0. */
const char *cmdline_next(const struct cmdline *cl, const char *key, unsigned *pos);
/*
 * Integer value of key in [min, max]. Returns true and sets *out if present and valid; false if
 * absent or invalid (then *out is untouched).
 */
bool cmdline_get_uint(const struct cmdline *cl, const char *key, uint64_t min, uint64_t max,
		      uint64_t *out);
/* True if list (comma-separated, like ktest=a,b) contains name. */
bool cmdline_list_has(const char *list, const char *name);

/* The kernel's own parsed command line (startup.c). */
extern struct cmdline boot_cmdline;

#endif /* _KERNEL_CMDLINE_H_ */
