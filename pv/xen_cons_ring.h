/*
 * xen_cons_ring.h — the Xen PV console ring (public/io/console.h) that a domU's console uses:
 * bytes out to the backend (xenconsoled) and in from it, through one shared page.
 */
#ifndef _PV_XEN_CONS_RING_H_
#define _PV_XEN_CONS_RING_H_

#include <pv/xen_public.h>
#include <xen/io/console.h>

/*
 * xencons_ring_put: queue up to n bytes of s on the out ring. The backend owns out_cons and may
 * write anything there: an index pair that claims more than the ring holds sets *corrupt and
 * queues nothing.
 *   Returns: bytes queued (less than n when the ring is full). Caller serialises producers.
 */
size_t xencons_ring_put(struct xencons_interface *r, const char *s, size_t n, bool *corrupt);

/*
 * xencons_ring_get: take up to n bytes the backend put on the in ring. A backend index pair
 * that claims more than the ring holds sets *corrupt and drops what it claimed (in_cons is set
 * to in_prod), so a hostile backend costs input, never memory outside the ring.
 *   Returns: bytes copied to buf. Caller serialises consumers.
 */
size_t xencons_ring_get(struct xencons_interface *r, char *buf, size_t n, bool *corrupt);

#endif /* _PV_XEN_CONS_RING_H_ */
