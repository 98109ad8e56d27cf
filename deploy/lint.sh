#!/usr/bin/env bash
# Static checks, the way CI runs them:
#   1. clang-format --dry-run --Werror over our own *.cpp / *.hpp
#   2. clang-tidy (config: .clang-tidy) over our own *.cpp that are in the compilation database
#      (skipped, with a note, when BUILD_DIR/compile_commands.json is missing).
#
#   deploy/lint.sh [BUILD_DIR]      BUILD_DIR defaults to `build`
#   deploy/lint.sh --fix [BUILD_DIR]  rewrite files with clang-format instead of checking them
#
# Exit status is non-zero on any finding.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

SOURCE_DIRS=(domain actors persistence server client-cli tests bench)

fix=0
if [[ ${1:-} == --fix ]]; then
  fix=1
  shift
fi
build_dir=${1:-build}
jobs=$(nproc 2>/dev/null || echo 2)

dirs=()
for d in "${SOURCE_DIRS[@]}"; do
  [[ -d $d ]] && dirs+=("$d")
done
if [[ ${#dirs[@]} -eq 0 ]]; then
  echo "lint.sh: no source directories found" >&2
  exit 1
fi

mapfile -t sources < <(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)
status=0

# --- clang-format --------------------------------------------------------------------------
command -v clang-format >/dev/null || {
  echo "lint.sh: clang-format not installed (deploy/install-deps.sh)" >&2
  exit 1
}
if [[ ${#sources[@]} -gt 0 ]]; then
  if [[ $fix -eq 1 ]]; then
    clang-format -i "${sources[@]}"
    echo "lint.sh: clang-format rewrote ${#sources[@]} files as needed"
  elif clang-format --dry-run --Werror "${sources[@]}"; then
    echo "lint.sh: clang-format clean (${#sources[@]} files)"
  else
    echo "lint.sh: clang-format findings above (fix: deploy/lint.sh --fix)" >&2
    status=1
  fi
fi

# --- clang-tidy ----------------------------------------------------------------------------
db=$build_dir/compile_commands.json
if [[ ! -f $db ]]; then
  echo "lint.sh: $db missing; clang-tidy skipped (run deploy/build.sh first)"
  exit "$status"
fi
command -v clang-tidy >/dev/null || {
  echo "lint.sh: clang-tidy not installed (deploy/install-deps.sh)" >&2
  exit 1
}

# Our .cpp files that the build knows about (a file not in the database cannot be checked).
declare -A in_db=()
while IFS= read -r f; do
  in_db[$f]=1
done < <(sed -n 's/^ *"file": *"\(.*\)",\{0,1\} *$/\1/p' "$db")
tidy_files=()
for f in "${sources[@]}"; do
  [[ $f == *.cpp && -n ${in_db[$repo/$f]:-} ]] && tidy_files+=("$f")
done
if [[ ${#tidy_files[@]} -eq 0 ]]; then
  echo "lint.sh: no .cpp files of ours in $db; clang-tidy skipped"
  exit "$status"
fi

# One clang-tidy per file, in parallel; a file's output is printed only when it has findings.
# shellcheck disable=SC2317  # called through xargs
tidy_one() {
  local out
  if ! out=$(clang-tidy -p "$1" --quiet "$2" 2>&1); then
    printf '=== %s\n%s\n' "$2" "$out"
    return 1
  fi
}
export -f tidy_one
# shellcheck disable=SC2016  # $0/$1 are expanded by the inner bash
if printf '%s\0' "${tidy_files[@]}" |
  xargs -0 -n 1 -P "$jobs" bash -c 'tidy_one "$0" "$1"' "$build_dir"; then
  echo "lint.sh: clang-tidy clean (${#tidy_files[@]} files)"
else
  echo "lint.sh: clang-tidy findings above" >&2
  status=1
fi
exit "$status"
