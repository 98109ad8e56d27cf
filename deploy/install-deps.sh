#!/usr/bin/env bash
# Install the Debian 12 packages needed to build, test and run the auction service.
# Idempotent: when everything is installed it touches nothing (no apt-get update either).
# Runs apt-get as root, or through sudo. Full output goes to a log file; on failure its tail
# is printed.
#
#   deploy/install-deps.sh            install what is missing
#   deploy/install-deps.sh --list     print the package list and exit
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  libcaf-dev libpqxx-dev libspdlog-dev libfmt-dev libsodium-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev libcli11-dev
  postgresql-15 postgresql-client-15
  tmux clang-format clang-tidy
  clang libclang-rt-14-dev
)
# apt lists younger than this are fresh enough to skip `apt-get update`.
MAX_LIST_AGE_SECONDS=$((6 * 3600))

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=$(basename "$0")

if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

missing_packages() {
  local p status
  for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || echo "$p"
  done
}

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "$prog: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "$prog: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  }
  SUDO=(sudo)
fi

mkdir -p "$repo/.run"
logfile=$repo/.run/install-deps.log
: >"$logfile"

fail() {
  echo "$prog: $1 failed; last lines of $logfile:" >&2
  tail -n 40 "$logfile" >&2
  exit 1
}

# apt sets a list's mtime to the server's Last-Modified; its ctime is when it was fetched.
lists_fresh() {
  local newest now
  newest=$(find /var/lib/apt/lists -maxdepth 1 -type f \( -name '*Packages*' -o -name '*Release' \) \
    -printf '%C@\n' 2>/dev/null | sort -n | tail -n 1)
  [[ -n $newest ]] || return 1
  now=$(date +%s)
  ((now - ${newest%.*} < MAX_LIST_AGE_SECONDS))
}

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
  -o Dpkg::Options::=--force-confold)

apt() {
  echo "+ apt-get $*" >>"$logfile"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" "$@" >>"$logfile" 2>&1
}

start=$SECONDS
updated=no
if ! lists_fresh; then
  apt update || fail "apt-get update"
  updated=yes
fi
if ! apt install --no-install-recommends "${missing[@]}"; then
  # Lists that look fresh may still point at versions the mirror no longer has.
  [[ $updated == no ]] || fail "apt-get install"
  apt update || fail "apt-get update"
  updated=yes
  apt install --no-install-recommends "${missing[@]}" || fail "apt-get install"
fi

mapfile -t still < <(missing_packages)
[[ ${#still[@]} -eq 0 ]] || fail "installing ${still[*]}"
echo "$prog: installed ${#missing[@]} package(s) in $((SECONDS - start))s" \
  "(apt-get update: $updated; log: $logfile)"
