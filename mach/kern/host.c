/*
 * host.c — the host object: its port and host_info (XNU osfmk/kern/host.c, ipc_host.c;
 * HOST_BASIC_INFO from <mach/host_info.h>).
 *
 * The one idea: there is one host, so its port is made once and never dies; host_self gives
 * any task a send right to it. XXX: the privileged host port (host_priv) and processor sets'
 * ports, which XNU hands only to privileged tasks, come with the BSD credentials.
 */
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/processor.h>
#include <mach/kern/task.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

static struct host {
	ipc_port_t h_port;
} realhost;

ipc_port_t
ipc_host_port(void)
{
	if (realhost.h_port == NULL)
		realhost.h_port = ipc_kobject_alloc(&realhost, IKOT_HOST);
	return realhost.h_port;
}

mach_port_name_t
host_self_trap(task_t task)
{
	mach_port_name_t name;

	ipc_lock();
	ipc_port_make_send(realhost.h_port);
	name = ipc_kobject_copyout_send(task, realhost.h_port);
	ipc_unlock();
	return name;
}

kern_return_t
host_info(integer_t flavor, integer_t *out, uint32_t *countp)
{
	host_basic_info_data_t info = { 0 };
	unsigned cpus = processor_count_scheduling();

	if (flavor != HOST_BASIC_INFO || *countp < KOBJ_COUNT(info))
		return KERN_INVALID_ARGUMENT;
	info.max_cpus = MAX_CPUS;
	info.avail_cpus = (integer_t)cpus;
	info.max_mem = vm_page_total_count * PAGE_SIZE;
	info.memory_size = (natural_t)MIN(info.max_mem, 0x80000000ull);
	info.cpu_type = CPU_TYPE_X86_64;
	info.cpu_subtype = CPU_SUBTYPE_X86_64_ALL;
	info.physical_cpu = info.physical_cpu_max = (integer_t)cpus;
	info.logical_cpu = info.logical_cpu_max = (integer_t)cpus;
	memcpy(out, &info, sizeof(info));
	*countp = KOBJ_COUNT(info);
	return KERN_SUCCESS;
}
