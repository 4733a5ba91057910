/*
 * exception.h — Mach exceptions: task and thread exception ports, and the exception_raise
 * RPC the kernel makes to a handler on behalf of a thread that faulted (XNU
 * osfmk/kern/exception.c; <mach/exception_types.h>, the MIG layouts of exc.defs and
 * mach_exc.defs for a 64-bit task).
 *
 * The one idea: an exception is a message. The faulting thread sends it to the handler its
 * thread, then its task, registered for that exception type, and waits for the reply; a reply
 * of KERN_SUCCESS means "handled, resume the thread", anything else sends the search on, and
 * when no handler handles it the caller (BSD, for a user fault) turns it into a signal.
 */
#ifndef _MACH_KERN_EXCEPTION_H_
#define _MACH_KERN_EXCEPTION_H_

#include <mach/ipc/ipc.h>
#include <mach/kern/ipc_kobject.h>

struct task;
struct thread;

/* One registration: where type goes and in which form. */
struct exception_action {
	ipc_port_t ea_port;	/* a send right, or NULL */
	exception_behavior_t ea_behavior;
	thread_state_flavor_t ea_flavor;
};

/*
 * task_set_exception_ports / thread_set_exception_ports: send the exceptions in mask to port
 * (a send right the caller gives; consumed, also on error; NULL clears) in the form behavior
 * says: EXCEPTION_DEFAULT, EXCEPTION_STATE or EXCEPTION_STATE_IDENTITY (these two with flavor
 * x86_THREAD_STATE64), with or without MACH_EXCEPTION_CODES.
 *   Locks:   none held.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (mask outside EXC_MASK_VALID, or behavior);
 *            KERN_RESOURCE_SHORTAGE.
 */
kern_return_t task_set_exception_ports(struct task *task, exception_mask_t mask, ipc_port_t port,
				       exception_behavior_t behavior, thread_state_flavor_t flavor);
kern_return_t thread_set_exception_ports(struct thread *thread, exception_mask_t mask,
					 ipc_port_t port, exception_behavior_t behavior,
					 thread_state_flavor_t flavor);

/*
 * exception_triage: raise exception for thread (the current one, which waits): try the
 * thread's handler, then its task's. codeCnt is 0..2.
 *   Locks:   none held; sleeps until a handler replies.
 *   Returns: KERN_SUCCESS when a handler handled it (resume the thread); KERN_FAILURE when
 *            none did (BSD then posts a signal); KERN_INVALID_ARGUMENT for a bad type/count.
 */
kern_return_t exception_triage(struct thread *thread, exception_type_t exception,
			       const mach_exception_data_type_t *code, uint32_t codeCnt);

/* Release the send rights in a table of EXC_TYPES_COUNT actions and free it. */
void exception_actions_free(struct exception_action *actions);

#endif /* _MACH_KERN_EXCEPTION_H_ */
