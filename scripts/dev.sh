#!/usr/bin/env bash
# README command 1: installs dependencies, builds, and starts `lifdag dev` (everything on one
# machine; UI and API on http://localhost:3000). Ctrl-C stops it. Arguments go to `lifdag dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
BUILD_DIR=build scripts/build.sh
exec build/bin/lifdag dev "$@"
