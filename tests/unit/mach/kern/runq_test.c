/*
 * runq_test.c — unit tests of mach/kern/runq.c: the bitmap follows the queues, the highest
 * priority comes out first, FIFO within a priority, head insertion, removal from the middle,
 * and both bitmap words (priorities below and above 64).
 */
#include <criterion/criterion.h>

#include <mach/kern/runq.h>

struct elem {
	queue_chain_t link;
	int pri;
	int id;
};

static struct run_queue rq;

static struct elem *
pop(int *pri)
{
	queue_chain_t *e = runq_dequeue(&rq, pri);

	return e == NULL ? NULL : container_of(e, struct elem, link);
}

Test(runq, empty)
{
	int pri = 7;

	runq_init(&rq);
	cr_assert_eq(runq_highest(&rq), -1);
	cr_assert_null(runq_dequeue(&rq, &pri));
	cr_assert_eq(pri, 7);
	cr_assert_eq(rq.rq_count, 0);
}

Test(runq, highest_first_across_words)
{
	static const int pris[] = { 0, 31, 63, 64, 81, 127, 97, 1 };
	struct elem e[8];
	int pri;

	runq_init(&rq);
	for (int i = 0; i < 8; i++) {
		e[i].pri = pris[i];
		runq_enqueue(&rq, &e[i].link, pris[i], false);
	}
	cr_assert_eq(rq.rq_count, 8);
	cr_assert_eq(runq_highest(&rq), 127);
	static const int order[] = { 127, 97, 81, 64, 63, 31, 1, 0 };
	for (int i = 0; i < 8; i++) {
		struct elem *x = pop(&pri);
		cr_assert_not_null(x);
		cr_assert_eq(pri, order[i]);
		cr_assert_eq(x->pri, order[i]);
	}
	cr_assert_eq(runq_highest(&rq), -1);
	cr_assert_eq(rq.rq_bitmap[0], 0);
	cr_assert_eq(rq.rq_bitmap[1], 0);
}

Test(runq, fifo_within_priority_and_head_insert)
{
	struct elem e[4];
	int pri;

	runq_init(&rq);
	for (int i = 0; i < 3; i++) {
		e[i].id = i;
		runq_enqueue(&rq, &e[i].link, 40, false);
	}
	e[3].id = 3;
	runq_enqueue(&rq, &e[3].link, 40, true); /* a preempted thread goes first */
	cr_assert_eq(pop(&pri)->id, 3);
	cr_assert_eq(pop(&pri)->id, 0);
	cr_assert_eq(pop(&pri)->id, 1);
	cr_assert_eq(pop(&pri)->id, 2);
	cr_assert_null(pop(&pri));
}

Test(runq, remove_keeps_bitmap_exact)
{
	struct elem a, b, c;
	int pri;

	runq_init(&rq);
	runq_enqueue(&rq, &a.link, 70, false);
	runq_enqueue(&rq, &b.link, 70, false);
	runq_enqueue(&rq, &c.link, 20, false);
	runq_remove(&rq, &a.link, 70);
	cr_assert_eq(runq_highest(&rq), 70); /* b is still there */
	runq_remove(&rq, &b.link, 70);
	cr_assert_eq(runq_highest(&rq), 20);
	cr_assert_eq(rq.rq_bitmap[1], 0);
	cr_assert_eq(rq.rq_bitmap[0], 1ULL << 20);
	cr_assert_eq(pop(&pri), &c);
	cr_assert_eq(rq.rq_count, 0);
}

Test(runq, every_priority_in_order)
{
	static struct elem e[NRQS];
	int pri;

	runq_init(&rq);
	/* Entered in a scrambled order: 37 is coprime with 128. */
	for (int i = 0; i < NRQS; i++) {
		int p = (i * 37) % NRQS;
		e[p].pri = p;
		runq_enqueue(&rq, &e[p].link, p, false);
	}
	for (int p = MAXPRI; p >= 0; p--) {
		cr_assert_eq(runq_highest(&rq), p);
		cr_assert_eq(pop(&pri)->pri, p);
	}
	cr_assert_eq(runq_highest(&rq), -1);
}
