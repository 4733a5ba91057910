/*
 * format_test.c — kernel/libkern/format.c against the host C library: ksnprintf() must print
 * what glibc's snprintf() prints, and return what it returns, for every conversion the kernel
 * supports (C11 §7.21.6.1: d i u o x X c s p %, flags "-+ #0", width, precision, '*', and the
 * length modifiers hh h l ll z j t), and must bound its buffer exactly as snprintf does.
 *
 * The one idea: the expected output is never typed by hand. Formats are generated from every
 * combination of flags, width, precision and length, and glibc is the oracle. Only behaviour C
 * leaves undefined and glibc fills in its own way ('+', ' ' or '#' with %p; a precision with a
 * null %s) is left out, and tested on its own terms.
 *
 * Also: kstrtou64() (strict decimal/hex parsing, in the same file).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libkern/libkern.h>

#define OUT_MAX 512

/* Mismatches are reported one by one (up to a limit) and then counted by the test. */
static unsigned mismatches;

static void
report(const char *fmt, const char *what, const char *k, int kn, const char *h, int hn)
{
	if (++mismatches <= 25)
		cr_log_error("format \"%s\" (%s): kernel \"%s\" (%d), libc \"%s\" (%d)", fmt,
			     what, k, kn, h, hn);
}

/*
 * Both printers, the same format and arguments, through a va_list each. Deliberately without a
 * format attribute: some formats here ("%5%", "%010p") are ones the compiler rightly warns
 * about in real code, and they are exactly the corners to hold the kernel to.
 */
static void
compare(const char *what, const char *fmt, ...)
{
	char k[OUT_MAX], h[OUT_MAX];
	va_list ap, aq;
	int kn, hn;

	memset(k, 0x5a, sizeof(k));
	memset(h, 0x5a, sizeof(h));
	va_start(ap, fmt);
	va_copy(aq, ap);
	kn = kvsnprintf(k, sizeof(k), fmt, ap);
	hn = vsnprintf(h, sizeof(h), fmt, aq);
	va_end(aq);
	va_end(ap);
	/* memcmp, not strcmp: %c may print a NUL, and the bytes after the terminator matter not. */
	if (kn != hn || kn < 0 || kn >= OUT_MAX || memcmp(k, h, (size_t)kn + 1) != 0)
		report(fmt, what, k, kn, h, hn);
}

static const char *const flag_sets[] = {
	"", "-", "+", " ", "#", "0", "-+", "- ", "-#", "-0", "+ ", "+#", "+0", " #", " 0", "#0",
	"-+ ", "-+#", "-+0", "+ #0", "- #0", "-+ #0",
};
static const char *const widths[] = { "", "1", "2", "5", "12", "25" };
static const char *const precs[] = { "", ".", ".0", ".1", ".2", ".5", ".12", ".25" };
static const char convs[] = "diuoxX";

static const int64_t signed_values[] = {
	0, 1, -1, 7, -8, 9, 10, 42, -42, 127, -128, 255, 256, 4095, 32767, -32768, 65535,
	123456789, -987654321, INT32_MAX, INT32_MIN, (int64_t)UINT32_MAX, 0x123456789abcLL,
	-0x123456789abcLL, INT64_MAX, INT64_MIN,
};

enum lng { L_HH, L_H, L_NONE, L_L, L_LL, L_Z, L_J, L_T, L_COUNT };
static const char *const lng_text[L_COUNT] = { "hh", "h", "", "l", "ll", "z", "j", "t" };

/* Pass v with the type the length modifier names, as a caller would. */
static void
compare_int(const char *fmt, enum lng l, bool is_signed, int64_t v)
{
	uint64_t u = (uint64_t)v;

	switch (l) {
	case L_HH:
		if (is_signed)
			compare("hh", fmt, (signed char)v);
		else
			compare("hh", fmt, (unsigned char)u);
		break;
	case L_H:
		if (is_signed)
			compare("h", fmt, (short)v);
		else
			compare("h", fmt, (unsigned short)u);
		break;
	case L_NONE:
		if (is_signed)
			compare("int", fmt, (int)v);
		else
			compare("unsigned", fmt, (unsigned)u);
		break;
	case L_L:
		if (is_signed)
			compare("long", fmt, (long)v);
		else
			compare("unsigned long", fmt, (unsigned long)u);
		break;
	case L_LL:
		if (is_signed)
			compare("long long", fmt, (long long)v);
		else
			compare("unsigned long long", fmt, (unsigned long long)u);
		break;
	case L_Z:
		if (is_signed)
			compare("ssize_t", fmt, (ssize_t)v);
		else
			compare("size_t", fmt, (size_t)u);
		break;
	case L_J:
		if (is_signed)
			compare("intmax_t", fmt, (intmax_t)v);
		else
			compare("uintmax_t", fmt, (uintmax_t)u);
		break;
	case L_T:
		compare("ptrdiff_t", fmt, (ptrdiff_t)v);
		break;
	default:
		cr_assert_fail("bad length %d", l);
	}
}

/* One format: every value through it, with the type its length modifier names. */
static void
compare_values(const char *fmt, enum lng l, bool sgn)
{
	for (size_t v = 0; v < ARRAY_SIZE(signed_values); v++)
		compare_int(fmt, l, sgn, signed_values[v]);
}

/* Every flag set x width x precision x length x conversion x value: about 300,000 formats. */
Test(format, integers_match_libc)
{
	char fmt[32];
	unsigned n = 0;

	mismatches = 0;
	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++) {
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				for (int l = 0; l < L_COUNT; l++) {
					for (const char *c = convs; *c != '\0'; c++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>",
							 flag_sets[f], widths[w], precs[p],
							 lng_text[l], *c);
						compare_values(fmt, (enum lng)l,
							       *c == 'd' || *c == 'i');
						n += ARRAY_SIZE(signed_values);
					}
				}
			}
		}
	}
	cr_assert_gt(n, 100000);
	cr_assert_eq(mismatches, 0, "%u of %u integer formats differ from libc", mismatches, n);
}

Test(format, star_width_and_precision)
{
	static const int stars[] = { -30, -12, -5, -1, 0, 1, 3, 7, 20 };

	mismatches = 0;
	for (size_t a = 0; a < ARRAY_SIZE(stars); a++) {
		for (size_t b = 0; b < ARRAY_SIZE(stars); b++) {
			compare("*d", "[%*d]", stars[a], -1234);
			compare("*.*x", "[%*.*x]", stars[a], stars[b], 0xbeefu);
			compare("-*.*o", "[%-*.*o]", stars[a], stars[b], 0755u);
			compare("0*.*lld", "[%0*.*lld]", stars[a], stars[b], -77LL);
			compare("*.*s", "[%*.*s]", stars[a], stars[b], "hello, world");
			compare(".*s", "[%.*s]", stars[b], "abc");
			compare("*c", "[%*c]", stars[a], 'q');
		}
	}
	cr_assert_eq(mismatches, 0);
}

Test(format, strings_and_chars)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string of text",
					    "tab\there" };
	static const char *const sfmts[] = { "[%s]", "[%10s]", "[%-10s]", "[%.0s]", "[%.3s]",
					     "[%8.3s]", "[%-8.3s]", "[%.40s]", "[%3s]", "[%-1s]" };
	static const char *const cfmts[] = { "[%c]", "[%5c]", "[%-5c]", "[%1c]" };
	static const int chars[] = { 'a', 'Z', ' ', '%', '\n', 0x7f, 0xff, 0 };

	mismatches = 0;
	for (size_t f = 0; f < ARRAY_SIZE(sfmts); f++)
		for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
			compare("s", sfmts[f], strs[s]);
	for (size_t f = 0; f < ARRAY_SIZE(cfmts); f++)
		for (size_t c = 0; c < ARRAY_SIZE(chars); c++)
			compare("c", cfmts[f], chars[c]);
	compare("mix", "%s=%d (%c) %x%%", "key", -5, 'k', 255u);
	compare("percent", "100%% [%5%] [%-3%]");
	compare("plain", "no conversions at all");
	compare("empty", "%s", "");
	cr_assert_eq(mismatches, 0);
}

/* A null %s prints "(null)", as glibc does; with a precision C and glibc part ways. */
Test(format, null_string)
{
	const char *volatile null = NULL; /* volatile: keep the compiler's null check out */
	char buf[64];

	mismatches = 0;
	compare("null s", "[%s]", null);
	compare("null s", "[%10s]", null);
	compare("null s", "[%-10s]", null);
	compare("null s", "[%.6s]", null);
	cr_assert_eq(mismatches, 0);
	cr_assert_eq(ksnprintf(buf, sizeof(buf), "%.3s", null), 3);
	cr_assert(strncmp(buf, "(null)", 3) == 0, "got \"%s\"", buf);
}

Test(format, pointers)
{
	static const uintptr_t ptrs[] = { 1, 0x1234, 0xdeadbeef, 0xffff800000000000ULL,
					  0xffffffff80100000ULL, UINTPTR_MAX };
	static const char *const pfmts[] = { "[%p]", "[%20p]", "[%-20p]", "[%020p]", "[%.16p]",
					     "[%3p]", "[%-3p]", "[%24.16p]" };

	mismatches = 0;
	for (size_t f = 0; f < ARRAY_SIZE(pfmts); f++) {
		for (size_t p = 0; p < ARRAY_SIZE(ptrs); p++)
			compare("p", pfmts[f], (void *)ptrs[p]);
	}
	/* glibc prints a null pointer as "(nil)", padded but never zero-filled. */
	compare("nil", "[%p]", NULL);
	compare("nil", "[%10p]", NULL);
	compare("nil", "[%-10p]", NULL);
	compare("nil", "[%010p]", NULL);
	cr_assert_eq(mismatches, 0);
}

/* Every buffer size from 0 to past the output: the same bytes, the same return, no overrun. */
Test(format, truncation)
{
	static const char fmt[] = "%s|%08x|%-6d|%c|%p";
	char k[80], h[80];

	for (size_t size = 0; size < 60; size++) {
		int kn, hn;

		memset(k, 0x5a, sizeof(k));
		memset(h, 0x5a, sizeof(h));
		kn = ksnprintf(k, size, fmt, "truncate me", 0xabcdu, -12, 'z', (void *)0x1000);
		hn = snprintf(h, size, fmt, "truncate me", 0xabcdu, -12, 'z', (void *)0x1000);
		cr_assert_eq(kn, hn, "size %zu: returned %d, libc %d", size, kn, hn);
		cr_assert(memcmp(k, h, sizeof(k)) == 0, "size %zu: \"%.*s\" vs \"%.*s\"", size,
			  (int)size, k, (int)size, h);
		for (size_t i = size; i < sizeof(k); i++)
			cr_assert_eq(k[i], 0x5a, "size %zu: byte %zu written", size, i);
	}
	cr_assert_eq(ksnprintf(NULL, 0, "%d items", 12345), 11);
}

/* A width as large as the parser accepts must not overflow anything and must count right. */
Test(format, huge_width_counts)
{
	char buf[16];
	int n = ksnprintf(buf, sizeof(buf), "%5000d", 7);

	cr_assert_eq(n, 5000);
	cr_assert_str_eq(buf, "               ");
	n = ksnprintf(buf, sizeof(buf), "%.3000u|", 1u);
	cr_assert_eq(n, 3001);
	cr_assert_str_eq(buf, "000000000000000");
}

/* kvformat hands the sink runs of bytes; their concatenation is the output. */
struct collect {
	char buf[256];
	size_t len;
	unsigned calls;
};

static void
collect_sink(void *arg, const char *s, size_t n)
{
	struct collect *c = arg;

	cr_assert(n > 0, "the sink was called with nothing");
	cr_assert_lt(c->len + n, sizeof(c->buf));
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->calls++;
}

static int
format_collect(struct collect *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvformat(collect_sink, c, fmt, ap);
	va_end(ap);
	return n;
}

Test(format, sink_receives_everything)
{
	struct collect c = { .len = 0 };
	int n = format_collect(&c, "a%sb%-4dc%%%5xd", "XYZ", 12, 0xffu);

	cr_assert_eq(n, (int)c.len);
	cr_assert(c.calls > 1);
	c.buf[c.len] = '\0';
	cr_assert_str_eq(c.buf, "aXYZb12  c%   ffd");
}

/* A lone '%' at the end is printed rather than dropped (and reads no argument). */
Test(format, trailing_percent)
{
	char buf[32];

	cr_assert_eq(ksnprintf(buf, sizeof(buf), "%s", "50%"), 3);
	cr_assert_str_eq(buf, "50%");
}

Test(kstrtou64, decimal)
{
	uint64_t v = 99;

	cr_assert(kstrtou64("0", 1, 10, &v));
	cr_assert_eq(v, 0);
	cr_assert(kstrtou64("1234567890", 10, 10, &v));
	cr_assert_eq(v, 1234567890);
	cr_assert(kstrtou64("18446744073709551615", 20, 10, &v));
	cr_assert_eq(v, UINT64_MAX);
	cr_assert(kstrtou64("123junk", 3, 10, &v), "only len bytes are read");
	cr_assert_eq(v, 123);
}

Test(kstrtou64, hex)
{
	uint64_t v = 0;

	cr_assert(kstrtou64("ff", 2, 16, &v));
	cr_assert_eq(v, 0xff);
	cr_assert(kstrtou64("0xDeadBeef", 10, 16, &v));
	cr_assert_eq(v, 0xdeadbeef);
	cr_assert(kstrtou64("0XffffFFFFffffFFFF", 18, 16, &v));
	cr_assert_eq(v, UINT64_MAX);
}

Test(kstrtou64, rejects)
{
	static const struct {
		const char *s;
		unsigned base;
	} bad[] = {
		{ "", 10 },	  { "-1", 10 },	 { "+1", 10 },	  { "1 ", 10 },	   { " 1", 10 },
		{ "12a", 10 },	  { "0x10", 10 }, { "0x", 16 },	   { "0xg", 16 },   { "g", 16 },
		{ "18446744073709551616", 10 },	 { "99999999999999999999", 10 },
		{ "0x10000000000000000", 16 },	 { "12", 8 },	   { "12", 0 },	   { "1", 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 0x5a5a;

		cr_expect(!kstrtou64(bad[i].s, strlen(bad[i].s), bad[i].base, &v),
			  "\"%s\" base %u accepted", bad[i].s, bad[i].base);
		cr_expect_eq(v, 0x5a5a, "\"%s\": *out written on failure", bad[i].s);
	}
}
