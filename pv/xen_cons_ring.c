/*
 * xen_cons_ring.c — the Xen PV console ring (see xen_cons_ring.h).
 *
 * Follows Xen's public/io/console.h: two byte rings in one page, `in` (backend to guest) and
 * `out` (guest to backend), each with free-running 32-bit producer and consumer indices that
 * are reduced modulo the ring size (a power of two) only when a byte is addressed. The guest
 * produces on `out` and consumes on `in`; the backend does the opposite.
 *
 * The one idea: an index the other side writes is read once, into a local, and checked before
 * it is used — prod - cons must never exceed the ring size — so a backend that scribbles on the
 * page can lose us console bytes but never make us read or write outside the ring. Barriers:
 * the data is written before the producer index is published (release), and the other side's
 * index is read before the data it covers (acquire), as the header's mb()/wmb() comments say.
 */
#include <pv/xen_cons_ring.h>

size_t
xencons_ring_put(struct xencons_interface *r, const char *s, size_t n, bool *corrupt)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = r->out_prod; /* ours: only we write it */
	size_t done = 0;

	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(r->out)) {
		*corrupt = true;
		return 0;
	}
	while (done < n && (XENCONS_RING_IDX)(prod - cons) < sizeof(r->out)) {
		r->out[MASK_XENCONS_IDX(prod, r->out)] = s[done++];
		prod++;
	}
	__atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
	return done;
}

size_t
xencons_ring_get(struct xencons_interface *r, char *buf, size_t n, bool *corrupt)
{
	XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX cons = r->in_cons; /* ours */
	size_t done = 0;

	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(r->in)) {
		*corrupt = true;
		__atomic_store_n(&r->in_cons, prod, __ATOMIC_RELEASE);
		return 0;
	}
	while (done < n && cons != prod) {
		buf[done++] = r->in[MASK_XENCONS_IDX(cons, r->in)];
		cons++;
	}
	__atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
	return done;
}
