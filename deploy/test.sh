#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions here are called indirectly (trap, run_step)
# Build and run every test, then the linters: the same steps CI runs (.ci/run).
#
#   deploy/test.sh              install deps, build `build`, ctest (unit + integration), lint
#   deploy/test.sh --sanitize   also build-asan (address,undefined: unit + integration) and
#                               build-tsan (thread: the suites labelled *_concurrent)
#   deploy/test.sh --asan       only the AddressSanitizer/UBSan one (--tsan: only ThreadSanitizer)
#   deploy/test.sh --no-lint    skip deploy/lint.sh
#   FUZZ_SECONDS=N              how long deploy/fuzz.sh runs the libFuzzer target (default 60)
#
# The test binaries start their own private PostgreSQL clusters through deploy/pg-cluster.sh;
# every cluster started under this script is recorded (AUCTION_PG_REGISTRY) and stopped on exit,
# whatever happens. Exit status is non-zero if any step failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

asan=0
tsan=0
lint=1
for arg in "$@"; do
  case $arg in
    --sanitize)
      asan=1
      tsan=1
      ;;
    --asan) asan=1 ;;
    --tsan) tsan=1 ;;
    --no-lint) lint=0 ;;
    -h | --help) usage ;;
    *)
      echo "test.sh: unknown argument '$arg'" >&2
      usage
      ;;
  esac
done

CTEST_JOBS=2
# The fault suites' history checker also fails on "findings": errors that told a caller
# something untrue (e.g. "nothing was applied" for a committed bid), not only on lost data.
export AUCTION_FAULT_STRICT=1
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CTEST_TIMEOUT=600 # seconds per test, unless the test sets its own TIMEOUT

# The sanitizer builds compile at -O1 with line tables only (what the sanitizers themselves
# recommend; stack traces keep file:line) and as unity builds, so the inline code of gRPC,
# protobuf and CLI11 is instrumented once per target, not once per file: together about a third
# of the -O2 -g compile time. The normal build stays file by file, which keeps every file's
# includes honest.
sanitizer_build_args=(-DCMAKE_UNITY_BUILD=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")

# --- leftovers: stop every PostgreSQL cluster started while we run ---------------------------
registry=$(mktemp "${TMPDIR:-/tmp}/auction-pg-registry.XXXXXX")
export AUCTION_PG_REGISTRY=$registry
lint_pid=
cleanup() {
  local rc=$?
  [[ -n $lint_pid ]] && kill "$lint_pid" 2>/dev/null
  bash "$repo/deploy/pg-cluster.sh" stop-registered "$registry" || true
  rm -f "$registry"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- steps -----------------------------------------------------------------------------------
failed=()
banner() { printf '\n=== test.sh: %s\n' "$*"; }

# run_step NAME CMD...: run, remember a failure, carry on.
run_step() {
  local name=$1
  shift
  banner "$name"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "--- $name: ok ($((SECONDS - start))s)"
    return 0
  fi
  echo "--- $name: FAILED (exit $rc, $((SECONDS - start))s)" >&2
  failed+=("$name")
  return 1
}

# Totals over every ctest run, for the closing "N passed, N failed" line.
tests_passed=0
tests_failed=0
# run_ctest DIR [ctest args...] -- [command prefix...]
run_ctest() {
  local dir=$1
  shift
  local ctest_args=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    ctest_args+=("$1")
    shift
  done
  [[ ${1:-} == -- ]] && shift
  local log rc=0
  log=$(mktemp "${TMPDIR:-/tmp}/auction-ctest.XXXXXX")
  "$@" ctest --test-dir "$dir" --output-on-failure -j "$CTEST_JOBS" --timeout "$CTEST_TIMEOUT" \
    "${ctest_args[@]}" 2>&1 | tee "$log" || rc=$?
  # "100% tests passed, 0 tests failed out of 169"
  local summary
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  if [[ $summary =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    tests_failed=$((tests_failed + BASH_REMATCH[1]))
    tests_passed=$((tests_passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  elif [[ $rc -eq 0 ]]; then
    rc=1 # ctest printed no summary: treat as a failure, never as "no tests"
  fi
  return "$rc"
}

# sanitizer_opts SUPP_FILE OPTION...: OPTIONs joined by ':', plus suppressions=tests/SUPP_FILE
# when that file exists.
sanitizer_opts() {
  local supp=$repo/tests/$1
  shift
  local opts=("$@")
  [[ -f $supp ]] && opts+=("suppressions=$supp")
  (
    IFS=:
    echo "${opts[*]}"
  )
}

run_step "install deps" bash deploy/install-deps.sh || exit 1

lint_log=
if run_step "build (build)" bash deploy/build.sh build; then
  if [[ $lint -eq 1 && -f deploy/lint.sh ]]; then
    # clang-tidy is CPU-bound and the suites spend much of their time waiting (PostgreSQL
    # commits, auction timers), so the linters run alongside them; reported at the end.
    lint_log=$(mktemp "${TMPDIR:-/tmp}/auction-lint.XXXXXX")
    lint_start=$SECONDS
    bash deploy/lint.sh build >"$lint_log" 2>&1 &
    lint_pid=$!
  fi
  run_step "ctest (build: unit, integration, fault)" run_ctest build || true
fi

if [[ $asan -eq 1 ]]; then
  if run_step "build (build-asan: address,undefined)" \
    bash deploy/build.sh build-asan -DAUCTION_SANITIZE=address,undefined "${sanitizer_build_args[@]}"; then
    # The sanitizer builds run the unit and integration suites; the fault suites (kill -9
    # cycles, database outages) run in the normal build, to keep CI within its time budget.
    run_step "ctest (build-asan: unit, integration)" run_ctest build-asan -L 'unit|integration' -- env \
      ASAN_OPTIONS="$(sanitizer_opts asan.supp detect_leaks=1 detect_stack_use_after_return=1)" \
      LSAN_OPTIONS="$(sanitizer_opts lsan.supp)" \
      UBSAN_OPTIONS="$(sanitizer_opts ubsan.supp print_stacktrace=1 halt_on_error=1)" || true
  fi
fi

if [[ $tsan -eq 1 ]]; then

  # Only the suites that exercise concurrency (label *_concurrent, tests/CMakeLists.txt): the
  # others drive one request at a time, and run in the normal and AddressSanitizer builds.
  if run_step "build (build-tsan: thread, concurrency suites)" \
    env AUCTION_BUILD_TARGETS=concurrency_suites \
    bash deploy/build.sh build-tsan -DAUCTION_SANITIZE=thread "${sanitizer_build_args[@]}"; then
    # GCC 12's TSan cannot map its shadow memory with high ASLR entropy (newer kernels set
    # vm.mmap_rnd_bits=32); run the tests without address randomisation.
    tsan_prefix=(setarch "$(uname -m)" -R env)
    tsan_flags=(second_deadlock_stack=1 history_size=4 halt_on_error=1)
    # The test binaries also get tests/tsan-clients.supp (gRPC client internals); auctiond, which
    # they start, gets tests/tsan.supp alone (AUCTION_SERVER_TSAN_OPTIONS, see server_process.cpp).
    client_supp=$(mktemp "${TMPDIR:-/tmp}/auction-tsan-clients.XXXXXX")
    cat tests/tsan.supp tests/tsan-clients.supp > "$client_supp"
    run_step "ctest (build-tsan: unit_concurrent, integration_concurrent)" \
      run_ctest build-tsan -L '_concurrent' -- \
      "${tsan_prefix[@]}" \
      TSAN_OPTIONS="$(IFS=:; echo "${tsan_flags[*]}"):suppressions=$client_supp" \
      AUCTION_SERVER_TSAN_OPTIONS="$(sanitizer_opts tsan.supp "${tsan_flags[@]}")" || true
    rm -f "$client_supp"
  fi
fi

# libFuzzer over request parsing, mapping and validation, for a bounded time (Clang build).
run_step "fuzz (build-fuzz, ${FUZZ_SECONDS}s)" bash deploy/fuzz.sh "$FUZZ_SECONDS" || true

if [[ -n $lint_pid ]]; then
  banner "lint (started after the build, alongside the suites)"
  lint_rc=0
  wait "$lint_pid" || lint_rc=$?
  lint_pid=
  cat "$lint_log"
  rm -f "$lint_log"
  if [[ $lint_rc -eq 0 ]]; then
    echo "--- lint: ok ($((SECONDS - lint_start))s since it started)"
  else
    echo "--- lint: FAILED (exit $lint_rc)" >&2
    failed+=("lint")
  fi
elif [[ $lint -eq 1 && -f deploy/lint.sh ]]; then
  run_step "lint" bash deploy/lint.sh build || true
fi

echo
if [[ $tests_passed -eq 0 && $tests_failed -eq 0 ]]; then
  failed+=("no test ran")
fi
status=0
if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'test.sh: FAILED steps:' >&2
  printf ' [%s]' "${failed[@]}" >&2
  printf '\n' >&2
  status=1
else
  echo "test.sh: all steps passed"
fi
# Last line, for CI: the totals over every ctest run.
echo "tests: $tests_passed passed, $tests_failed failed"
exit "$status"
