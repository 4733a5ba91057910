/*
 * kvm.h — KVM's paravirtual interfaces: kvmclock, steal time and PV EOI. Each is used only when
 * leaf 0x40000001 offers it (hv_kvm_has()).
 */
#ifndef _PV_KVM_H_
#define _PV_KVM_H_

#include <libkern/libkern.h>

/*
 * kvmclock_register: register this CPU's pvclock area with MSR_KVM_SYSTEM_TIME_NEW, check that
 * the host filled it in, read the wall clock (MSR_KVM_WALL_CLOCK_NEW), and register the
 * kvmclock clocksource. Boot CPU. Returns 0, or -1 when KVM offers no kvmclock or the area
 * stays empty (logged).
 */
int kvmclock_register(void);

/* The wall clock now (ns since 1970 UTC): the host's MSR_KVM_WALL_CLOCK_NEW record (the wall
 * clock at kvmclock time 0) plus kvmclock now. false when kvmclock or the record is missing. */
bool kvmclock_wallclock_ns(uint64_t *ns);

/* Whether the host promises PVCLOCK_TSC_STABLE_BIT (no guard needed), and clamped reads. */
bool kvmclock_tsc_stable(void);
uint64_t kvmclock_clamped(void);

/*
 * kvm_steal_register: register this CPU's steal-time area (MSR_KVM_STEAL_TIME) when offered,
 * and make it the scheduler's steal source (processor_set_steal_source). Boot CPU; the others
 * register theirs in kvm_ap_init(). Returns 0, or -1 when not offered (not an error: the
 * statistic stays 0).
 */
int kvm_steal_register(void);
/* Whether steal time is in use (on the boot CPU), and on CPU cpu. */
bool kvm_steal_enabled(void);
bool kvm_steal_enabled_on(unsigned cpu);
/* Nanoseconds stolen from CPU cpu so far (0 where not registered). Any CPU. */
uint64_t kvm_steal_ns(unsigned cpu);
/*
 * kvm_ap_init: on an application processor as it starts, register its own steal-time area and
 * PV EOI word when the boot CPU uses them. Interrupts off, before its tick starts.
 */
void kvm_ap_init(unsigned cpu);

/*
 * kvm_pv_eoi_register: enable PV EOI (MSR_KVM_PV_EOI_EN) when offered and switch intr_eoi to
 * the routine that skips the APIC write when the host says the EOI is not needed (each CPU
 * with its own word). Boot CPU, after lapic_init(). Returns 0, or -1 when not offered.
 */
int kvm_pv_eoi_register(void);
bool kvm_pv_eoi_enabled(void);
/* EOIs that the PV path saved (no APIC write) and those that still went to the APIC. */
uint64_t kvm_pv_eoi_saved(void);
uint64_t kvm_pv_eoi_slow(void);

/*
 * kvm_pv_unhalt_register: when KVM offers PV unhalt (KVM_FEATURE_PV_UNHALT) and the command
 * line does not say `nopvunhalt`, wake halted idle CPUs with the KVM_HC_KICK_CPU hypercall
 * instead of a reschedule IPI (mp_set_kick). Boot CPU, once. Returns 0, or -1 when not offered.
 */
int kvm_pv_unhalt_register(void);
bool kvm_pv_unhalt_enabled(void);

#endif /* _PV_KVM_H_ */
