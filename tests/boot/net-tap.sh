#!/bin/bash
# net-tap — TCP with Linux's own stack as the peer: the guest's virtio-net is QEMU's `-netdev
# tap` on a tap device in a network namespace this scenario makes (tests/boot/net-tap.inc),
# the guest configured by `ip=`; 64 MiB go each way with a checked pattern (the guest's
# `tcpsend` to a server on the host's side, the host's client through the guest's `tcpecho`),
# with virtio-net's checksum offload used both ways.
# Skipped, saying why, without root/CAP_NET_ADMIN or /dev/net/tun.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net-tap.inc"
boot_scenario net-tap
net_tap_setup
NET_TAP_EXPECT_OFFLOAD=${NET_TAP_EXPECT_OFFLOAD:-1}
net_tap_run "tap,id=n1,ifname=ntap0,script=no,downscript=no"
boot_finish
