/*
 * timer_queue_test.c — unit tests of mach/kern/timer_queue.c: calls come out in deadline order
 * whatever the order they went in, equal deadlines in arrival order, only expired ones come out,
 * removal from anywhere, the earliest deadline.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/kern/timer_call.h>

static struct timer_queue q;

static struct timer_call *
mk(struct timer_call *c, uint64_t deadline, int id)
{
	memset(c, 0, sizeof(*c));
	c->tc_deadline = deadline;
	c->tc_param1 = (void *)(intptr_t)id;
	return c;
}

Test(timer_queue, empty)
{
	timer_queue_init(&q);
	cr_assert_eq(timer_queue_earliest(&q), UINT64_MAX);
	cr_assert_null(timer_queue_pop_expired(&q, UINT64_MAX));
}

Test(timer_queue, deadline_order_and_expiry)
{
	struct timer_call c[5];

	timer_queue_init(&q);
	timer_queue_insert(&q, mk(&c[0], 50, 0));
	timer_queue_insert(&q, mk(&c[1], 10, 1));
	timer_queue_insert(&q, mk(&c[2], 30, 2));
	timer_queue_insert(&q, mk(&c[3], 70, 3));
	timer_queue_insert(&q, mk(&c[4], 20, 4));
	cr_assert_eq(q.tq_count, 5);
	cr_assert_eq(timer_queue_earliest(&q), 10);
	cr_assert_null(timer_queue_pop_expired(&q, 9));
	cr_assert_eq(timer_queue_pop_expired(&q, 30), &c[1]);
	cr_assert_eq(timer_queue_pop_expired(&q, 30), &c[4]);
	cr_assert_eq(timer_queue_pop_expired(&q, 30), &c[2]);
	cr_assert_null(timer_queue_pop_expired(&q, 30));
	cr_assert_eq(timer_queue_earliest(&q), 50);
	cr_assert_eq(q.tq_count, 2);
}

Test(timer_queue, equal_deadlines_keep_arrival_order)
{
	struct timer_call c[6];

	timer_queue_init(&q);
	for (int i = 0; i < 6; i++)
		timer_queue_insert(&q, mk(&c[i], i == 3 ? 5 : 100, i));
	cr_assert_eq(timer_queue_pop_expired(&q, 1000), &c[3]);
	for (int i = 0; i < 6; i++) {
		if (i == 3)
			continue;
		cr_assert_eq(timer_queue_pop_expired(&q, 1000), &c[i]);
	}
}

Test(timer_queue, remove_from_middle)
{
	struct timer_call c[3];

	timer_queue_init(&q);
	timer_queue_insert(&q, mk(&c[0], 1, 0));
	timer_queue_insert(&q, mk(&c[1], 2, 1));
	timer_queue_insert(&q, mk(&c[2], 3, 2));
	timer_queue_remove(&q, &c[1]);
	cr_assert_null(c[1].tc_queue);
	cr_assert_eq(timer_queue_pop_expired(&q, 10), &c[0]);
	cr_assert_eq(timer_queue_pop_expired(&q, 10), &c[2]);
	cr_assert_eq(q.tq_count, 0);
}

Test(timer_queue, random_order_sorted)
{
	enum { N = 2000 };
	static struct timer_call c[N];
	uint64_t last = 0;
	intptr_t last_id = -1;

	srand(12345);
	timer_queue_init(&q);
	for (int i = 0; i < N; i++)
		timer_queue_insert(&q, mk(&c[i], (uint64_t)(rand() % 500), i));
	for (int i = 0; i < N; i++) {
		struct timer_call *x = timer_queue_pop_expired(&q, UINT64_MAX);
		cr_assert_not_null(x);
		cr_assert_geq(x->tc_deadline, last);
		/* Among equal deadlines, the order of insertion (ids ascending). */
		if (x->tc_deadline == last)
			cr_assert_gt((intptr_t)x->tc_param1, last_id);
		last = x->tc_deadline;
		last_id = (intptr_t)x->tc_param1;
	}
	cr_assert_null(timer_queue_pop_expired(&q, UINT64_MAX));
}
