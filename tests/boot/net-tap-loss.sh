#!/bin/bash
# net-tap-loss — net-tap over a bad link: 5% of the frames lost and 25% reordered, and still
# every byte of 64 MiB each way delivered and checked. Where the host kernel has tc's netem
# qdisc, netem does it on the tap (`loss 5% reorder 25%`, frames towards the guest); where it
# has not (sch_netem is a module many CI and container kernels lack), the guest's frames go
# through tests/boot/net-lossy-link.py, which relays between QEMU's `-netdev dgram` and the
# tap, losing and reordering in both directions with a fixed seed (NET_TAP_SEED).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net-tap.inc"
boot_scenario net-tap-loss
net_tap_setup
NET_TAP_BYTES=${NET_TAP_BYTES:-$((8 * 1024 * 1024))}
if ip netns exec "$NET_TAP_NS" tc qdisc add dev ntap0 root netem loss 5% reorder 25% \
	delay 1ms >/dev/null 2>&1; then
	how="netem on the tap"
	net_tap_run "tap,id=n1,ifname=ntap0,script=no,downscript=no"
else
	how="net-lossy-link.py (no netem here)"
	stats=$BOOT_WORKDIR/$BOOT_NAME.link
	rm -f "$stats"
	ip netns exec "$NET_TAP_NS" python3 tests/boot/net-lossy-link.py ntap0 5100 5101 5 25 \
		"${NET_TAP_SEED:-12}" "$stats" &
	NET_TAP_RELAY_PID=$!
	net_tap_run "dgram,id=n1,local.type=inet,local.host=127.0.0.1,local.port=5101,\
remote.type=inet,remote.host=127.0.0.1,remote.port=5100"
	kill "$NET_TAP_RELAY_PID"
	wait "$NET_TAP_RELAY_PID"
	NET_TAP_RELAY_PID=
	if [ -s "$stats" ]; then
		how="$how: $(tr '\n' ' ' <"$stats")"
		grep -Eq 'guest->host: [0-9]+ passed, [1-9][0-9]* dropped, [1-9]' "$stats" ||
			boot_fail "the link lost or reordered nothing towards the host: $(cat "$stats")"
	else
		boot_fail "the lossy link left no statistics ($stats)"
	fi
fi
BOOT_ACCEL_DESC="$BOOT_ACCEL_DESC; $how"
boot_finish
