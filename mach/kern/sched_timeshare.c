/*
 * sched_timeshare.c — the portable arithmetic of the time-share policy (see sched.h): usage
 * decay by 5/8 per period and the priority it yields; time-constraint admission.
 *
 * Follows XNU osfmk/kern/priority.c (compute_priority, update_priority) in spirit: usage is
 * charged per tick to the running thread, decays lazily by the number of periods passed since
 * the thread was last updated, and priority is recomputed from it. Time the hypervisor stole
 * (steal time, pv/) is not usage: a tick is charged only for the part the thread really ran.
 */
#include <mach/kern/sched.h>

uint32_t
sched_decay_usage(uint32_t usage, uint64_t periods)
{
	if (periods >= SCHED_DECAY_MAX)
		return 0;
	for (uint64_t i = 0; i < periods && usage != 0; i++)
		usage = (uint32_t)(((uint64_t)usage * 5) / 8);
	return usage;
}

int
sched_timeshare_pri(int base, uint32_t usage)
{
	uint32_t drop = usage >> SCHED_USAGE_SHIFT;
	int pri;

	if (drop > (uint32_t)NRQS)
		drop = NRQS;
	pri = base - (int)drop;
	if (pri < MINPRI + 1)
		pri = MINPRI + 1;
	return pri;
}

uint32_t
sched_charge_ticks(uint64_t *carry_ns, uint64_t tick_ns, uint64_t stolen_ns)
{
	uint32_t n;

	if (tick_ns == 0)
		return 0;
	*carry_ns += tick_ns - MIN(stolen_ns, tick_ns);
	n = (uint32_t)(*carry_ns / tick_ns);
	*carry_ns %= tick_ns;
	return n;
}

bool
sched_rt_admissible(uint64_t period, uint64_t computation, uint64_t constraint)
{
	if (computation == 0 || constraint == 0 || computation > constraint)
		return false;
	return period == 0 || constraint <= period;
}
