/*
 * console_ktest.c — console selection (console=) with throw-away sinks, and the message buffer.
 */
#include <arch/x86_64/com.h>
#include <cmdline.h>
#include <console.h>
#include <ktest.h>

static unsigned test_a_bytes, test_b_bytes;

static void
test_a_write(const char *s, size_t n)
{
	test_a_bytes += n;
}

static void
test_b_write(const char *s, size_t n)
{
	test_b_bytes += n;
}

KTEST(console_select_and_msgbuf)
{
	static struct console_sink a = { .cs_name = "ktest-a", .cs_write = test_a_write };
	static struct console_sink b = { .cs_name = "ktest-b", .cs_write = test_b_write };
	const char *only_a[] = { "ktest-a", "ttyS0" };
	const char *missing[] = { "no-such-console" };
	char tail[32];

	console_register(&a);
	console_register(&b);
	KT_ASSERT_EQ(console_select(only_a, 2), com_present() ? 2 : 1); /* no COM1 under Xen */
	printf("# console selection: to a and ttyS0\n");
	KT_ASSERT(test_a_bytes > 0);
	KT_ASSERT_EQ(test_b_bytes, 0);
	/* Nothing named exists: every sink speaks rather than none. */
	KT_ASSERT_EQ(console_select(missing, 1), 0);
	printf("# console selection: to all\n");
	KT_ASSERT(test_b_bytes > 0);
	KT_ASSERT(console_msgbuf_read(tail, sizeof(tail)) == sizeof(tail));
	KT_ASSERT(memcmp(tail + sizeof(tail) - 5, " all\n", 5) == 0);
	/* Back to what the command line chose, without the test sinks. */
	console_unregister(&a);
	console_unregister(&b);
	console_select_cmdline(&boot_cmdline);
}
