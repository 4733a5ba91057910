/*
 * mp.h — starting the application processors (Intel SDM Vol. 3A §8.4, MP initialisation).
 */
#ifndef _ARCH_X86_64_MP_H_
#define _ARCH_X86_64_MP_H_

#include <libkern/libkern.h>

/*
 * mp_start: start every enabled CPU of the MADT other than this one with INIT-SIPI-SIPI, give
 * each its own GDT, TSS and stacks, load the shared IDT, enable its local APIC, and park it.
 * Boot CPU, after lapic_init() and the scheduler, interrupts on. A CPU that does not answer
 * within 100 ms is logged and left alone.
 * XXX: parked CPUs halt with interrupts off: the scheduler does not use them yet.
 */
void mp_start(void);
/* CPUs running (the boot CPU included). */
unsigned mp_cpus_online(void);

#endif /* _ARCH_X86_64_MP_H_ */
