#!/usr/bin/env bash
# Installs the Debian 12 packages Clearway needs to build, run and test.
# Idempotent: installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git openssl
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libsodium-dev libsqlite3-dev sqlite3
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libqrencode-dev
  libxgboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpq-dev postgresql-15
  libp11-kit-dev softhsm2   # keys: the PKCS#11 header; SoftHSM2 token for the HSM provider's tests
  curl
  linux-perf   # make bench's profile of the filing path (docs/performance.md)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
