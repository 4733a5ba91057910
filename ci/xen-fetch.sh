#!/bin/sh
# ci/xen-fetch.sh — put Xen 4.17's hypervisor image at build/xen/xen.gz for the xen-dom0 boot
# scenario, without installing Xen on this machine (installing it would add a Xen entry to the
# host's own boot loader). Downloads Debian's xen-hypervisor-4.17-amd64 with apt-get and
# unpacks it with dpkg-deb. Does nothing when build/xen/xen.gz exists.
set -eu
cd "$(dirname "$0")/.."
[ -f build/xen/xen.gz ] && exit 0
mkdir -p build/xen/pkg
cd build/xen/pkg
apt-get download xen-hypervisor-4.17-amd64
dpkg-deb -x xen-hypervisor-4.17-amd64_*.deb root
cp root/boot/xen-4.17-amd64.gz ../xen.gz
echo "xen-fetch: build/xen/xen.gz from $(ls xen-hypervisor-4.17-amd64_*.deb)"
