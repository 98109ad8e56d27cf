#!/usr/bin/env bash
# Builds the libFuzzer target with Clang in build-fuzz and runs it for a bounded time.
#
#   deploy/fuzz.sh [SECONDS]   default 60; corpus in build-fuzz/corpus (seeded from tests/fuzz/seeds)
#
# Exit status is non-zero when the fuzzer finds a crash, a sanitizer report or a broken
# validation promise; the reproducer is left in build-fuzz/ (crash-*).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
build=$repo/build-fuzz

if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAUCTION_FUZZ=ON -DAUCTION_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 ||
    {
      cat "$build.configure.log"
      exit 1
    }
fi
ninja -C "$build" request_fuzzer
mkdir -p "$build/corpus"
cp -n "$repo"/tests/fuzz/seeds/* "$build/corpus/" 2> /dev/null || true
cd "$build"
# -rss_limit_mb: a protobuf message can be large; ASan's shadow needs room too.
./tests/fuzz/request_fuzzer -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 \
  -print_final_stats=1 corpus
