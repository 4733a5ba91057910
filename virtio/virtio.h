/*
 * virtio.h — the virtio device nub (IOVirtioDevice) that transports publish and drivers match
 * (virtio 1.2 §2, §3): feature negotiation, the status sequence, reset, device configuration
 * and virtqueues, independent of the transport.
 *
 * The one idea: a transport (virtio/pci.c, later mmio) fills a struct virtio_transport_ops and
 * publishes one nub per device with property "virtio-device-id"; a driver matches that id and
 * calls only the virtio_*() functions below on the nub's struct virtio_dev. When the device
 * misbehaves, virtio_fail() resets it and terminates the nub, which stops the driver.
 */
#ifndef _VIRTIO_VIRTIO_H_
#define _VIRTIO_VIRTIO_H_

#include <iokit/io_service.h>
#include <libkern/libkern.h>
#include <virtio/virtqueue.h>

#define kIOVirtioDeviceClass "IOVirtioDevice"
#define VIRTIO_MAX_QUEUES    8

struct virtio_dev;
typedef void (*virtio_intr_fn)(void *arg);

struct virtio_transport_ops {
	uint64_t (*vto_get_features)(struct virtio_dev *vd);
	void (*vto_set_features)(struct virtio_dev *vd, uint64_t features);
	uint8_t (*vto_get_status)(struct virtio_dev *vd);
	void (*vto_set_status)(struct virtio_dev *vd, uint8_t status);
	/* Reset and wait (bounded) until the device reports status 0; false: it never did. */
	bool (*vto_reset)(struct virtio_dev *vd);
	/* Largest size of queue idx, 0 when the queue does not exist. */
	uint16_t (*vto_queue_max)(struct virtio_dev *vd, uint16_t idx);
	/* Tell the device where vq's rings are, route its interrupt to fn(arg), enable it. */
	kern_return_t (*vto_queue_setup)(struct virtio_dev *vd, struct virtqueue *vq,
					 virtio_intr_fn fn, void *arg);
	/* Forget every queue's interrupt route (after a reset). */
	void (*vto_queues_release)(struct virtio_dev *vd);
	/* The notify callback virtqueues get, and its argument for queue idx. */
	void (*vto_notify)(struct virtqueue *vq, void *arg);
	void *(*vto_notify_arg)(struct virtio_dev *vd, uint16_t idx);
	/* Device configuration, consistent across config_generation; false on a bad range. */
	bool (*vto_read_config)(struct virtio_dev *vd, uint32_t off, void *buf, uint32_t len);
	bool (*vto_write_config)(struct virtio_dev *vd, uint32_t off, const void *buf,
				 uint32_t len);
};

struct virtio_dev {
	const struct virtio_transport_ops *vd_ops;
	void *vd_transport;
	uint32_t vd_type;	  /* virtio device id (§5) */
	uint64_t vd_host_features;
	uint64_t vd_features;	  /* negotiated */
	struct io_service *vd_nub;
	bool vd_failed;
	struct virtqueue *vd_vqs[VIRTIO_MAX_QUEUES];
};

/* The virtio device behind an IOVirtioDevice nub, or NULL. */
struct virtio_dev *virtio_dev_from_nub(struct io_service *nub);

/* A name for device type t ("net", "block", "console", "rng", ...; "unknown"). */
const char *virtio_type_name(uint32_t t);

/*
 * virtio_negotiate: reset the device, acknowledge it, and agree on features: the device's
 * features & (wanted | VERSION_1 | INDIRECT_DESC | EVENT_IDX). VERSION_1 is required
 * (no legacy devices).
 *   Returns: KERN_SUCCESS (vd->vd_features set, status FEATURES_OK), KERN_FAILURE (the device
 *            lacks VERSION_1, refused the features, or did not reset; logged).
 */
kern_return_t virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);

/*
 * virtio_queue_alloc: create queue idx with at most max entries (rounded down to a power of
 * two, and to the device's maximum), with an interrupt that calls fn(arg).
 *   Returns: the queue (also in vd->vd_vqs[idx]), or NULL (no such queue, no memory, no
 *            interrupt; logged).
 */
struct virtqueue *virtio_queue_alloc(struct virtio_dev *vd, uint16_t idx, uint16_t max,
				     virtio_intr_fn fn, void *arg);

/* virtio_driver_ok: the driver is ready (status DRIVER_OK); buffers may now be posted. */
void virtio_driver_ok(struct virtio_dev *vd);

/*
 * virtio_reset_and_free: reset the device, release the queues' interrupts, and destroy the
 * queues, giving every posted cookie to drain(cookie, arg) first. For a driver's stop().
 */
void virtio_reset_and_free(struct virtio_dev *vd, void (*drain)(void *cookie, void *arg),
			   void *arg);

/*
 * virtio_fail: the device broke a rule (a broken queue, nonsense configuration): log why,
 * reset it so it stops using memory, and queue its nub for termination on the I/O Kit matching
 * thread, which stops its driver. Any context.
 */
void virtio_fail(struct virtio_dev *vd, const char *why);

/* virtio_read_config: read len bytes of device configuration at off. */
bool virtio_read_config(struct virtio_dev *vd, uint32_t off, void *buf, uint32_t len);

/* DMA memory for virtqueues: physically contiguous, zeroed, from the direct map. */
extern const struct vq_mem virtio_dma;

/* virtio_publish: create, describe and register the nub for vd below provider. */
kern_return_t virtio_publish(struct virtio_dev *vd, struct io_service *provider,
			     const char *transport);

#endif /* _VIRTIO_VIRTIO_H_ */
