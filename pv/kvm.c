/*
 * kvm.c — KVM's paravirtual interfaces: kvmclock (a clocksource), the wall clock, steal time,
 * and PV EOI.
 *
 * Follows Linux's Documentation/virt/kvm/x86/msr.rst: MSR_KVM_SYSTEM_TIME_NEW takes the
 * 4-byte-aligned physical address of a pvclock_vcpu_time_info (bit 0: enable);
 * MSR_KVM_WALL_CLOCK_NEW makes the host write {version, sec, nsec} once; MSR_KVM_STEAL_TIME
 * takes a 64-byte-aligned struct kvm_steal_time; MSR_KVM_PV_EOI_EN a 4-byte-aligned word whose
 * bit 0 the host sets when an interrupt's EOI may be skipped. The MSR numbers, feature bits and
 * kvm_steal_time come from <asm/kvm_para.h>; the time structure is Xen's vcpu_time_info (same
 * layout; see pv/pvclock.h).
 *
 * The one idea: every structure here is written by the host at any moment, so each is read
 * under its version (even and unchanged) and each value is checked before it is believed; a
 * structure that never becomes valid disables its feature with a log line.
 *
 * Steal time and PV EOI are registered on every CPU (the boot CPU here, the others as they
 * start: kvm_ap_init). XXX: kvmclock is registered on the boot CPU only and every CPU reads its
 * record: right when the host sets PVCLOCK_TSC_STABLE_BIT, kept monotonic by the global guard
 * when it does not; a record per CPU wants reads with preemption off.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <asm/kvm_para.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/mp.h>
#include <linux/kvm_para.h>
#include <cmdline.h>
#include <console.h>
#include <mach/kern/processor.h>
#include <mach/vm/vm_param.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/kvm.h>
#include <pv/pvclock.h>

#define KVM_NCPU MAX_CPUS

/* The wall-clock record MSR_KVM_WALL_CLOCK_NEW fills (msr.rst; not in any installed header). */
struct kvm_wall_clock {
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
};
_Static_assert(sizeof(struct kvm_wall_clock) == 12, "kvm_wall_clock is 12 bytes (msr.rst)");

static struct vcpu_time_info kvmclock_ti[KVM_NCPU] __aligned(64);
static struct kvm_wall_clock kvmclock_wc __aligned(16);
static struct kvm_steal_time kvm_steal[KVM_NCPU] __aligned(64);
static uint32_t kvm_eoi_word[KVM_NCPU] __aligned(64);

static struct pvclock_guard kvmclock_guard;
static bool kvmclock_stable;	 /* host promises PVCLOCK_TSC_STABLE_BIT and sets it */
static uint64_t kvmclock_errors; /* reads that found the version stuck odd */
static uint64_t kvmclock_wc_base_ns; /* the wall clock at kvmclock system time 0 */
static bool kvmclock_wc_valid;

static bool steal_on;
static bool pv_eoi_on;
static bool steal_cpu_on[KVM_NCPU], pv_eoi_cpu_on[KVM_NCPU];
static void (*pv_eoi_slow_path)(void);
static uint64_t pv_eoi_saved_count, pv_eoi_slow_count;

/* RDTSC ordered after the version load (SDM: RDTSC is not serialising; LFENCE orders it). */
static uint64_t
kvmclock_rdtsc(void *ctx)
{
	(void)ctx;
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

static uint64_t
kvmclock_read(void)
{
	struct pvclock_snap s;
	uint64_t ns;

	if (pvclock_read(&kvmclock_ti[0], kvmclock_rdtsc, NULL, &s) != 0) {
		/* The host left the version odd: hand out the last time given, never less. */
		__atomic_fetch_add(&kvmclock_errors, 1, __ATOMIC_RELAXED);
		return __atomic_load_n(&kvmclock_guard.pg_last, __ATOMIC_RELAXED);
	}
	ns = pvclock_snap_ns(&s);
	if (kvmclock_stable && (s.ps_flags & PVCLOCK_TSC_STABLE_BIT))
		return ns;
	return pvclock_guard_apply(&kvmclock_guard, ns);
}

static uint64_t
kvmclock_tsc_hz(void)
{
	struct pvclock_snap s;

	if (pvclock_read(&kvmclock_ti[0], kvmclock_rdtsc, NULL, &s) != 0)
		return 0;
	return pvclock_tsc_khz(s.ps_mul, s.ps_shift) * 1000;
}

static struct clocksource kvmclock_cs = {
	.cs_name = "kvmclock",
	.cs_rating = CS_RATING_KVMCLOCK,
	.cs_read_ns = kvmclock_read,
	.cs_tsc_hz = kvmclock_tsc_hz,
};

bool
kvmclock_tsc_stable(void)
{
	return kvmclock_stable;
}

uint64_t
kvmclock_clamped(void)
{
	return __atomic_load_n(&kvmclock_guard.pg_clamped, __ATOMIC_RELAXED);
}

bool
kvmclock_wallclock_ns(uint64_t *ns)
{
	if (!kvmclock_wc_valid)
		return false;
	*ns = kvmclock_wc_base_ns + kvmclock_read();
	return true;
}

/* Ask the host for the wall clock at system time 0 (msr.rst: MSR_KVM_WALL_CLOCK_NEW). */
static void
kvmclock_read_wallclock(void)
{
	volatile struct kvm_wall_clock *wc = &kvmclock_wc;
	uint32_t v, sec = 0, nsec = 0;
	int tries;

	wrmsr(MSR_KVM_WALL_CLOCK_NEW, kvtophys(&kvmclock_wc));
	for (tries = 0; tries < 1000; tries++) {
		v = __atomic_load_n(&wc->wc_version, __ATOMIC_ACQUIRE);
		if (v & 1)
			continue;
		sec = wc->wc_sec;
		nsec = wc->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&wc->wc_version, __ATOMIC_RELAXED) == v)
			break;
	}
	if (tries == 1000 || nsec >= 1000000000u) {
		klog(LOG_WARNING, "kvmclock: the wall clock record is unusable (nsec %u)\n", nsec);
		return;
	}
	kvmclock_wc_base_ns = (uint64_t)sec * 1000000000u + nsec;
	kvmclock_wc_valid = true;
}

int
kvmclock_register(void)
{
	volatile struct vcpu_time_info *ti = &kvmclock_ti[0];
	struct pvclock_snap s;
	uint64_t khz;

	if (!hv_kvm_has(KVM_FEATURE_CLOCKSOURCE2)) {
		printf("kvmclock: not offered (KVM_FEATURE_CLOCKSOURCE2 clear)\n");
		return -1;
	}
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, kvtophys(&kvmclock_ti[0]) | KVM_MSR_ENABLED);
	if (pvclock_read(ti, kvmclock_rdtsc, NULL, &s) != 0 || ti->version == 0 ||
	    s.ps_mul == 0 || s.ps_shift < -31 || s.ps_shift > 31) {
		klog(LOG_ERR, "kvmclock: the host did not fill the time area (version %u, mul %#x, "
			      "shift %d); not used\n", ti->version, s.ps_mul, s.ps_shift);
		wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
		return -1;
	}
	kvmclock_stable = hv_kvm_has(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) &&
			  (s.ps_flags & PVCLOCK_TSC_STABLE_BIT);
	khz = pvclock_tsc_khz(s.ps_mul, s.ps_shift);
	kvmclock_cs.cs_resolution_ns = MAX((uint64_t)1, pvclock_scale(1, s.ps_mul, s.ps_shift));
	printf("kvmclock: cpu 0 at %#llx, TSC %llu kHz (mul %#x shift %d), %s\n",
	       (unsigned long long)kvtophys(&kvmclock_ti[0]), (unsigned long long)khz, s.ps_mul,
	       s.ps_shift, kvmclock_stable ? "TSC stable" : "TSC not stable: monotonic guard on");
	kvmclock_read_wallclock();
	return clocksource_register(&kvmclock_cs);
}

/* ---- steal time ---- */

/* Register this CPU's steal-time area; the first CPU to do so says so on the console. */
static void
kvm_steal_register_cpu(unsigned cpu)
{
	wrmsr(MSR_KVM_STEAL_TIME, kvtophys(&kvm_steal[cpu]) | KVM_MSR_ENABLED);
	__atomic_store_n(&steal_cpu_on[cpu], true, __ATOMIC_RELEASE);
}

int
kvm_steal_register(void)
{
	if (!hv_kvm_has(KVM_FEATURE_STEAL_TIME))
		return -1;
	kvm_steal_register_cpu(current_cpu());
	steal_on = true;
	processor_set_steal_source(kvm_steal_ns);
	printf("steal: time registered for cpu %u at %#llx\n", current_cpu(),
	       (unsigned long long)kvtophys(&kvm_steal[current_cpu()]));
	return 0;
}

bool
kvm_steal_enabled(void)
{
	return steal_on;
}

bool
kvm_steal_enabled_on(unsigned cpu)
{
	return cpu < KVM_NCPU && __atomic_load_n(&steal_cpu_on[cpu], __ATOMIC_ACQUIRE);
}

uint64_t
kvm_steal_ns(unsigned cpu)
{
	volatile struct kvm_steal_time *st;
	uint32_t v;
	uint64_t steal;

	if (!kvm_steal_enabled_on(cpu))
		return 0;
	st = &kvm_steal[cpu];
	for (int tries = 0; tries < 1000; tries++) {
		v = __atomic_load_n(&st->version, __ATOMIC_ACQUIRE);
		if (v & 1)
			continue;
		steal = st->steal;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&st->version, __ATOMIC_RELAXED) == v)
			return steal;
	}
	return 0;
}

/* ---- PV EOI ---- */

/*
 * The host sets bit 0 of a CPU's word when it injects an interrupt whose EOI has no effect it
 * must see (no other interrupt pending behind it, not level-triggered): clearing the bit is
 * then the whole EOI. Otherwise the APIC write (and its VM exit) is still needed. An EOI runs
 * on the CPU that took the interrupt, so it uses that CPU's word; a CPU that has not
 * registered one (yet) always writes the APIC.
 */
static void
kvm_pv_eoi(void)
{
	unsigned cpu = current_cpu();

	if (__atomic_load_n(&pv_eoi_cpu_on[cpu], __ATOMIC_RELAXED) &&
	    (__atomic_fetch_and(&kvm_eoi_word[cpu], ~(uint32_t)KVM_PV_EOI_MASK,
				__ATOMIC_ACQ_REL) & KVM_PV_EOI_MASK)) {
		__atomic_fetch_add(&pv_eoi_saved_count, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&pv_eoi_slow_count, 1, __ATOMIC_RELAXED); /* any CPU */
	pv_eoi_slow_path();
}

static void
kvm_pv_eoi_register_cpu(unsigned cpu)
{
	kvm_eoi_word[cpu] = 0;
	wrmsr(MSR_KVM_PV_EOI_EN, kvtophys(&kvm_eoi_word[cpu]) | KVM_PV_EOI_ENABLED);
	__atomic_store_n(&pv_eoi_cpu_on[cpu], true, __ATOMIC_RELEASE);
}

int
kvm_pv_eoi_register(void)
{
	if (!hv_kvm_has(KVM_FEATURE_PV_EOI))
		return -1;
	pv_eoi_slow_path = intr_eoi;
	kvm_pv_eoi_register_cpu(current_cpu());
	intr_eoi = kvm_pv_eoi;
	pv_eoi_on = true;
	printf("pv-eoi: enabled for cpu %u at %#llx\n", current_cpu(),
	       (unsigned long long)kvtophys(&kvm_eoi_word[current_cpu()]));
	return 0;
}

/* ---- PV unhalt: waking a halted vCPU with KVM_HC_KICK_CPU ---- */

static bool pv_unhalt_on;
static bool kvm_hc_amd; /* vmmcall (AMD SVM) rather than vmcall (Intel VMX) */

long kvm_hypercall2_vmcall(unsigned long nr, unsigned long a0, unsigned long a1);
long kvm_hypercall2_vmmcall(unsigned long nr, unsigned long a0, unsigned long a1);

/* A two-argument KVM hypercall with this CPU's instruction (kvm_hypercall.S): KVM would
 * otherwise rewrite our text; a fault comes back as a negative vector, not a panic. */
static long
kvm_hypercall2(unsigned long nr, unsigned long a0, unsigned long a1)
{
	return kvm_hc_amd ? kvm_hypercall2_vmmcall(nr, a0, a1) : kvm_hypercall2_vmcall(nr, a0, a1);
}

/* mp's kick: KVM_HC_KICK_CPU(flags 0, APIC ID) makes the halted vCPU runnable. */
static bool
kvm_kick(uint32_t apic_id)
{
	long r = kvm_hypercall2(KVM_HC_KICK_CPU, 0, apic_id);

	if (r != 0) {
		/* Not expected once the feature is offered: fall back to IPIs for good. -15 is
		 * a page fault: the hypervisor tried to rewrite the instruction (PVM does). */
		klog(LOG_WARNING, "pv-unhalt: KVM_HC_KICK_CPU returned %ld%s; using IPIs\n", r,
		     r == -(T_PAGEFLT + 1) ? " (a page fault: the hypervisor rewrites hypercalls)"
					    : "");
		mp_set_kick(NULL);
		pv_unhalt_on = false;
		return false;
	}
	return true;
}

int
kvm_pv_unhalt_register(void)
{
	uint32_t r[4];

	if (!hv_kvm_has(KVM_FEATURE_PV_UNHALT) || cmdline_has(&boot_cmdline, "nopvunhalt"))
		return -1;
	cpuid(0, 0, r); /* vendor: "AuthenticAMD" is ebx "Auth", edx "enti", ecx "cAMD" */
	kvm_hc_amd = r[1] == 0x68747541u && r[3] == 0x69746e65u && r[2] == 0x444d4163u;
	mp_set_kick(kvm_kick);
	pv_unhalt_on = true;
	printf("pv-unhalt: idle CPUs are woken with KVM_HC_KICK_CPU (%s)\n",
	       kvm_hc_amd ? "vmmcall" : "vmcall");
	return 0;
}

bool
kvm_pv_unhalt_enabled(void)
{
	return pv_unhalt_on;
}

void
kvm_ap_init(unsigned cpu)
{
	if (cpu >= KVM_NCPU)
		return;
	if (steal_on)
		kvm_steal_register_cpu(cpu);
	if (pv_eoi_on)
		kvm_pv_eoi_register_cpu(cpu);
}

bool
kvm_pv_eoi_enabled(void)
{
	return pv_eoi_on;
}

uint64_t
kvm_pv_eoi_saved(void)
{
	return pv_eoi_saved_count;
}

uint64_t
kvm_pv_eoi_slow(void)
{
	return pv_eoi_slow_count;
}
