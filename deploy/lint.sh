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

# Our .cpp files that the build knows about (a file not in the database cannot be checked), with
# each one's compile command and target, read from CMake's compile_commands.json (one
# "key": "value" per line; the command stays JSON-escaped, as it is written back below).
declare -A is_source=()
for f in "${sources[@]}"; do
  [[ $f == *.cpp ]] && is_source[$repo/$f]=1
done
targets=()             # in database order
declare -A target_files=() # target -> its files, one per line
declare -A target_command=()
declare -A target_directory=()
tidy_count=0
entry_dir='' entry_cmd='' entry_file=''
while IFS= read -r line; do
  if [[ $line =~ ^\ *\"directory\":\ \"(.*)\",?$ ]]; then
    entry_dir=${BASH_REMATCH[1]}
  elif [[ $line =~ ^\ *\"command\":\ \"(.*)\",?$ ]]; then
    entry_cmd=${BASH_REMATCH[1]}
  elif [[ $line =~ ^\ *\"file\":\ \"(.*)\",?$ ]]; then
    entry_file=${BASH_REMATCH[1]}
  elif [[ $line =~ ^\ *\}  && -n ${is_source[$entry_file]:-} ]]; then
    target=unknown
    [[ $entry_cmd =~ CMakeFiles/([^/\ ]+)\.dir/ ]] && target=${BASH_REMATCH[1]}
    if [[ -z ${target_command[$target]:-} ]]; then
      targets+=("$target")
      target_command[$target]=$entry_cmd
      target_directory[$target]=$entry_dir
    fi
    target_files[$target]+=${entry_file#"$repo"/}$'\n'
    tidy_count=$((tidy_count + 1))
    unset "is_source[$entry_file]" # a file listed twice is checked once
  fi
done <"$db"
if [[ $tidy_count -eq 0 ]]; then
  echo "lint.sh: no .cpp files of ours in $db; clang-tidy skipped"
  exit "$status"
fi

# unity_off FILE: whether the CMakeLists.txt nearest to FILE turns unity builds off (its files
# share file-local names, so they cannot be read as one translation unit).
unity_off() {
  local dir
  dir=$(dirname "$1")
  while [[ $dir != . && ! -f $dir/CMakeLists.txt ]]; do
    dir=$(dirname "$dir")
  done
  grep -q 'CMAKE_UNITY_BUILD OFF' "$dir/CMakeLists.txt" 2>/dev/null
}

# Each target's files are checked eight to a translation unit, the way CMake's unity builds
# (the sanitizer builds) batch them: the gRPC, protobuf and CAF headers that every file includes
# are then parsed and matched once a batch, not once a file, which makes clang-tidy about six
# times faster. A batch is a generated .cpp that includes the files, compiled with the target's
# command; .clang-tidy's HeaderFilterRegex takes .cpp files, so findings name the real file and
# line. Targets that turn unity builds off, and batches of one, are checked file by file.
# A batch is written next to its files (in a .lint-unity.PID directory), so that clang-tidy
# reads the same .clang-tidy files for it as for them (tests/ has its own).
batch_dir=$repo/.lint-unity.$$
unit_dirs=("$batch_dir")
trap 'rm -rf "${unit_dirs[@]}"' EXIT
mkdir -p "$batch_dir"
batch_db=$batch_dir/compile_commands.json
jobs_list=() # "DATABASE_DIR|FILE"
batch_entries=()
for target in "${targets[@]}"; do
  mapfile -t files < <(printf '%s' "${target_files[$target]}")
  if [[ ${#files[@]} -eq 1 ]] || unity_off "${files[0]}"; then
    for f in "${files[@]}"; do
      jobs_list+=("$build_dir|$f")
    done
    continue
  fi
  for ((i = 0; i < ${#files[@]}; i += 8)); do
    batch=("${files[@]:i:8}")
    if [[ ${#batch[@]} -eq 1 ]]; then
      jobs_list+=("$build_dir|${batch[0]}")
      continue
    fi
    unit_dir=$repo/$(dirname "${batch[0]}")/.lint-unity.$$
    [[ -d $unit_dir ]] || unit_dirs+=("$unit_dir")
    mkdir -p "$unit_dir"
    unit=$unit_dir/${target}_$((i / 8)).cpp
    : >"$unit"
    for f in "${batch[@]}"; do
      printf '#include "%s"  // NOLINT(bugprone-suspicious-include)\n' "$repo/$f" >>"$unit"
    done
    command=${target_command[$target]}
    command="${command% -c *} -c $unit"
    batch_entries+=("{\"directory\": \"${target_directory[$target]}\", \"command\": \"$command\", \"file\": \"$unit\"}")
    jobs_list+=("$batch_dir|$unit")
  done
done
{
  echo '['
  for ((i = 0; i < ${#batch_entries[@]}; ++i)); do
    sep=,
    [[ $i -eq $((${#batch_entries[@]} - 1)) ]] && sep=
    echo "${batch_entries[i]}$sep"
  done
  echo ']'
} >"$batch_db"

# One clang-tidy per file or batch, in parallel; output is printed only when there are findings.
# shellcheck disable=SC2317  # called through xargs
tidy_one() {
  local db=${1%%|*} file=${1#*|} out
  if ! out=$(clang-tidy -p "$db" --quiet "$file" 2>&1); then
    printf '=== %s\n%s\n' "$file" "$out"
    return 1
  fi
}
export -f tidy_one
# shellcheck disable=SC2016  # $0 is expanded by the inner bash
if printf '%s\0' "${jobs_list[@]}" |
  xargs -0 -n 1 -P "$jobs" bash -c 'tidy_one "$0"'; then
  echo "lint.sh: clang-tidy clean ($tidy_count files in ${#jobs_list[@]} translation units)"
else
  echo "lint.sh: clang-tidy findings above" >&2
  status=1
fi
exit "$status"
