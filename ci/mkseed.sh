#!/bin/bash
# ci/mkseed.sh — build a NoCloud seed (cloud-init's NoCloud data source): an ISO 9660 image
# labelled cidata with Rock Ridge and Joliet names, holding user-data and meta-data, as
# `cloud-localds` and the cloud-init documentation make it (xorriso -as genisoimage -V cidata
# -J -r). The image's /etc/init.d/nocloud applies it at boot; `make run-image` attaches it.
#
# Usage: ci/mkseed.sh OUT.iso USERDATA [METADATA]. Without METADATA, meta-data gets an
# instance-id derived from user-data's contents (so a new user-data is a new instance, whose
# script runs again) and local-hostname nimbus.
set -euo pipefail

die() {
	echo "mkseed: $*" >&2
	exit 1
}

out=${1:?usage: ci/mkseed.sh OUT.iso USERDATA [METADATA]}
userdata=${2:-}
metadata=${3:-}
[ -n "$userdata" ] || die "USERDATA=file is needed (make seed USERDATA=file [METADATA=file])"
[ -r "$userdata" ] || die "cannot read user-data $userdata"
[ -z "$metadata" ] || [ -r "$metadata" ] || die "cannot read meta-data $metadata"
command -v xorriso >/dev/null || die "xorriso is missing (run make deps)"

work=$out.d
rm -rf "$work"
mkdir -p "$work"
cp "$userdata" "$work/user-data"
if [ -n "$metadata" ]; then
	cp "$metadata" "$work/meta-data"
else
	iid=iid-$(sha256sum "$userdata" | cut -c 1-12)
	printf 'instance-id: %s\nlocal-hostname: nimbus\n' "$iid" >"$work/meta-data"
fi
xorriso -as genisoimage -quiet -output "$out.tmp" -volid cidata -joliet -rock "$work" \
	>"$work.log" 2>&1 || { cat "$work.log" >&2; die "xorriso could not build $out"; }
mv "$out.tmp" "$out"
echo "mkseed: $out ($(stat -c %s "$out") bytes), $(grep -m 1 '^instance-id' "$work/meta-data")"
rm -rf "$work" "$work.log"
