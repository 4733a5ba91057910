/*
 * random.h — the kernel entropy pool: hardware and hypervisor sources (virtio-rng, later
 * RDSEED and interrupt timing) add bytes; consumers draw output mixed from the pool.
 */
#ifndef _KERNEL_RANDOM_H_
#define _KERNEL_RANDOM_H_

#include <libkern/libkern.h>

/*
 * random_add_entropy: mix len bytes from a source into the pool and credit them.
 *   Locks: takes the pool lock (irqsave); any context.
 */
void random_add_entropy(const void *buf, size_t len);

/* random_read: fill buf with len bytes drawn from the pool. Any context. */
void random_read(void *buf, size_t len);

/* Bytes credited since boot (what the sources delivered). */
uint64_t random_entropy_bytes(void);

#endif /* _KERNEL_RANDOM_H_ */
