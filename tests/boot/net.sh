#!/bin/bash
# net — the network stack against QEMU's user network (slirp): virtio-net with the MAC QEMU
# is told, DHCP from slirp (10.0.2.15/24), ARP for and ping of the gateway 10.0.2.2 (the RTT
# is in the log), and — with NIMBUS_NET_DNS=1 only — a DNS query to 10.0.2.3 answered.
#
# By default the user network is restrict=on, so nothing leaves this machine; slirp then
# names no router or DNS server and does not forward DNS, and the DNS ktest skips.
# NIMBUS_NET_DNS=1 lifts the restriction: slirp forwards the query to the host's resolver.
# net.require=1 turns every "no answer" skip of the net ktests into a failure.
. "$(dirname "$0")/lib.sh"
boot_scenario net
if ! qemu_has_slirp; then
	BOOT_SKIP="this QEMU has no user networking (slirp)"
	boot_finish
	exit 0
fi
restrict=on
[ "${NIMBUS_NET_DNS:-0}" = 1 ] && restrict=off
BOOT_ACCEL=tcg
BOOT_TIMEOUT=60
BOOT_PCI_DEVICES=0
BOOT_APPEND="ktest=all net.require=1 net.mac=52:54:00:12:34:56"
BOOT_QEMU_EXTRA=(-netdev "user,id=n1,restrict=$restrict"
	-device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:56,romfile=)
boot_run
boot_expect '^virtio-net: eth0 52:54:00:12:34:56, link up' "the driver found the MAC QEMU set"
boot_expect '^net: eth0 10\.0\.2\.15/24 ' "DHCP configured eth0 with 10.0.2.15/24"
boot_expect '^ok [0-9]+ - net_if_has_qemu_mac$' "the interface ktest"
boot_expect '^ok [0-9]+ - net_dhcp_configures$' "the DHCP ktest"
boot_expect '^ok [0-9]+ - net_arp_resolves_gateway$' "ARP for 10.0.2.2 answered"
boot_expect '^# ping 10\.0\.2\.2: [0-9]/4 replies, rtt min' "ping replies with an RTT"
if [ "$restrict" = off ]; then
	boot_expect '^ok [0-9]+ - net_udp_dns_reply$' "a DNS reply to our query"
fi
boot_finish
