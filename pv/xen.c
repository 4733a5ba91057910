/*
 * xen.c — Nimbus as a Xen PVH guest: the hypercall page, the console_io console, shared_info
 * with Xen's pvclock as a clocksource, and power-off through SCHEDOP_shutdown.
 *
 * Follows the Xen public headers (Debian libxen-dev): arch-x86/cpuid.h (leaf base+2 names the
 * MSR that installs the hypercall page), xen.h (hypercall numbers, console_io, shared_info,
 * vcpu_time_info), memory.h (XENMEM_add_to_physmap, XENMAPSPACE_shared_info), sched.h
 * (SCHEDOP_shutdown). The x86-64 hypercall ABI: arguments in rdi, rsi, rdx, r10, r8; result in
 * rax; call hypercall_page + 32 * number.
 *
 * The one idea: everything Xen offers is reached through one page of stubs that Xen writes
 * itself (VMCALL or VMMCALL, whichever this CPU needs), so this file never issues either
 * instruction; and shared_info appears at a guest frame we choose, after which its vcpu_info
 * time record is read exactly like kvmclock's (pv/pvclock.c).
 *
 * Event channels and the Xen timer are in xen_evtchn.c. XXX: the domU PV console ring is not done.
 * XXX: as dom0, SCHEDOP_shutdown(poweroff) makes Xen halt, not power off, the machine; a real
 * power-off needs XENPF_enter_acpi_sleep with \_S5_'s values (Xen owns PM1a_CNT). The
 * debug shell's `poweroff` still uses ACPI directly.
 */
#include <arch/x86_64/cpu.h>
#include <boot/bootinfo.h>
#include <console.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/pvclock.h>
#include <pv/xen.h>
#include <pv/xen_public.h>
#include <xen/memory.h>
#include <xen/sched.h>

extern char xen_hypercall_page[4096];

static bool xen_ok;
static volatile struct shared_info *xen_shinfo;
static struct pvclock_guard xen_guard;
static uint64_t xen_clock_errors;

long
xen_hypercall3(unsigned op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	register uint64_t rdx __asm__("rdx") = a3;
	void *entry = xen_hypercall_page + op * 32;
	long ret;

	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 : [entry] "r"(entry)
			 : "memory", "rcx", "r8", "r9", "r10", "r11");
	return ret;
}

uint64_t
xen_clock_errors_count(void)
{
	return __atomic_load_n(&xen_clock_errors, __ATOMIC_RELAXED);
}

uint64_t
xen_clock_clamped(void)
{
	return __atomic_load_n(&xen_guard.pg_clamped, __ATOMIC_RELAXED);
}

bool
xen_present(void)
{
	return xen_ok;
}

struct shared_info *
xen_shared_info(void)
{
	return (struct shared_info *)xen_shinfo;
}

/* ---- console: console_io(CONSOLEIO_write) goes to Xen's own serial line (dom0 only) ---- */

/* Xen 4.17 answers 0 once it has written everything; later versions may answer a count. */
static void
xen_console_write(const char *s, size_t n)
{
	while (n > 0) {
		size_t chunk = MIN(n, (size_t)1024);
		long rc = xen_hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, chunk,
					 (uint64_t)(uintptr_t)s);

		if (rc < 0 || (size_t)rc > chunk)
			return; /* refused: nothing better to do with console output */
		if (rc == 0)
			rc = (long)chunk;
		s += rc;
		n -= (size_t)rc;
	}
}

static bool xen_console_io; /* console_io writes accepted: we are dom0 */

bool
xen_console_io_ok(void)
{
	return xen_console_io;
}

static struct console_sink xen_console = {
	.cs_name = "hvc0",
	.cs_write = xen_console_write,
};

bool
xen_early_init(void)
{
	static const char hello[] = "nimbus: Xen console (console_io)\n";
	uint32_t msr;

	hv_probe();
	if (hv_info.hv_kind != HV_XEN)
		return false;
	msr = hv_info.hv_xen_hypercall_msr;
	if (hv_info.hv_xen_hypercall_pages < 1 || msr == 0) {
		klog(LOG_ERR, "xen: leaf base+2 names no hypercall page MSR; hypercalls off\n");
		return false;
	}
	wrmsr(msr, kvtophys(xen_hypercall_page));
	if ((uint8_t)xen_hypercall_page[0] == 0xcc) {
		klog(LOG_ERR, "xen: the hypercall page was not filled in; hypercalls off\n");
		return false;
	}
	xen_ok = true;
	/* Only dom0 may write (a domU is refused with -EPERM outside debug builds of Xen). */
	if (xen_hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(hello) - 1,
			   (uint64_t)(uintptr_t)hello) >= 0) {
		xen_console_io = true;
		console_register(&xen_console);
	}
	return true;
}

/* ---- shared_info and Xen's pvclock ---- */

static uint64_t
xen_rdtsc(void *ctx)
{
	(void)ctx;
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

static uint64_t
xen_clock_read(void)
{
	struct pvclock_snap s;
	uint64_t ns;

	if (pvclock_read(&xen_shinfo->vcpu_info[0].time, xen_rdtsc, NULL, &s) != 0) {
		__atomic_fetch_add(&xen_clock_errors, 1, __ATOMIC_RELAXED);
		return __atomic_load_n(&xen_guard.pg_last, __ATOMIC_RELAXED);
	}
	ns = pvclock_snap_ns(&s);
	if (s.ps_flags & XEN_PVCLOCK_TSC_STABLE_BIT)
		return ns;
	return pvclock_guard_apply(&xen_guard, ns);
}

static uint64_t
xen_clock_tsc_hz(void)
{
	struct pvclock_snap s;

	if (pvclock_read(&xen_shinfo->vcpu_info[0].time, xen_rdtsc, NULL, &s) != 0)
		return 0;
	return pvclock_tsc_khz(s.ps_mul, s.ps_shift) * 1000;
}

uint64_t
xen_system_time_ns(void)
{
	return xen_clock_read();
}

bool
xen_wallclock_ns(uint64_t *ns)
{
	volatile struct shared_info *si = xen_shinfo;
	uint32_t v, nsec = 0;
	uint64_t sec = 0;
	int tries;

	if (si == NULL)
		return false;
	/* The same odd/even version protocol as vcpu_time_info (xen.h, wc_version). */
	for (tries = 0; tries < 1000; tries++) {
		v = __atomic_load_n(&si->wc_version, __ATOMIC_ACQUIRE);
		if (v & 1)
			continue;
		sec = (uint64_t)si->xen_wc_sec_hi << 32 | si->wc_sec;
		nsec = si->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&si->wc_version, __ATOMIC_RELAXED) == v)
			break;
	}
	if (tries == 1000 || nsec >= 1000000000u || (sec == 0 && nsec == 0)) {
		klog(LOG_WARNING, "xen: shared_info holds no usable wall clock (sec %llu nsec %u)\n",
		     (unsigned long long)sec, nsec);
		return false;
	}
	*ns = sec * 1000000000u + nsec + xen_clock_read();
	return true;
}

static struct clocksource xen_clocksource = {
	.cs_name = "xen",
	.cs_rating = CS_RATING_XEN,
	.cs_read_ns = xen_clock_read,
	.cs_tsc_hz = xen_clock_tsc_hz,
};

int
xen_clock_init(void)
{
	struct xen_add_to_physmap xatp;
	struct pvclock_snap s;
	vm_page_t m;
	long rc;

	if (!xen_ok)
		return -1;
	/* The RAM frame under the chosen gpfn is given up: Xen puts shared_info there. */
	m = vm_page_grab();
	if (m == NULL) {
		klog(LOG_ERR, "xen: no page for shared_info\n");
		return -1;
	}
	memset(&xatp, 0, sizeof(xatp));
	xatp.domid = DOMID_SELF;
	xatp.space = XENMAPSPACE_shared_info;
	xatp.idx = 0;
	xatp.gpfn = VM_PAGE_TO_PHYS(m) >> 12;
	rc = xen_hypercall3(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			    (uint64_t)(uintptr_t)&xatp, 0);
	if (rc != 0) {
		klog(LOG_ERR, "xen: XENMEM_add_to_physmap(shared_info) failed: %ld\n", rc);
		vm_page_release(m);
		return -1;
	}
	xen_shinfo = phystokv(VM_PAGE_TO_PHYS(m));
	if (pvclock_read(&xen_shinfo->vcpu_info[0].time, xen_rdtsc, NULL, &s) != 0 ||
	    s.ps_mul == 0 || s.ps_shift < -31 || s.ps_shift > 31) {
		klog(LOG_ERR, "xen: vcpu 0 time record unusable (mul %#x shift %d)\n", s.ps_mul,
		     s.ps_shift);
		return -1;
	}
	xen_clocksource.cs_resolution_ns = MAX((uint64_t)1, pvclock_scale(1, s.ps_mul,
									  s.ps_shift));
	printf("xen: shared_info at gpfn %#llx; pvclock TSC %llu kHz (mul %#x shift %d), %s\n",
	       (unsigned long long)xatp.gpfn,
	       (unsigned long long)pvclock_tsc_khz(s.ps_mul, s.ps_shift), s.ps_mul, s.ps_shift,
	       (s.ps_flags & XEN_PVCLOCK_TSC_STABLE_BIT) ? "TSC stable"
							 : "TSC not stable: monotonic guard on");
	return clocksource_register(&xen_clocksource);
}

/* ---- the memory map (XENMEM_memory_map), for PVH start_info v0, which carries none ---- */

/* One entry as BIOS INT 15h E820 returns it (memory.h: "the same format"); 20 bytes, packed. */
struct xen_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

unsigned
xen_memory_map(struct boot_mem_region *out, unsigned max)
{
	static struct xen_e820 map[BOOT_MEM_MAX];
	struct xen_memory_map mm;
	unsigned n = 0;
	long rc;

	if (!xen_ok)
		return 0;
	mm.nr_entries = MIN(max, (unsigned)ARRAY_SIZE(map));
	set_xen_guest_handle(mm.buffer, (void *)map);
	rc = xen_hypercall3(__HYPERVISOR_memory_op, XENMEM_memory_map, (uint64_t)(uintptr_t)&mm,
			    0);
	if (rc != 0 || mm.nr_entries > MIN(max, (unsigned)ARRAY_SIZE(map))) {
		klog(LOG_ERR, "xen: XENMEM_memory_map failed (%ld, %u entries)\n", rc,
		     mm.nr_entries);
		return 0;
	}
	/*
	 * Xen packs dom0's ACPI tables right after the end of RAM, in the same page: RAM is
	 * rounded in to whole pages (never handed out) and ACPI/NVS out (mapped whole).
	 */
	for (unsigned i = 0; i < mm.nr_entries; i++) {
		uint32_t type = map[i].type;
		uint64_t b = map[i].addr, e = map[i].addr + map[i].size;

		if (e <= b)
			continue; /* empty or wrapping: ignore */
		if (type < BOOT_MEM_RAM || type > BOOT_MEM_UNUSABLE)
			type = BOOT_MEM_RESERVED;
		if (type == BOOT_MEM_RAM) {
			b = ROUNDUP(b, 4096);
			e = ROUNDDOWN(e, 4096);
		} else if (type == BOOT_MEM_ACPI || type == BOOT_MEM_NVS) {
			b = ROUNDDOWN(b, 4096);
			e = ROUNDUP(e, 4096);
		}
		if (e <= b)
			continue;
		out[n].base = b;
		out[n].length = e - b;
		out[n].type = type;
		n++;
	}
	return n;
}

/* ---- dom0's XSDT header (a Xen 4.17 defect) ---- */

/*
 * Xen builds a PVH dom0's XSDT by copying the header of the host's XSDT. When the host firmware
 * has only an RSDT (SeaBIOS, QEMU's default), that copy comes from physical address 0 and the
 * signature and OEM fields are garbage, while the length, revision, entries and checksum Xen
 * writes are right. A table that fits exactly that description gets its signature back; any
 * other table is left alone for the ACPI parser to judge.
 */
void
xen_fixup_dom0_xsdt(uint64_t rsdp_pa)
{
	const uint8_t *rsdp;
	uint8_t *x, sum = 0;
	uint64_t xsdt;
	uint32_t len;

	if (!xen_ok || rsdp_pa == 0 || rsdp_pa >= PHYSMAP_EARLY_LIMIT - 36)
		return;
	rsdp = phystokv(rsdp_pa);
	if (memcmp(rsdp, "RSD PTR ", 8) != 0 || rsdp[15] < 2)
		return;
	memcpy(&xsdt, rsdp + 24, sizeof(xsdt));
	if (xsdt == 0 || xsdt >= PHYSMAP_EARLY_LIMIT - 4096)
		return;
	x = phystokv(xsdt);
	memcpy(&len, x + 4, sizeof(len));
	if (memcmp(x, "XSDT", 4) == 0 || len < 36 || len > 4096 || (len - 36) % 8 != 0)
		return;
	for (uint32_t i = 0; i < len; i++)
		sum += x[i];
	if (sum != 0)
		return; /* not a table Xen wrote: leave it */
	for (int i = 0; i < 4; i++)
		sum += x[i];
	memcpy(x, "XSDT", 4);
	for (int i = 0; i < 4; i++)
		sum -= x[i];
	x[9] += sum; /* the checksum byte keeps the table summing to zero */
	klog(LOG_NOTICE, "xen: repaired dom0's XSDT signature at %#llx (Xen copied a missing "
			 "host XSDT header)\n", (unsigned long long)xsdt);
}

/* ---- shutdown ---- */

void
xen_poweroff(void)
{
	struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
	long rc;

	if (!xen_ok)
		return;
	rc = xen_hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&sd, 0);
	klog(LOG_ERR, "xen: SCHEDOP_shutdown(poweroff) returned %ld\n", rc);
}
