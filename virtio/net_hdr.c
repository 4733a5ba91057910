/*
 * net_hdr.c — checksum offload in the virtio-net header (virtio 1.2 §5.1.6.2, §5.1.6.4; the
 * partial-sum convention of RFC 1071 §2: the field holds the pseudo-header sum, the device
 * adds the rest): what virtio/net.c puts in a transmit header and how it reads a receive one.
 *
 * The one idea: a receive header is a claim by the device; the offsets it names are believed
 * only where the frame's own IPv4 header says the TCP or UDP checksum is, and its partial sum
 * only when it equals the pseudo-header sum of that IPv4 header — so a lying device can make
 * the driver sum a frame, never read or write outside it or pass a wrong pseudo-header.
 */
#include <virtio/net_hdr.h>

#define TCP_CSUM_OFF 16 /* RFC 9293 §3.1 */
#define UDP_CSUM_OFF 6	/* RFC 768 */
#define TCP_MIN_HDR  20

bool
vtnet_hdr_tx_csum(const uint8_t *f, size_t len, struct virtio_net_hdr_v1 *h)
{
	const uint8_t *ip = f + ETHER_HDR_LEN;
	unsigned ihl;

	if (len < ETHER_HDR_LEN + IP_HDR_LEN || net_get16(f + 12) != ETHERTYPE_IP)
		return false;
	ihl = (ip[0] & 0xfu) * 4u;
	if (ip[9] != IPPROTO_TCP || ihl < IP_HDR_LEN || (net_get16(ip + 6) & 0x3fff) != 0 ||
	    len < ETHER_HDR_LEN + ihl + TCP_MIN_HDR)
		return false;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = (uint16_t)(ETHER_HDR_LEN + ihl);
	h->csum_offset = TCP_CSUM_OFF;
	return true;
}

enum vtnet_csum
vtnet_hdr_rx_csum(const struct virtio_net_hdr_v1 *h, uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETHER_HDR_LEN;
	unsigned ihl, tot, start = h->csum_start, off = h->csum_offset;
	uint16_t sum, want;

	if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		return VTNET_CSUM_VALID;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return VTNET_CSUM_NONE;
	if (len < ETHER_HDR_LEN + IP_HDR_LEN || net_get16(f + 12) != ETHERTYPE_IP)
		return VTNET_CSUM_BAD_HDR;
	ihl = (ip[0] & 0xfu) * 4u;
	tot = net_get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < IP_HDR_LEN || tot < ihl || ETHER_HDR_LEN + tot > len ||
	    (net_get16(ip + 6) & 0x3fff) != 0 || start != ETHER_HDR_LEN + ihl ||
	    !((ip[9] == IPPROTO_TCP && off == TCP_CSUM_OFF && tot - ihl >= TCP_MIN_HDR) ||
	      (ip[9] == IPPROTO_UDP && off == UDP_CSUM_OFF && tot - ihl >= UDP_HDR_LEN)))
		return VTNET_CSUM_BAD_HDR;
	want = (uint16_t)~in_cksum_fold(in_pseudo_sum(net_get32(ip + 12), net_get32(ip + 16),
						      ip[9], tot - ihl));
	sum = net_get16(f + start + off);
	/* 0 and 0xffff are the one's-complement zero's two forms. */
	if (sum != want && !((sum == 0 || sum == 0xffff) && (want == 0 || want == 0xffff)))
		return VTNET_CSUM_BAD_HDR;
	sum = in_cksum_fold(in_cksum_add(0, f + start, tot - ihl));
	if (ip[9] == IPPROTO_UDP && sum == 0)
		sum = 0xffff; /* RFC 768: 0 would say "no checksum" */
	net_put16(f + start + off, sum);
	return VTNET_CSUM_VALID;
}
