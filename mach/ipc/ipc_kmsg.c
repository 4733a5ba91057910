/*
 * ipc_kmsg.c — kernel messages: validation of a sender's message (header and every kind of
 * descriptor), its copyin (out-of-line memory copy-on-write, then the rights), copyout into
 * the receiver's space and map, and destruction (XNU osfmk/ipc/ipc_kmsg.c; layouts and codes
 * from <mach/message.h>).
 *
 * The one idea: copyin is all or nothing. ipc_kmsg_get first parses the untrusted bytes and
 * takes everything that lives in memory (out-of-line regions as vm_map_copy objects, port
 * arrays as names) without the IPC lock; ipc_kmsg_copyin then checks every right the message
 * names — the destination, the reply port, each port and each array element — counting
 * repeated uses of a name (two MOVE_SENDs need two user references; a receive right moves
 * once), and only then moves any of them and removes the regions the sender deallocates. So
 * a rejected message leaves the sender's space and map exactly as they were.
 *
 * Differences from XNU, each an XXX: a dead name in a port descriptor or as the reply port is
 * rejected instead of carried as MACH_PORT_DEAD (arrays do carry it); guarded port
 * descriptors, volatile memory and vouchers are rejected (MACH_SEND_INVALID_TYPE /
 * _INVALID_VOUCHER); the receive right of the destination cannot ride in its own message, but
 * longer cycles (port A's receive right queued on B, B's on A) are not detected and leak
 * until reboot; 32-bit descriptor layouts do not exist. And the VM work that commit and
 * destruction do (vm_map_remove of deallocated ranges, vm_map_copyout, vm_map_copy_discard)
 * runs under the IPC spin lock: right while VM objects free their pages without sleeping,
 * wrong once a pager may sleep in terminate (then it moves to after ipc_unlock).
 */
#include <console.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

#define KMSG_BODY_OFF  ((mach_msg_size_t)sizeof(mach_msg_header_t))
#define KMSG_DESC_OFF  (KMSG_BODY_OFF + (mach_msg_size_t)sizeof(mach_msg_body_t))
#define KMSG_PDESC_SIZE ((mach_msg_size_t)sizeof(mach_msg_port_descriptor_t))
#define KMSG_ODESC_SIZE ((mach_msg_size_t)sizeof(mach_msg_ool_descriptor_t))

static bool
kmsg_send_disp(mach_msg_type_name_t d)
{
	return d == MACH_MSG_TYPE_MOVE_SEND || d == MACH_MSG_TYPE_COPY_SEND ||
	       d == MACH_MSG_TYPE_MAKE_SEND || d == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
	       d == MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

static bool
kmsg_port_disp(mach_msg_type_name_t d)
{
	return d >= MACH_MSG_TYPE_MOVE_RECEIVE && d <= MACH_MSG_TYPE_MAKE_SEND_ONCE;
}

/* The right a disposition carries once copied in. */
static mach_msg_type_name_t
kmsg_disp_type(mach_msg_type_name_t d)
{
	switch (d) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return MACH_MSG_TYPE_PORT_SEND;
	}
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

/*
 * Size and descriptor checks that need neither space nor memory. Descriptors differ in size
 * (12 bytes for a port, 16 out of line); the type byte, last of the first 12, tells which.
 * Returns the descriptor count in *ndescp and the total of port-array names in *nnamesp.
 */
static mach_msg_return_t
kmsg_validate(const uint8_t *msg, mach_msg_size_t size, uint32_t *ndescp, uint32_t *nnamesp)
{
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_type_name_t rd, ld;
	mach_msg_size_t off = KMSG_DESC_OFF;
	uint32_t names = 0;

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
	*ndescp = *nnamesp = 0;
	if (!(h.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	if (size < KMSG_DESC_OFF)
		return MACH_SEND_MSG_TOO_SMALL;
	memcpy(&body, msg + KMSG_BODY_OFF, sizeof(body));
	if (body.msgh_descriptor_count > IPC_KMSG_MAX_DESC)
		return MACH_SEND_TOO_LARGE;
	for (uint32_t i = 0; i < body.msgh_descriptor_count; i++) {
		mach_msg_ool_ports_descriptor_t d;
		mach_msg_port_descriptor_t pd;

		if (size - off < KMSG_PDESC_SIZE)
			return MACH_SEND_MSG_TOO_SMALL;
		memcpy(&pd, msg + off, sizeof(pd));
		switch (pd.type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			if (!kmsg_port_disp(pd.disposition))
				return MACH_SEND_INVALID_TYPE;
			off += KMSG_PDESC_SIZE;
			continue;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_PORTS_DESCRIPTOR:
			break;
		default:
			return MACH_SEND_INVALID_TYPE;
		}
		if (size - off < KMSG_ODESC_SIZE)
			return MACH_SEND_MSG_TOO_SMALL;
		memcpy(&d, msg + off, sizeof(d));
		off += KMSG_ODESC_SIZE;
		if (d.copy != MACH_MSG_PHYSICAL_COPY && d.copy != MACH_MSG_VIRTUAL_COPY)
			return MACH_SEND_INVALID_TYPE;
		if (d.deallocate > 1)
			return MACH_SEND_INVALID_TYPE;
		if (d.type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			if (!kmsg_port_disp(d.disposition))
				return MACH_SEND_INVALID_TYPE;
			if (d.count > IPC_KMSG_MAX_OOL_PORTS - names)
				return MACH_SEND_TOO_LARGE;
			names += d.count;
		}
	}
	*ndescp = body.msgh_descriptor_count;
	*nnamesp = names;
	return MACH_MSG_SUCCESS;
}

/* Free what a kmsg holds that is not a right: copies, arrays, then the kmsg itself. */
static void
kmsg_free_all(ipc_kmsg_t kmsg)
{
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];

		vm_map_copy_discard(kd->kd_copy);
		kfree(kd->kd_ports, kd->kd_count * sizeof(ipc_port_t));
		kfree(kd->kd_names, kd->kd_count * sizeof(mach_port_name_t));
	}
	ipc_kmsg_free(kmsg);
}

/* Take descriptor kd's memory from the sender: the region, or the array's names. */
static mach_msg_return_t
kmsg_get_ool(struct ipc_umem *um, struct ipc_kdesc *kd, const mach_msg_ool_descriptor_t *d)
{
	vm_size_t bytes;

	kd->kd_dealloc = d->deallocate;
	if (kd->kd_type == MACH_MSG_OOL_DESCRIPTOR) {
		if (d->size == 0)
			return MACH_MSG_SUCCESS;
		if (um == NULL || um->um_map == NULL)
			return MACH_SEND_INVALID_MEMORY;
		return vm_map_copyin(um->um_map, d->address, d->size, false, &kd->kd_copy) ==
			       KERN_SUCCESS
			   ? MACH_MSG_SUCCESS
			   : MACH_SEND_INVALID_MEMORY;
	}
	/* An OOL ports descriptor: d->size is its count. */
	if ((kd->kd_count = d->size) == 0)
		return MACH_MSG_SUCCESS;
	bytes = kd->kd_count * sizeof(mach_port_name_t);
	kd->kd_names = kalloc(bytes);
	kd->kd_ports = kalloc_zero(kd->kd_count * sizeof(ipc_port_t));
	if (kd->kd_names == NULL || kd->kd_ports == NULL)
		return MACH_SEND_NO_BUFFER;
	if (um == NULL || um->um_copyin(um, d->address, kd->kd_names, bytes) != KERN_SUCCESS)
		return MACH_SEND_INVALID_MEMORY;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t
ipc_kmsg_get(struct ipc_umem *um, const void *msg, mach_msg_size_t size, ipc_kmsg_t *kmsgp)
{
	mach_msg_size_t off = KMSG_DESC_OFF;
	mach_msg_return_t mr;
	uint32_t ndesc, nnames;
	ipc_kmsg_t kmsg;

	if ((mr = kmsg_validate(msg, size, &ndesc, &nnames)) != MACH_MSG_SUCCESS)
		return mr;
	if ((kmsg = ipc_kmsg_alloc(size, ndesc)) == NULL)
		return MACH_SEND_NO_BUFFER;
	memcpy(kmsg->ikm_data, msg, size);
	for (uint32_t i = 0; i < ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		mach_msg_ool_descriptor_t d;

		kd->kd_off = off;
		kd->kd_type = kmsg->ikm_data[off + 11];
		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR) {
			off += KMSG_PDESC_SIZE;
			continue;
		}
		memcpy(&d, kmsg->ikm_data + off, sizeof(d));
		off += KMSG_ODESC_SIZE;
		if ((mr = kmsg_get_ool(um, kd, &d)) != MACH_MSG_SUCCESS) {
			kmsg_free_all(kmsg);
			return mr;
		}
	}
	kmsg->ikm_no_rights = true;
	*kmsgp = kmsg;
	return MACH_MSG_SUCCESS;
}

/*
 * The message is committed: remove from the sender's map the regions and arrays it asked to
 * deallocate. Before delivery, so that a receiver finds the copy's objects its own.
 */
static void
kmsg_dealloc_sender(struct ipc_umem *um, ipc_kmsg_t kmsg)
{
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		mach_msg_ool_descriptor_t d;
		vm_size_t bytes;

		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR || !kd->kd_dealloc)
			continue;
		memcpy(&d, kmsg->ikm_data + kd->kd_off, sizeof(d));
		bytes = kd->kd_type == MACH_MSG_OOL_DESCRIPTOR
			    ? d.size
			    : (vm_size_t)kd->kd_count * sizeof(mach_port_name_t);
		if (bytes == 0 || um == NULL || um->um_map == NULL)
			continue;
		/* The range was checked when it was copied in; an array may be anywhere. */
		(void)vm_map_remove(um->um_map, trunc_page(d.address),
				    round_page(d.address + bytes));
	}
}

/* The ops of kmsg's rights, in order: header, then each descriptor's names. */
static unsigned
kmsg_ops(ipc_kmsg_t kmsg, struct kmsg_op *ops)
{
	mach_msg_header_t h;
	unsigned n = 2;

	memcpy(&h, kmsg->ikm_data, sizeof(h));
	ops[0] = (struct kmsg_op){ h.msgh_remote_port, MACH_MSGH_BITS_REMOTE(h.msgh_bits) };
	ops[1] = (struct kmsg_op){ h.msgh_local_port, MACH_MSGH_BITS_LOCAL(h.msgh_bits) };
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		const uint8_t *dp = kmsg->ikm_data + kd->kd_off;

		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR) {
			mach_msg_port_descriptor_t d;

			memcpy(&d, dp, sizeof(d));
			ops[n++] = (struct kmsg_op){ d.name, d.disposition };
		} else if (kd->kd_type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			for (uint32_t j = 0; j < kd->kd_count; j++)
				ops[n++] = (struct kmsg_op){ kd->kd_names[j], dp[10] };
		}
	}
	return n;
}

#define KMSG_STACK_OPS 16

mach_msg_return_t
ipc_kmsg_copyin(ipc_space_t space, struct ipc_umem *um, ipc_kmsg_t kmsg)
{
	struct kmsg_op stack_ops[KMSG_STACK_OPS], *ops;
	struct ipc_entry *de;
	mach_msg_header_t h;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	mach_msg_type_name_t types[2];
	ipc_port_t ports[2];
	vm_size_t ops_bytes;
	unsigned nops, n, k;

	if (!space->is_active)
		return MACH_SEND_INVALID_DEST;
	nops = 2;
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++)
		nops += kmsg->ikm_desc[i].kd_type == MACH_MSG_PORT_DESCRIPTOR ? 1
										: kmsg->ikm_desc[i].kd_count;
	/* Most messages name a few rights: those need no allocation. */
	ops_bytes = nops <= KMSG_STACK_OPS ? 0 : nops * sizeof(*ops);
	if (ops_bytes == 0)
		ops = stack_ops;
	else if ((ops = kalloc(ops_bytes)) == NULL)
		return MACH_SEND_NO_BUFFER;
	n = kmsg_ops(kmsg, ops);
	assert(n == nops);
	if (ops[1].ko_name == MACH_PORT_DEAD) {
		mr = MACH_SEND_INVALID_REPLY;
		goto out;
	}
	k = 2;
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		if (kmsg->ikm_desc[i].kd_type != MACH_MSG_PORT_DESCRIPTOR) {
			k += kmsg->ikm_desc[i].kd_count;
		} else if (ops[k++].ko_name == MACH_PORT_DEAD) {
			mr = MACH_SEND_INVALID_RIGHT;
			goto out;
		}
	}
	de = ipc_entry_lookup(space, ops[0].ko_name);
	for (unsigned i = 0; i < nops; i++)
		if ((mr = kmsg_check_op(space, ops, i, de ? de->ie_object : NULL)) != 0)
			goto out;

	/* Every right checks out: move them, in order. */
	for (unsigned i = 0; i < 2; i++) {
		ports[i] = NULL;
		types[i] = ops[i].ko_disp;
		if (ops[i].ko_disp != 0 && MACH_PORT_VALID(ops[i].ko_name))
			ipc_right_copyin(space, ops[i].ko_name, ops[i].ko_disp, &ports[i],
					 &types[i]);
	}
	memcpy(&h, kmsg->ikm_data, sizeof(h));
	h.msgh_bits = (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(types[0], types[1]);
	h.msgh_size = kmsg->ikm_size;
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	kmsg->ikm_remote = ports[0];
	kmsg->ikm_local = ports[1];
	k = 2;
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		uint8_t *dp = kmsg->ikm_data + kd->kd_off;
		mach_msg_type_name_t t;

		if (kd->kd_type == MACH_MSG_OOL_DESCRIPTOR)
			continue;
		/* The disposition byte is at offset 10 in both port descriptor layouts. */
		t = kmsg_disp_type(ops[k].ko_disp);
		kd->kd_right = (uint8_t)t;
		dp[10] = (uint8_t)t;
		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR) {
			if (MACH_PORT_VALID(ops[k].ko_name))
				ipc_right_copyin(space, ops[k].ko_name, ops[k].ko_disp,
						 &kd->kd_port, &t);
			k++;
			continue;
		}
		for (uint32_t j = 0; j < kd->kd_count; j++, k++) {
			if (MACH_PORT_VALID(ops[k].ko_name))
				ipc_right_copyin(space, ops[k].ko_name, ops[k].ko_disp,
						 &kd->kd_ports[j], &t);
			else if (ops[k].ko_name == MACH_PORT_DEAD)
				kd->kd_ports[j] = IPC_PORT_DEAD_PTR;
		}
	}
	kmsg->ikm_no_rights = false;
	kmsg_dealloc_sender(um, kmsg);
	kmsg->ikm_trailer.msgh_trailer_type = MACH_MSG_TRAILER_FORMAT_0;
	kmsg->ikm_trailer.msgh_sender = space->is_sec_token;
	kmsg->ikm_trailer.msgh_audit = space->is_audit_token;
out:
	if (ops_bytes != 0)
		kfree(ops, ops_bytes);
	return mr;
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

/* Give space one right a descriptor carries; its name, or MACH_PORT_DEAD if that failed. */
static mach_port_name_t
kmsg_copyout_right(ipc_space_t space, ipc_port_t port, mach_msg_type_name_t type,
		   mach_msg_return_t *mrp)
{
	mach_port_name_t name = MACH_PORT_NULL;

	if (port == IPC_PORT_DEAD_PTR)
		return MACH_PORT_DEAD;
	if (port == NULL)
		return MACH_PORT_NULL;
	if (ipc_right_copyout(space, port, type, &name) != KERN_SUCCESS) {
		ipc_object_destroy(port, type);
		if (*mrp == MACH_MSG_SUCCESS)
			*mrp = MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE;
		return MACH_PORT_DEAD;
	}
	return name;
}

/* Map an OOL region or make room for a port array in um's map; the address, or 0. */
static vaddr_t
kmsg_copyout_memory(struct ipc_umem *um, struct ipc_kdesc *kd)
{
	vaddr_t addr;

	if (um == NULL || um->um_map == NULL)
		return 0;
	if (kd->kd_type == MACH_MSG_OOL_DESCRIPTOR) {
		if (vm_map_copyout(um->um_map, &addr, kd->kd_copy) != KERN_SUCCESS)
			return 0;
		kd->kd_copy = VM_MAP_COPY_NULL;
		return addr;
	}
	addr = um->um_map->vm_min;
	if (vm_map_enter(um->um_map, &addr, round_page(kd->kd_count * sizeof(mach_port_name_t)),
			 VM_FLAGS_ANYWHERE, NULL, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL,
			 VM_INHERIT_DEFAULT) != KERN_SUCCESS)
		return 0;
	return addr;
}

mach_msg_return_t
ipc_kmsg_copyout(ipc_space_t space, struct ipc_umem *um, ipc_kmsg_t kmsg)
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
	kmsg->ikm_local = NULL;
	h.msgh_remote_port = n;
	h.msgh_local_port = dest->ip_receiver == space ? dest->ip_receiver_name : MACH_PORT_NULL;
	h.msgh_bits = (h.msgh_bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(rt, dt);
	kmsg_release_dest(kmsg, dt);
	kmsg->ikm_remote = NULL;
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		uint8_t *dp = kmsg->ikm_data + kd->kd_off;
		mach_msg_ool_descriptor_t d;
		uint64_t addr = 0;

		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR) {
			n = kmsg_copyout_right(space, kd->kd_port, kd->kd_right, &mr);
			kd->kd_port = NULL;
			memcpy(dp + offsetof(mach_msg_port_descriptor_t, name), &n, sizeof(n));
			continue;
		}
		memcpy(&d, dp, sizeof(d));
		if (kd->kd_copy != VM_MAP_COPY_NULL || kd->kd_count != 0) {
			addr = kmsg_copyout_memory(um, kd);
			if (addr == 0 && (mr & ~(MACH_MSG_IPC_SPACE | MACH_MSG_VM_SPACE)) == 0)
				mr = MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE;
		}
		if (kd->kd_type == MACH_MSG_OOL_PORTS_DESCRIPTOR) {
			/* The rights go only where their names can be written; else they die. */
			for (uint32_t j = 0; j < kd->kd_count; j++) {
				if (addr != 0)
					kd->kd_names[j] = kmsg_copyout_right(
					    space, kd->kd_ports[j], kd->kd_right, &mr);
				else
					ipc_object_destroy(kd->kd_ports[j], kd->kd_right);
				kd->kd_ports[j] = NULL;
			}
			if (addr == 0)
				d.size = 0;
		}
		vm_map_copy_discard(kd->kd_copy);
		kd->kd_copy = VM_MAP_COPY_NULL;
		d.address = addr;
		d.deallocate = 0;
		d.copy = MACH_MSG_VIRTUAL_COPY;
		memcpy(dp, &d, sizeof(d));
	}
	return mr;
}

mach_msg_return_t
ipc_kmsg_put(struct ipc_umem *um, ipc_kmsg_t kmsg, void *buf, mach_msg_size_t trailer_size,
	     mach_msg_return_t mr)
{
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];
		uint8_t *dp = kmsg->ikm_data + kd->kd_off;
		mach_msg_ool_ports_descriptor_t d;
		vm_size_t bytes;

		if (kd->kd_type != MACH_MSG_OOL_PORTS_DESCRIPTOR || kd->kd_count == 0)
			continue;
		memcpy(&d, dp, sizeof(d));
		if (d.address == 0)
			continue;
		bytes = kd->kd_count * sizeof(mach_port_name_t);
		if (um->um_copyout(um, kd->kd_names, d.address, bytes) != KERN_SUCCESS) {
			/* XXX: the rights stay named in the receiver's space, the names unknown. */
			klog(LOG_WARNING, "ipc: cannot write a received port array; names lost\n");
			(void)vm_map_remove(um->um_map, d.address, d.address + round_page(bytes));
			d.address = 0;
			memcpy(dp, &d, sizeof(d));
			if (mr == MACH_MSG_SUCCESS)
				mr = MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE;
		}
	}
	kmsg->ikm_trailer.msgh_trailer_size = trailer_size;
	memcpy(buf, kmsg->ikm_data, kmsg->ikm_size);
	memcpy((uint8_t *)buf + kmsg->ikm_size, &kmsg->ikm_trailer, trailer_size);
	kmsg_free_all(kmsg);
	return mr;
}

void
ipc_kmsg_destroy(ipc_kmsg_t kmsg)
{
	mach_msg_header_t h;

	if (kmsg->ikm_no_rights) {
		kmsg_free_all(kmsg);
		return;
	}
	memcpy(&h, kmsg->ikm_data, sizeof(h));
	if (kmsg->ikm_remote != NULL)
		kmsg_release_dest(kmsg, MACH_MSGH_BITS_REMOTE(h.msgh_bits));
	ipc_object_destroy(kmsg->ikm_local, MACH_MSGH_BITS_LOCAL(h.msgh_bits));
	for (uint32_t i = 0; i < kmsg->ikm_ndesc; i++) {
		struct ipc_kdesc *kd = &kmsg->ikm_desc[i];

		if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR)
			ipc_object_destroy(kd->kd_port, kd->kd_right);
		for (uint32_t j = 0; kd->kd_ports != NULL && j < kd->kd_count; j++)
			ipc_object_destroy(kd->kd_ports[j], kd->kd_right);
	}
	kmsg_free_all(kmsg);
}
