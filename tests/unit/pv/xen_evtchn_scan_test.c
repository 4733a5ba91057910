/*
 * xen_evtchn_scan_test.c — unit tests for pv/xen_evtchn_scan.c over a simulated shared_info:
 * pending unmasked ports are handled once each, in port order, with their pending bits cleared
 * first; masked ports are left pending and come through once unmasked; a port set again by its
 * own handler (an event during the handler) is seen on the next pass; a storm is bounded by
 * the pass limit; the highest port of the bitmap is reachable.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <pv/xen_evtchn.h>

#define W (sizeof(xen_ulong_t) * 8)

static struct shared_info si;
static unsigned seen[64], nseen;

static void
raise(unsigned port)
{
	si.evtchn_pending[port / W] |= (xen_ulong_t)1 << (port % W);
	if (!(si.evtchn_mask[port / W] & ((xen_ulong_t)1 << (port % W)))) {
		si.vcpu_info[0].evtchn_pending_sel |= (xen_ulong_t)1 << (port / W);
		si.vcpu_info[0].evtchn_upcall_pending = 1;
	}
}

static bool
pending(unsigned port)
{
	return si.evtchn_pending[port / W] & ((xen_ulong_t)1 << (port % W));
}

static void
record(unsigned port, void *arg)
{
	(void)arg;
	cr_assert(!pending(port), "port %u still pending when its handler runs", port);
	cr_assert_lt(nseen, 64);
	seen[nseen++] = port;
}

static void
setup(void)
{
	memset(&si, 0, sizeof(si));
	nseen = 0;
}

TestSuite(xen_evtchn, .init = setup);

Test(xen_evtchn, handles_each_pending_port_once_in_order)
{
	raise(3);
	raise(1);
	raise(W + 5);
	raise(3); /* twice before the upcall: one event */
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], record, NULL), 3);
	cr_assert_eq(nseen, 3);
	cr_assert_eq(seen[0], 1);
	cr_assert_eq(seen[1], 3);
	cr_assert_eq(seen[2], W + 5);
	cr_assert_eq(si.vcpu_info[0].evtchn_upcall_pending, 0);
	cr_assert_eq(si.vcpu_info[0].evtchn_pending_sel, 0);
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], record, NULL), 0);
}

Test(xen_evtchn, masked_ports_wait_until_unmasked)
{
	xen_evtchn_mask_port(&si, 7, true);
	raise(7);
	raise(8);
	/* Another vCPU's upcall could still name the word: the mask alone must hold it back. */
	si.vcpu_info[0].evtchn_pending_sel |= 1;
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], record, NULL), 1);
	cr_assert_eq(seen[0], 8);
	cr_assert(pending(7), "a masked port lost its pending bit");
	xen_evtchn_mask_port(&si, 7, false);
	si.vcpu_info[0].evtchn_pending_sel |= 1; /* what EVTCHNOP_unmask makes Xen do */
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], record, NULL), 1);
	cr_assert_eq(seen[1], 7);
}

static unsigned again_left;

static void
reraise(unsigned port, void *arg)
{
	record(port, arg);
	if (again_left > 0) {
		again_left--;
		raise(port);
	}
}

Test(xen_evtchn, event_during_handler_is_not_lost)
{
	again_left = 1;
	raise(2);
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], reraise, NULL), 2);
	cr_assert_eq(nseen, 2);
	cr_assert(!pending(2));
}

Test(xen_evtchn, storm_is_bounded_and_left_pending)
{
	again_left = 1000;
	raise(4);
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], reraise, NULL),
		     XEN_EVTCHN_SCAN_PASSES);
	cr_assert(pending(4), "the event after the last pass must wait, not vanish");
	cr_assert_eq(si.vcpu_info[0].evtchn_upcall_pending, 1);
}

Test(xen_evtchn, last_port_and_out_of_range_mask)
{
	unsigned last = XEN_EVTCHN_PORTS - 1;

	raise(last);
	cr_assert_eq(xen_evtchn_scan(&si, &si.vcpu_info[0], record, NULL), 1);
	cr_assert_eq(seen[0], last);
	xen_evtchn_mask_port(&si, XEN_EVTCHN_PORTS, true); /* ignored, no write past the end */
	xen_evtchn_mask_port(&si, last, true);
	cr_assert(si.evtchn_mask[W - 1] >> (W - 1));
}
