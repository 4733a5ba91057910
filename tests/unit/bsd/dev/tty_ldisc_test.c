/*
 * tty_ldisc_test.c — unit tests for bsd/dev/tty_ldisc.c: canonical lines with CR mapped to NL,
 * erase by DEL and ^H, kill (^U), word erase (^W), ^D as end of file and as a line end, ^C and
 * ^\ raising signals and flushing, raw mode, echo (with ^X for control characters), a read
 * shorter than the line, and the queue's limits.
 */
#include <criterion/criterion.h>
#include <bsd/dev/tty_ldisc.h>
#include <string.h>

static struct tty_ldisc tl;
static char echoed[4096];
static size_t echolen;
static int lastsig;

static void
setup(void)
{
	tty_ldisc_init(&tl);
	echolen = 0;
	lastsig = 0;
}

static void
type(const char *s)
{
	struct tty_effect ef;

	for (; *s != '\0'; s++) {
		tty_ldisc_input(&tl, (uint8_t)*s, &ef);
		memcpy(echoed + echolen, ef.te_echo, ef.te_echolen);
		echolen += ef.te_echolen;
		if (ef.te_signal != 0)
			lastsig = ef.te_signal;
	}
	echoed[echolen] = '\0';
}

/* One read of up to len bytes, as a string. */
static const char *
rd(size_t len, bool *eof)
{
	static char buf[4096];
	size_t n = tty_ldisc_read(&tl, buf, len, eof);

	buf[n] = '\0';
	return buf;
}

TestSuite(tty_ldisc, .init = setup);

Test(tty_ldisc, canonical_line_waits_for_enter)
{
	bool eof;

	type("ls -l");
	cr_assert(!tty_ldisc_readable(&tl));
	cr_assert_str_eq(rd(100, &eof), "");
	type("\r");
	cr_assert(tty_ldisc_readable(&tl));
	cr_assert_str_eq(rd(100, &eof), "ls -l\n");
	cr_assert(!eof);
	cr_assert_str_eq(echoed, "ls -l\n");
	cr_assert(!tty_ldisc_readable(&tl));
}

Test(tty_ldisc, erase_with_del_and_backspace)
{
	bool eof;

	type("abX\x7f" "cY\b" "d\r");
	cr_assert_str_eq(rd(100, &eof), "abcd\n");
	cr_assert_str_eq(echoed, "abX\b \bcY\b \bd\n");
	type("\x7f\x7fz\r"); /* erase at the start of a line does nothing */
	cr_assert_str_eq(rd(100, &eof), "z\n");
}

Test(tty_ldisc, kill_and_word_erase)
{
	bool eof;

	type("rm -rf /\x15" "echo one two\x17three\r");
	cr_assert_str_eq(rd(100, &eof), "echo one three\n");
	type("word   \x17\x17x\r");
	cr_assert_str_eq(rd(100, &eof), "x\n");
}

Test(tty_ldisc, eof_alone_and_after_text)
{
	bool eof;

	type("\x04");
	cr_assert(tty_ldisc_readable(&tl));
	cr_assert_str_eq(rd(100, &eof), "");
	cr_assert(eof, "^D on an empty line is end of file");
	type("abc\x04" "def\r");
	cr_assert_str_eq(rd(100, &eof), "abc", "^D after text ends the read without a newline");
	cr_assert(!eof);
	cr_assert_str_eq(rd(100, &eof), "def\n");
	cr_assert(!tty_ldisc_readable(&tl));
}

Test(tty_ldisc, signals_flush_and_echo)
{
	bool eof;

	type("half a line\x03");
	cr_assert_eq(lastsig, 2, "^C raises SIGINT");
	cr_assert(!tty_ldisc_readable(&tl));
	cr_assert_str_eq(echoed, "half a line^C");
	type("\x1c");
	cr_assert_eq(lastsig, 3, "^\\ raises SIGQUIT");
	type("\x1a");
	cr_assert_eq(lastsig, 20, "^Z raises SIGTSTP");
	type("ok\r");
	cr_assert_str_eq(rd(100, &eof), "ok\n", "the line typed before ^C is gone");

	tl.tl_termios.c_lflag &= ~ISIG;
	lastsig = 0;
	type("\x03\r");
	cr_assert_eq(lastsig, 0);
	cr_assert_str_eq(rd(100, &eof), "\x03\n", "without ISIG ^C is a byte");
}

Test(tty_ldisc, raw_mode_and_short_reads)
{
	struct termios t = tl.tl_termios;
	bool eof;

	type("pending");
	t.c_lflag &= ~(ICANON | ECHO);
	tty_ldisc_set(&tl, &t);
	cr_assert(tty_ldisc_readable(&tl), "the edited line becomes raw input");
	cr_assert_str_eq(rd(3, &eof), "pen");
	cr_assert_str_eq(rd(100, &eof), "ding");
	type("\x7f\r");
	cr_assert_str_eq(rd(100, &eof), "\x7f\n", "raw: no editing; ICRNL still maps CR");
	cr_assert_str_eq(echoed, "pending", "no echo after ECHO went off");

	t.c_lflag |= ICANON;
	tty_ldisc_set(&tl, &t);
	type("longer line\r");
	cr_assert_str_eq(rd(6, &eof), "longer");
	cr_assert_str_eq(rd(100, &eof), " line\n", "a short read leaves the rest of the line");
}

Test(tty_ldisc, control_characters_echo_as_caret)
{
	type("a\x01" "b\x7f\x7f\r");
	cr_assert_str_eq(echoed, "a^Ab\b \b\b\b  \b\b\n");
}

Test(tty_ldisc, limits_never_overflow)
{
	static char line[3000];
	bool eof;
	size_t got = 0, n;
	char buf[5000];

	tl.tl_termios.c_lflag &= ~ECHO; /* keep this test's echo buffer small */
	memset(line, 'x', sizeof(line) - 1);
	type(line);
	type("\r");
	n = tty_ldisc_read(&tl, buf, sizeof(buf), &eof);
	cr_assert_eq(n, TTY_LINE_MAX, "the line is cut at MAX_CANON - 1 bytes plus its newline");
	cr_assert_eq(buf[n - 1], '\n');
	for (int i = 0; i < 400; i++)
		type("0123456789\r");
	while ((n = tty_ldisc_read(&tl, buf, sizeof(buf), &eof)) > 0)
		got += n;
	cr_assert_leq(got, TTY_INQ_MAX);
	cr_assert_eq(tty_ldisc_nready(&tl), 0);
	type("again\r");
	cr_assert_str_eq(rd(100, &eof), "again\n", "the queue works after filling up");
}
