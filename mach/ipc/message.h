/*
 * message.h — the Mach message ABI: port names and rights (<mach/port.h>), message headers,
 * descriptors, trailers, options and return codes (<mach/message.h>), and notification ids and
 * layouts (<mach/notify.h>), written from XNU's documentation with XNU's values so that user
 * programs and tools built against XNU's headers read them the same way.
 *
 * The one idea: a user names a port by a 32-bit integer valid only in its own space; the
 * header's bits say, for the destination and the reply port, which right the message moves,
 * copies or makes. After copyin a disposition becomes the right carried (MOVE_*, i.e. PORT_*).
 * Layouts are those of a 64-bit user task (descriptors 12 or 16 bytes, packed to 4): the type
 * byte is the twelfth byte of every descriptor, which is how a parser learns each one's size.
 */
#ifndef _MACH_IPC_MESSAGE_H_
#define _MACH_IPC_MESSAGE_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

/* ---- <mach/port.h> ---- */
typedef uint32_t mach_port_name_t;
typedef uint32_t mach_port_right_t;
typedef uint32_t mach_port_type_t;
typedef uint32_t mach_port_urefs_t;
typedef int32_t mach_port_delta_t;
typedef uint32_t mach_port_mscount_t;
typedef uint32_t mach_port_msgcount_t;

#define MACH_PORT_NULL 0u
#define MACH_PORT_DEAD 0xffffffffu
#define MACH_PORT_VALID(n) ((n) != MACH_PORT_NULL && (n) != MACH_PORT_DEAD)

/* A name is index << 8 | generation (XNU's MACH_PORT_INDEX/MACH_PORT_GEN, generation low). */
#define MACH_PORT_INDEX(n)	((n) >> 8)
#define MACH_PORT_GEN(n)	((n) & 0xffu)
#define MACH_PORT_MAKE(i, g)	(((uint32_t)(i) << 8) | ((g) & 0xffu))

#define MACH_PORT_RIGHT_SEND	  0u
#define MACH_PORT_RIGHT_RECEIVE	  1u
#define MACH_PORT_RIGHT_SEND_ONCE 2u
#define MACH_PORT_RIGHT_PORT_SET  3u
#define MACH_PORT_RIGHT_DEAD_NAME 4u
#define MACH_PORT_RIGHT_NUMBER	  5u

#define MACH_PORT_TYPE(right)	   (1u << ((right) + 16))
#define MACH_PORT_TYPE_NONE	   0u
#define MACH_PORT_TYPE_SEND	   MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND)
#define MACH_PORT_TYPE_RECEIVE	   MACH_PORT_TYPE(MACH_PORT_RIGHT_RECEIVE)
#define MACH_PORT_TYPE_SEND_ONCE   MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND_ONCE)
#define MACH_PORT_TYPE_PORT_SET	   MACH_PORT_TYPE(MACH_PORT_RIGHT_PORT_SET)
#define MACH_PORT_TYPE_DEAD_NAME   MACH_PORT_TYPE(MACH_PORT_RIGHT_DEAD_NAME)
#define MACH_PORT_TYPE_SEND_RECEIVE (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)
/* Set on a name that has a dead-name request registered (XNU's MACH_PORT_TYPE_DNREQUEST). */
#define MACH_PORT_TYPE_DNREQUEST   0x80000000u

/* mach_port_{get,set}_attributes flavors and their data (<mach/port.h>), in natural_t words. */
#define MACH_PORT_LIMITS_INFO	 1
#define MACH_PORT_RECEIVE_STATUS 2
typedef struct {
	uint32_t mpl_qlimit;
} mach_port_limits_t;
typedef struct {
	mach_port_name_t mps_pset;	/* the set it is in, or MACH_PORT_NULL */
	uint32_t mps_seqno;
	uint32_t mps_mscount;
	uint32_t mps_qlimit;
	uint32_t mps_msgcount;
	uint32_t mps_sorights;
	uint32_t mps_srights;		/* boolean: send rights exist */
	uint32_t mps_pdrequest;		/* boolean: a port-destroyed request */
	uint32_t mps_nsrequest;		/* boolean: a no-senders request */
	uint32_t mps_flags;
} mach_port_status_t;
#define MACH_PORT_LIMITS_INFO_COUNT	 ((uint32_t)(sizeof(mach_port_limits_t) / 4))
#define MACH_PORT_RECEIVE_STATUS_COUNT	 ((uint32_t)(sizeof(mach_port_status_t) / 4))

#define MACH_PORT_UREFS_MAX	0xffffu
#define MACH_PORT_QLIMIT_DEFAULT 5u
#define MACH_PORT_QLIMIT_MAX	1024u

/* ---- <mach/message.h> ---- */
typedef uint32_t mach_msg_bits_t;
typedef uint32_t mach_msg_size_t;
typedef int32_t mach_msg_id_t;
typedef uint32_t mach_msg_type_name_t;
typedef uint32_t mach_msg_descriptor_type_t;
typedef uint32_t mach_msg_option_t;
typedef uint32_t mach_msg_timeout_t;
typedef kern_return_t mach_msg_return_t;
typedef uint32_t mach_msg_trailer_type_t;
typedef uint32_t mach_msg_trailer_size_t;
typedef uint32_t mach_port_seqno_t;

typedef struct {
	mach_msg_bits_t msgh_bits;
	mach_msg_size_t msgh_size;
	mach_port_name_t msgh_remote_port;
	mach_port_name_t msgh_local_port;
	mach_port_name_t msgh_voucher_port;
	mach_msg_id_t msgh_id;
} mach_msg_header_t;

typedef struct {
	uint32_t msgh_descriptor_count;
} mach_msg_body_t;

typedef struct {
	mach_port_name_t name;
	uint32_t pad1;
	uint16_t pad2;
	uint8_t disposition;
	uint8_t type;
} mach_msg_port_descriptor_t;

/* Out-of-line memory, 64-bit layout (XNU's mach_msg_ool_descriptor64_t). */
typedef struct {
	uint64_t address;
	uint8_t deallocate;	/* remove the range from the sender once sent */
	uint8_t copy;		/* MACH_MSG_PHYSICAL_COPY or MACH_MSG_VIRTUAL_COPY */
	uint8_t pad1;
	uint8_t type;
	mach_msg_size_t size;
} __packed mach_msg_ool_descriptor_t;

/* An out-of-line array of port names, 64-bit layout (mach_msg_ool_ports_descriptor64_t). */
typedef struct {
	uint64_t address;
	uint8_t deallocate;
	uint8_t copy;
	uint8_t disposition;
	uint8_t type;
	mach_msg_size_t count;
} __packed mach_msg_ool_ports_descriptor_t;

#define MACH_MSG_PHYSICAL_COPY 0u
#define MACH_MSG_VIRTUAL_COPY  1u
#define MACH_MSG_ALLOCATE      2u

/* The common prefix by which a descriptor's kind is read (XNU's mach_msg_type_descriptor_t). */
typedef struct {
	uint32_t pad1;
	uint32_t pad2;
	uint16_t pad3;
	uint8_t pad4;
	uint8_t type;
} mach_msg_type_descriptor_t;

typedef struct {
	uint32_t msgh_trailer_type;
	uint32_t msgh_trailer_size;
} mach_msg_trailer_t;

typedef struct {
	uint32_t val[2];
} security_token_t;

typedef struct {
	uint32_t val[8];
} audit_token_t;

typedef struct {
	mach_msg_trailer_type_t msgh_trailer_type;
	mach_msg_trailer_size_t msgh_trailer_size;
	mach_port_seqno_t msgh_seqno;
	security_token_t msgh_sender;
	audit_token_t msgh_audit;
} mach_msg_audit_trailer_t;

_Static_assert(sizeof(mach_msg_header_t) == 24, "mach_msg_header_t is 24 bytes");
_Static_assert(sizeof(mach_msg_port_descriptor_t) == 12, "port descriptor is 12 bytes");
_Static_assert(sizeof(mach_msg_audit_trailer_t) == 52, "audit trailer is 52 bytes");
_Static_assert(sizeof(mach_msg_ool_descriptor_t) == 16, "OOL descriptor is 16 bytes");
_Static_assert(sizeof(mach_msg_ool_ports_descriptor_t) == 16, "OOL ports descriptor is 16 bytes");

#define MACH_MSG_TRAILER_FORMAT_0 0
#define MACH_MSG_TRAILER_MINIMUM_SIZE sizeof(mach_msg_trailer_t)
#define MACH_RCV_TRAILER_NULL	0
#define MACH_RCV_TRAILER_SEQNO	1
#define MACH_RCV_TRAILER_SENDER 2
#define MACH_RCV_TRAILER_AUDIT	3

#define MACH_MSGH_BITS_REMOTE_MASK  0x0000001fu
#define MACH_MSGH_BITS_LOCAL_MASK   0x00001f00u
#define MACH_MSGH_BITS_VOUCHER_MASK 0x001f0000u
#define MACH_MSGH_BITS_PORTS_MASK   0x001f1f1fu
#define MACH_MSGH_BITS_COMPLEX	    0x80000000u
#define MACH_MSGH_BITS_USER	    0x801f1f1fu
#define MACH_MSGH_BITS(remote, local) ((remote) | ((local) << 8))
#define MACH_MSGH_BITS_REMOTE(bits) ((bits) & MACH_MSGH_BITS_REMOTE_MASK)
#define MACH_MSGH_BITS_LOCAL(bits)  (((bits) & MACH_MSGH_BITS_LOCAL_MASK) >> 8)
#define MACH_MSGH_BITS_VOUCHER(bits) (((bits) & MACH_MSGH_BITS_VOUCHER_MASK) >> 16)

#define MACH_MSG_TYPE_MOVE_RECEIVE   16u
#define MACH_MSG_TYPE_MOVE_SEND	     17u
#define MACH_MSG_TYPE_MOVE_SEND_ONCE 18u
#define MACH_MSG_TYPE_COPY_SEND	     19u
#define MACH_MSG_TYPE_MAKE_SEND	     20u
#define MACH_MSG_TYPE_MAKE_SEND_ONCE 21u
#define MACH_MSG_TYPE_COPY_RECEIVE   22u
/* After copyin, the right a message carries. */
#define MACH_MSG_TYPE_PORT_NONE	     0u
#define MACH_MSG_TYPE_PORT_RECEIVE   MACH_MSG_TYPE_MOVE_RECEIVE
#define MACH_MSG_TYPE_PORT_SEND	     MACH_MSG_TYPE_MOVE_SEND
#define MACH_MSG_TYPE_PORT_SEND_ONCE MACH_MSG_TYPE_MOVE_SEND_ONCE

#define MACH_MSG_PORT_DESCRIPTOR	 0u
#define MACH_MSG_OOL_DESCRIPTOR		 1u
#define MACH_MSG_OOL_PORTS_DESCRIPTOR	 2u
#define MACH_MSG_OOL_VOLATILE_DESCRIPTOR 3u
#define MACH_MSG_GUARDED_PORT_DESCRIPTOR 4u

#define MACH_MSG_OPTION_NONE 0x00000000u
#define MACH_SEND_MSG	     0x00000001u
#define MACH_RCV_MSG	     0x00000002u
#define MACH_RCV_LARGE	     0x00000004u
#define MACH_SEND_TIMEOUT    0x00000010u
#define MACH_SEND_INTERRUPT  0x00000040u
#define MACH_RCV_TIMEOUT     0x00000100u
#define MACH_RCV_INTERRUPT   0x00000400u
#define MACH_RCV_TRAILER_TYPE(x)     (((x) & 0xfu) << 28)
#define MACH_RCV_TRAILER_ELEMENTS(x) (((x) & 0xfu) << 24)
#define MACH_RCV_TRAILER_MASK	     0xff000000u
#define MACH_MSG_TIMEOUT_NONE	     0u

#define MACH_MSG_SUCCESS		0x00000000
#define MACH_MSG_IPC_SPACE		0x00002000
#define MACH_MSG_VM_SPACE		0x00001000
#define MACH_MSG_IPC_KERNEL		0x00000800
#define MACH_SEND_IN_PROGRESS		0x10000001
#define MACH_SEND_INVALID_DATA		0x10000002
#define MACH_SEND_INVALID_DEST		0x10000003
#define MACH_SEND_TIMED_OUT		0x10000004
#define MACH_SEND_INVALID_VOUCHER	0x10000005
#define MACH_SEND_INTERRUPTED		0x10000007
#define MACH_SEND_MSG_TOO_SMALL		0x10000008
#define MACH_SEND_INVALID_REPLY		0x10000009
#define MACH_SEND_INVALID_RIGHT		0x1000000a
#define MACH_SEND_INVALID_NOTIFY	0x1000000b
#define MACH_SEND_INVALID_MEMORY	0x1000000c
#define MACH_SEND_NO_BUFFER		0x1000000d
#define MACH_SEND_TOO_LARGE		0x1000000e
#define MACH_SEND_INVALID_TYPE		0x1000000f
#define MACH_SEND_INVALID_HEADER	0x10000010
#define MACH_SEND_INVALID_TRAILER	0x10000011
#define MACH_RCV_IN_PROGRESS		0x10004001
#define MACH_RCV_INVALID_NAME		0x10004002
#define MACH_RCV_TIMED_OUT		0x10004003
#define MACH_RCV_TOO_LARGE		0x10004004
#define MACH_RCV_INTERRUPTED		0x10004005
#define MACH_RCV_PORT_CHANGED		0x10004006
#define MACH_RCV_INVALID_NOTIFY		0x10004007
#define MACH_RCV_INVALID_DATA		0x10004008
#define MACH_RCV_PORT_DIED		0x10004009
#define MACH_RCV_IN_SET			0x1000400a
#define MACH_RCV_HEADER_ERROR		0x1000400b
#define MACH_RCV_BODY_ERROR		0x1000400c
#define MACH_RCV_INVALID_TYPE		0x1000400d
#define MACH_RCV_INVALID_TRAILER	0x1000400f

/* ---- <mach/notify.h> ---- */
#define MACH_NOTIFY_FIRST	   0100
#define MACH_NOTIFY_PORT_DELETED   (MACH_NOTIFY_FIRST + 001)
#define MACH_NOTIFY_PORT_DESTROYED (MACH_NOTIFY_FIRST + 005)
#define MACH_NOTIFY_NO_SENDERS	   (MACH_NOTIFY_FIRST + 006)
#define MACH_NOTIFY_SEND_ONCE	   (MACH_NOTIFY_FIRST + 007)
#define MACH_NOTIFY_DEAD_NAME	   (MACH_NOTIFY_FIRST + 010)

typedef struct {
	uint8_t mig_vers, if_vers, reserved1, mig_encoding, int_rep, char_rep, float_rep,
	    reserved2;
} NDR_record_t;

typedef struct {
	mach_msg_header_t not_header;
	NDR_record_t NDR;
	mach_port_name_t not_port; /* the dead or deleted name */
	mach_msg_audit_trailer_t trailer;
} __packed mach_dead_name_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	NDR_record_t NDR;
	mach_port_mscount_t not_count;
	mach_msg_audit_trailer_t trailer;
} __packed mach_no_senders_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	mach_msg_body_t not_body;
	mach_msg_port_descriptor_t not_port; /* the receive right */
	mach_msg_audit_trailer_t trailer;
} __packed mach_port_destroyed_notification_t;

typedef struct {
	mach_msg_header_t not_header;
	mach_msg_audit_trailer_t trailer;
} __packed mach_send_once_notification_t;

#endif /* _MACH_IPC_MESSAGE_H_ */
