#!/usr/bin/env bash
# The builder stage of lifdag's images (docker/Dockerfile.*), in one place:
#   build-lifdag.sh deps           installs Debian 12's build dependencies of the `lifdag` target
#   build-lifdag.sh build SRC OUT  configures SRC (Release; no tests, benchmarks or desktop app),
#                                  builds `lifdag` only and writes it stripped to OUT
set -euo pipefail

case "${1:-}" in
  deps)
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libyaml-cpp-dev libvalijson-dev libsqlite3-dev
    rm -rf /var/lib/apt/lists/*
    ;;
  build)
    SRC=${2:?usage: build-lifdag.sh build SRC OUT}
    OUT=${3:?usage: build-lifdag.sh build SRC OUT}
    cmake -S "$SRC" -B /tmp/lifdag-build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIFDAG_BUILD_TESTS=OFF \
      -DLIFDAG_BUILD_BENCH=OFF -DLIFDAG_BUILD_DESKTOP=OFF
    cmake --build /tmp/lifdag-build --target lifdag -j "${LIFDAG_BUILD_JOBS:-$(nproc)}"
    strip -o "$OUT" /tmp/lifdag-build/bin/lifdag
    rm -rf /tmp/lifdag-build
    "$OUT" --version
    ;;
  *)
    echo "usage: build-lifdag.sh deps | build SRC OUT" >&2
    exit 2
    ;;
esac
