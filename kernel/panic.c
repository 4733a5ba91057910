/*
 * panic.c — the end of the line for a broken kernel invariant: say why, show where, stop.
 *
 * panic() prints `panic: <reason>`, the CPU registers and a backtrace with symbol names
 * (ARCHITECTURE.md, "Interfaces"), tells an isa-debug-exit device 2, and halts. Only one CPU
 * panics: a second one that arrives while the first is printing halts quietly. A panic inside
 * panic (a fault while walking a broken stack) prints one line and stops.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <ktest.h>
#include <panic.h>

static volatile uint32_t panicking;
static unsigned panic_cpus_stopped, panic_cpus_running;

bool
panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

static __noreturn void
panic_halt(void)
{
	ktest_debug_exit(KTEST_EXIT_PANIC);
	for (;;) {
		intr_disable();
		cpu_halt();
	}
}

static void
panic_begin(void)
{
	intr_disable();
	if (__atomic_fetch_add(&panicking, 1, __ATOMIC_SEQ_CST) != 0) {
		if (panicking == 2) {
			console_panic_mode();
			printf("panic: recursive panic; stopping\n");
		}
		panic_halt();
	}
	/* Stop the others before printing: one of them may hold the console or be about to
	 * change what the report shows. 100 ms is ample for an NMI, even on a loaded host. */
	panic_cpus_running = mp_cpus_online() - 1;
	panic_cpus_stopped = mp_stop_others(100000000ULL);
	console_panic_mode();
}

static __noreturn void
panic_common(struct trapframe *tf, const char *fmt, va_list ap)
{
	panic_begin();
	printf("\npanic: ");
	vprintf(fmt, ap);
	printf("\n");
	trap_print_registers(tf);
	backtrace_print(tf->tf_rbp, tf->tf_rip);
	if (panic_cpus_running != 0)
		printf("panic: stopped %u of %u other CPUs\n", panic_cpus_stopped,
		       panic_cpus_running);
	panic_halt();
}

void
panic(const char *fmt, ...)
{
	struct trapframe tf;
	va_list ap;

	trapframe_capture(&tf);
	va_start(ap, fmt);
	panic_common(&tf, fmt, ap);
}

void
panic_trap(struct trapframe *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(tf, fmt, ap);
}
