#!/usr/bin/env bash
# Installs the Debian packages ingressguard needs to build, test and benchmark
# (chromium only for the test that renders the HTML report in a real browser).
# Idempotent: only packages that are missing are installed; a second run does nothing.
set -euo pipefail

# --build: only what building the binary and its image root filesystem needs (the Dockerfile's build stage).
build_packages=(
  build-essential cmake ninja-build pkg-config
  libyaml-dev libsimdjson-dev nlohmann-json3-dev libfmt-dev libcli11-dev libssl-dev libgnutls28-dev
  libmbedtls-dev
  libgraphviz-dev libboost-dev libhyperscan-dev libgit2-dev ca-certificates curl
)
packages=("${build_packages[@]}")
if [ "${1:-}" != "--build" ]; then
  packages+=(
    nginx-light libgtest-dev chromium libxml2-utils
    clang libclang-rt-14-dev
    openssl time wrk goaccess testssl.sh strace python3-jsonschema python3-yaml pre-commit git umoci zsh fish
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
