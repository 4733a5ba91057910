/*
 * cmdline_test.c — kernel/cmdline.c: the command-line syntax ARCHITECTURE.md promises
 * ("Interfaces": space-separated key=value, bare flags, repeatable keys, unknown keys kept for
 * init) plus Linux-style double quotes, and the bounds: CMDLINE_MAX_ARGS words and
 * CMDLINE_MAX_LEN bytes, beyond which words are dropped whole and counted.
 *
 * The one idea: whatever the input, every word kept is exactly a word of the input (never a
 * fragment of one that did not fit), and every word not kept is counted in `dropped`.
 */
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>

static struct cmdline cl;

static void
parse(const char *s)
{
	memset(&cl, 0xa5, sizeof(cl)); /* parse must not rely on a zeroed struct */
	cmdline_parse(&cl, s);
}

static void
expect_arg(unsigned i, const char *key, const char *value)
{
	cr_assert_lt(i, cl.nargs, "no argument %u (nargs %u)", i, cl.nargs);
	cr_assert_str_eq(cl.args[i].key, key);
	if (value == NULL)
		cr_assert_null(cl.args[i].value, "%s has value \"%s\"", key, cl.args[i].value);
	else
		cr_assert_str_eq(cl.args[i].value != NULL ? cl.args[i].value : "(null)", value);
}

Test(cmdline, empty_and_blank)
{
	parse("");
	cr_assert_eq(cl.nargs, 0);
	cr_assert_eq(cl.dropped, 0);
	parse("   \t \n\r  ");
	cr_assert_eq(cl.nargs, 0);
	cr_assert_eq(cl.dropped, 0);
	cr_assert_null(cmdline_get(&cl, "console"));
	cr_assert(!cmdline_has(&cl, "quiet"));
}

Test(cmdline, keys_values_and_flags)
{
	parse("console=ttyS0 quiet root=/dev/vda1 init=/sbin/init loglevel=3");
	cr_assert_eq(cl.nargs, 5);
	cr_assert_eq(cl.dropped, 0);
	expect_arg(0, "console", "ttyS0");
	expect_arg(1, "quiet", NULL);
	expect_arg(2, "root", "/dev/vda1");
	expect_arg(3, "init", "/sbin/init");
	expect_arg(4, "loglevel", "3");
	cr_assert_str_eq(cmdline_get(&cl, "root"), "/dev/vda1");
	cr_assert_str_eq(cmdline_get(&cl, "quiet"), "", "a bare flag reads as \"\"");
	cr_assert(cmdline_has(&cl, "quiet"));
	cr_assert(cmdline_has(&cl, "init"));
	cr_assert(!cmdline_has(&cl, "ktest"));
	cr_assert_null(cmdline_get(&cl, "roo"), "keys match whole");
	cr_assert_null(cmdline_get(&cl, "rootx"));
}

Test(cmdline, whitespace_of_every_kind)
{
	parse("\t a=1\t\tb=2 \n c \r\nd=4  ");
	cr_assert_eq(cl.nargs, 4);
	expect_arg(0, "a", "1");
	expect_arg(1, "b", "2");
	expect_arg(2, "c", NULL);
	expect_arg(3, "d", "4");
}

Test(cmdline, equals_signs)
{
	parse("key= a=b=c =nokey == x=");
	expect_arg(0, "key", "");
	expect_arg(1, "a", "b=c");
	expect_arg(2, "x", "");
	cr_assert_eq(cl.nargs, 3);
	cr_assert_eq(cl.dropped, 2, "\"=nokey\" and \"==\" name nothing");
}

Test(cmdline, repeated_keys)
{
	const char *v;
	unsigned pos = 0;

	parse("console=ttyS0 quiet console=hvc0 console=ttyS1");
	cr_assert_str_eq(cmdline_get(&cl, "console"), "ttyS1", "the last one wins");
	v = cmdline_next(&cl, "console", &pos);
	cr_assert_str_eq(v, "ttyS0");
	v = cmdline_next(&cl, "console", &pos);
	cr_assert_str_eq(v, "hvc0");
	v = cmdline_next(&cl, "console", &pos);
	cr_assert_str_eq(v, "ttyS1");
	cr_assert_null(cmdline_next(&cl, "console", &pos));
	cr_assert_null(cmdline_next(&cl, "console", &pos), "the end stays the end");
	pos = 0;
	cr_assert_str_eq(cmdline_next(&cl, "quiet", &pos), "");
	cr_assert_null(cmdline_next(&cl, "quiet", &pos));
}

Test(cmdline, known_and_unknown_keys)
{
	static const char *const known[] = { "console", "root", "init", "ktest", "loglevel",
					     "quiet" };

	parse("console=a root=b init=c ktest=d loglevel=1 quiet foo=bar quietly consoles=x "
	      "Console=y");
	cr_assert_eq(cl.nargs, 10);
	for (unsigned i = 0; i < ARRAY_SIZE(known); i++) {
		cr_assert_str_eq(cl.args[i].key, known[i]);
		cr_assert(cl.args[i].known, "%s is one of the kernel's keys", known[i]);
	}
	for (unsigned i = ARRAY_SIZE(known); i < cl.nargs; i++)
		cr_assert(!cl.args[i].known, "%s is not the kernel's", cl.args[i].key);
	cr_assert_str_eq(cmdline_get(&cl, "foo"), "bar", "unknown keys are kept");
}

Test(cmdline, quotes)
{
	parse("init=\"/bin/sh -c 'echo hi'\" msg=\"\" \"quoted key\"=v a\"b c\"d tail");
	expect_arg(0, "init", "/bin/sh -c 'echo hi'");
	expect_arg(1, "msg", "");
	expect_arg(2, "quoted key", "v");
	expect_arg(3, "ab cd", NULL);
	expect_arg(4, "tail", NULL);
	cr_assert_eq(cl.nargs, 5);
}

Test(cmdline, unterminated_quote_runs_to_the_end)
{
	parse("a=1 b=\"x y z");
	cr_assert_eq(cl.nargs, 2);
	expect_arg(0, "a", "1");
	expect_arg(1, "b", "x y z");
}

Test(cmdline, too_many_words)
{
	char s[2048];
	size_t n = 0;

	for (unsigned i = 0; i < CMDLINE_MAX_ARGS + 10; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "k%u=%u ", i, i);
	parse(s);
	cr_assert_eq(cl.nargs, CMDLINE_MAX_ARGS);
	cr_assert_eq(cl.dropped, 10);
	for (unsigned i = 0; i < cl.nargs; i++) {
		char k[16], v[16];
		snprintf(k, sizeof(k), "k%u", i);
		snprintf(v, sizeof(v), "%u", i);
		expect_arg(i, k, v);
	}
}

/* Words past CMDLINE_MAX_LEN bytes are dropped whole, and the ones kept are intact. */
Test(cmdline, too_long_for_the_buffer)
{
	char s[4 * CMDLINE_MAX_LEN];
	size_t n = 0;
	unsigned words = 0;

	while (n + 40 < sizeof(s)) {
		n += (size_t)snprintf(s + n, sizeof(s) - n, "key%u=value-%u-abcdefghijkl ", words,
				      words);
		words++;
	}
	parse(s);
	cr_assert_gt(cl.nargs, 10);
	cr_assert_lt(cl.nargs, words);
	cr_assert_eq(cl.nargs + cl.dropped, words, "kept %u + dropped %u != %u words", cl.nargs,
		     cl.dropped, words);
	for (unsigned i = 0; i < cl.nargs; i++) {
		char k[16], v[48];
		snprintf(k, sizeof(k), "key%u", i);
		snprintf(v, sizeof(v), "value-%u-abcdefghijkl", i);
		expect_arg(i, k, v);
	}
}

Test(cmdline, one_word_longer_than_the_buffer)
{
	static char s[CMDLINE_MAX_LEN * 2 + 16];

	memset(s, 'x', sizeof(s) - 1);
	s[2] = '=';
	parse(s);
	cr_assert_eq(cl.nargs, 0);
	cr_assert_eq(cl.dropped, 1);

	/* A word that does not fit does not stop the short ones after it. */
	memcpy(s + sizeof(s) - 12, " after=yes", 10);
	s[sizeof(s) - 2] = '\0';
	parse(s);
	cr_assert_eq(cl.dropped, 1);
	cr_assert_eq(cl.nargs, 1);
	expect_arg(0, "after", "yes");
}

/*
 * A quoted value with spaces that does not fit must be dropped whole: not kept cut short at a
 * space inside the quotes, and its quoted remainder must not come back as words of its own.
 */
Test(cmdline, dropped_quoted_word_leaves_no_fragment)
{
	static char s[CMDLINE_MAX_LEN * 3];
	size_t n;

	n = (size_t)snprintf(s, sizeof(s), "first=1 long=\"");
	for (unsigned i = 0; n + 64 < sizeof(s) - 64; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "w%u ", i);
	snprintf(s + n, sizeof(s) - n, "end\" last=2");
	parse(s);
	cr_assert_eq(cl.dropped, 1, "dropped %u", cl.dropped);
	cr_assert_eq(cl.nargs, 2, "nargs %u, args[1] \"%s\"", cl.nargs,
		     cl.nargs > 1 ? cl.args[1].key : "");
	expect_arg(0, "first", "1");
	expect_arg(1, "last", "2");
}

Test(cmdline, quoted_value_cut_at_a_space_is_not_kept)
{
	static const char value[] = "aaaa bbbb cccc tail";
	static char s[CMDLINE_MAX_LEN + 64];

	/* Move the end of the buffer across every byte of the quoted value. */
	for (size_t pad = CMDLINE_MAX_LEN - 40; pad < CMDLINE_MAX_LEN; pad++) {
		bool kept = false;

		snprintf(s, sizeof(s), "pad=%0*d v=\"%s\" w=1", (int)pad, 0, value);
		parse(s);
		for (unsigned i = 0; i < cl.nargs; i++) {
			if (strcmp(cl.args[i].key, "v") == 0) {
				cr_assert_str_eq(cl.args[i].value, value, "pad %zu", pad);
				kept = true;
			}
		}
		cr_assert_eq(cl.nargs + cl.dropped, 3, "pad %zu: %u kept + %u dropped", pad,
			     cl.nargs, cl.dropped);
		cr_assert(kept || cl.dropped >= 1);
	}
}

/* The parser's buffer holds every kept word; cl may be reused for another line. */
Test(cmdline, reparse_resets)
{
	parse("a=1 b=2 c=3");
	cr_assert_eq(cl.nargs, 3);
	cmdline_parse(&cl, "d");
	cr_assert_eq(cl.nargs, 1);
	cr_assert_eq(cl.dropped, 0);
	cr_assert_null(cmdline_get(&cl, "a"));
}

Test(cmdline_get_uint, in_bounds)
{
	uint64_t v = 0;

	parse("loglevel=7 zero=0 hex=0x1F big=18446744073709551615");
	cr_assert(cmdline_get_uint(&cl, "loglevel", 0, 7, &v));
	cr_assert_eq(v, 7);
	cr_assert(cmdline_get_uint(&cl, "zero", 0, 7, &v));
	cr_assert_eq(v, 0);
	cr_assert(cmdline_get_uint(&cl, "hex", 0, 100, &v));
	cr_assert_eq(v, 31);
	cr_assert(cmdline_get_uint(&cl, "big", 0, UINT64_MAX, &v));
	cr_assert_eq(v, UINT64_MAX);
	cr_assert(cmdline_get_uint(&cl, "loglevel", 7, 7, &v), "min == max == value");
}

Test(cmdline_get_uint, rejects_and_leaves_out_alone)
{
	static const char *const keys[] = {
		"high", "low", "neg", "junk", "empty", "flag", "space", "over", "hexjunk", "absent",
		"hexonly", "plus",
	};

	parse("high=8 low=2 neg=-1 junk=12abc empty= flag space=\"1 \" "
	      "over=18446744073709551616 hexjunk=0xfg hexonly=0x plus=+3");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t v = 0x5a5a;

		cr_expect(!cmdline_get_uint(&cl, keys[i], 3, 7, &v), "%s accepted", keys[i]);
		cr_expect_eq(v, 0x5a5a, "%s: *out written", keys[i]);
	}
}

Test(cmdline_get_uint, last_value_counts)
{
	uint64_t v = 0;

	parse("loglevel=9 loglevel=4");
	cr_assert(cmdline_get_uint(&cl, "loglevel", 0, 7, &v));
	cr_assert_eq(v, 4);
	parse("loglevel=4 loglevel=9");
	cr_assert(!cmdline_get_uint(&cl, "loglevel", 0, 7, &v));
}

Test(cmdline_list_has, names)
{
	cr_assert(cmdline_list_has("all", "all"));
	cr_assert(cmdline_list_has("a,b,c", "a"));
	cr_assert(cmdline_list_has("a,b,c", "b"));
	cr_assert(cmdline_list_has("a,b,c", "c"));
	cr_assert(cmdline_list_has("vm_page,fault,", "fault"));
	cr_assert(!cmdline_list_has("a,b,c", "d"));
	cr_assert(!cmdline_list_has("fault", "faul"), "no prefixes");
	cr_assert(!cmdline_list_has("faul", "fault"));
	cr_assert(!cmdline_list_has("ab,bc", "b"));
	cr_assert(!cmdline_list_has("", "a"));
	cr_assert(!cmdline_list_has(NULL, "a"));
	cr_assert(!cmdline_list_has("a b,c", "b"), "lists are split on commas only");
}
