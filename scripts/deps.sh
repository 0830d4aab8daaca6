#!/usr/bin/env bash
# Installs every Debian 12 package lifdag needs to build, test and run. Idempotent and quiet:
# when everything is present it returns at once without touching apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev qt6-declarative-dev
  libqt6sql6-psql libqt6sql6-sqlite libgl-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-window
  qml6-module-qtquick-templates qml6-module-qtquick-layouts qml6-module-qtqml-workerscript
  qml6-module-qttest qml6-module-qtquick-shapes qtkeychain-qt6-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev libvalijson-dev libbenchmark-dev libsqlite3-dev
  postgresql postgresql-client
  xvfb xauth procps iproute2
  podman runc debootstrap uidmap docker-compose curl
  chromium nodejs zlib1g-dev
)
# npm: Debian's package, unless a nodejs that bundles it (and conflicts with it) is installed.
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "deps.sh: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a cluster on 5432 when postgresql is installed on a real system; lifdag's tests
# use their own throwaway server, so that one is left as the system has it.
echo "deps.sh: done"
