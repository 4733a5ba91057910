/*
 * xen.h — running as a Xen PVH guest: hypercalls, the console (console_io for dom0), the
 * shared_info page with its pvclock, and shutdown through SCHEDOP_shutdown.
 */
#ifndef _PV_XEN_H_
#define _PV_XEN_H_

#include <libkern/libkern.h>

/*
 * xen_early_init: when CPUID names Xen, install the hypercall page and register the Xen console
 * (`hvc0`: the console_io hypercall, which only dom0 may use to write to Xen's serial line).
 * Boot CPU, first thing after trap_init(); needs no memory allocation.
 *   Returns: true when running on Xen with hypercalls available.
 */
bool xen_early_init(void);

/* Whether hypercalls are available (xen_early_init() succeeded). */
bool xen_present(void);
/* Whether Xen took our console_io writes (dom0): hvc0 is Xen's serial line. */
bool xen_console_io_ok(void);

/*
 * xen_pvcons_init: as a domU (console_io refused), find the PV console ring and its event
 * channel (HVM_PARAM_CONSOLE_PFN/_EVTCHN), map it and register it as hvc0 with console input.
 * Boot CPU, after xen_evtchn_init(). Returns 0, or -1 off Xen, as dom0, or without a ring
 * (logged). xen_pvcons_dropped: output bytes lost to a backend that did not drain the ring.
 */
int xen_pvcons_init(void);
uint64_t xen_pvcons_dropped(void);

struct shared_info;
/* The mapped shared_info page, or NULL before xen_clock_init() mapped it (or off Xen). */
struct shared_info *xen_shared_info(void);
/* Xen system time (ns since Xen started) from vCPU 0's pvclock: what Xen's timers count in. */
uint64_t xen_system_time_ns(void);
/* The wall clock now (ns since 1970 UTC): shared_info's wc_* (the wall clock at Xen system
 * time 0) plus the system time now. false before xen_clock_init() or when Xen left it unset. */
bool xen_wallclock_ns(uint64_t *ns);

/*
 * xen_clock_init: map shared_info (XENMEM_add_to_physmap) and register Xen's pvclock as a
 * clocksource. Boot CPU, after the physical allocator is up. Returns 0 or -1 (logged).
 */
int xen_clock_init(void);

/* Reads that found vcpu 0's time record stuck mid-update, and reads the guard clamped. */
uint64_t xen_clock_errors_count(void);
uint64_t xen_clock_clamped(void);

/*
 * xen_poweroff: ask Xen to power this domain off (SCHEDOP_shutdown, SHUTDOWN_poweroff). Returns
 * only if Xen refused (logged). As dom0, Xen then powers the machine off.
 */
void xen_poweroff(void);

struct boot_mem_region;
/*
 * xen_memory_map: the domain's memory map from XENMEM_memory_map (E820 types map one to one to
 * BOOT_MEM_*; others become reserved), into out[0..max). Boot CPU.
 *   Returns: the number of entries stored, 0 when Xen gave none (logged).
 */
unsigned xen_memory_map(struct boot_mem_region *out, unsigned max);

/*
 * xen_fixup_dom0_xsdt: give back the signature that Xen 4.17 loses in a PVH dom0's XSDT when the
 * host has no XSDT (see xen.c); checks length, entries and checksum first. Boot CPU, before
 * acpi_init(), while the early direct map covers the first 4 GiB.
 */
void xen_fixup_dom0_xsdt(uint64_t rsdp_pa);

/* Raw hypercall, for the few callers outside pv/xen.c (tests). Returns Xen's result. */
long xen_hypercall3(unsigned op, uint64_t a1, uint64_t a2, uint64_t a3);

#endif /* _PV_XEN_H_ */
