/*
 * trap_test.c — self-tests of the trap path: a deliberate kernel fault (run only when named,
 * since it ends the machine with a panic) and a breakpoint-free check of the symbol table.
 */
#include <arch/x86_64/trap.h>
#include <console.h>
#include <ksyms.h>
#include <ktest.h>
#include <panic.h>

/* An address in the lower half that nothing maps: writing it must take a page fault. */
#define UNMAPPED_VA 0x00007fffdead0000ULL

void fault_deliberate_write(void);

__attribute__((noinline)) void
fault_deliberate_write(void)
{
	printf("ktest: writing to unmapped address %#llx\n", UNMAPPED_VA);
	*(volatile uint64_t *)UNMAPPED_VA = 0x6e696d627573;
	printf("ktest: the write did not fault\n");
}

KTEST_F(fault, KTEST_EXPLICIT)
{
	fault_deliberate_write();
	KT_ASSERT(!"a write to an unmapped address returned");
}

KTEST(ksyms_lookup)
{
	uint64_t off = ~0ULL;
	uint64_t addr = (uint64_t)fault_deliberate_write;
	const char *name = ksyms_lookup(addr + 3, &off);

	KT_ASSERT(name != NULL);
	KT_ASSERT(strcmp(name, "fault_deliberate_write") == 0);
	KT_ASSERT_EQ(off, 3);
	KT_ASSERT_EQ(ksyms_address("fault_deliberate_write"), addr);
	KT_ASSERT(ksyms_lookup(0x1000, &off) == NULL);
}

void panic_deliberate(void);

__attribute__((noinline)) void
panic_deliberate(void)
{
	panic("ktest: deliberate panic from %s", __func__);
}

KTEST_F(panic, KTEST_EXPLICIT)
{
	panic_deliberate();
}
