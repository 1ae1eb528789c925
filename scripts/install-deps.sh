#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages Tessel builds against, only those missing.
# Idempotent: a machine that already has everything spends a second here.
set -euo pipefail

pkgs=(cmake ninja-build ccache g++ git python3 xz-utils
      llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools lld-22
      libgtest-dev nlohmann-json3-dev zlib1g-dev libzstd-dev)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "tessel: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x /usr/local/cuda/bin/ptxas ]; then
  echo "tessel: the CUDA 13 toolkit is expected at /usr/local/cuda (ptxas, nvJitLink, cuBLAS)" >&2
  exit 1
fi
