#!/usr/bin/env bash
# Builds the container image from BUILD_DIR and unpacks it with umoci into OUT_DIR/bundle, as a container
# runtime would (the image tests then run its root filesystem). Exit 77 (skipped) when not root or umoci is
# missing: unpacking with the image's owners and running it with chroot need root; CI runs as root.
set -euo pipefail
build=$1
out=$2
if [ "$(id -u)" -ne 0 ] || ! command -v umoci >/dev/null; then
  echo "image tests need root and umoci (scripts/bootstrap.sh installs it)" >&2
  exit 77
fi
"$(dirname "$0")"/../../scripts/build_image.sh "$build" "$out"
version=$("$build"/ingressguard version | cut -d' ' -f2)
umoci unpack --image "$out/oci:$version" "$out"/bundle
