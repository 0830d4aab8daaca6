#!/usr/bin/env bash
# README command 2: installs dependencies, builds with warnings as errors, and runs every test
# with ctest - including the PostgreSQL suites, against a throwaway server that a ctest fixture
# (scripts/testpg.sh) starts on 127.0.0.1 and always stops. Then a sanitizer (ASan+UBSan) pass
# over the core modules' tests. Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

echo "== build (warnings as errors)"
BUILD_DIR=build scripts/build.sh -DLIFDAG_WERROR=ON
echo "== ctest"
(cd build && ctest --output-on-failure -j2 --timeout 600)

if [ "${LIFDAG_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== sanitizer build (ASan+UBSan) of the core modules and their tests"
  BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DLIFDAG_WERROR=ON -DLIFDAG_SANITIZE=ON \
    -DLIFDAG_BUILD_DESKTOP=OFF -DLIFDAG_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j2 --timeout 900 -L 'unit|postgres')
fi
echo "== all tests passed"
