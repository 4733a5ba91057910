#!/bin/bash
# net-tcp — TCP against real peers through QEMU's user network (slirp), under TCG. The guest
# connects out to a server the host runs on 127.0.0.1 (the guest's 10.0.2.2) and sends 64 MiB
# of a known pattern, which the host checks (`tcpsend`); the host connects in through hostfwd
# to the guest's echo service (`tcpecho 7`) and checks 64 MiB echoed back; `tcpwait` waits for
# that connection to end and `netstat` shows the counters. The peer is
# tests/boot/net-tcp-peer.py. NET_TCP_BYTES sets another size (64 MiB each way took about 6 s
# per direction under TCG here, the whole run 8 s). The root is a small ext2 disk with an
# empty /etc: `cat /etc/resolv.conf` must show what DHCP said (slirp's name server 10.0.2.3
# and the domain QEMU is given, option 15).
#
# restrict=off: with restrict=on slirp refuses the guest's connection to 10.0.2.2. The guest
# only talks to slirp here (DHCP, ARP, the two connections); nothing else leaves.
. "$(dirname "$0")/lib.sh"
boot_scenario net-tcp
if ! qemu_has_slirp; then
	BOOT_SKIP="this QEMU has no user networking (slirp)"
	boot_finish
	exit 0
fi
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
sport=$(free_port)
eport=$(free_port)
while [ "$eport" = "$sport" ]; do eport=$(free_port); done
bytes=${NET_TCP_BYTES:-$((64 * 1024 * 1024))}
results=$BOOT_LOGDIR/net-tcp.d
rm -rf "$results"
BOOT_ACCEL=tcg
BOOT_TIMEOUT=240
BOOT_PCI_DEVICES=0
root_img=$BOOT_WORKDIR/net-tcp-root.img
root_tree=$BOOT_WORKDIR/net-tcp-root
rm -rf "$root_img" "$root_tree" && mkdir -p "$root_tree/etc" "$root_tree/dev"
if ! { truncate -s 4M "$root_img" &&
	mke2fs -q -F -t ext2 -b 1024 -d "$root_tree" "$root_img" >/dev/null 2>&1; }; then
	boot_fail "could not build the root ext2 image"
fi
BOOT_APPEND="net.mac=52:54:00:12:34:56 root=/dev/vda"
BOOT_EXPECT_STATUS=0
BOOT_EXPECT_SUMMARY=0
BOOT_QEMU_EXTRA=(-netdev "user,id=n1,restrict=off,domainname=nimbus.test,hostfwd=tcp:127.0.0.1:$eport-:7"
	-device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:56,romfile=
	-drive "file=$root_img,format=raw,if=none,id=root0" -device virtio-blk-pci,drive=root0)
BOOT_DRIVER="python3 tests/boot/net-tcp-peer.py $results $sport $eport $bytes
	--transcripts $results --char-delay 0.005
	--cmd tcpecho@7 --cmd tcpsend@10.0.2.2@$sport@$bytes --cmd tcpwait@7@1 --cmd netstat
	--cmd cat@/etc/resolv.conf --cmd poweroff"
boot_run

answer() {
	local f=$results/$1

	[ -f "$f" ] || { boot_fail "no $1 (the conversation stopped early?)"; return; }
	grep -Eq -- "$2" "$f" || boot_fail "$1 did not say $3: $(head -c 300 "$f")"
}
answer 1-tcpecho_7.out '^tcpecho: listening on port 7' "the echo service started"
answer "2-tcpsend_10_0_2_2_${sport}_$bytes.out" \
	"^tcpsend: sent $bytes of $bytes bytes in [0-9]+ ms \\(error 0\\); reply: host got $bytes bytes, pattern ok" \
	"that all bytes went out and the host checked them"
answer host-server.txt "^host got $bytes bytes, pattern ok" "the pattern arrived intact"
answer host-echo.txt "^echo ok: $bytes bytes each way" "the echo came back intact"
answer 3-tcpwait_7_1.out '^tcpwait: 1 connections served' "the echo connection ended"
answer 4-netstat.out '^tcp: [0-9]+ connects [0-9]+ accepts' "TCP counters"
answer 5-cat__etc_resolv_conf.out '^nameserver 10\.0\.2\.3$' "slirp's name server"
answer 5-cat__etc_resolv_conf.out '^search nimbus\.test$' "the DHCP domain"
boot_finish
