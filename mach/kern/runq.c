/*
 * runq.c — per-priority FIFOs with a bitmap of the non-empty ones (see runq.h).
 */
#include <mach/kern/runq.h>

#ifdef NIMBUS_HOSTED
#include <assert.h>
#define RQ_ASSERT(c) assert(c)
#else
#include <panic.h>
#define RQ_ASSERT(c)                                                                            \
	do {                                                                                    \
		if (!(c))                                                                       \
			panic("runq: %s", #c);                                                  \
	} while (0)
#endif

void
runq_init(struct run_queue *rq)
{
	memset(rq->rq_bitmap, 0, sizeof(rq->rq_bitmap));
	memset(rq->rq_counts, 0, sizeof(rq->rq_counts));
	rq->rq_count = 0;
	for (int i = 0; i < NRQS; i++)
		queue_init(&rq->rq_queues[i]);
}

void
runq_enqueue(struct run_queue *rq, queue_chain_t *e, int pri, bool head)
{
	RQ_ASSERT(pri >= 0 && pri <= MAXPRI);
	if (head)
		queue_enter_first(&rq->rq_queues[pri], e);
	else
		queue_enter(&rq->rq_queues[pri], e);
	rq->rq_bitmap[pri / 64] |= 1ULL << (pri % 64);
	rq->rq_counts[pri]++;
	rq->rq_count++;
}

void
runq_remove(struct run_queue *rq, queue_chain_t *e, int pri)
{
	RQ_ASSERT(pri >= 0 && pri <= MAXPRI && rq->rq_counts[pri] > 0);
	queue_remove(e);
	rq->rq_count--;
	if (--rq->rq_counts[pri] == 0)
		rq->rq_bitmap[pri / 64] &= ~(1ULL << (pri % 64));
}

int
runq_highest(const struct run_queue *rq)
{
	for (int w = NRQS / 64 - 1; w >= 0; w--)
		if (rq->rq_bitmap[w] != 0)
			return w * 64 + 63 - __builtin_clzll(rq->rq_bitmap[w]);
	return -1;
}

queue_chain_t *
runq_dequeue(struct run_queue *rq, int *pri)
{
	int p = runq_highest(rq);
	queue_chain_t *e;

	if (p < 0)
		return NULL;
	e = rq->rq_queues[p].next;
	runq_remove(rq, e, p);
	*pri = p;
	return e;
}
