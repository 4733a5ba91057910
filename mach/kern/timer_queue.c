/*
 * timer_queue.c — the deadline-sorted queue under timer call-outs (see timer_call.h).
 * Portable: no locking here, the caller holds the queue's lock.
 *
 * Insertion walks from the tail: most calls are armed for "now + a little", later than those
 * already queued, so the common case is O(1).
 */
#include <mach/kern/timer_call.h>

void
timer_queue_init(struct timer_queue *q)
{
	queue_init(&q->tq_head);
	q->tq_count = 0;
}

void
timer_queue_insert(struct timer_queue *q, struct timer_call *call)
{
	queue_chain_t *at = q->tq_head.prev;

	while (at != &q->tq_head &&
	       container_of(at, struct timer_call, tc_link)->tc_deadline > call->tc_deadline)
		at = at->prev;
	/* at is the last call with deadline <= ours (or the head): go after it. */
	queue_insert_before(at->next, &call->tc_link);
	call->tc_queue = q;
	q->tq_count++;
}

void
timer_queue_remove(struct timer_queue *q, struct timer_call *call)
{
	queue_remove(&call->tc_link);
	call->tc_queue = NULL;
	q->tq_count--;
}

struct timer_call *
timer_queue_pop_expired(struct timer_queue *q, uint64_t now)
{
	struct timer_call *c;

	if (queue_empty(&q->tq_head))
		return NULL;
	c = container_of(q->tq_head.next, struct timer_call, tc_link);
	if (c->tc_deadline > now)
		return NULL;
	timer_queue_remove(q, c);
	return c;
}

uint64_t
timer_queue_earliest(const struct timer_queue *q)
{
	if (queue_empty(&q->tq_head))
		return UINT64_MAX;
	return container_of(q->tq_head.next, struct timer_call, tc_link)->tc_deadline;
}
