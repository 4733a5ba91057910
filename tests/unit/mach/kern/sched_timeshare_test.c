/*
 * sched_timeshare_test.c — unit tests of mach/kern/sched_timeshare.c: 5/8 decay per period,
 * the time-share priority computation and its limits, time-constraint admission, and XNU's
 * band values.
 */
#include <criterion/criterion.h>

#include <mach/kern/sched.h>

Test(sched_timeshare, bands_are_xnus)
{
	cr_assert_eq(BASEPRI_RTQUEUES, 97);
	cr_assert_eq(BASEPRI_REALTIME, 96);
	cr_assert_eq(MAXPRI_KERNEL, 95);
	cr_assert_eq(BASEPRI_PREEMPT, 93);
	cr_assert_eq(BASEPRI_KERNEL, 81);
	cr_assert_eq(MINPRI_KERNEL, 80);
	cr_assert_eq(MINPRI_RESERVED, 64);
	cr_assert_eq(MAXPRI_USER, 63);
	cr_assert_eq(BASEPRI_DEFAULT, 31);
}

Test(sched_timeshare, decay_is_five_eighths_per_period)
{
	cr_assert_eq(sched_decay_usage(64, 0), 64);
	cr_assert_eq(sched_decay_usage(64, 1), 40);
	cr_assert_eq(sched_decay_usage(64, 2), 25);
	cr_assert_eq(sched_decay_usage(64, 3), 15);
	cr_assert_eq(sched_decay_usage(0, 5), 0);
	cr_assert_eq(sched_decay_usage(UINT32_MAX, SCHED_DECAY_MAX), 0);
	cr_assert_eq(sched_decay_usage(UINT32_MAX, UINT64_MAX), 0);
	/* Decay composes: two steps of one equal one step of two. */
	for (uint32_t u = 0; u < 5000; u += 37)
		cr_assert_eq(sched_decay_usage(sched_decay_usage(u, 1), 1), sched_decay_usage(u, 2));
	/* Never grows. */
	for (uint32_t u = 1; u < 100000; u *= 3)
		cr_assert_leq(sched_decay_usage(u, 1), u);
}

Test(sched_timeshare, priority_from_usage)
{
	cr_assert_eq(sched_timeshare_pri(31, 0), 31);
	cr_assert_eq(sched_timeshare_pri(31, 1), 31); /* < one level */
	cr_assert_eq(sched_timeshare_pri(31, 2), 30);
	cr_assert_eq(sched_timeshare_pri(31, 20), 21);
	cr_assert_eq(sched_timeshare_pri(31, 1000), MINPRI + 1); /* never the idle priority */
	cr_assert_eq(sched_timeshare_pri(31, UINT32_MAX), MINPRI + 1);
	/* Monotonic in usage. */
	for (uint32_t u = 0; u < 200; u++)
		cr_assert_geq(sched_timeshare_pri(60, u), sched_timeshare_pri(60, u + 1));
}

Test(sched_timeshare, spinner_steady_state_and_recovery)
{
	/* A thread charged every tick settles where decay balances the charge, then recovers. */
	uint32_t u = 0;

	for (int period = 0; period < 40; period++) {
		u = sched_decay_usage(u, 1);
		u += SCHED_DECAY_TICKS;
	}
	int spun = sched_timeshare_pri(BASEPRI_DEFAULT, u);
	cr_assert_lt(spun, BASEPRI_DEFAULT);
	cr_assert_gt(spun, MINPRI);
	cr_assert_eq(sched_timeshare_pri(BASEPRI_DEFAULT, sched_decay_usage(u, 20)),
		     BASEPRI_DEFAULT);
}

Test(sched_timeshare, rt_admission)
{
	cr_assert(sched_rt_admissible(20000000, 1000000, 5000000));
	cr_assert(sched_rt_admissible(0, 1000000, 5000000));	 /* aperiodic */
	cr_assert(sched_rt_admissible(5000000, 5000000, 5000000)); /* all equal */
	cr_assert_not(sched_rt_admissible(20000000, 0, 5000000));
	cr_assert_not(sched_rt_admissible(20000000, 6000000, 5000000));
	cr_assert_not(sched_rt_admissible(4000000, 1000000, 5000000));
	cr_assert_not(sched_rt_admissible(20000000, 1000000, 0));
}

/* Steal time: a tick is charged only for the part the thread ran; the rest carries over. */
Test(sched_timeshare, charge_without_steal_is_one_per_tick)
{
	uint64_t carry = 0;

	for (int i = 0; i < 100; i++)
		cr_assert_eq(sched_charge_ticks(&carry, 10000000, 0), 1);
	cr_assert_eq(carry, 0);
}

Test(sched_timeshare, charge_leaves_out_stolen_time)
{
	uint64_t carry = 0, charged = 0;

	/* 30% of every tick stolen: 1000 ticks charge 700. */
	for (int i = 0; i < 1000; i++)
		charged += sched_charge_ticks(&carry, 10000000, 3000000);
	cr_assert_eq(charged, 700);
	cr_assert_lt(carry, 10000000);
	/* A wholly stolen tick, or steal reported larger than the tick, charges nothing. */
	carry = 0;
	cr_assert_eq(sched_charge_ticks(&carry, 10000000, 10000000), 0);
	cr_assert_eq(sched_charge_ticks(&carry, 10000000, 25000000), 0);
	cr_assert_eq(carry, 0);
	cr_assert_eq(sched_charge_ticks(&carry, 0, 0), 0);
}
