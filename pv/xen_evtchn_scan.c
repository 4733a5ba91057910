/*
 * xen_evtchn_scan.c — finding the pending event channels in shared_info (portable: unit-tested
 * over a simulated page).
 *
 * Follows the 2-level event-channel ABI of the Xen public header xen.h (struct shared_info,
 * struct vcpu_info): Xen sets a port's bit in evtchn_pending, and unless its evtchn_mask bit is
 * set, also the port's word in the vCPU's evtchn_pending_sel and evtchn_upcall_pending, then
 * raises the upcall.
 *
 * The one idea: clear before you look, and look again. The guest first clears
 * evtchn_upcall_pending, then takes the whole selector with one atomic exchange, and for each
 * selected word handles pending & ~mask ports, clearing each port's pending bit (atomically:
 * Xen sets bits concurrently) before its handler runs — so an event that arrives while the
 * handler runs sets the bit again and is seen on the next pass, never lost. Masked ports stay
 * pending until they are unmasked. Port numbers come from bit positions, so they are always
 * inside the bitmap.
 */
#include <pv/xen_evtchn.h>

#define XEN_BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

unsigned
xen_evtchn_scan(struct shared_info *si, struct vcpu_info *vi, xen_evtchn_fn fn, void *arg)
{
	unsigned handled = 0;

	for (int pass = 0; pass < XEN_EVTCHN_SCAN_PASSES; pass++) {
		xen_ulong_t sel;

		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		if (sel == 0)
			break;
		while (sel != 0) {
			unsigned w = (unsigned)__builtin_ctzl(sel);
			xen_ulong_t bits;

			sel &= sel - 1;
			bits = __atomic_load_n(&si->evtchn_pending[w], __ATOMIC_ACQUIRE) &
			       ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_ACQUIRE);
			while (bits != 0) {
				unsigned b = (unsigned)__builtin_ctzl(bits);
				xen_ulong_t bit = (xen_ulong_t)1 << b;

				bits &= bits - 1;
				__atomic_fetch_and(&si->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST);
				fn(w * XEN_BITS_PER_WORD + b, arg);
				handled++;
			}
		}
	}
	return handled;
}

void
xen_evtchn_mask_port(struct shared_info *si, unsigned port, bool masked)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (port % XEN_BITS_PER_WORD);
	unsigned w = port / XEN_BITS_PER_WORD;

	if (port >= XEN_EVTCHN_PORTS)
		return;
	if (masked)
		__atomic_fetch_or(&si->evtchn_mask[w], bit, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&si->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST);
}
