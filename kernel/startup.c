/*
 * startup.c — the boot sequence, one phase per function, in XNU's order (ARCHITECTURE.md,
 * "Boot"): console → boot information and command line → traps → physical memory → pmap →
 * zones → Platform Expert (ACPI) → interrupts and timers → scheduler → I/O Kit matching →
 * self-tests or the debug shell, in a kernel thread (the boot context becomes thread 0 and then
 * terminates).
 *
 * boot.S calls boot_entry() in long mode on the boot stack, with the loader's information
 * structure still where the loader left it; the first thing done is to copy it out.
 */
#include <arch/x86_64/com.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <arch/x86_64/user_machdep.h>
#include <boot/bootinfo.h>
#include <bsd/kern/proc.h>
#include <bsd/net/net_kern.h>
#include <cmdline.h>
#include <console.h>
#include <bsd/sys/mount.h>
#include <debugshell.h>
#include <iokit/acpi_platform.h>
#include <iokit/io_service.h>
#include <iokit/platform_expert.h>
#include <ktest.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_kern.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>
#include <panic.h>
#include <pv/calendar.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/kvm.h>
#include <pv/pv_publish.h>
#include <pv/xen.h>
#include <pv/xen_evtchn.h>

struct boot_info boot_info;
extern uint64_t boot_tsc_entry;
uint64_t boot_tsc_banner; /* TSC when the banner was printed, for the boot-time line */

void boot_entry(uint32_t info_pa, uint32_t path);

/* Loader memory is read through the early direct map, which covers the first 4 GiB. */
static const void *
early_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa == 0 || pa >= PHYSMAP_EARLY_LIMIT || len > PHYSMAP_EARLY_LIMIT - pa)
		return NULL;
	return phystokv(pa);
}

static void
startup_boot_info(uint32_t info_pa, uint32_t path)
{
	int rc;

	if (path == BOOT_PATH_PVH)
		rc = bootinfo_parse_pvh(&boot_info, info_pa, early_map, NULL);
	else
		rc = bootinfo_parse_mb2(&boot_info, info_pa, early_map, NULL);
	if (rc != 0)
		panic("%s boot information at %#x is unreadable", bootinfo_path_name((int)path),
		      info_pa);
	/* PVH start_info v0 (Xen's dom0) has no memory map: Xen gives it by hypercall. */
	if (boot_info.nmem == 0 && xen_present())
		boot_info.nmem = xen_memory_map(boot_info.mem, BOOT_MEM_MAX);
	xen_fixup_dom0_xsdt(boot_info.rsdp_phys);
	if (boot_info.warnings != 0)
		klog(LOG_WARNING, "boot: %u malformed boot-information entries ignored\n",
		     boot_info.warnings);
}

static void
startup_cmdline(void)
{
	uint64_t level;

	cmdline_parse(&boot_cmdline, boot_info.cmdline);
	if (cmdline_has(&boot_cmdline, "quiet"))
		console_set_loglevel(LOGLEVEL_QUIET);
	if (cmdline_get_uint(&boot_cmdline, "loglevel", 0, 7, &level))
		console_set_loglevel((int)level);
	else if (cmdline_has(&boot_cmdline, "loglevel"))
		klog(LOG_WARNING, "cmdline: loglevel=%s is not 0..7; ignored\n",
		     cmdline_get(&boot_cmdline, "loglevel"));
	console_select_cmdline(&boot_cmdline);
	if (boot_cmdline.dropped != 0)
		klog(LOG_WARNING, "cmdline: %u words did not fit and were ignored\n",
		     boot_cmdline.dropped);
}

static void
cpu_brand(char *buf, size_t len)
{
	uint32_t r[12];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000004) {
		uint32_t v[4];
		cpuid(0, 0, v);
		ksnprintf(buf, len, "%.4s%.4s%.4s", (char *)&v[1], (char *)&v[3], (char *)&v[2]);
		return;
	}
	cpuid(0x80000002, 0, &r[0]);
	cpuid(0x80000003, 0, &r[4]);
	cpuid(0x80000004, 0, &r[8]);
	const char *s = (const char *)r;
	while (*s == ' ')
		s++;
	ksnprintf(buf, len, "%.*s", (int)(sizeof(r) - (size_t)(s - (const char *)r)), s);
}

static void
startup_banner(void)
{
	char brand[49];

	cpu_brand(brand, sizeof(brand));
	boot_tsc_banner = rdtsc();
	printf("Nimbus %s (%s) x86_64\n", NIMBUS_VERSION, NIMBUS_GITREV);
	printf("cpu: %s\n", brand);
	printf("memory: %llu MiB usable in %u map entries\n",
	       (unsigned long long)(bootinfo_ram_bytes(&boot_info) >> 20), boot_info.nmem);
	printf("boot: %s (%s)\n", bootinfo_path_name(boot_info.path), boot_info.loader);
	printf("cmdline: %s\n", boot_info.cmdline);
}

/*
 * Physical memory, the kernel page tables, zones and kalloc. Never handed out: the first MiB
 * (real-mode structures, BIOS data), the kernel image and the boot modules.
 */
static void
startup_memory(void)
{
	extern char _kernel_phys_start[], _kernel_phys_end[];
	struct vm_phys_range res[2 + BOOT_MOD_MAX];
	unsigned n = 0;

	res[n++] = (struct vm_phys_range){ 0, 0x100000 };
	res[n++] = (struct vm_phys_range){ (paddr_t)_kernel_phys_start,
					   (paddr_t)_kernel_phys_end };
	for (uint32_t i = 0; i < boot_info.nmod; i++) {
		const struct boot_module *m = &boot_info.mod[i];

		if (m->size != 0 && m->base + m->size > m->base)
			res[n++] = (struct vm_phys_range){ m->base, m->base + m->size };
	}
	vm_page_bootstrap(boot_info.mem, boot_info.nmem, res, n);
	if (vm_page_total_count == 0)
		panic("memory: the memory map leaves no RAM for the kernel");
	pmap_bootstrap(&boot_info);
	zone_bootstrap();
	kalloc_init();
	vm_init();
	printf("memory: %llu pages managed, %llu free, %u zones\n",
	       (unsigned long long)vm_page_total_count, (unsigned long long)vm_page_free_count,
	       zone_count());
}

/* Platform Expert: the ACPI tables say what the machine has. */
static void
startup_platform(void)
{
	(void)acpi_init(&boot_info);
}

/* Which hypervisor we run on; the frequencies it states spare the calibration. */
static void
startup_hypervisor(void)
{
	hv_detect();
	timer_set_known_freq((uint64_t)hv_info.hv_tsc_khz * 1000,
			     (uint64_t)hv_info.hv_lapic_khz * 1000);
}

/* The clocksource, steal time and PV EOI: after calibration, before the tick starts. */
static void
startup_paravirt(void)
{
	clocksource_init();
	(void)calendar_init();
	(void)kvm_steal_register();
	(void)kvm_pv_eoi_register();
	(void)kvm_pv_unhalt_register();
	mp_set_ap_hook(kvm_ap_init); /* the other CPUs register theirs as they start */
}

static void
com_irq(struct trapframe *tf, void *arg)
{
	com_intr();
}

static void
print_ms(const char *what, uint64_t ns)
{
	printf("%s%llu.%03llu ms", what, (unsigned long long)(ns / 1000000),
	       (unsigned long long)(ns / 1000 % 1000));
}

/* Interrupt controllers and the clock: 8259s off, local APIC, IOAPICs, calibration, tick. */
static void
startup_interrupts(void)
{
	pic_disable();
	if (lapic_init() != 0) {
		klog(LOG_ERR, "startup: no local APIC; running without interrupts\n");
		return;
	}
	ioapic_init();
	if (timer_calibrate() == 0) {
		print_ms("boot: banner at ", tsc_to_ns(boot_tsc_banner - boot_tsc_entry));
		print_ms(" after entry, ", tsc_to_ns(boot_tsc_banner));
		printf(" after reset\n");
		startup_paravirt();
		/* Under Xen the tick comes through an event channel, else from the LAPIC. */
		if (xen_evtchn_init() != 0 || xen_timer_start() != 0)
			(void)timer_start();
		(void)xen_pvcons_init(); /* a domU's console: the PV ring */
	}
	if (com_present() && ioapic_attach_isa(COM1_IRQ, com_irq, NULL) != 0)
		com_enable_rx_intr();
	intr_enable();
}

/* The first kernel thread: the self-tests or the debug shell. */
static void
startup_main_thread(void *arg, wait_result_t wr)
{
	const char *tests = cmdline_get(&boot_cmdline, "ktest");

	vfs_init(); /* BSD: the root file system (root=) and devfs */
	net_resolv_root_ready(); /* what DHCP or ip= said, into its /etc/resolv.conf */
	/* The one line that says start-up is over; image and libvirt tests wait for it. */
	printf("boot: complete\n");
	if (tests != NULL)
		ktest_run(tests);
	/* With a boot archive, init owns the console; otherwise the debug shell does. */
	if (bsd_init())
		return;
	debugshell_run();
}

void
boot_entry(uint32_t info_pa, uint32_t path)
{
	thread_t main_thread;

	processor_cpu_init(0); /* %gs: per-CPU data, before the first lock */
	com_init();
	trap_init();
	usr_cpu_init();
	(void)xen_early_init(); /* under Xen, COM1 is Xen's: the console is a hypercall */
	startup_boot_info(info_pa, path);
	startup_cmdline();
	startup_banner();
	startup_memory();
	startup_platform();
	startup_hypervisor();
	startup_interrupts();
	sched_init();
	vm_pageout_start();
	ipc_bootstrap();
	ipc_kobject_init();
	mp_start();
	iokit_start();
	(void)pv_publish(io_registry_root());
	iokit_boot_dump();

	if (kernel_thread_start(startup_main_thread, NULL, &main_thread) != KERN_SUCCESS)
		panic("startup: cannot start the main kernel thread");
	thread_set_name(main_thread, "main");
	thread_deallocate(main_thread);
	thread_terminate_self();
}
