/*
 * pvclock.h — the paravirtual clock shared by KVM (kvmclock) and Xen: reading a vcpu_time_info
 * consistently and turning a TSC value into nanoseconds. Portable (host unit tests build it).
 *
 * KVM's pvclock_vcpu_time_info and Xen's vcpu_time_info are one layout (KVM adopted Xen's); the
 * Xen public header defines it, so both clocks use `struct vcpu_time_info` from there.
 */
#ifndef _PV_PVCLOCK_H_
#define _PV_PVCLOCK_H_

#include <libkern/libkern.h>
#include <pv/xen_public.h>

/* flags bits (Linux's PVCLOCK_* and Xen's XEN_PVCLOCK_* have the same values). */
#define PVCLOCK_TSC_STABLE_BIT	XEN_PVCLOCK_TSC_STABLE_BIT
#define PVCLOCK_GUEST_STOPPED	XEN_PVCLOCK_GUEST_STOPPED

/* Reads of an odd (being-updated) version before pvclock_read() gives up. */
#define PVCLOCK_READ_TRIES	1000000

/* A consistent copy of the fields that matter, taken under one even version. */
struct pvclock_snap {
	uint64_t ps_tsc;	   /* the TSC value read inside the version window */
	uint64_t ps_tsc_timestamp;
	uint64_t ps_system_time;
	uint32_t ps_mul;
	int8_t ps_shift;
	uint8_t ps_flags;
};

/*
 * pvclock_scale: delta TSC ticks in nanoseconds, the hypervisor's way: shift delta left by
 * shift (right when negative), then multiply by mul as a 32.32 fixed-point fraction, with a
 * 128-bit intermediate product so no bits are lost.
 */
uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift);

/* System time of a snapshot: system_time + scale(tsc - tsc_timestamp), modulo 2^64. */
uint64_t pvclock_snap_ns(const struct pvclock_snap *s);

/*
 * pvclock_read: copy ti under a stable, even version, reading the TSC inside the window with
 * read_tsc(ctx). Retries while the version is odd or changes under the copy (a torn update).
 *   Returns: 0 with *snap filled, or -1 when the version stayed odd for PVCLOCK_READ_TRIES
 *   reads (a broken hypervisor; *snap untouched).
 */
int pvclock_read(const volatile struct vcpu_time_info *ti, uint64_t (*read_tsc)(void *ctx),
		 void *ctx, struct pvclock_snap *snap);

/*
 * The TSC frequency in kHz that mul and shift describe: ((10^9 << 32) / mul) >> shift, as the
 * Xen header documents. 0 for mul == 0.
 */
uint64_t pvclock_tsc_khz(uint32_t mul, int8_t shift);

/*
 * A monotonic guard: the largest time handed out so far, shared by all CPUs. Needed when the
 * hypervisor does not promise PVCLOCK_TSC_STABLE_BIT: each vCPU's clock is then only monotonic
 * on its own, and two CPUs' clocks may disagree by a little.
 */
struct pvclock_guard {
	uint64_t pg_last;
	uint64_t pg_clamped; /* reads that would have gone backwards (a statistic) */
};

/*
 * pvclock_guard_apply: max(ns, the largest value any caller has got), recording ns as the new
 * largest. Lock-free (compare-and-swap); any context, any CPU.
 */
uint64_t pvclock_guard_apply(struct pvclock_guard *g, uint64_t ns);

#endif /* _PV_PVCLOCK_H_ */
