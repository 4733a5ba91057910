/*
 * mp_ktest.c — every enabled CPU of the MADT answered INIT-SIPI-SIPI and came online.
 */
#include <arch/x86_64/mp.h>
#include <iokit/acpi_platform.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/processor.h>
#include <mach/kern/thread.h>

KTEST(mp_all_cpus_online)
{
	unsigned enabled = 0;

	if (!acpi_info.ai_has_madt)
		KT_SKIP("no MADT");
	for (uint32_t i = 0; i < acpi_info.ai_ncpus; i++)
		if (acpi_info.ai_cpus[i].ac_flags & ACPI_CPU_ENABLED)
			enabled++;
	printf("# %u cpus enabled in the MADT, %u online\n", enabled, mp_cpus_online());
	KT_ASSERT_EQ(mp_cpus_online(), MIN(enabled, (unsigned)MAX_CPUS));
	/* Each CPU set its GS base to its own processor, schedules, and this thread, bound to
	 * it in turn, sees it through %gs. */
	for (unsigned i = 0; i < mp_cpus_online(); i++) {
		struct processor *was;
		bool here;

		KT_ASSERT(processor_array[i].p_online);
		if (!processor_array[i].p_sched_on)
			continue; /* parked (mp.c under Xen) */
		KT_ASSERT(processor_array[i].p_self == &processor_array[i]);
		KT_ASSERT_EQ(processor_array[i].p_cpu, i);
		was = thread_bind(&processor_array[i]);
		here = current_processor() == &processor_array[i] && current_cpu() == i;
		(void)thread_bind(was);
		KT_ASSERT(here);
	}
}
