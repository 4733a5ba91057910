/*
 * net_hdr.h — the checksum half of the virtio-net header (virtio 1.2 §5.1.6.2 transmit,
 * §5.1.6.4 receive): filling it for a frame the stack left to the device, and judging what
 * the device wrote for a received frame. Portable (no driver state), so unit-tested and fuzzed.
 */
#ifndef _VIRTIO_NET_HDR_H_
#define _VIRTIO_NET_HDR_H_

#include <bsd/net/net.h>
#include <linux/virtio_net.h>

/*
 * vtnet_hdr_tx_csum: for an unfragmented IPv4 TCP segment in frame f (len bytes, from the
 * Ethernet header on) whose checksum field holds the pseudo-header sum (IF_HWCSUM_TCP), set
 * h's NEEDS_CSUM, csum_start and csum_offset. Returns false (h untouched) for other frames.
 */
bool vtnet_hdr_tx_csum(const uint8_t *f, size_t len, struct virtio_net_hdr_v1 *h);

enum vtnet_csum {
	VTNET_CSUM_NONE,    /* no claim: the stack sums the frame */
	VTNET_CSUM_VALID,   /* DATA_VALID, or NEEDS_CSUM finished here: the stack need not sum */
	VTNET_CSUM_BAD_HDR, /* NEEDS_CSUM that does not fit the frame: left for the stack to reject */
};

/*
 * vtnet_hdr_rx_csum: judge h (the driver's own copy of what the device wrote) for frame f.
 * A NEEDS_CSUM frame carries only the pseudo-header sum in its checksum field; it is finished
 * here (the field rewritten) when csum_start is where f's IPv4 header puts its TCP or UDP
 * header, csum_offset is that protocol's checksum field, the datagram lies inside len, and
 * the partial sum matches the pseudo-header of f's IPv4 header. Otherwise f is untouched and
 * the stack's own sum rejects it.
 */
enum vtnet_csum vtnet_hdr_rx_csum(const struct virtio_net_hdr_v1 *h, uint8_t *f, size_t len);

#endif /* _VIRTIO_NET_HDR_H_ */
