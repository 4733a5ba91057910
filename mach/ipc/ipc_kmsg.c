/*
 * ipc_kmsg.c — kernel messages: validation and copyin of a sender's message (header and port
 * descriptors), copyout into the receiver's space, destruction (XNU osfmk/ipc/ipc_kmsg.c;
 * layouts and codes from <mach/message.h>).
 *
 * The one idea: copyin is all or nothing. It first checks every right the message names —
 * the destination, the reply port, each port descriptor — counting repeated uses of a name
 * (two MOVE_SENDs need two user references; a receive right moves once), and only then moves
 * any of them. So a rejected message leaves the sender's space exactly as it was.
 *
 * Differences from XNU, each an XXX: a dead name in a descriptor or as the reply port is
 * rejected instead of carried as MACH_PORT_DEAD; out-of-line memory and port arrays, guarded
 * port descriptors and vouchers are rejected (MACH_SEND_INVALID_TYPE / _INVALID_VOUCHER); the
 * receive right of the destination cannot ride in its own message, but longer cycles (port A's
 * receive right queued on B, B's on A) are not detected and leak until reboot.
 */
#include <console.h>
#include <mach/ipc/ipc.h>
#include <panic.h>

#define KMSG_BODY_OFF  ((mach_msg_size_t)sizeof(mach_msg_header_t))
#define KMSG_DESC_OFF  (KMSG_BODY_OFF + (mach_msg_size_t)sizeof(mach_msg_body_t))
#define KMSG_DESC_SIZE ((mach_msg_size_t)sizeof(mach_msg_port_descriptor_t))

static bool
kmsg_send_disp(mach_msg_type_name_t d)
{
	return d == MACH_MSG_TYPE_MOVE_SEND || d == MACH_MSG_TYPE_COPY_SEND ||
	       d == MACH_MSG_TYPE_MAKE_SEND || d == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
	       d == MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

/* One right a message names: op 0 is the destination, 1 the reply port, 2.. descriptors. */
struct kmsg_op {
	mach_port_name_t ko_name;
	mach_msg_type_name_t ko_disp;
};

static mach_msg_return_t
kmsg_op_error(unsigned i)
{
	return i == 0 ? MACH_SEND_INVALID_DEST : i == 1 ? MACH_SEND_INVALID_REPLY
						       : MACH_SEND_INVALID_RIGHT;
}

/* Check op i against its entry and the ops before it on the same name. */
static mach_msg_return_t
kmsg_check_op(ipc_space_t space, const struct kmsg_op *ops, unsigned i, void *dest_obj)
{
	const struct kmsg_op *op = &ops[i];
	uint32_t moved_send = 0;
	bool recv_moved = false, so_moved = false;
	struct ipc_entry *e;
	uint32_t bits;

	if (op->ko_disp == 0 || !MACH_PORT_VALID(op->ko_name))
		return MACH_MSG_SUCCESS;
	if ((e = ipc_entry_lookup(space, op->ko_name)) == NULL)
		return kmsg_op_error(i);
	ipc_right_check(space, op->ko_name, e);
	bits = e->ie_bits;
	for (unsigned j = 0; j < i; j++) {
		if (ops[j].ko_name != op->ko_name)
			continue;
		moved_send += ops[j].ko_disp == MACH_MSG_TYPE_MOVE_SEND;
		recv_moved |= ops[j].ko_disp == MACH_MSG_TYPE_MOVE_RECEIVE;
		so_moved |= ops[j].ko_disp == MACH_MSG_TYPE_MOVE_SEND_ONCE;
	}
	if (!ipc_right_copyin_ok(bits, op->ko_disp))
		return kmsg_op_error(i);
	switch (op->ko_disp) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		if (e->ie_object == dest_obj)
			return kmsg_op_error(i);
		/* FALLTHROUGH */
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return recv_moved ? kmsg_op_error(i) : MACH_MSG_SUCCESS;
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_COPY_SEND:
		return IE_BITS_UREFS(bits) > moved_send ? MACH_MSG_SUCCESS : kmsg_op_error(i);
	default:
		return so_moved ? kmsg_op_error(i) : MACH_MSG_SUCCESS;
	}
}

/* Size and descriptor checks that need no space. Returns the descriptor count in *ndescp. */
static mach_msg_return_t
kmsg_validate(const uint8_t *msg, mach_msg_size_t size, uint32_t *ndescp)
{
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_type_name_t rd, ld;

	if (size < sizeof(h) || (size & 3) != 0)
		return MACH_SEND_MSG_TOO_SMALL;
	if (size > IPC_KMSG_MAX_SIZE)
		return MACH_SEND_TOO_LARGE;
	memcpy(&h, msg, sizeof(h));
	rd = MACH_MSGH_BITS_REMOTE(h.msgh_bits);
	ld = MACH_MSGH_BITS_LOCAL(h.msgh_bits);
	if (!kmsg_send_disp(rd))
		return MACH_SEND_INVALID_HEADER;
	if (ld == 0 ? h.msgh_local_port != MACH_PORT_NULL : !kmsg_send_disp(ld))
		return MACH_SEND_INVALID_HEADER;
	if (h.msgh_voucher_port != MACH_PORT_NULL)
		return MACH_SEND_INVALID_VOUCHER;
	if (!MACH_PORT_VALID(h.msgh_remote_port))
		return MACH_SEND_INVALID_DEST;
	*ndescp = 0;
	if (!(h.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	if (size < KMSG_DESC_OFF)
		return MACH_SEND_MSG_TOO_SMALL;
	memcpy(&body, msg + KMSG_BODY_OFF, sizeof(body));
	if (body.msgh_descriptor_count > IPC_KMSG_MAX_DESC)
		return MACH_SEND_TOO_LARGE;
	if (body.msgh_descriptor_count > (size - KMSG_DESC_OFF) / KMSG_DESC_SIZE)
		return MACH_SEND_MSG_TOO_SMALL;
	for (uint32_t i = 0; i < body.msgh_descriptor_count; i++) {
		mach_msg_port_descriptor_t d;

		memcpy(&d, msg + KMSG_DESC_OFF + i * KMSG_DESC_SIZE, sizeof(d));
		if (d.type != MACH_MSG_PORT_DESCRIPTOR)
			return MACH_SEND_INVALID_TYPE;
		if (d.disposition < MACH_MSG_TYPE_MOVE_RECEIVE ||
		    d.disposition > MACH_MSG_TYPE_MAKE_SEND_ONCE)
			return MACH_SEND_INVALID_TYPE;
	}
	*ndescp = body.msgh_descriptor_count;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t
ipc_kmsg_copyin(ipc_space_t space, const void *msg, mach_msg_size_t size, ipc_kmsg_t *kmsgp)
{
	struct kmsg_op ops[2 + IPC_KMSG_MAX_DESC];
	mach_msg_type_name_t types[2 + IPC_KMSG_MAX_DESC];
	ipc_port_t ports[2 + IPC_KMSG_MAX_DESC];
	struct ipc_entry *de;
	mach_msg_header_t h;
	mach_msg_return_t mr;
	ipc_kmsg_t kmsg;
	uint32_t ndesc;
	unsigned nops;

	if (!space->is_active)
		return MACH_SEND_INVALID_DEST;
	if ((mr = kmsg_validate(msg, size, &ndesc)) != MACH_MSG_SUCCESS)
		return mr;
	memcpy(&h, msg, sizeof(h));
	ops[0] = (struct kmsg_op){ h.msgh_remote_port, MACH_MSGH_BITS_REMOTE(h.msgh_bits) };
	ops[1] = (struct kmsg_op){ h.msgh_local_port, MACH_MSGH_BITS_LOCAL(h.msgh_bits) };
	if (ops[1].ko_name == MACH_PORT_DEAD)
		return MACH_SEND_INVALID_REPLY;
	for (uint32_t i = 0; i < ndesc; i++) {
		mach_msg_port_descriptor_t d;

		memcpy(&d, (const uint8_t *)msg + KMSG_DESC_OFF + i * KMSG_DESC_SIZE, sizeof(d));
		if (d.name == MACH_PORT_DEAD)
			return MACH_SEND_INVALID_RIGHT;
		ops[2 + i] = (struct kmsg_op){ d.name, d.disposition };
	}
	nops = 2 + ndesc;
	de = ipc_entry_lookup(space, ops[0].ko_name);
	for (unsigned i = 0; i < nops; i++)
		if ((mr = kmsg_check_op(space, ops, i, de ? de->ie_object : NULL)) != 0)
			return mr;
	if ((kmsg = ipc_kmsg_alloc(size, ndesc)) == NULL)
		return MACH_SEND_NO_BUFFER;
	memcpy(kmsg->ikm_data, msg, size);

	/* Every right checks out: move them, in order. */
	for (unsigned i = 0; i < nops; i++) {
		ports[i] = NULL;
		types[i] = ops[i].ko_disp;
		if (ops[i].ko_disp != 0 && MACH_PORT_VALID(ops[i].ko_name))
			ipc_right_copyin(space, ops[i].ko_name, ops[i].ko_disp, &ports[i],
					 &types[i]);
		else if (ops[i].ko_disp != 0)
			types[i] = ops[i].ko_disp == MACH_MSG_TYPE_MAKE_SEND_ONCE ||
					   ops[i].ko_disp == MACH_MSG_TYPE_MOVE_SEND_ONCE
				       ? MACH_MSG_TYPE_PORT_SEND_ONCE
				   : ops[i].ko_disp == MACH_MSG_TYPE_MOVE_RECEIVE
				       ? MACH_MSG_TYPE_PORT_RECEIVE
				       : MACH_MSG_TYPE_PORT_SEND;
	}
	h.msgh_bits = (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(types[0], types[1]);
	h.msgh_size = size;
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	kmsg->ikm_remote = ports[0];
	kmsg->ikm_local = ports[1];
	for (uint32_t i = 0; i < ndesc; i++) {
		uint8_t *d = kmsg->ikm_data + KMSG_DESC_OFF + i * KMSG_DESC_SIZE;

		kmsg->ikm_dports[i] = ports[2 + i];
		d[offsetof(mach_msg_port_descriptor_t, disposition)] = (uint8_t)types[2 + i];
	}
	kmsg->ikm_trailer.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	*kmsgp = kmsg;
	return MACH_MSG_SUCCESS;
}

mach_msg_size_t
ipc_kmsg_trailer_size(mach_msg_option_t option)
{
	switch ((option >> 24) & 0xf) {
	case MACH_RCV_TRAILER_NULL:
		return sizeof(mach_msg_trailer_t);
	case MACH_RCV_TRAILER_SEQNO:
		return offsetof(mach_msg_audit_trailer_t, msgh_sender);
	case MACH_RCV_TRAILER_SENDER:
		return offsetof(mach_msg_audit_trailer_t, msgh_audit);
	default: /* XXX: the context, AV and label trailers; audit is the largest we write */
		return sizeof(mach_msg_audit_trailer_t);
	}
}

/* Release the destination right of a message that was delivered or destroyed. */
static void
kmsg_release_dest(ipc_kmsg_t kmsg, mach_msg_type_name_t type)
{
	if (type == MACH_MSG_TYPE_PORT_SEND)
		ipc_port_release_send(kmsg->ikm_remote);
	else
		ipc_port_release_sonce(kmsg->ikm_remote);
}

mach_msg_return_t
ipc_kmsg_copyout(ipc_space_t space, ipc_kmsg_t kmsg, void *buf, mach_msg_size_t trailer_size)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	ipc_port_t dest = kmsg->ikm_remote;
	mach_msg_type_name_t dt, rt;
	mach_msg_header_t h;
	mach_port_name_t n;

	memcpy(&h, kmsg->ikm_data, sizeof(h));
	dt = MACH_MSGH_BITS_REMOTE(h.msgh_bits);
	rt = MACH_MSGH_BITS_LOCAL(h.msgh_bits);
	n = kmsg->ikm_local_dead ? MACH_PORT_DEAD : MACH_PORT_NULL;
	if (kmsg->ikm_local != NULL &&
	    ipc_right_copyout(space, kmsg->ikm_local, rt, &n) != KERN_SUCCESS) {
		ipc_object_destroy(kmsg->ikm_local, rt);
		n = MACH_PORT_DEAD;
		mr = MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE;
	}
	h.msgh_remote_port = n;
	h.msgh_local_port = dest->ip_receiver == space ? dest->ip_receiver_name : MACH_PORT_NULL;
	h.msgh_bits = (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(rt, dt);
	kmsg_release_dest(kmsg, dt);
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		uint8_t *dp = kmsg->ikm_data + KMSG_DESC_OFF + i * KMSG_DESC_SIZE;
		mach_msg_port_descriptor_t d;

		memcpy(&d, dp, sizeof(d));
		d.name = kmsg->ikm_dports[i] == IPC_PORT_DEAD_PTR ? MACH_PORT_DEAD : MACH_PORT_NULL;
		if (kmsg->ikm_dports[i] != NULL && kmsg->ikm_dports[i] != IPC_PORT_DEAD_PTR &&
		    ipc_right_copyout(space, kmsg->ikm_dports[i], d.disposition, &d.name) !=
			KERN_SUCCESS) {
			ipc_object_destroy(kmsg->ikm_dports[i], d.disposition);
			d.name = MACH_PORT_DEAD;
			if (mr == MACH_MSG_SUCCESS)
				mr = MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE;
		}
		memcpy(dp, &d, sizeof(d));
	}
	kmsg->ikm_trailer.msgh_trailer_size = trailer_size;
	memcpy(buf, kmsg->ikm_data, kmsg->ikm_size);
	memcpy((uint8_t *)buf + kmsg->ikm_size, &kmsg->ikm_trailer, trailer_size);
	ipc_kmsg_free(kmsg);
	return mr;
}

void
ipc_kmsg_destroy(ipc_kmsg_t kmsg)
{
	mach_msg_header_t h;

	memcpy(&h, kmsg->ikm_data, sizeof(h));
	kmsg_release_dest(kmsg, MACH_MSGH_BITS_REMOTE(h.msgh_bits));
	ipc_object_destroy(kmsg->ikm_local, MACH_MSGH_BITS_LOCAL(h.msgh_bits));
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		mach_msg_port_descriptor_t d;

		memcpy(&d, kmsg->ikm_data + KMSG_DESC_OFF + i * KMSG_DESC_SIZE, sizeof(d));
		ipc_object_destroy(kmsg->ikm_dports[i], d.disposition);
	}
	ipc_kmsg_free(kmsg);
}
