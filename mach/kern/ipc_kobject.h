/*
 * ipc_kobject.h — kernel objects reached through ports: task, thread and host ports, and the
 * kernel server that answers messages sent to them (XNU osfmk/kern/ipc_kobject.c, ipc_tt.c,
 * ipc_host.c; message layouts from the MIG-generated <mach/task.h>, <mach/thread_act.h>,
 * <mach/mach_host.h>, <mach/mach_port.h> for a 64-bit task).
 *
 * The one idea: a kernel object's port is an ordinary port whose receive right the kernel
 * holds. A message sent to it is not queued: the kernel server takes it, finds the routine by
 * message id, runs it on the object with the request's arguments, and sends the reply (id +
 * 100, the MIG convention) to the request's reply port. The request and reply structures
 * below are the interface description: the kernel server reads them, and the user library's
 * stubs (user/libmach, later) will build them, from this one header.
 */
#ifndef _MACH_KERN_IPC_KOBJECT_H_
#define _MACH_KERN_IPC_KOBJECT_H_

#include <mach/ipc/ipc.h>

struct task;
struct thread;

/* ip_kotype */
#define IKOT_NONE   0
#define IKOT_TASK   1
#define IKOT_THREAD 2
#define IKOT_HOST   3

/* MIG return codes and conventions (<mach/mig_errors.h>). */
#define MIG_TYPE_ERROR	  (-300) /* a descriptor of the wrong kind */
#define MIG_BAD_ID	  (-303) /* no routine has this message id */
#define MIG_BAD_ARGUMENTS (-304) /* the request's size or shape is wrong */
#define MIG_REPLY_DELTA	  100

/* Message ids: subsystem base + routine index in its .defs file. */
#define MSGID_HOST_INFO		  200	/* mach_host.defs, routine 0 */
#define MSGID_MACH_PORT_TYPE	  3201	/* mach_port.defs */
#define MSGID_MACH_PORT_ALLOCATE  3204
#define MSGID_MACH_PORT_DEALLOCATE 3206
#define MSGID_TASK_THREADS	  3402	/* task.defs */
#define MSGID_TASK_INFO		  3405
#define MSGID_TASK_SET_EXCEPTION_PORTS	 3413
#define MSGID_THREAD_SET_EXCEPTION_PORTS 3613
#define MSGID_THREAD_INFO	  3612	/* thread_act.defs */

typedef int32_t integer_t;
typedef uint32_t natural_t;

typedef struct {
	integer_t seconds;
	integer_t microseconds;
} time_value_t;

/* Flavors (<mach/task_info.h>, <mach/thread_info.h>, <mach/host_info.h>). */
#define MACH_TASK_BASIC_INFO	20
#define THREAD_BASIC_INFO	3
#define THREAD_IDENTIFIER_INFO	4
#define HOST_BASIC_INFO		1

#define POLICY_TIMESHARE 1
#define POLICY_FIFO	 4

#define TH_STATE_RUNNING	 1
#define TH_STATE_WAITING	 3
#define TH_STATE_UNINTERRUPTIBLE 4
#define TH_STATE_HALTED		 5
#define TH_FLAGS_IDLE		 0x2

#define CPU_TYPE_X86_64		(7 | 0x01000000)
#define CPU_SUBTYPE_X86_64_ALL	3

typedef struct {
	uint64_t virtual_size;
	uint64_t resident_size;
	uint64_t resident_size_max;
	time_value_t user_time;
	time_value_t system_time;
	integer_t policy;
	integer_t suspend_count;
} __packed mach_task_basic_info_data_t;

typedef struct {
	time_value_t user_time;
	time_value_t system_time;
	integer_t cpu_usage;
	integer_t policy;
	integer_t run_state;
	integer_t flags;
	integer_t suspend_count;
	integer_t sleep_time;
} __packed thread_basic_info_data_t;

typedef struct {
	uint64_t thread_id;
	uint64_t thread_handle;
	uint64_t dispatch_qaddr;
} __packed thread_identifier_info_data_t;

typedef struct {
	integer_t max_cpus;
	integer_t avail_cpus;
	natural_t memory_size;
	integer_t cpu_type;
	integer_t cpu_subtype;
	integer_t cpu_threadtype;
	integer_t physical_cpu;
	integer_t physical_cpu_max;
	integer_t logical_cpu;
	integer_t logical_cpu_max;
	uint64_t max_mem;
} __packed host_basic_info_data_t;

/* Counts are in integer_t units, as MIG passes them. */
#define KOBJ_COUNT(type)     ((uint32_t)(sizeof(type) / sizeof(integer_t)))
#define KOBJ_INFO_MAX	     KOBJ_COUNT(host_basic_info_data_t) /* the largest flavor */

/* The reply every routine sends on failure, and the prefix of every reply. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
} __packed mig_reply_error_t;

/* task_info, thread_info, host_info: one flavor in, that flavor's words out. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	integer_t flavor;
	uint32_t info_outCnt;	/* the most words the caller takes */
} __packed kobj_info_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
	uint32_t info_outCnt;
	integer_t info_out[KOBJ_INFO_MAX];	/* info_outCnt of them are sent */
} __packed kobj_info_reply_t;

/* task_threads: no arguments; the threads' ports come back as an out-of-line array. */
typedef struct {
	mach_msg_header_t Head;
} __packed task_threads_request_t;

typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_ool_ports_descriptor_t act_list;
	NDR_record_t NDR;
	uint32_t act_listCnt;
} __packed task_threads_reply_t;

/* mach_port_allocate / _deallocate / _type on the space of the task the message goes to. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	uint32_t arg;		/* the right (allocate) or the name (deallocate, type) */
} __packed mach_port_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
	uint32_t out;		/* the new name (allocate) or the type (type) */
} __packed mach_port_reply_t;

/* task_set_exception_ports / thread_set_exception_ports: the handler's port rides as a send
 * right (or MACH_PORT_NULL to clear). Reply: mig_reply_error_t. */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t new_port;
	NDR_record_t NDR;
	uint32_t exception_mask;
	int32_t behavior;
	int32_t new_flavor;
} __packed set_exception_ports_request_t;

/*
 * ipc_kobject_init: register the kernel server, create the host port and give kernel_task its
 * space and task port. Once, after ipc_bootstrap() and task_init().
 */
void ipc_kobject_init(void);

/*
 * ipc_kobject_alloc: a port for object of kind type (IKOT_*), its receive right held by the
 * kernel. Returns: the port (one reference, the receive right's), or NULL when memory is short.
 */
ipc_port_t ipc_kobject_alloc(void *object, unsigned type);

/*
 * ipc_kobject_destroy: the object is going: its port forgets it and dies (senders' names turn
 * into dead names). Locks: none held; takes the IPC lock.
 */
void ipc_kobject_destroy(ipc_port_t port);

/* ---- ipc_tt.c: task and thread ports ---- */
/*
 * ipc_task_init: give task an IPC space and a task port.
 *   Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t ipc_task_init(struct task *task);
/* ipc_task_terminate: destroy task's space and port (task_deallocate calls it). */
void ipc_task_terminate(struct task *task);
/* ipc_thread_terminate: kill thread's port, if it has one (the thread is being freed). */
void ipc_thread_terminate(struct thread *thread);

/*
 * The traps, as kernel functions of the calling task (the class-1 trap table will call them
 * with current_task()): each returns a name in task's space for a new user reference of a send
 * right to the object (task_self, thread_self, host_self) or a new receive right
 * (mach_reply_port); MACH_PORT_NULL when the task has no space or memory is short.
 */
mach_port_name_t task_self_trap(struct task *task);
mach_port_name_t thread_self_trap(struct thread *thread);
mach_port_name_t host_self_trap(struct task *task);
mach_port_name_t mach_reply_port(struct task *task);

/* ---- the routines (ipc_tt.c, host.c), called by the server with a reference held ---- */
kern_return_t task_info(struct task *task, integer_t flavor, integer_t *out, uint32_t *countp);
kern_return_t thread_info(struct thread *thread, integer_t flavor, integer_t *out,
			  uint32_t *countp);
kern_return_t host_info(integer_t flavor, integer_t *out, uint32_t *countp);
/* task_threads: send rights to the task's thread ports; *portsp kalloc'd (*countp entries). */
kern_return_t task_threads(struct task *task, ipc_port_t **portsp, uint32_t *countp);

/* Internals shared by ipc_kobject.c, ipc_tt.c and host.c. */
ipc_port_t ipc_host_port(void);
/* A send right to the port in *slot (made on first use for object of type). IPC lock held. */
ipc_port_t ipc_kobject_make_send_lazy(ipc_port_t *slot, void *object, unsigned type);
/* Give task's space the send right port (consumed); its name or MACH_PORT_NULL. */
mach_port_name_t ipc_kobject_copyout_send(struct task *task, ipc_port_t port);

#endif /* _MACH_KERN_IPC_KOBJECT_H_ */
