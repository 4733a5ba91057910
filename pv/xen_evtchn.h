/*
 * xen_evtchn.h — Xen event channels (2-level ABI): the upcall vector, VIRQ bindings, and the
 * Xen timer (VIRQ_TIMER with VCPUOP_set_singleshot_timer) as the kernel's tick.
 */
#ifndef _PV_XEN_EVTCHN_H_
#define _PV_XEN_EVTCHN_H_

#include <pv/xen_public.h>

/* Ports the 2-level ABI can name: one bit each in the shared_info bitmaps. */
#define XEN_EVTCHN_PORTS      (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)
/* Passes over the selector per upcall before the rest waits for the next upcall. */
#define XEN_EVTCHN_SCAN_PASSES 4

typedef void (*xen_evtchn_fn)(unsigned port, void *arg);

/* ---- portable (xen_evtchn_scan.c) ---- */
/*
 * xen_evtchn_scan: clear vi's upcall flag and selector and call fn(port, arg) once for every
 * port that is pending and not masked in si, clearing its pending bit first; repeats while new
 * events arrive, at most XEN_EVTCHN_SCAN_PASSES times. Masked ports stay pending. When it
 * returns with vi->evtchn_upcall_pending still set (an event storm), Xen will not raise the
 * upcall again by itself: the caller must arrange another scan (the kernel self-IPIs).
 *   Returns: how many events were handled.
 */
unsigned xen_evtchn_scan(struct shared_info *si, struct vcpu_info *vi, xen_evtchn_fn fn,
			 void *arg);
/* Set or clear port's mask bit (ports outside the bitmap are ignored). */
void xen_evtchn_mask_port(struct shared_info *si, unsigned port, bool masked);

/* ---- kernel (xen_evtchn.c) ---- */
struct trapframe;
typedef void (*xen_virq_fn)(struct trapframe *tf, void *arg);

/*
 * xen_evtchn_init: take an interrupt vector for event-channel upcalls and tell Xen (per-vCPU
 * HVMOP_set_evtchn_upcall_vector for vCPU 0, else the domain's HVM_PARAM_CALLBACK_IRQ as a
 * vector). Boot CPU, after xen_clock_init() mapped shared_info. Returns 0 or -1 (logged).
 */
int xen_evtchn_init(void);
/*
 * xen_evtchn_bind_virq: bind virq on vCPU 0 to a new port whose events call fn(tf, arg) in
 * interrupt context, and unmask it. Returns the port, or -1 (logged).
 */
int xen_evtchn_bind_virq(unsigned virq, xen_virq_fn fn, void *arg);
/* Events handled on port (0 for a port never bound), and upcalls taken. */
/*
 * xen_evtchn_attach: call fn(tf, arg) from the upcall whenever port (already bound, e.g. one
 * Xen handed us through an HVM parameter) fires, and unmask it. Boot CPU, after
 * xen_evtchn_init(). Returns 0, or -1 when the table is full or the port out of range.
 */
int xen_evtchn_attach(unsigned port, xen_virq_fn fn, void *arg);
/* EVTCHNOP_send on port: wake the other end. Any context. Returns Xen's answer (0: sent). */
long xen_evtchn_notify(unsigned port);
/* HVMOP_get_param for this domain. Returns 0 with *value, or Xen's negative errno. */
long xen_hvm_param_get(uint32_t index, uint64_t *value);
uint64_t xen_evtchn_count(unsigned port);
uint64_t xen_evtchn_upcalls(void);
/*
 * xen_timer_start: make Xen's per-vCPU timer (VIRQ_TIMER, re-armed one-shot every 1/HZ s on
 * Xen system time) the kernel's tick instead of the emulated local APIC timer. Boot CPU, after
 * xen_evtchn_init(). Returns 0, or -1 when not on Xen or Xen refused (logged): the caller then
 * starts the LAPIC tick.
 */
int xen_timer_start(void);
/* The timer's port, or -1 when the Xen timer is not the tick. */
int xen_timer_port(void);

#endif /* _PV_XEN_EVTCHN_H_ */
