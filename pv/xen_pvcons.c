/*
 * xen_pvcons.c — the console of a Xen domU: the PV console ring (public/io/console.h) that the
 * toolstack's xenconsoled serves, as the `hvc0` console sink and console input.
 *
 * Follows public/hvm/params.h (HVM_PARAM_CONSOLE_PFN and HVM_PARAM_CONSOLE_EVTCHN: where an
 * HVM/PVH guest finds its ring page and the event channel already bound to the backend) and
 * public/io/console.h (the ring; xen_cons_ring.c). dom0 has no ring — it writes to Xen's own
 * serial line with console_io (xen.c) — so this runs only when console_io was refused.
 *
 * The one idea: the ring page lies in the guest's special-page area above RAM, outside the
 * direct map, so it is mapped like device memory (pmap_mapdev); a write queues what fits and
 * notifies the backend, and waits a bounded time for it to drain a full ring — console output
 * may come from any context, so it can never block on the backend.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <pv/xen.h>
#include <pv/xen_cons_ring.h>
#include <pv/xen_evtchn.h>
#include <xen/hvm/params.h>

#define XEN_PVCONS_DRAIN_US 10000 /* how long a write waits for a full ring to drain */

static struct xencons_interface *pvcons_ring;
static unsigned pvcons_port;
static uint64_t pvcons_dropped;
static bool pvcons_corrupt_logged;

static void
pvcons_corrupt(const char *dir)
{
	if (!pvcons_corrupt_logged) {
		pvcons_corrupt_logged = true;
		klog(LOG_ERR, "xen: the console backend left impossible %s indices; bytes lost\n",
		     dir);
	}
}

static void
pvcons_write(const char *s, size_t n)
{
	unsigned waited = 0;
	bool corrupt = false;

	while (n > 0) {
		size_t put = xencons_ring_put(pvcons_ring, s, n, &corrupt);

		if (corrupt) {
			pvcons_corrupt("output");
			break;
		}
		if (put > 0) {
			(void)xen_evtchn_notify(pvcons_port);
			s += put;
			n -= put;
			continue;
		}
		if (waited >= XEN_PVCONS_DRAIN_US)
			break;
		delay_us(10);
		waited += 10;
	}
	pvcons_dropped += n;
}

static struct console_sink pvcons_sink = {
	.cs_name = "hvc0",
	.cs_write = pvcons_write,
};

/* The backend put input on the ring (or took output): feed the bytes to the console. */
static void
pvcons_event(struct trapframe *tf, void *arg)
{
	char buf[64];
	size_t k;
	bool corrupt = false;

	(void)tf;
	(void)arg;
	while ((k = xencons_ring_get(pvcons_ring, buf, sizeof(buf), &corrupt)) > 0)
		for (size_t i = 0; i < k; i++)
			console_input(buf[i]);
	if (corrupt)
		pvcons_corrupt("input");
}

int
xen_pvcons_init(void)
{
	uint64_t pfn = 0, port = 0;

	if (!xen_present() || xen_console_io_ok())
		return -1;
	if (xen_hvm_param_get(HVM_PARAM_CONSOLE_PFN, &pfn) != 0 || pfn == 0 ||
	    xen_hvm_param_get(HVM_PARAM_CONSOLE_EVTCHN, &port) != 0 ||
	    port >= XEN_EVTCHN_PORTS) {
		klog(LOG_WARNING, "xen: no console ring (pfn %#llx, port %llu); no hvc0\n",
		     (unsigned long long)pfn, (unsigned long long)port);
		return -1;
	}
	pvcons_ring = pmap_mapdev((paddr_t)pfn << 12, 4096);
	if (pvcons_ring == NULL) {
		klog(LOG_ERR, "xen: cannot map the console ring at pfn %#llx\n",
		     (unsigned long long)pfn);
		return -1;
	}
	pvcons_port = (unsigned)port;
	if (xen_evtchn_attach(pvcons_port, pvcons_event, NULL) != 0)
		klog(LOG_WARNING, "xen: console input off (event channel %u not attached)\n",
		     pvcons_port);
	console_register(&pvcons_sink);
	printf("xen: console ring at pfn %#llx, event channel %u (hvc0)\n",
	       (unsigned long long)pfn, pvcons_port);
	return 0;
}

uint64_t
xen_pvcons_dropped(void)
{
	return pvcons_dropped;
}
