#!/usr/bin/env bash
# Configure and build with CMake + Ninja, using all cores.
#
#   deploy/build.sh [BUILD_DIR] [extra cmake args...]
#
# BUILD_DIR defaults to `build` (relative paths are taken from the repo root). Extra arguments
# go to the configure step and come after the defaults, so they win, e.g.
#   deploy/build.sh build-asan -DAUCTION_SANITIZE=address,undefined
#   deploy/build.sh build-debug -DCMAKE_BUILD_TYPE=Debug
# AUCTION_BUILD_TARGETS="a b" builds only those targets (and what they need), e.g.
# concurrency_suites for the ThreadSanitizer build.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

build_dir=build
if [[ $# -gt 0 && $1 != -* ]]; then
  build_dir=$1
  shift
fi

jobs=$(nproc 2>/dev/null || echo 2)

echo "build.sh: configuring $build_dir" >&2
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
echo "build.sh: building $build_dir with $jobs jobs" >&2
targets=()
if [[ -n ${AUCTION_BUILD_TARGETS:-} ]]; then
  read -ra names <<<"$AUCTION_BUILD_TARGETS"
  targets=(--target "${names[@]}")
fi
cmake --build "$build_dir" --parallel "$jobs" "${targets[@]}"
