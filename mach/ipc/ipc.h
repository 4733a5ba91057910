/*
 * ipc.h — Mach IPC inside the kernel: spaces of names, ports, port sets, kernel messages and
 * the kernel-level mach_port_* and mach_msg calls (XNU osfmk/ipc; Draves, "The Revised IPC
 * Interface", 1990; the Mach 3 Kernel Interfaces manual for the semantics of each call).
 *
 * The one idea: a right lives in exactly one place — an entry of one space, or a message in
 * flight — and every transfer is a copyin (the right leaves the sender's entry and is carried
 * as a port pointer plus its kind) followed by a copyout (it gets a name in the receiver's
 * space). Ports count what exists of each kind (ip_srights, ip_sorights, the receive right), so
 * the kernel knows exactly when the last sender goes (no-senders) and the names of a dead
 * port become dead names lazily, the next time a space looks at them.
 *
 * Locking: one IPC lock (a spin lock) covers every space, port, set and queue. A call takes it
 * at its entry and drops it before sleeping (after assert_wait, so no wakeup is lost).
 * XXX: per-space and per-port locks (XNU's order: space, then port) once IPC runs on several
 * CPUs at once; today threads run on the boot CPU only.
 *
 * Messages are read from and written to kernel buffers; ipc_mach_msg_trap reads the buffer
 * through a copy hook (struct ipc_umem) that the class-1 trap will point at the user copy.
 * Out-of-line memory travels as a vm_map_copy (copy-on-write); out-of-line port arrays as
 * arrays of rights. Ports of kernel objects (task, thread, host) are served by
 * mach/kern/ipc_kobject.c (its interface: mach/kern/mig_defs.h). XXX: vouchers, guarded port
 * descriptors.
 */
#ifndef _MACH_IPC_IPC_H_
#define _MACH_IPC_IPC_H_

#include <mach/ipc/message.h>
#include <mach/kern/queue.h>
#include <mach/vm/vm_types.h>

typedef struct ipc_space *ipc_space_t;
typedef struct ipc_port *ipc_port_t;
typedef struct ipc_pset *ipc_pset_t;
typedef struct ipc_kmsg *ipc_kmsg_t;
typedef struct vm_map *vm_map_t;

#define IPC_PORT_NULL ((ipc_port_t)0)

/* Bits of ie_bits: the rights (MACH_PORT_TYPE_*) and the user references in the low 16. */
#define IE_BITS_UREFS_MASK 0x0000ffffu
#define IE_BITS_TYPE_MASK  0x001f0000u
#define IE_BITS_UREFS(b)   ((b) & IE_BITS_UREFS_MASK)
#define IE_BITS_TYPE(b)	   ((b) & IE_BITS_TYPE_MASK)

struct ipc_entry {
	void *ie_object;	/* the port or set; NULL for a dead name or a free entry */
	uint32_t ie_bits;	/* IE_BITS_TYPE | DNREQUEST flag | urefs */
	uint32_t ie_next;	/* free list (index; 0 ends it) */
	uint32_t ie_hnext;	/* reverse-lookup chain of entries with a send right */
	uint8_t ie_gen;		/* generation: bumped each time the index is freed */
};

/* Largest table: 2^17 names (the table is one kalloc block of at most 4 MiB). */
#define IPC_SPACE_MAX_ENTRIES (1u << 17)

struct ipc_space {
	struct ipc_entry *is_table;
	uint32_t is_size;	/* entries, index 0 never used */
	uint32_t is_free;	/* first free index, 0 when none */
	uint32_t is_inuse;	/* names in use */
	uint32_t *is_hash;	/* port -> first entry index, for coalescing send rights */
	uint32_t is_hash_size;	/* power of two */
	uint32_t is_max;	/* table limit (IPC_SPACE_MAX_ENTRIES unless a test lowers it) */
	bool is_active;
	/* What the trailers of messages sent from this space say of the sender: set by whoever
	 * gives the space its credentials (BSD at exec and set*id); zero for the kernel. */
	security_token_t is_sec_token;
	audit_token_t is_audit_token;
};

/* A dead-name request: notify (a send-once right) hears when the port named name dies. */
struct ipc_dnreq {
	queue_chain_t dn_link;
	ipc_space_t dn_space;
	mach_port_name_t dn_name;
	ipc_port_t dn_notify;
};

struct ipc_port {
	uint32_t ip_references;
	bool ip_active;
	ipc_space_t ip_receiver;	/* space holding the receive right; NULL in transit */
	mach_port_name_t ip_receiver_name;
	mach_port_mscount_t ip_mscount; /* make-send count */
	uint32_t ip_srights;		/* send rights: one per naming entry, one per message */
	uint32_t ip_sorights;		/* send-once rights */
	ipc_port_t ip_nsrequest;	/* send-once right for no-senders, or NULL */
	ipc_port_t ip_pdrequest;	/* send-once right for port-destroyed, or NULL */
	queue_head_t ip_dnrequests;	/* struct ipc_dnreq */
	queue_head_t ip_messages;	/* struct ipc_kmsg; receivers wait on &ip_messages */
	uint32_t ip_msgcount;
	uint32_t ip_qlimit;		/* blocked senders wait on &ip_qlimit */
	mach_port_seqno_t ip_seqno;
	ipc_pset_t ip_pset;
	queue_chain_t ip_pset_link;
	/* A kernel object's port (mach/kern/ipc_kobject.h): the kernel holds the receive right
	 * and serves its messages; ip_kobject is the object, or NULL once it is gone. */
	uint8_t ip_kotype;		/* IKOT_*; IKOT_NONE for an ordinary port */
	void *ip_kobject;
};

struct ipc_pset {
	uint32_t ips_references;
	bool ips_active;
	ipc_space_t ips_space;
	mach_port_name_t ips_name;
	queue_head_t ips_members;	/* receivers wait on &ips_members */
};

/*
 * What a descriptor carries in the kernel. Port descriptors: kd_port (IPC_PORT_DEAD_PTR for
 * MACH_PORT_DEAD). OOL memory: kd_copy. OOL ports: kd_ports[kd_count], and kd_names while the
 * names are not yet rights (before copyin's commit, and after copyout until the names are
 * written to the receiver).
 */
struct ipc_kdesc {
	uint32_t kd_off;		/* offset of the descriptor in ikm_data */
	uint8_t kd_type;		/* MACH_MSG_*_DESCRIPTOR */
	uint8_t kd_right;		/* the right carried (port and OOL ports descriptors) */
	bool kd_dealloc;		/* OOL: the sender asked to lose the range */
	uint32_t kd_count;		/* OOL ports: entries */
	ipc_port_t kd_port;
	struct vm_map_copy *kd_copy;
	ipc_port_t *kd_ports;
	mach_port_name_t *kd_names;
};

/* A message in the kernel: the sender's bytes plus the rights and memory it carries. */
struct ipc_kmsg {
	queue_chain_t ikm_link;
	vm_size_t ikm_alloc;		/* bytes of this allocation */
	mach_msg_size_t ikm_size;	/* message bytes, trailer excluded */
	ipc_port_t ikm_remote;		/* destination (a send or send-once right) */
	ipc_port_t ikm_local;		/* reply right, or NULL */
	bool ikm_local_dead;		/* the reply name was MACH_PORT_DEAD */
	bool ikm_no_rights;		/* built by ipc_kmsg_get, rights not yet taken */
	uint32_t ikm_ndesc;
	struct ipc_kdesc *ikm_desc;	/* ikm_ndesc */
	mach_msg_audit_trailer_t ikm_trailer;
	uint8_t *ikm_data;		/* ikm_size bytes: header, body, descriptors, data */
};

/*
 * How IPC reaches the memory of the task on the other side of a mach_msg: its map (for
 * out-of-line memory) and a copy hook for the message buffer and out-of-line port arrays
 * (the user copy for a user task; vm_map_copy_bytes on the map for a kernel test task).
 * Hooks return KERN_SUCCESS or an error (the bytes are then unusable).
 */
struct ipc_umem {
	vm_map_t um_map;
	kern_return_t (*um_copyin)(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len);
	kern_return_t (*um_copyout)(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr,
				    vm_size_t len);
};

#define IPC_KMSG_MAX_SIZE (64u * 1024)	/* largest inline message; more goes out of line */
#define IPC_KMSG_MAX_DESC 64u 		/* most descriptors in one message */
#define IPC_KMSG_MAX_OOL_PORTS 1024u	/* most names in all OOL port arrays of a message */

/* ---- ipc_space.c ---- */
/* ipc_bootstrap: create the IPC zones. Once, after kalloc_init(), before any other call. */
void ipc_bootstrap(void);
/*
 * ipc_space_create: a new empty space.
 *   Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t ipc_space_create(ipc_space_t *spacep);
/* ipc_space_destroy: destroy every right the space holds (notifications go out), free it. */
void ipc_space_destroy(ipc_space_t space);
/*
 * ipc_space_terminate: destroy every right the space holds and make it inactive (every call on
 * it answers KERN_INVALID_TASK from then on), keeping its memory for whoever still points at
 * it; ipc_space_destroy frees it later. A task's space ends so when its last thread exits
 * (XNU's ipc_space_terminate at task termination). Locks: none held. Idempotent.
 */
void ipc_space_terminate(ipc_space_t space);
/* How many ports and sets exist now (for leak checks). */
uint64_t ipc_port_count(void);
uint64_t ipc_pset_count(void);

/* ---- ipc_right.c: the mach_port_* calls (the Mach 3 Kernel Interfaces semantics) ---- */
/*
 * mach_port_allocate: a new receive right, port set or dead name in space.
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK (space dead), KERN_INVALID_VALUE (right),
 *            KERN_NO_SPACE (table full), KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_allocate(ipc_space_t space, mach_port_right_t right,
				 mach_port_name_t *namep);
/* mach_port_allocate_name: the same under a name the caller chooses.
 *   Returns: also KERN_NAME_EXISTS, KERN_INVALID_VALUE (NULL/DEAD name). */
kern_return_t mach_port_allocate_name(ipc_space_t space, mach_port_right_t right,
				      mach_port_name_t name);
/*
 * mach_port_deallocate: drop one user reference of a send, send-once or dead-name right.
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME, KERN_INVALID_RIGHT.
 */
kern_return_t mach_port_deallocate(ipc_space_t space, mach_port_name_t name);
/*
 * mach_port_mod_refs: add delta user references of right to name (receive, send-once and
 * port-set rights have one; -1 destroys them).
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME, KERN_INVALID_RIGHT,
 *            KERN_INVALID_VALUE (bad right or delta below zero), KERN_UREFS_OVERFLOW.
 */
kern_return_t mach_port_mod_refs(ipc_space_t space, mach_port_name_t name,
				 mach_port_right_t right, mach_port_delta_t delta);
/* mach_port_get_refs: user references name holds of right.  Returns as mod_refs. */
kern_return_t mach_port_get_refs(ipc_space_t space, mach_port_name_t name,
				 mach_port_right_t right, mach_port_urefs_t *refsp);
/* mach_port_type: the rights name denotes.  Returns: KERN_SUCCESS, _INVALID_TASK, _NAME. */
kern_return_t mach_port_type(ipc_space_t space, mach_port_name_t name, mach_port_type_t *typep);
/* mach_port_destroy: remove name and every right it denotes.  Returns as mach_port_type. */
kern_return_t mach_port_destroy(ipc_space_t space, mach_port_name_t name);
/*
 * mach_port_insert_right: give space the right to `port` that the caller holds (port and
 * type from ipc_right_copyin or mach_port_extract_right; consumed on success) under name.
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (NULL/DEAD name, bad type),
 *            KERN_INVALID_CAPABILITY (port dead), KERN_NAME_EXISTS (name denotes another
 *            right), KERN_RIGHT_EXISTS (port already named otherwise), KERN_UREFS_OVERFLOW,
 *            KERN_NO_SPACE.
 */
kern_return_t mach_port_insert_right(ipc_space_t space, mach_port_name_t name, ipc_port_t port,
				     mach_msg_type_name_t type);
/*
 * mach_port_extract_right: take a right out of space as a message would (disposition
 * MOVE_*, COPY_SEND, MAKE_SEND, MAKE_SEND_ONCE); the caller then holds *portp of *typep.
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME, KERN_INVALID_RIGHT,
 *            KERN_INVALID_VALUE (disposition).
 */
kern_return_t mach_port_extract_right(ipc_space_t space, mach_port_name_t name,
				      mach_msg_type_name_t disposition, ipc_port_t *portp,
				      mach_msg_type_name_t *typep);
/*
 * mach_port_move_member: put the receive right name into set pset (MACH_PORT_NULL: out of
 * any set).
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME, KERN_INVALID_RIGHT.
 */
kern_return_t mach_port_move_member(ipc_space_t space, mach_port_name_t member,
				    mach_port_name_t pset);
/*
 * mach_port_request_notification: ask for msgid (MACH_NOTIFY_DEAD_NAME on a send right,
 * MACH_NOTIFY_NO_SENDERS or _PORT_DESTROYED on a receive right) to go to the send-once right
 * made from notify by notify_disp (MAKE_SEND_ONCE or MOVE_SEND_ONCE; MACH_PORT_NULL cancels).
 * A previous request's right comes back named in *previousp (MACH_PORT_NULL when none).
 * No-senders with sync <= the make-send count fires at once when there are no senders; a
 * dead-name request on a dead name fires at once.
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME, KERN_INVALID_RIGHT,
 *            KERN_INVALID_VALUE (msgid), KERN_INVALID_CAPABILITY (notify), KERN_NO_SPACE.
 */
kern_return_t mach_port_request_notification(ipc_space_t space, mach_port_name_t name,
					     mach_msg_id_t msgid, mach_port_mscount_t sync,
					     mach_port_name_t notify,
					     mach_msg_type_name_t notify_disp,
					     mach_port_name_t *previousp);
/*
 * ipc_right_request_notification: mach_port_request_notification with the notification right
 * already held by the kernel (the kernel server's request carried it): *sop is a send-once
 * right or NULL (cancel); it is consumed (*sop set to NULL) when the call succeeds, and left to
 * the caller otherwise. The previous request's send-once right comes back in *prevp (or NULL).
 *   Locks:   none held.
 *   Returns: as mach_port_request_notification.
 */
kern_return_t ipc_right_request_notification(ipc_space_t space, mach_port_name_t name,
					     mach_msg_id_t msgid, mach_port_mscount_t sync,
					     ipc_port_t *sop, ipc_port_t *prevp);
/* mach_port_set_qlimit: queue limit of a receive right (1..MACH_PORT_QLIMIT_MAX).
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, _NAME, _RIGHT, KERN_INVALID_VALUE. */
kern_return_t mach_port_set_qlimit(ipc_space_t space, mach_port_name_t name, uint32_t qlimit);
/* Counts of a receive right, for tests and the shell.  Returns as mach_port_set_qlimit. */
struct ipc_port_status {
	mach_port_mscount_t mps_mscount;
	uint32_t mps_srights, mps_sorights, mps_msgcount, mps_qlimit;
	mach_port_seqno_t mps_seqno;
};
kern_return_t mach_port_get_status(ipc_space_t space, mach_port_name_t name,
				   struct ipc_port_status *st);
/*
 * ipc_port_make_send: a new send right to port for the kernel to give away (the make-send
 * count goes up, as when a receiver makes one).
 *   Locks:   IPC lock held.  Refs: the right holds one port reference.
 */
void ipc_port_make_send(ipc_port_t port);
/*
 * Kernel objects: messages delivered to a port with ip_kotype set are queued for the kernel
 * server, which ipc_kobject_drain runs (after the IPC lock is dropped) through the function
 * the kernel-object layer registered (none in hosted builds: the messages are destroyed).
 */
extern void (*ipc_kobject_server_fn)(ipc_kmsg_t request);
/* ipc_kobject_pending: whether messages wait for the kernel server. IPC lock held. */
bool ipc_kobject_pending(void);
/* ipc_kobject_drain: serve every queued kernel-object message. Locks: none held. */
void ipc_kobject_drain(void);
/*
 * mach_port_set_attributes: MACH_PORT_LIMITS_INFO sets the queue limit of a receive right
 * (info: count words, at least MACH_PORT_LIMITS_INFO_COUNT).
 *   Returns: KERN_SUCCESS, KERN_INVALID_TASK, _NAME, _RIGHT, KERN_INVALID_VALUE (flavor,
 *            count or limit).
 */
kern_return_t mach_port_set_attributes(ipc_space_t space, mach_port_name_t name, int flavor,
				       const uint32_t *info, uint32_t count);
/*
 * mach_port_get_attributes: MACH_PORT_LIMITS_INFO or MACH_PORT_RECEIVE_STATUS of a receive
 * right into info (room for *countp words; *countp becomes the words written).
 *   Returns: as mach_port_set_attributes.
 */
kern_return_t mach_port_get_attributes(ipc_space_t space, mach_port_name_t name, int flavor,
				       uint32_t *info, uint32_t *countp);
/* ipc_port_release_right: destroy a right the kernel holds (from extract_right). */
void ipc_port_release_right(ipc_port_t port, mach_msg_type_name_t type);

/* ---- ipc_mqueue.c: mach_msg ---- */
/*
 * ipc_mach_msg: mach_msg() for a thread whose names live in space and whose memory um reaches
 * (NULL: a thread with no address space; out-of-line data is then refused), with the message
 * in the kernel buffer msg (send_size bytes to send, room for rcv_size to receive).
 * MACH_SEND_MSG copies in and queues (waiting while a send right's destination queue is full;
 * nothing is consumed when the wait times out); MACH_RCV_MSG then waits on rcv_name (a
 * receive right or a port set) and copies the first message out with a trailer
 * (MACH_RCV_TRAILER_ELEMENTS up to AUDIT). timeout is in milliseconds for MACH_SEND_TIMEOUT /
 * MACH_RCV_TIMEOUT.
 *   Locks:   none held; may sleep.
 *   Returns: MACH_MSG_SUCCESS or a MACH_SEND_* / MACH_RCV_* code (message.h).
 */
mach_msg_return_t ipc_mach_msg(ipc_space_t space, struct ipc_umem *um, void *msg,
			       mach_msg_option_t option, mach_msg_size_t send_size,
			       mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
			       mach_msg_timeout_t timeout);
/*
 * ipc_mach_msg_trap: mach_msg() with the message at msg_addr in the caller's memory, read and
 * written through um's copy hook: what the class-1 Mach trap calls. The received message is
 * written back only when it fits (or, with MACH_RCV_LARGE, its header with the size needed).
 *   Locks:   none held; may sleep.
 *   Returns: as ipc_mach_msg; MACH_SEND_INVALID_DATA / MACH_RCV_INVALID_DATA when the buffer
 *            cannot be read / written.
 */
mach_msg_return_t ipc_mach_msg_trap(ipc_space_t space, struct ipc_umem *um, vaddr_t msg_addr,
				    mach_msg_option_t option, mach_msg_size_t send_size,
				    mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
				    mach_msg_timeout_t timeout);

/*
 * ipc_mqueue_receive_kernel: wait for and dequeue the first message on port, whose receive
 * right the kernel holds outside any space (a reply port of a kernel RPC).
 *   Locks:   IPC lock held; dropped while sleeping.
 *   Returns: the message (the caller destroys it), or NULL when the port died.
 */
ipc_kmsg_t ipc_mqueue_receive_kernel(ipc_port_t port);

/* ---- internals shared by the ipc_*.c files (IPC lock held) ---- */
void ipc_lock(void);
/* Unlock, first destroying the messages queued for destruction while it was held. */
void ipc_unlock(void);
struct ipc_entry *ipc_entry_lookup(ipc_space_t space, mach_port_name_t name);
kern_return_t ipc_entry_alloc(ipc_space_t space, mach_port_name_t *namep);
kern_return_t ipc_entry_alloc_name(ipc_space_t space, mach_port_name_t name);
void ipc_entry_set(ipc_space_t space, mach_port_name_t name, void *object, uint32_t bits);
void ipc_entry_free(ipc_space_t space, mach_port_name_t name);
mach_port_name_t ipc_space_send_name(ipc_space_t space, ipc_port_t port);
void ipc_kmsg_destroy_later(ipc_kmsg_t kmsg);

ipc_port_t ipc_port_alloc(void);
ipc_pset_t ipc_pset_alloc(void);
void ipc_port_reference(ipc_port_t port);
void ipc_port_release(ipc_port_t port);
void ipc_pset_release(ipc_pset_t pset);
void ipc_pset_destroy(ipc_pset_t pset);
void ipc_port_destroy(ipc_port_t port);
void ipc_port_release_send(ipc_port_t port);
void ipc_port_release_sonce(ipc_port_t port);
void ipc_port_set_pset(ipc_port_t port, ipc_pset_t pset);
void ipc_notify_send_once(ipc_port_t port);
void ipc_notify_dead_name(ipc_port_t notify, mach_port_name_t name);
void ipc_notify_port_deleted(ipc_port_t notify, mach_port_name_t name);
void ipc_notify_no_senders(ipc_port_t notify, mach_port_mscount_t mscount);
void ipc_port_wakeup_senders(ipc_port_t port);
/* Find and remove space's dead-name request on name, returning its send-once right or NULL. */
ipc_port_t ipc_right_dnrequest_take(ipc_space_t space, mach_port_name_t name, ipc_port_t port);
/* Whether an entry with bits allows one use of disposition. */
bool ipc_right_copyin_ok(uint32_t bits, mach_msg_type_name_t disp);
/* Take the right disposition names out of space (ipc_right_copyin_ok said yes). */
void ipc_right_copyin(ipc_space_t space, mach_port_name_t name, mach_msg_type_name_t disp,
		      ipc_port_t *portp, mach_msg_type_name_t *typep);
void ipc_kmsg_deliver(ipc_kmsg_t kmsg);
ipc_kmsg_t ipc_kmsg_alloc(mach_msg_size_t size, uint32_t ndesc);
void ipc_kmsg_free(ipc_kmsg_t kmsg);
/* Destroy a right of type (PORT_SEND/_SEND_ONCE/_RECEIVE) held outside any space. */
void ipc_object_destroy(ipc_port_t port, mach_msg_type_name_t type);
/* Convert name to a dead name if its port died; true if it did. */
bool ipc_right_check(ipc_space_t space, mach_port_name_t name, struct ipc_entry *entry);
/* Give space a right of type to port; *namep its name (MACH_PORT_DEAD if the port died). */
kern_return_t ipc_right_copyout(ipc_space_t space, ipc_port_t port, mach_msg_type_name_t type,
				mach_port_name_t *namep);

#define IPC_PORT_DEAD_PTR ((ipc_port_t)~(uintptr_t)0)

/* ---- ipc_kmsg.c ---- */
/*
 * ipc_kmsg_get: validate msg (size bytes, untrusted) and build a kernel message of it, taking
 * its out-of-line memory copy-on-write from um's map and reading its out-of-line port names.
 * No right moves yet (ipc_kmsg_copyin does that).
 *   Locks:   none held (may fault on the sender's memory).
 *   Returns: MACH_MSG_SUCCESS with *kmsgp, MACH_SEND_MSG_TOO_SMALL, MACH_SEND_TOO_LARGE,
 *            MACH_SEND_INVALID_HEADER, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_REPLY,
 *            MACH_SEND_INVALID_TYPE, MACH_SEND_INVALID_VOUCHER, MACH_SEND_INVALID_MEMORY,
 *            MACH_SEND_NO_BUFFER.
 */
mach_msg_return_t ipc_kmsg_get(struct ipc_umem *um, const void *msg, mach_msg_size_t size,
			       ipc_kmsg_t *kmsgp);
/*
 * ipc_kmsg_copyin: take the rights kmsg names out of space, all or nothing, then remove the
 * ranges the sender asked to deallocate from um's map and stamp the sender's tokens.
 *   Locks:   IPC lock held.
 *   Returns: MACH_MSG_SUCCESS, MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_REPLY,
 *            MACH_SEND_INVALID_RIGHT, MACH_SEND_NO_BUFFER. On error kmsg is unchanged.
 */
mach_msg_return_t ipc_kmsg_copyin(ipc_space_t space, struct ipc_umem *um, ipc_kmsg_t kmsg);
/*
 * ipc_kmsg_copyout: give space the rights kmsg carries and map its out-of-line memory into
 * um's map, rewriting the message in place; ipc_kmsg_put then finishes it.
 *   Locks:   IPC lock held.
 *   Returns: MACH_MSG_SUCCESS, or MACH_RCV_HEADER_ERROR / MACH_RCV_BODY_ERROR |
 *            MACH_MSG_IPC_SPACE when a name could not be allocated (that right is destroyed
 *            and its name written as MACH_PORT_DEAD), | MACH_MSG_VM_SPACE when memory could
 *            not be mapped (it is discarded, its address written as 0).
 */
mach_msg_return_t ipc_kmsg_copyout(ipc_space_t space, struct ipc_umem *um, ipc_kmsg_t kmsg);
/*
 * ipc_kmsg_put: write the out-of-line port arrays into new memory of um's map, then the
 * message with a trailer of trailer_size into buf (room checked by the caller); frees kmsg.
 *   Locks:   none held (may fault on the receiver's memory).
 *   Returns: mr, or MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE when an array could not be placed.
 */
mach_msg_return_t ipc_kmsg_put(struct ipc_umem *um, ipc_kmsg_t kmsg, void *buf,
			       mach_msg_size_t trailer_size, mach_msg_return_t mr);
/* ipc_kmsg_destroy: destroy the rights and memory kmsg carries and free it. IPC lock held. */
void ipc_kmsg_destroy(ipc_kmsg_t kmsg);
/* The trailer size MACH_RCV_TRAILER_ELEMENTS in option asks for (8, 12, 20 or 52). */
mach_msg_size_t ipc_kmsg_trailer_size(mach_msg_option_t option);

#endif /* _MACH_IPC_IPC_H_ */
