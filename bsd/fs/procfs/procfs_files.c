/*
 * procfs_files.c — the text of each /proc file, in the formats of Linux's proc(5) that user
 * space parses (busybox's procps.c reads /proc/<pid>/stat field by field, free reads meminfo's
 * "Name:  N kB" lines, mount and df read mounts through getmntent), and the one control file,
 * sys/vm/drop_caches.
 *
 * The one idea: every figure comes from a live kernel counter at the moment of the read — the
 * VM's page counts, the UBC's resident pages, the default pager's swap slots, the scheduler's
 * per-CPU ticks, the mount table, the I/O Kit registry's media, the process table's snapshot —
 * and a figure the kernel does not keep is written as 0 with an XXX here saying so.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/timer.h>
#include <bsd/fs/procfs/procfs_internal.h>
#include <bsd/kern/syscall.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <mach/kern/clock.h>
#include <iokit/io_media.h>
#include <iokit/io_service.h>
#include <mach/kern/processor.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define PFS_HZ	   100 /* USER_HZ: the clock ticks of stat's times (the scheduler's HZ too) */
#define PFS_KB(pg) ((unsigned long long)(pg) * (PAGE_SIZE / 1024))

int
pfs_gen_empty(struct pfs_buf *b, pid_t pid)
{
	return 0;
}

int
pfs_gen_meminfo(struct pfs_buf *b, pid_t pid)
{
	struct default_pager_swap_stats sw;
	uint64_t dirty, cached = ubc_cached_pages(&dirty);
	uint64_t freep = vm_page_free_count;

	default_pager_swap_stats(&sw);
	/* Available: free now, plus the clean file pages the pageout scan can take back. */
	pfs_printf(b, "MemTotal:       %8llu kB\n", PFS_KB(vm_page_total_count));
	pfs_printf(b, "MemFree:        %8llu kB\n", PFS_KB(freep));
	pfs_printf(b, "MemAvailable:   %8llu kB\n", PFS_KB(freep + (cached - MIN(dirty, cached))));
	pfs_printf(b, "Buffers:        %8llu kB\n", 0ULL); /* no buffer cache: all is in the UBC */
	pfs_printf(b, "Cached:         %8llu kB\n", PFS_KB(cached));
	pfs_printf(b, "SwapCached:     %8llu kB\n", 0ULL);
	pfs_printf(b, "Active:         %8llu kB\n", PFS_KB(vm_page_active_count));
	pfs_printf(b, "Inactive:       %8llu kB\n", PFS_KB(vm_page_inactive_count));
	pfs_printf(b, "Wired:          %8llu kB\n", PFS_KB(vm_page_wired_count));
	pfs_printf(b, "SwapTotal:      %8llu kB\n", PFS_KB(sw.dss_slots));
	pfs_printf(b, "SwapFree:       %8llu kB\n",
		   PFS_KB(sw.dss_slots - MIN(sw.dss_used, sw.dss_slots)));
	pfs_printf(b, "Dirty:          %8llu kB\n", PFS_KB(dirty));
	pfs_printf(b, "Writeback:      %8llu kB\n", PFS_KB(vm_page_laundry_count));
	pfs_printf(b, "Shmem:          %8llu kB\n", 0ULL); /* XXX: no shared anonymous memory yet */
	return 0;
}

/* Idle ticks over all CPUs (the second figure of uptime, stat's idle). */
static uint64_t
pfs_idle_ticks(void)
{
	uint64_t t = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (processor_array[c].p_online)
			t += processor_array[c].p_idle_ticks;
	return t;
}

int
pfs_gen_uptime(struct pfs_buf *b, pid_t pid)
{
	uint64_t cs = clock_uptime_ns() / 10000000, idle = pfs_idle_ticks();

	pfs_printf(b, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(cs / 100),
		   (unsigned long long)(cs % 100), (unsigned long long)(idle / PFS_HZ),
		   (unsigned long long)(idle % PFS_HZ));
	return 0;
}

int
pfs_gen_loadavg(struct pfs_buf *b, pid_t pid)
{
	struct proc_info pi;
	unsigned running = 0, total = 0;
	pid_t last = 0;

	while (proc_info_next(last, &pi)) {
		last = pi.pi_pid;
		total++;
		running += pi.pi_state == 'R';
	}
	/* XXX: the scheduler keeps no load average yet; the fields are there for parsers.
	 * The last field is the highest pid, not the most recent one. */
	pfs_printf(b, "0.00 0.00 0.00 %u/%u %d\n", running, total, last);
	return 0;
}

int
pfs_gen_mounts(struct pfs_buf *b, pid_t pid)
{
	lck_mtx_lock(&vfs_mount_lock);
	for (struct mount *mp = mountlist; mp != NULL; mp = mp->mnt_next)
		pfs_printf(b, "%s %s %s %s 0 0\n", mp->mnt_from, mp->mnt_on,
			   mp->mnt_op->vfs_name, (mp->mnt_flag & MNT_RDONLY) ? "ro" : "rw");
	lck_mtx_unlock(&vfs_mount_lock);
	return 0;
}

int
pfs_gen_filesystems(struct pfs_buf *b, pid_t pid)
{
	const struct vfsops *ops;
	bool nodev;

	for (unsigned i = 0; (ops = vfs_type_at(i, &nodev, NULL)) != NULL; i++)
		pfs_printf(b, "%s\t%s\n", nodev ? "nodev" : "", ops->vfs_name);
	return 0;
}

int
pfs_gen_cpuinfo(struct pfs_buf *b, pid_t pid)
{
	uint32_t r[4], vendor[4] = { 0 }, brand[13] = { 0 }, sig;
	unsigned family, model;

	cpuid(0, 0, r);
	vendor[0] = r[1];
	vendor[1] = r[3];
	vendor[2] = r[2];
	cpuid(1, 0, r);
	sig = r[0];
	family = (sig >> 8) & 0xf;
	model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model |= ((sig >> 16) & 0xf) << 4;
	cpuid(0x80000000u, 0, r);
	if (r[0] >= 0x80000004u)
		for (uint32_t l = 0; l < 3; l++)
			cpuid(0x80000002u + l, 0, &brand[l * 4]);
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (!processor_array[c].p_online)
			continue;
		pfs_printf(b, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n",
			   c, (const char *)vendor, family, model);
		pfs_printf(b, "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %u.%03u\n",
			   (const char *)brand, sig & 0xf, tsc_freq_khz() / 1000,
			   tsc_freq_khz() % 1000);
		pfs_printf(b, "physical id\t: 0\ncore id\t\t: %u\ncpu cores\t: %u\n\n", c,
			   mp_cpus_online());
	}
	return 0;
}

static void
pfs_partition_fn(struct io_service *s, unsigned depth, void *arg)
{
	struct io_media *m = io_media_from_service(s);

	if (m == NULL || m->im_bsd_name[0] == '\0')
		return;
	/* The numbers devfs gives /dev/<name> (major 254, the nub's id as the minor). */
	pfs_printf(arg, "%4u  %7u %10llu %s\n", 254u, (unsigned)(io_service_id(s) & 0xff),
		   (unsigned long long)(m->im_size / 1024), m->im_bsd_name);
}

int
pfs_gen_partitions(struct pfs_buf *b, pid_t pid)
{
	pfs_printf(b, "major minor  #blocks  name\n\n");
	io_registry_walk(io_registry_root(), pfs_partition_fn, b);
	return 0;
}

int
pfs_gen_stat(struct pfs_buf *b, pid_t pid)
{
	uint64_t busy = 0, idle = 0, steal = 0, ctxt = 0;
	struct proc_info pi;
	unsigned running = 0, total = 0;
	pid_t last = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (processor_array[c].p_online) {
			busy += processor_array[c].p_busy_ticks;
			idle += processor_array[c].p_idle_ticks;
			steal += processor_array[c].p_stolen_ns / (1000000000 / PFS_HZ);
			ctxt += processor_array[c].p_context_switches;
		}
	}
	/* XXX: the scheduler counts busy ticks without telling user from system time: all of it
	 * is shown as system time. */
	pfs_printf(b, "cpu  0 0 %llu %llu 0 0 0 %llu 0 0\n", (unsigned long long)busy,
		   (unsigned long long)idle, (unsigned long long)steal);
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		struct processor *p = &processor_array[c];

		if (p->p_online)
			pfs_printf(b, "cpu%u 0 0 %llu %llu 0 0 0 %llu 0 0\n", c,
				   (unsigned long long)p->p_busy_ticks,
				   (unsigned long long)p->p_idle_ticks,
				   (unsigned long long)(p->p_stolen_ns / (1000000000 / PFS_HZ)));
	}
	while (proc_info_next(last, &pi)) {
		last = pi.pi_pid;
		total++;
		running += pi.pi_state == 'R';
	}
	pfs_printf(b, "ctxt %llu\nbtime %llu\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n",
		   (unsigned long long)ctxt, (unsigned long long)((clock_get_calendar_ns() - clock_uptime_ns()) / 1000000000),
		   total, running);
	return 0;
}

/* ---- per process ---- */

int
pfs_gen_pid_stat(struct pfs_buf *b, pid_t pid)
{
	struct proc_info pi;

	if (!proc_info_get(pid, &pi))
		return ESRCH;
	/* proc(5) /proc/pid/stat, fields 1-52; what Nimbus does not keep is 0. utime holds all
	 * the thread's ticks (XXX: user and system time are not told apart). */
	pfs_printf(b, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %llu 0 0 0 20 0 1 0 %llu %llu %llu",
		   pi.pi_pid, pi.pi_comm, pi.pi_state, pi.pi_ppid, pi.pi_pgid, pi.pi_sid,
		   (unsigned long long)pi.pi_ticks,
		   (unsigned long long)(pi.pi_start_ns / (1000000000 / PFS_HZ)),
		   (unsigned long long)pi.pi_vsize, (unsigned long long)pi.pi_rss_pages);
	pfs_printf(b, " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0"
		      " 0 0\n");
	return 0;
}

static const char *
pfs_state_name(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'Z': return "zombie";
	default: return "sleeping";
	}
}

int
pfs_gen_pid_status(struct pfs_buf *b, pid_t pid)
{
	struct proc_info pi;

	if (!proc_info_get(pid, &pi))
		return ESRCH;
	/* XXX: credentials are not kept yet: every process is root. */
	pfs_printf(b, "Name:\t%s\nState:\t%c (%s)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n", pi.pi_comm,
		   pi.pi_state, pfs_state_name(pi.pi_state), pi.pi_pid, pi.pi_pid, pi.pi_ppid);
	pfs_printf(b, "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n", NOFILE);
	pfs_printf(b, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\nThreads:\t1\n",
		   (unsigned long long)(pi.pi_vsize / 1024), PFS_KB(pi.pi_rss_pages));
	return 0;
}

int
pfs_gen_pid_cmdline(struct pfs_buf *b, pid_t pid)
{
	struct proc_info pi;

	if (!proc_info_get(pid, &pi))
		return ESRCH;
	pfs_put(b, pi.pi_args, pi.pi_argslen);
	return 0;
}

int
pfs_gen_pid_comm(struct pfs_buf *b, pid_t pid)
{
	struct proc_info pi;

	if (!proc_info_get(pid, &pi))
		return ESRCH;
	pfs_printf(b, "%s\n", pi.pi_comm);
	return 0;
}

/* ---- control files ---- */

int
pfs_write_drop_caches(const char *buf, size_t len)
{
	uint64_t v, dropped;
	int err;

	/* 1: the page cache; 3: page cache and slab objects (Nimbus has only the first). */
	if ((err = procfs_parse_uint(buf, len, 3, &v)) != 0 || (v != 1 && v != 3)) {
		klog(LOG_INFO, "procfs: drop_caches: refused a write of %zu bytes\n", len);
		return EINVAL;
	}
	dropped = ubc_drop_clean_pages();
	klog(LOG_INFO, "procfs: drop_caches: %llu pages dropped\n", (unsigned long long)dropped);
	return 0;
}
