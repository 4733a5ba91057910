/*
 * queue.h — circular doubly-linked queues with the head as a sentinel (after Mach's
 * kern/queue.h, queue_chain_t embedded in the element).
 *
 * The one idea: an element carries a queue_chain_t and is found from it with container_of, so
 * one object can sit on several queues (a thread on a run queue and on its task's list).
 * Portable: the unit tests use it too.
 */
#ifndef _MACH_KERN_QUEUE_H_
#define _MACH_KERN_QUEUE_H_

#include <libkern/libkern.h>

typedef struct queue_entry {
	struct queue_entry *next;
	struct queue_entry *prev;
} queue_chain_t, queue_head_t;

#define QUEUE_HEAD_INITIALIZER(q) { &(q), &(q) }

static inline void
queue_init(queue_head_t *q)
{
	q->next = q->prev = q;
}

static inline bool
queue_empty(const queue_head_t *q)
{
	return q->next == q;
}

/* Whether e is on some queue: queue_remove() leaves it pointing at itself. */
static inline bool
queue_linked(const queue_chain_t *e)
{
	return e->next != NULL && e->next != e;
}

static inline void
queue_enter(queue_head_t *q, queue_chain_t *e)
{
	e->prev = q->prev;
	e->next = q;
	q->prev->next = e;
	q->prev = e;
}

static inline void
queue_enter_first(queue_head_t *q, queue_chain_t *e)
{
	e->next = q->next;
	e->prev = q;
	q->next->prev = e;
	q->next = e;
}

/* Put e before the existing element at. */
static inline void
queue_insert_before(queue_chain_t *at, queue_chain_t *e)
{
	e->next = at;
	e->prev = at->prev;
	at->prev->next = e;
	at->prev = e;
}

static inline void
queue_remove(queue_chain_t *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = e;
}

/* Remove and return the first element, or NULL when q is empty. */
static inline queue_chain_t *
queue_dequeue(queue_head_t *q)
{
	queue_chain_t *e = q->next;

	if (e == q)
		return NULL;
	queue_remove(e);
	return e;
}

#define queue_foreach(q, e) for (queue_chain_t *e = (q)->next; e != (q); e = e->next)
/* Safe against removal of e in the body. */
#define queue_foreach_safe(q, e, n)                                                             \
	for (queue_chain_t *e = (q)->next, *n = e->next; e != (q); e = n, n = e->next)

#endif /* _MACH_KERN_QUEUE_H_ */
