/*
 * ktest.h — in-kernel self-tests. A test is a function declared with KTEST(name); the linker
 * gathers them in the .ktest section and `ktest=all|name[,name]` on the command line runs them.
 *
 * Each test reports `ok N - name` or `not ok N - name`; the run ends with `N passed, N failed`
 * and leaves QEMU through isa-debug-exit (ARCHITECTURE.md, "Interfaces"). `all` runs every test
 * not marked KTEST_EXPLICIT in link order; a list runs the named tests in its own order.
 */
#ifndef _KERNEL_KTEST_H_
#define _KERNEL_KTEST_H_

#include <libkern/libkern.h>

struct ktest_ctx {
	bool failed;
	bool skipped;
};

struct ktest {
	const char *kt_name;
	void (*kt_fn)(struct ktest_ctx *kt_ctx);
	unsigned kt_flags;
};

/* Run only when named: a test that ends the run (e.g. a deliberate panic). */
#define KTEST_EXPLICIT 0x1

#define KTEST_F(name, flags)                                                                    \
	static void ktest_fn_##name(struct ktest_ctx *kt_ctx);                                   \
	static const struct ktest ktest_rec_##name                                               \
	    __attribute__((section(".ktest"), used, aligned(8))) = { #name, ktest_fn_##name,    \
								      flags };                   \
	static void ktest_fn_##name(struct ktest_ctx *kt_ctx)

#define KTEST(name) KTEST_F(name, 0)

void ktest_fail(struct ktest_ctx *ctx, const char *file, int line, const char *what);

#define KT_ASSERT(cond)                                                                         \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			ktest_fail(kt_ctx, __FILE__, __LINE__, #cond);                           \
			return;                                                                 \
		}                                                                               \
	} while (0)

#define KT_ASSERT_EQ(a, b)                                                                      \
	do {                                                                                    \
		uint64_t kt_a_ = (uint64_t)(a), kt_b_ = (uint64_t)(b);                           \
		if (kt_a_ != kt_b_) {                                                           \
			ktest_fail(kt_ctx, __FILE__, __LINE__, #a " == " #b);                    \
			printf("#   %#llx != %#llx\n", (unsigned long long)kt_a_,                   \
			       (unsigned long long)kt_b_);                                         \
			return;                                                                 \
		}                                                                               \
	} while (0)

#define KT_SKIP(why)                                                                            \
	do {                                                                                    \
		kt_ctx->skipped = true;                                                         \
		printf("# skip: %s\n", why);                                                    \
		return;                                                                         \
	} while (0)

/* Run the tests that spec names ("all" or a comma list) and end the machine with the result. */
__noreturn void ktest_run(const char *spec);

/* Tell QEMU's isa-debug-exit device (iobase 0xf4) the outcome: 0 pass, 1 fail, 2 panic. */
#define KTEST_EXIT_PASS	 0
#define KTEST_EXIT_FAIL	 1
#define KTEST_EXIT_PANIC 2
void ktest_debug_exit(unsigned code);

#endif /* _KERNEL_KTEST_H_ */
