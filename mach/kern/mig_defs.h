/*
 * mig_defs.h — the interface of the kernel server, written once: message ids, the request and
 * reply layouts of every routine, and the routine table (MIG_ROUTINES) from which the kernel's
 * dispatch (mach/kern/ipc_kobject.c) and the user stubs (user/libmach) are both built. The ids
 * and layouts are those MIG generates from XNU's mach_host.defs, mach_port.defs, task.defs and
 * thread_act.defs for a 64-bit task (subsystem base + routine index), so a MIG-built client
 * reads them the same way.
 *
 * The one idea: a routine is one line of MIG_ROUTINES — name, id, the kind of port it goes
 * to, the request layout, and what its one descriptor must carry (0: a simple request). The kernel expands the table into its dispatch table (checking size, shape and
 * right before any routine runs); libmach expands it into the ids and sizes its stubs send.
 * This header needs only <mach/ipc/message.h>, which also compiles in user programs
 * (-DNIMBUS_HOSTED).
 */
#ifndef _MACH_KERN_MIG_DEFS_H_
#define _MACH_KERN_MIG_DEFS_H_

#include <mach/ipc/message.h>

/* ip_kotype: the kind of object a port stands for. */
#define IKOT_NONE   0
#define IKOT_TASK   1
#define IKOT_THREAD 2
#define IKOT_HOST   3

/* MIG return codes and conventions (<mach/mig_errors.h>). */
#define MIG_TYPE_ERROR	  (-300) /* a descriptor of the wrong kind */
#define MIG_BAD_ID	  (-303) /* no routine has this message id */
#define MIG_BAD_ARGUMENTS (-304) /* the request's size or shape is wrong */
#define MIG_REPLY_DELTA	  100

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


/* mach_port_get_refs / mach_port_mod_refs. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	mach_port_name_t name;
	mach_port_right_t right;
} __packed mach_port_get_refs_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	mach_port_name_t name;
	mach_port_right_t right;
	mach_port_delta_t delta;
} __packed mach_port_mod_refs_request_t;

/* mach_port_request_notification: notify rides as a send-once right (MAKE_SEND_ONCE), or
 * MACH_PORT_NULL to cancel; the previous request's send-once right comes back. */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t notify;
	NDR_record_t NDR;
	mach_port_name_t name;
	mach_msg_id_t msgid;
	mach_port_mscount_t sync;
} __packed mach_port_request_notification_request_t;

/* mach_port_insert_right: poly carries any right (MAKE_SEND, MOVE_RECEIVE, ...) that name
 * then denotes in the task's space. */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t poly;
	NDR_record_t NDR;
	mach_port_name_t name;
} __packed mach_port_insert_right_request_t;

/* The right column of MIG_ROUTINES for a descriptor that may carry any right. */
#define MIG_RIGHT_POLY 0xffu

/* A successful reply that carries one port right (previous, special_port). */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t port;
} __packed kobj_port_reply_t;

/* Special ports (<mach/task_special_ports.h>). */
#define TASK_KERNEL_PORT    1
#define TASK_HOST_PORT	    2
#define TASK_BOOTSTRAP_PORT 4

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	int32_t which_port;
} __packed task_get_special_port_request_t;

typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t special_port;
	NDR_record_t NDR;
	int32_t which_port;
} __packed task_set_special_port_request_t;

/* Routines with no argument but the object (thread_suspend, task_resume, ...). */
typedef struct {
	mach_msg_header_t Head;
} __packed kobj_noarg_request_t;

/* Thread state (<mach/i386/thread_status.h>): x86_THREAD_STATE64, 42 words. */
#define x86_THREAD_STATE64	 4
#define THREAD_STATE_MAX	 224
typedef struct {
	uint64_t rax, rbx, rcx, rdx, rdi, rsi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, cs, fs, gs;
} x86_thread_state64_t;
#define x86_THREAD_STATE64_COUNT KOBJ_COUNT(x86_thread_state64_t)

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	int32_t flavor;
	uint32_t old_stateCnt;	/* the most words the caller takes */
} __packed thread_get_state_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
	uint32_t old_stateCnt;
	natural_t old_state[THREAD_STATE_MAX];	/* old_stateCnt of them are sent */
} __packed thread_get_state_reply_t;

/* thread_set_state: new_stateCnt words follow (the request is that long, no longer). */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	int32_t flavor;
	uint32_t new_stateCnt;
	natural_t new_state[THREAD_STATE_MAX];
} __packed thread_set_state_request_t;
#define THREAD_SET_STATE_MIN_SIZE offsetof(thread_set_state_request_t, new_state)

/* The mach_vm_* calls on a task port (mach_vm.defs, subsystem 4800): 64-bit addresses. */
#define VM_FLAGS_FIXED	  0x0
#define VM_FLAGS_ANYWHERE 0x1

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	uint64_t address;
	uint64_t size;
	int32_t flags;
} __packed mach_vm_allocate_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
	uint64_t address;
} __packed mach_vm_allocate_reply_t;

/* mach_vm_deallocate and mach_vm_read: a range. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	uint64_t address;
	uint64_t size;
} __packed mach_vm_range_request_t;

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	uint64_t address;
	uint64_t size;
	int32_t set_maximum;
	int32_t new_protection;
} __packed mach_vm_protect_request_t;

/* mach_vm_read's reply and mach_vm_write's request: the bytes out of line. */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_ool_descriptor_t data;
	NDR_record_t NDR;
	uint32_t dataCnt;
} __packed mach_vm_read_reply_t;

typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_ool_descriptor_t data;
	NDR_record_t NDR;
	uint64_t address;
	uint32_t dataCnt;
} __packed mach_vm_write_request_t;

/* The right column of MIG_ROUTINES for a request whose one descriptor is out-of-line data. */
#define MIG_OOL_DATA 0xfeu

/* Exceptions (<mach/exception_types.h>, exc.defs, mach_exc.defs): what the kernel sends a
 * handler, the one kind of message it is the client of. */
typedef int exception_type_t;
typedef int64_t mach_exception_data_type_t;
typedef uint32_t exception_mask_t;
typedef int exception_behavior_t;
typedef int thread_state_flavor_t;

#define EXC_BAD_ACCESS	    1
#define EXC_BAD_INSTRUCTION 2
#define EXC_ARITHMETIC	    3
#define EXC_EMULATION	    4
#define EXC_SOFTWARE	    5
#define EXC_BREAKPOINT	    6
#define EXC_SYSCALL	    7
#define EXC_MACH_SYSCALL    8
#define EXC_RPC_ALERT	    9
#define EXC_CRASH	    10
#define EXC_RESOURCE	    11
#define EXC_GUARD	    12
#define EXC_CORPSE_NOTIFY   13
#define EXC_TYPES_COUNT	    14
#define EXC_MASK(e)	    (1u << (e))
#define EXC_MASK_VALID	    (((1u << EXC_TYPES_COUNT) - 1) & ~1u)

#define EXCEPTION_DEFAULT	 1
#define EXCEPTION_STATE		 2
#define EXCEPTION_STATE_IDENTITY 3
#define MACH_EXCEPTION_CODES	 0x80000000

#define MSGID_EXCEPTION_RAISE	   2401 /* exc.defs: 32-bit codes */
#define MSGID_MACH_EXCEPTION_RAISE 2405 /* mach_exc.defs: 64-bit codes */
/* The EXCEPTION_STATE and _STATE_IDENTITY forms: 2402, 2403 (exc), 2406, 2407 (mach_exc). */
#define MSGID_EXCEPTION_RAISE_STATE		  2402
#define MSGID_EXCEPTION_RAISE_STATE_IDENTITY	  2403
#define MSGID_MACH_EXCEPTION_RAISE_STATE	  2406
#define MSGID_MACH_EXCEPTION_RAISE_STATE_IDENTITY 2407

/* exception_raise (2401): codes as integer_t; mach_exception_raise (2405): as int64_t. */
typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t thread;
	mach_msg_port_descriptor_t task;
	NDR_record_t NDR;
	exception_type_t exception;
	uint32_t codeCnt;
	integer_t code[2];
} __packed exception_raise_request_t;

typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t thread;
	mach_msg_port_descriptor_t task;
	NDR_record_t NDR;
	exception_type_t exception;
	uint32_t codeCnt;
	int64_t code[2];
} __packed mach_exception_raise_request_t;

/*
 * mach_exception_raise_state (2406) and _state_identity (2407) with two 64-bit codes: the
 * thread's registers in the handler's flavor travel with the exception, and the reply gives
 * the registers to resume with. The exc.defs forms (2402, 2403) carry integer_t codes, and
 * any form is shorter when fewer codes are sent: MIG packs what follows a variable array.
 */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	exception_type_t exception;
	uint32_t codeCnt;
	int64_t code[2];
	int32_t flavor;
	uint32_t old_stateCnt;
	natural_t old_state[THREAD_STATE_MAX];	/* old_stateCnt of them are sent */
} __packed mach_exception_raise_state_request_t;

typedef struct {
	mach_msg_header_t Head;
	mach_msg_body_t msgh_body;
	mach_msg_port_descriptor_t thread;
	mach_msg_port_descriptor_t task;
	NDR_record_t NDR;
	exception_type_t exception;
	uint32_t codeCnt;
	int64_t code[2];
	int32_t flavor;
	uint32_t old_stateCnt;
	natural_t old_state[THREAD_STATE_MAX];
} __packed mach_exception_raise_state_identity_request_t;

/* The reply to either: KERN_SUCCESS and new_stateCnt words to resume with. */
typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
	int32_t flavor;
	uint32_t new_stateCnt;
	natural_t new_state[THREAD_STATE_MAX];	/* new_stateCnt of them are sent */
} __packed exception_raise_state_reply_t;

/*
 * The routines: X(name, id, kotype, request type, what the request's one descriptor carries:
 * a port right (MACH_MSG_TYPE_PORT_*, MIG_RIGHT_POLY for any), MIG_OOL_DATA for out-of-line
 * bytes, 0 for a simple request). Ids: mach_host 200, mach_port 3200, task 3400, thread_act 3600.
 * thread_set_state's request is variable: the table gives its largest size.
 */
#define MIG_ROUTINES(X)                                                                         \
	X(host_info, 200, IKOT_HOST, kobj_info_request_t, 0)                                    \
	X(mach_port_type, 3201, IKOT_TASK, mach_port_request_t, 0)                              \
	X(mach_port_allocate, 3204, IKOT_TASK, mach_port_request_t, 0)                          \
	X(mach_port_destroy, 3205, IKOT_TASK, mach_port_request_t, 0)                           \
	X(mach_port_deallocate, 3206, IKOT_TASK, mach_port_request_t, 0)                        \
	X(mach_port_get_refs, 3207, IKOT_TASK, mach_port_get_refs_request_t, 0)                 \
	X(mach_port_mod_refs, 3208, IKOT_TASK, mach_port_mod_refs_request_t, 0)                 \
	X(mach_port_insert_right, 3214, IKOT_TASK, mach_port_insert_right_request_t,           \
	  MIG_RIGHT_POLY)                                                                       \
	X(mach_port_request_notification, 3213, IKOT_TASK,                                      \
	  mach_port_request_notification_request_t, MACH_MSG_TYPE_PORT_SEND_ONCE)               \
	X(task_threads, 3402, IKOT_TASK, task_threads_request_t, 0)                             \
	X(task_info, 3405, IKOT_TASK, kobj_info_request_t, 0)                                   \
	X(task_suspend, 3407, IKOT_TASK, kobj_noarg_request_t, 0)                               \
	X(task_resume, 3408, IKOT_TASK, kobj_noarg_request_t, 0)                                \
	X(task_get_special_port, 3409, IKOT_TASK, task_get_special_port_request_t, 0)           \
	X(task_set_special_port, 3410, IKOT_TASK, task_set_special_port_request_t,              \
	  MACH_MSG_TYPE_PORT_SEND)                                                              \
	X(task_set_exception_ports, 3413, IKOT_TASK, set_exception_ports_request_t,             \
	  MACH_MSG_TYPE_PORT_SEND)                                                              \
	X(mach_vm_allocate, 4800, IKOT_TASK, mach_vm_allocate_request_t, 0)                     \
	X(mach_vm_deallocate, 4801, IKOT_TASK, mach_vm_range_request_t, 0)                      \
	X(mach_vm_protect, 4802, IKOT_TASK, mach_vm_protect_request_t, 0)                       \
	X(mach_vm_read, 4804, IKOT_TASK, mach_vm_range_request_t, 0)                            \
	X(mach_vm_write, 4806, IKOT_TASK, mach_vm_write_request_t, MIG_OOL_DATA)                \
	X(thread_get_state, 3603, IKOT_THREAD, thread_get_state_request_t, 0)                   \
	X(thread_set_state, 3604, IKOT_THREAD, thread_set_state_request_t, 0)                   \
	X(thread_suspend, 3605, IKOT_THREAD, kobj_noarg_request_t, 0)                           \
	X(thread_resume, 3606, IKOT_THREAD, kobj_noarg_request_t, 0)                            \
	X(thread_info, 3612, IKOT_THREAD, kobj_info_request_t, 0)                               \
	X(thread_set_exception_ports, 3613, IKOT_THREAD, set_exception_ports_request_t,         \
	  MACH_MSG_TYPE_PORT_SEND)

/* MSGID_<name> for every routine. */
#define MIG_MSGID_ENUM(name, id, kotype, req, right) MSGID_##name = (id),
enum { MIG_ROUTINES(MIG_MSGID_ENUM) };
#undef MIG_MSGID_ENUM

#endif /* _MACH_KERN_MIG_DEFS_H_ */
