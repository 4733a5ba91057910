/*
 * mp.h — starting the application processors (Intel SDM Vol. 3A §8.4, MP initialisation).
 */
#ifndef _ARCH_X86_64_MP_H_
#define _ARCH_X86_64_MP_H_

#include <libkern/libkern.h>

/*
 * mp_start: start every enabled CPU of the MADT other than this one with INIT-SIPI-SIPI, give
 * each its own GDT, TSS and stacks, load the shared IDT, enable its local APIC and tick, and
 * make it schedule. Allocates the reschedule and TLB-shootdown IPI vectors first.
 * Boot CPU, after lapic_init(), timer_start() and sched_init(), interrupts on. A CPU that does
 * not answer within 100 ms is logged and left alone.
 */
void mp_start(void);
/*
 * mp_ipi_send: send a fixed interrupt on vector to online CPU cpu (processor index). Any
 * context. Panics for a CPU that is not online (a kernel bug).
 */
void mp_ipi_send(unsigned cpu, unsigned vector);
/*
 * mp_resched_ipi: make CPU cpu look at its AST (the scheduler, sched lock held): a reschedule
 * IPI, or — when the CPU is halted in its idle loop and a kick is set — the kick, which makes
 * its hlt return without an interrupt (the idle loop then finds the AST itself).
 */
void mp_resched_ipi(unsigned cpu);
/*
 * mp_set_kick: fn(apic_id) wakes a halted CPU without an interrupt (pv/kvm.c: KVM_HC_KICK_CPU)
 * and returns true, or false to have the IPI sent instead; NULL: IPIs only. Any time.
 */
void mp_set_kick(bool (*fn)(uint32_t apic_id));
/* CPUs running (the boot CPU included). */
unsigned mp_cpus_online(void);
/*
 * mp_set_ap_hook: fn(cpu) runs on each application processor as it starts (interrupts off,
 * its APIC set up, before it schedules or ticks): per-CPU paravirtual registrations
 * (pv/kvm.c). Boot CPU, before mp_start().
 */
void mp_set_ap_hook(void (*fn)(unsigned cpu));
/*
 * mp_stop_others: for panic — send an NMI to every other online CPU, each of which halts for
 * good in mp_stopped_here() (the NMI handler calls it while a panic is in progress), so the
 * report is the last thing any CPU does. Waits up to wait_ns for them; interrupts off, no
 * locks taken. Returns how many CPUs have stopped.
 */
unsigned mp_stop_others(uint64_t wait_ns);
__noreturn void mp_stopped_here(void);

#endif /* _ARCH_X86_64_MP_H_ */
