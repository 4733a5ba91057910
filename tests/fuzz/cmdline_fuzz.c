/*
 * cmdline_fuzz.c — libFuzzer harness for kernel/cmdline.c: the command line is whatever the
 * VM's launcher wrote, so any string must parse without a fault, keep every kept word inside
 * the parser's buffer, and answer queries about it consistently.
 *
 * The input is the command line (up to its first NUL). Checked on every input: the bounds of
 * nargs; every key and value lies NUL-terminated inside cl.buf; keys are never empty; `known`
 * matches the kernel's key list; cmdline_get() returns the last occurrence that cmdline_next()
 * walks to; cmdline_get_uint() answers within its bounds; cmdline_list_has() finds every
 * comma-separated element of a value.
 */
// fuzz-deps: kernel/cmdline.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>

static const char *const known_keys[] = { "console", "root", "init", "ktest", "loglevel", "quiet" };

static bool
inside(const struct cmdline *cl, const char *p)
{
	return p >= cl->buf && p < cl->buf + sizeof(cl->buf) &&
	       memchr(p, '\0', (size_t)(cl->buf + sizeof(cl->buf) - p)) != NULL;
}

static void
check(const struct cmdline *cl)
{
	if (cl->nargs > CMDLINE_MAX_ARGS)
		abort();
	for (unsigned i = 0; i < cl->nargs; i++) {
		const struct cmdline_arg *a = &cl->args[i];
		const char *last = NULL, *v;
		bool known = false;
		unsigned pos = 0;
		uint64_t n;

		if (!inside(cl, a->key) || a->key[0] == '\0')
			abort();
		if (a->value != NULL && !inside(cl, a->value))
			abort();
		for (size_t k = 0; k < ARRAY_SIZE(known_keys); k++)
			known |= strcmp(a->key, known_keys[k]) == 0;
		if (known != a->known)
			abort();
		while ((v = cmdline_next(cl, a->key, &pos)) != NULL)
			last = v;
		if (last == NULL || last != cmdline_get(cl, a->key) || !cmdline_has(cl, a->key))
			abort();
		if (cmdline_get_uint(cl, a->key, 3, 1000, &n) && (n < 3 || n > 1000))
			abort();
		if (a->value != NULL && strlen(a->value) < 64) {
			/* Every element of a comma list is found in it. */
			char elem[64];
			const char *p = a->value;
			while (*p != '\0') {
				size_t len = strcspn(p, ",");
				memcpy(elem, p, len);
				elem[len] = '\0';
				if (!cmdline_list_has(a->value, elem))
					abort();
				p += len;
				if (*p == ',')
					p++;
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline cl;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cmdline_parse(&cl, s);
	check(&cl);
	free(s);
	return 0;
}
