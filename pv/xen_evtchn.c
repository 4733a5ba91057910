/*
 * xen_evtchn.c — Xen event channels for a PVH guest: the upcall vector, VIRQ bindings, and Xen's
 * per-vCPU timer as the kernel's tick.
 *
 * Follows the Xen public headers (Debian libxen-dev): hvm/hvm_op.h (HVMOP_set_evtchn_upcall_vector,
 * HVMOP_set_param), hvm/params.h (HVM_PARAM_CALLBACK_IRQ with HVM_PARAM_CALLBACK_TYPE_VECTOR),
 * event_channel.h (EVTCHNOP_bind_virq, EVTCHNOP_unmask), vcpu.h (VCPUOP_set_singleshot_timer,
 * VCPUOP_stop_periodic_timer) and xen.h (VIRQ_TIMER, the 2-level pending/mask bitmaps).
 *
 * The one idea: an event channel is a bit, and the upcall is only a doorbell. Xen sets the
 * port's pending bit and rings the upcall vector; the handler (xen_evtchn_scan) walks the bits
 * and calls what each port is bound to. The timer is such a port: a one-shot re-armed on an
 * absolute schedule (the previous deadline + 1/HZ, skipping periods it missed) on Xen system
 * time, so the tick does not drift and needs no emulated APIC timer.
 *
 * XXX: vCPU 0 only (the application processors stay parked under Xen, kernel/arch/x86_64/mp.c);
 * no inter-domain channels yet (xenstore, PV console ring of a domU, grant tables).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <mach/kern/processor.h>
#include <pv/xen.h>
#include <pv/xen_evtchn.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/vcpu.h>

#define XEN_EVTCHN_BOUND_MAX 16

struct xen_port_binding {
	unsigned xb_port;
	xen_virq_fn xb_fn;
	void *xb_arg;
	uint64_t xb_count;
};

static struct shared_info *evtchn_si;
static unsigned evtchn_vector;
static struct xen_port_binding evtchn_bound[XEN_EVTCHN_BOUND_MAX];
static unsigned evtchn_nbound;
static uint64_t evtchn_upcalls, evtchn_strays;

struct evtchn_dispatch {
	struct trapframe *tf;
};

static void
evtchn_dispatch_port(unsigned port, void *arg)
{
	struct evtchn_dispatch *d = arg;

	for (unsigned i = 0; i < evtchn_nbound; i++) {
		if (evtchn_bound[i].xb_port == port) {
			evtchn_bound[i].xb_count++;
			evtchn_bound[i].xb_fn(d->tf, evtchn_bound[i].xb_arg);
			return;
		}
	}
	/* Xen raised a port we never bound: note it, mask it, go on. */
	if (evtchn_strays++ < 4)
		klog(LOG_WARNING, "xen: event on unbound port %u; masked\n", port);
	xen_evtchn_mask_port(evtchn_si, port, true);
}

static void
evtchn_upcall(struct trapframe *tf, void *arg)
{
	struct evtchn_dispatch d = { tf };
	struct vcpu_info *vi = &evtchn_si->vcpu_info[0];

	(void)arg;
	evtchn_upcalls++;
	(void)xen_evtchn_scan(evtchn_si, vi, evtchn_dispatch_port, &d);
	/* A storm outlasted the scan: Xen will not ring again while the flag is set, so ring
	 * ourselves, after whatever else is waiting. */
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))
		mp_ipi_send(current_cpu(), evtchn_vector);
}

static long
xen_hvm_op(unsigned op, void *arg)
{
	return xen_hypercall3(__HYPERVISOR_hvm_op, op, (uint64_t)(uintptr_t)arg, 0);
}

int
xen_evtchn_init(void)
{
	struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = 0 };
	struct xen_hvm_param hp;
	long rc;

	evtchn_si = xen_shared_info();
	if (evtchn_si == NULL)
		return -1;
	evtchn_vector = intr_alloc_vector(0xd0, 0xdf);
	if (evtchn_vector == 0) {
		klog(LOG_ERR, "xen: no free vector for event-channel upcalls\n");
		return -1;
	}
	intr_set_handler(evtchn_vector, evtchn_upcall, NULL);
	evtchn_si->vcpu_info[0].evtchn_upcall_mask = 0;
	uv.vector = (uint8_t)evtchn_vector;
	rc = xen_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
	if (rc == 0) {
		printf("xen: event-channel upcalls on vector %#x (per-vCPU)\n", evtchn_vector);
		return 0;
	}
	memset(&hp, 0, sizeof(hp));
	hp.domid = DOMID_SELF;
	hp.index = HVM_PARAM_CALLBACK_IRQ;
	hp.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | evtchn_vector;
	rc = xen_hvm_op(HVMOP_set_param, &hp);
	if (rc != 0) {
		klog(LOG_ERR, "xen: neither upcall vector nor callback vector accepted (%ld)\n", rc);
		intr_set_handler(evtchn_vector, NULL, NULL);
		return -1;
	}
	printf("xen: event-channel upcalls on vector %#x (domain callback)\n", evtchn_vector);
	return 0;
}

int
xen_evtchn_attach(unsigned port, xen_virq_fn fn, void *arg)
{
	struct evtchn_unmask um = { .port = port };
	struct xen_port_binding *b;
	long rc;

	if (evtchn_si == NULL || evtchn_nbound == XEN_EVTCHN_BOUND_MAX ||
	    port >= XEN_EVTCHN_PORTS)
		return -1;
	b = &evtchn_bound[evtchn_nbound];
	b->xb_port = port;
	b->xb_fn = fn;
	b->xb_arg = arg;
	b->xb_count = 0;
	/* Published before the port can fire: the upcall runs on this CPU, interrupts off here. */
	__atomic_store_n(&evtchn_nbound, evtchn_nbound + 1, __ATOMIC_RELEASE);
	rc = xen_hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask,
			    (uint64_t)(uintptr_t)&um, 0);
	if (rc != 0)
		xen_evtchn_mask_port(evtchn_si, port, false);
	return 0;
}

int
xen_evtchn_bind_virq(unsigned virq, xen_virq_fn fn, void *arg)
{
	struct evtchn_bind_virq bv = { .virq = virq, .vcpu = 0 };
	long rc;

	if (evtchn_si == NULL || evtchn_nbound == XEN_EVTCHN_BOUND_MAX)
		return -1;
	rc = xen_hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq,
			    (uint64_t)(uintptr_t)&bv, 0);
	if (rc != 0 || bv.port >= XEN_EVTCHN_PORTS) {
		klog(LOG_ERR, "xen: EVTCHNOP_bind_virq(%u) failed: %ld (port %u)\n", virq, rc,
		     bv.port);
		return -1;
	}
	return xen_evtchn_attach(bv.port, fn, arg) == 0 ? (int)bv.port : -1;
}

long
xen_evtchn_notify(unsigned port)
{
	struct evtchn_send sd = { .port = port };

	return xen_hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
			      (uint64_t)(uintptr_t)&sd, 0);
}

long
xen_hvm_param_get(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param hp = { .domid = DOMID_SELF, .index = index };
	long rc = xen_hvm_op(HVMOP_get_param, &hp);

	if (rc == 0)
		*value = hp.value;
	return rc;
}

uint64_t
xen_evtchn_count(unsigned port)
{
	for (unsigned i = 0; i < evtchn_nbound; i++)
		if (evtchn_bound[i].xb_port == port)
			return __atomic_load_n(&evtchn_bound[i].xb_count, __ATOMIC_RELAXED);
	return 0;
}

uint64_t
xen_evtchn_upcalls(void)
{
	return __atomic_load_n(&evtchn_upcalls, __ATOMIC_RELAXED);
}

/* ---- the Xen timer as the tick ---- */

#define XEN_TICK_NS (1000000000ULL / HZ)

static int xen_tick_port = -1;
static uint64_t xen_tick_deadline; /* Xen system time of the next tick */

static long
xen_timer_arm(uint64_t abs_ns)
{
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = abs_ns, .flags = 0 };

	return xen_hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
			      (uint64_t)(uintptr_t)&st);
}

static void
xen_timer_event(struct trapframe *tf, void *arg)
{
	uint64_t now = xen_system_time_ns(), n;

	(void)arg;
	/* VIRQ_TIMER also fires on other occasions (Xen's own timebase updates), and our read of
	 * the pvclock may trail Xen's by a little: only a tick whose deadline has passed counts.
	 * Either way the one-shot may have been used up, so arm it again, or the tick stops. */
	if ((int64_t)(now - xen_tick_deadline) < 0) {
		(void)xen_timer_arm(xen_tick_deadline);
		return;
	}
	n = timer_advance_deadline(&xen_tick_deadline, XEN_TICK_NS, now);
	(void)xen_timer_arm(xen_tick_deadline);
	timer_tick(tf, n);
}

int
xen_timer_start(void)
{
	long rc;
	int port;

	if (evtchn_si == NULL)
		return -1;
	port = xen_evtchn_bind_virq(VIRQ_TIMER, xen_timer_event, NULL);
	if (port < 0)
		return -1;
	/* A periodic timer Xen may have started for the vCPU would double the ticks. */
	(void)xen_hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0);
	xen_tick_deadline = xen_system_time_ns() + XEN_TICK_NS;
	rc = xen_timer_arm(xen_tick_deadline);
	if (rc != 0) {
		klog(LOG_ERR, "xen: VCPUOP_set_singleshot_timer failed: %ld\n", rc);
		xen_evtchn_mask_port(evtchn_si, (unsigned)port, true);
		return -1;
	}
	xen_tick_port = port;
	timer_start_external("xen-virq");
	printf("timer: Xen VIRQ_TIMER on event channel %d at %d Hz (one-shot, absolute)\n", port,
	       HZ);
	return 0;
}

int
xen_timer_port(void)
{
	return xen_tick_port;
}
