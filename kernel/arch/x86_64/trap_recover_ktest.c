/*
 * trap_recover_ktest.c — the .trap_recover table (trap.h): an instruction listed there that
 * faults resumes at its fixup with rax = -(vector + 1); the same instruction unlisted would
 * panic. Probed with ud2 (#UD, vector 6) and a write to a read-only kernel page (#PF, 14),
 * the two faults a hypervisor's hypercall emulation can produce.
 */
#include <arch/x86_64/trap.h>
#include <console.h>
#include <ktest.h>

long trk_ud2(void);
long trk_store(const volatile void *p);

__asm__(".text\n"
	".globl trk_ud2\n"
	"trk_ud2:\n"
	"	xor %eax, %eax\n"
	"1:	ud2\n"
	"2:	ret\n"
	".globl trk_store\n"
	"trk_store:\n"
	"	xor %eax, %eax\n"
	"3:	movb $0, (%rdi)\n"
	"4:	ret\n"
	".pushsection .trap_recover, \"a\"\n"
	"	.quad 1b, 2b\n"
	"	.quad 3b, 4b\n"
	".popsection\n");

static const char trk_readonly[16] = "read-only data";

KTEST(trap_recover_resumes_at_fixup)
{
	KT_ASSERT_EQ(trk_ud2(), -(long)(T_INVOP + 1));
	KT_ASSERT_EQ(trk_store(trk_readonly), -(long)(T_PAGEFLT + 1));
	KT_ASSERT_EQ(trk_readonly[0], 'r');
}
