/*
 * runq.h — a run queue: one FIFO per priority and a bitmap of the non-empty ones (XNU
 * osfmk/kern/sched_prim.c run_queue_enqueue/dequeue; the bitmap as in sched.h's bitmap_t).
 *
 * The one idea: finding the highest runnable priority is one find-last-set over two 64-bit
 * words, never a scan of 128 queues. Portable: the caller's element is a queue_chain_t and the
 * caller says at which priority it sits; the caller's lock protects the queue.
 */
#ifndef _MACH_KERN_RUNQ_H_
#define _MACH_KERN_RUNQ_H_

#include <mach/kern/queue.h>
#include <mach/kern/sched.h>

struct run_queue {
	uint64_t rq_bitmap[NRQS / 64];
	unsigned rq_count;
	unsigned rq_counts[NRQS];
	queue_head_t rq_queues[NRQS];
};

void runq_init(struct run_queue *rq);
/* Add e at priority pri (0..MAXPRI), at the tail, or at the head when head is true. */
void runq_enqueue(struct run_queue *rq, queue_chain_t *e, int pri, bool head);
/* Remove e, which must be on rq at priority pri. */
void runq_remove(struct run_queue *rq, queue_chain_t *e, int pri);
/* The highest priority with an element, or -1 when rq is empty. */
int runq_highest(const struct run_queue *rq);
/* Remove and return the first element at the highest priority (NULL when empty); *pri gets it. */
queue_chain_t *runq_dequeue(struct run_queue *rq, int *pri);

#endif /* _MACH_KERN_RUNQ_H_ */
