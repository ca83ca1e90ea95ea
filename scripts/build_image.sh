#!/usr/bin/env bash
# Builds the ingressguard container image offline, from this machine's Debian packages:
#   scripts/build_image.sh BUILD_DIR OUT_DIR            -> OUT_DIR/rootfs and the OCI layout OUT_DIR/oci:<version>
#   scripts/build_image.sh --rootfs-only BUILD_DIR OUT_DIR  -> OUT_DIR/rootfs only (the Dockerfile's build stage)
#
# The root filesystem holds the stripped binary, the shared libraries it loads (found with ldd), the two
# Graphviz plugins the HTML report's map needs, the CA bundle (probe), kubectl (for `scan --cluster` and
# kustomize overlays: $KUBECTL, else the one on PATH; statically linked, as the Kubernetes project builds it),
# a passwd/group with the non-root user 65532 and the Debian copyright files of every package a file was
# taken from. No shell, no package manager. umoci packs it as one layer and writes the image configuration
# (user, entrypoint, labels).
set -euo pipefail

rootfs_only=0
if [ "${1:-}" = "--rootfs-only" ]; then
  rootfs_only=1
  shift
fi
if [ $# -ne 2 ]; then
  echo "usage: $0 [--rootfs-only] BUILD_DIR OUT_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
out=$2
binary=$build/ingressguard
[ -x "$binary" ] || { echo "build_image: $binary not built (run make)" >&2; exit 2; }
version=$("$binary" version | cut -d' ' -f2)
image_name=${IMAGE_NAME:-ghcr.io/ingressguard/ingressguard}
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
gvdir=/usr/lib/$multiarch/graphviz

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rootfs=$out/rootfs
mkdir -p "$rootfs"/usr/lib/"$multiarch" "$rootfs"/usr/lib64 "$rootfs"/etc/ssl/certs "$rootfs"/tmp \
  "$rootfs"/home/nonroot "$rootfs"/work "$rootfs"/usr/share/doc
# Debian's merged /usr: /lib and /lib64 are links into /usr, as on the build machine.
ln -s usr/lib "$rootfs"/lib
ln -s usr/lib64 "$rootfs"/lib64
chmod 1777 "$rootfs"/tmp

cmake --install "$build" --prefix "$rootfs"/usr/local --strip >/dev/null

# Copies a file that a library path names, under that name (the soname), resolved to its target.
sources=()
in_usr() {
  case "$1" in
    /lib/*|/lib64/*) echo "/usr$1" ;;
    *) echo "$1" ;;
  esac
}
copy_lib() {
  local path=$1 real named dest
  real=$(in_usr "$(readlink -f "$path")")
  named=$(in_usr "$path")
  dest=$(dirname "$real")/$(basename "$path")
  [ -e "$rootfs$dest" ] && return 0
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L "$path" "$rootfs$dest"
  # The loader is named by its path in the binary (/lib64/ld-linux-x86-64.so.2): keep that path as a link.
  if [ "$(dirname "$named")" != "$(dirname "$real")" ]; then
    mkdir -p "$rootfs$(dirname "$named")"
    ln -sf "$dest" "$rootfs$named"
  fi
  sources+=("$real" "${real#/usr}")
}
libs_of() {
  ldd "$1" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
}

targets=("$rootfs"/usr/local/bin/ingressguard "$gvdir"/libgvplugin_core.so.6 "$gvdir"/libgvplugin_dot_layout.so.6)
for t in "${targets[@]}"; do
  while read -r lib; do copy_lib "$lib"; done < <(libs_of "$t")
done
for plugin in core dot_layout; do
  copy_lib "$gvdir/libgvplugin_$plugin.so.6"
done
# Graphviz reads its plugin list from config6a: keep only the two plugins in the image.
awk '/^libgvplugin_(core|dot_layout)\.so\.6 / { keep = 1 } keep { print } /^}/ { keep = 0 }' "$gvdir"/config6a \
  > "$rootfs$gvdir"/config6a

kubectl_bin=${KUBECTL:-$(command -v kubectl || true)}
kubectl_version=none
if [ -n "$kubectl_bin" ]; then
  kubectl_bin=$(readlink -f "$kubectl_bin")
  if ldd "$kubectl_bin" >/dev/null 2>&1; then
    echo "build_image: $kubectl_bin is not statically linked; not included" >&2
  else
    cp "$kubectl_bin" "$rootfs"/usr/local/bin/kubectl
    kubectl_version=$("$kubectl_bin" version --client 2>/dev/null | sed -n 's/^Client Version: //p')
  fi
else
  echo "build_image: no kubectl found: the image cannot scan --cluster or render kustomizations" >&2
fi

cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs"/etc/ssl/certs/ca-certificates.crt
sources+=(/usr/share/ca-certificates)
cat > "$rootfs"/etc/passwd <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat > "$rootfs"/etc/group <<'EOF'
root:x:0:
nonroot:x:65532:
EOF
echo "hosts: files dns" > "$rootfs"/etc/nsswitch.conf
chown 65532:65532 "$rootfs"/home/nonroot "$rootfs"/work 2>/dev/null || true

# The copyright file of every Debian package a file came from (the licences travel with the binaries).
packages=$(for s in "${sources[@]}"; do dpkg -S "$s" 2>/dev/null | head -1 | cut -d: -f1; done | sort -u)
for p in $packages; do
  if [ -f /usr/share/doc/"$p"/copyright ]; then
    mkdir -p "$rootfs"/usr/share/doc/"$p"
    cp /usr/share/doc/"$p"/copyright "$rootfs"/usr/share/doc/"$p"/copyright
  fi
done
printf '%s\n' $packages > "$rootfs"/usr/share/doc/ingressguard-image-packages.txt

if [ "$rootfs_only" = 1 ]; then
  echo "$rootfs ($(du -sh "$rootfs" | cut -f1))"
  exit 0
fi

command -v umoci >/dev/null || { echo "build_image: umoci not installed (scripts/bootstrap.sh installs it)" >&2; exit 2; }
oci=$out/oci
umoci init --layout "$oci"
umoci new --image "$oci:$version"
umoci unpack --image "$oci:$version" "$out"/bundle >/dev/null
cp -a "$rootfs"/. "$out"/bundle/rootfs/
umoci repack --image "$oci:$version" "$out"/bundle
rm -rf "$out"/bundle
revision=$(git -C "$(dirname "$0")/.." rev-parse HEAD 2>/dev/null || echo unknown)
umoci config --image "$oci:$version" \
  --config.user 65532:65532 \
  --config.workingdir /work \
  --config.env PATH=/usr/local/bin \
  --config.entrypoint /usr/local/bin/ingressguard \
  --config.cmd --help \
  --config.exposedports 8443/tcp \
  --config.label org.opencontainers.image.title=ingressguard \
  --config.label org.opencontainers.image.version="$version" \
  --config.label org.opencontainers.image.revision="$revision" \
  --config.label org.opencontainers.image.ref.name="$image_name:$version" \
  --config.label org.opencontainers.image.base.name=scratch \
  --config.label io.ingressguard.kubectl.version="$kubectl_version" \
  --history.created_by "scripts/build_image.sh (binary, ldd libraries and Graphviz plugins from Debian bookworm)"
umoci gc --layout "$oci"

layer_bytes=$(find "$oci"/blobs -type f -size +100k -printf '%s\n' | sort -n | tail -1)
echo "$oci:$version ($image_name:$version): layer $((layer_bytes / 1024)) KiB compressed, rootfs $(du -sh "$rootfs" | cut -f1)"
