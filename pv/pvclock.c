/*
 * pvclock.c — reading the paravirtual clock structure that KVM and Xen keep per vCPU.
 *
 * Follows the contract in Xen's public xen.h (struct vcpu_time_info: "Updates ... are preceded
 * and followed by an increment of 'version'"; time = system_time + ((tsc - tsc_timestamp) <<
 * tsc_shift) * tsc_to_system_mul >> 32) and KVM's Documentation/virt/kvm/x86/msr.rst
 * (MSR_KVM_SYSTEM_TIME_NEW: same structure, PVCLOCK_TSC_STABLE_BIT in flags).
 *
 * The one idea: the structure is read like a seqlock — version, fields, version again — and the
 * TSC is read between the two version reads, so the TSC and the scale belong together. When the
 * host does not promise a stable TSC, a global high-water mark keeps time from stepping back
 * when a thread moves between vCPUs.
 */
#include <pv/pvclock.h>

uint64_t
pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= (unsigned)-shift;
	else
		delta <<= (unsigned)shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t
pvclock_snap_ns(const struct pvclock_snap *s)
{
	return s->ps_system_time + pvclock_scale(s->ps_tsc - s->ps_tsc_timestamp, s->ps_mul,
						 s->ps_shift);
}

int
pvclock_read(const volatile struct vcpu_time_info *ti, uint64_t (*read_tsc)(void *ctx),
	     void *ctx, struct pvclock_snap *snap)
{
	struct pvclock_snap s;
	uint32_t v;

	for (unsigned tries = 0; tries < PVCLOCK_READ_TRIES; tries++) {
		v = __atomic_load_n(&ti->version, __ATOMIC_ACQUIRE);
		if (v & 1)
			continue;
		s.ps_tsc = read_tsc(ctx);
		s.ps_tsc_timestamp = ti->tsc_timestamp;
		s.ps_system_time = ti->system_time;
		s.ps_mul = ti->tsc_to_system_mul;
		s.ps_shift = ti->tsc_shift;
		s.ps_flags = ti->flags;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&ti->version, __ATOMIC_RELAXED) == v) {
			*snap = s;
			return 0;
		}
	}
	return -1;
}

uint64_t
pvclock_tsc_khz(uint32_t mul, int8_t shift)
{
	uint64_t khz;

	if (mul == 0)
		return 0;
	khz = ((uint64_t)1000000 << 32) / mul;
	if (shift < 0)
		khz <<= (unsigned)-shift;
	else
		khz >>= (unsigned)shift;
	return khz;
}

uint64_t
pvclock_guard_apply(struct pvclock_guard *g, uint64_t ns)
{
	uint64_t last = __atomic_load_n(&g->pg_last, __ATOMIC_RELAXED);

	do {
		if (ns < last) {
			__atomic_fetch_add(&g->pg_clamped, 1, __ATOMIC_RELAXED);
			return last;
		}
	} while (!__atomic_compare_exchange_n(&g->pg_last, &last, ns, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return ns;
}
