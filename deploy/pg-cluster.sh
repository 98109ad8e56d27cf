#!/usr/bin/env bash
# Manage a private PostgreSQL 15 cluster for development, tests and benchmarks.
#
#   pg-cluster.sh start DATADIR PORT   initdb if DATADIR is missing/empty, start, wait until it
#                                      accepts connections, create database `auction`; the last
#                                      stdout line is the URL. PORT may be `auto` (or 0): a free
#                                      port is chosen, and another one tried if it gets taken.
#                                      Exit 98 if an explicit PORT is in use.
#   pg-cluster.sh stop DATADIR         fast shutdown; no error if it is not running
#   pg-cluster.sh kill DATADIR         immediate shutdown (like a crash; recovery on next start)
#   pg-cluster.sh status DATADIR       exit 0 running, 3 stopped, 4 no cluster there
#   pg-cluster.sh url DATADIR          URL of the running cluster (exit 3 if not running)
#   pg-cluster.sh free-port            a TCP port on 127.0.0.1 that nothing uses right now
#   pg-cluster.sh stop-registered FILE stop every cluster listed in FILE (see AUCTION_PG_REGISTRY)
#
# The cluster listens on 127.0.0.1 only, with trust auth for the superuser `postgres`; its
# unix socket (if the path is short enough) lives inside DATADIR; fsync stays ON.
# URL: postgresql://postgres@127.0.0.1:PORT/auction
#
# Environment:
#   AUCTION_PG_REGISTRY  if set, `start` appends "PID<TAB>DATADIR" to this file, so that a
#                        wrapper (deploy/test.sh) can stop whatever was left running.
#   AUCTION_PG_BIN       PostgreSQL binaries (default /usr/lib/postgresql/15/bin).
#
# PostgreSQL refuses to run as root: as root, the data dir is owned by `postgres` and the server
# tools run through `runuser -u postgres --`. Every directory above DATADIR must then be
# searchable (o+x) by that user.
set -euo pipefail

PG_BIN=${AUCTION_PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=auction
DB_USER=postgres
START_TIMEOUT=60

prog=$(basename "$0")
EXIT_PORT_IN_USE=98
die() {
  echo "$prog: $*" >&2
  exit 1
}
port_taken() {
  echo "$prog: port $1 on 127.0.0.1 is already in use (pick another, or use 'auto')" >&2
  exit "$EXIT_PORT_IN_USE"
}
log() { echo "$prog: $*" >&2; }

usage() {
  sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a PostgreSQL server tool as the cluster owner, from a directory that owner can enter.
as_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

need_binaries() {
  [[ -x $PG_BIN/pg_ctl && -x $PG_BIN/initdb && -x $PG_BIN/psql ]] ||
    die "PostgreSQL 15 binaries not found in $PG_BIN (run deploy/install-deps.sh)"
  if is_root; then
    id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
  fi
}

abspath() { realpath -m -- "$1"; }

# --- ports -------------------------------------------------------------------------------------

# Local TCP ports, decimal, one per line: of sockets in any state (free-port stays clear of
# them all), or with `listen`, of listening sockets only (a restart on the same port must not
# trip over the TIME_WAIT connections the previous server left; it binds with SO_REUSEADDR).
used_ports() {
  local f state
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r $f ]] || continue
    # fields: sl local_address(ADDR:PORT hex) rem_address st ...; st 0A = LISTEN
    while read -r _ local _ state _; do
      [[ $local == *:* ]] || continue
      [[ ${1:-} != listen || $state == 0A ]] || continue
      echo $((16#${local##*:}))
    done <"$f"
  done
}

# Something listens on 127.0.0.1:PORT (or on all addresses).
port_in_use() {
  local port=$1
  if [[ -r /proc/net/tcp ]]; then
    local used
    used=" $(used_ports listen | tr '\n' ' ') "
    [[ $used == *" $port "* ]]
  else
    # No /proc: something accepting connections means "in use".
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# A free port below the kernel's ephemeral range (32768+), from a random start.
free_port() {
  local used port i
  used=" $(used_ports | tr '\n' ' ') "
  port=$((20000 + RANDOM % 12000))
  for ((i = 0; i < 12000; i++)); do
    if [[ $used != *" $port "* ]] && ! { [[ ! -r /proc/net/tcp ]] && port_in_use "$port"; }; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
    ((port < 32000)) || port=20000
  done
  die "no free TCP port found in 20000-31999"
}

valid_port() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1024 && $1 <= 65535)); }

# --- cluster state -----------------------------------------------------------------------------

is_cluster() { [[ -f $1/PG_VERSION && -f $1/global/pg_control ]]; }

# 0 running, 3 not running, 4 not a cluster (pg_ctl status semantics).
cluster_status() {
  local dir=$1 rc=0
  is_cluster "$dir" || return 4
  as_owner "$PG_BIN/pg_ctl" status -D "$dir" >/dev/null 2>&1 || rc=$?
  return "$rc"
}

# Line N of postmaster.pid (1 pid, 4 port, 5 socket dir, 6 listen address, 8 status).
pidfile_line() { sed -n "${2}p" "$1/postmaster.pid" 2>/dev/null; }

url_for_port() { echo "postgresql://$DB_USER@127.0.0.1:$1/$DB_NAME"; }

# --- start -------------------------------------------------------------------------------------

check_traversable() {
  # The owner must be able to reach DATADIR: every existing ancestor needs o+x for `postgres`.
  local dir=$1 p
  is_root || return 0
  p=$(dirname "$dir")
  while [[ ! -e $p ]]; do p=$(dirname "$p"); done
  if ! runuser -u postgres -- test -x "$p"; then
    die "the 'postgres' user cannot enter $p (needed to reach $dir)." \
      "Make every directory above the data dir searchable (e.g. chmod o+x), or pick a data dir" \
      "under a world-searchable parent such as /tmp."
  fi
}

prepare_dir() {
  local dir=$1
  check_traversable "$dir"
  if [[ ! -e $dir ]]; then
    # Intermediate directories stay world-searchable so `postgres` can reach the data dir.
    (umask 022 && mkdir -p -- "$(dirname "$dir")")
    (umask 077 && mkdir -- "$dir")
  fi
  [[ -d $dir ]] || die "$dir exists and is not a directory"
  if is_root; then
    chown postgres:postgres -- "$dir"
  fi
  chmod 700 -- "$dir"
}

init_cluster() {
  local dir=$1 out
  log "initdb $dir"
  if ! out=$(as_owner "$PG_BIN/initdb" -D "$dir" -U "$DB_USER" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions 2>&1); then
    printf '%s\n' "$out" >&2
    die "initdb failed for $dir"
  fi
  # Only TCP on 127.0.0.1 (and the owner's private socket inside DATADIR) is trusted.
  as_owner tee "$dir/pg_hba.conf" >/dev/null <<'EOF'
# Written by deploy/pg-cluster.sh: a private development/test cluster.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
host    replication  all   127.0.0.1/32   trust
EOF
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<'EOF'

# --- deploy/pg-cluster.sh ---
listen_addresses = '127.0.0.1'
fsync = on                      # we test durability: never turn this off
synchronous_commit = on
full_page_writes = on
max_connections = 200
logging_collector = off
log_timezone = 'UTC'
timezone = 'UTC'
include_if_exists = 'pg-cluster.conf'   # port and socket dir, rewritten by every start
EOF
}

write_runtime_conf() {
  local dir=$1 port=$2 sockdir
  # sun_path holds 108 bytes: "<dir>/.s.PGSQL.<port>" must fit, or we go TCP-only.
  sockdir=$dir
  if ((${#dir} + 18 > 103)); then
    log "data dir path too long for a unix socket; TCP only"
    sockdir=
  fi
  as_owner tee "$dir/pg-cluster.conf" >/dev/null <<EOF
# Rewritten by deploy/pg-cluster.sh at every start.
port = $port
unix_socket_directories = '${sockdir//\'/\'\'}'
EOF
}

psql_admin() {
  local port=$1
  shift
  PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U "$DB_USER" -d postgres "$@"
}

wait_ready() {
  local port=$1 deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -t 2; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

ensure_database() {
  local port=$1 exists
  exists=$(psql_admin "$port" -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [[ $exists != 1 ]]; then
    psql_admin "$port" -c "CREATE DATABASE $DB_NAME" >/dev/null
  fi
}

register() {
  local dir=$1 pid
  [[ -n ${AUCTION_PG_REGISTRY:-} ]] || return 0
  pid=$(pidfile_line "$dir" 1)
  printf '%s\t%s\n' "${pid:-0}" "$dir" >>"$AUCTION_PG_REGISTRY"
}

# Try to start on one port. Returns 0 on success, 10 if the port was taken, 1 otherwise.
try_start() {
  local dir=$1 port=$2 logfile=$1/server.log
  write_runtime_conf "$dir" "$port"
  as_owner touch "$logfile"
  local mark
  mark=$(wc -l <"$logfile")
  if as_owner "$PG_BIN/pg_ctl" start -D "$dir" -l "$logfile" -w -t "$START_TIMEOUT" \
    -s >/dev/null 2>&1; then
    return 0
  fi
  local out
  out=$(tail -n +"$((mark + 1))" "$logfile")
  if [[ $out == *'Address already in use'* ]]; then
    return 10
  fi
  echo "--- tail of $logfile ---" >&2
  tail -n 30 <<<"$out" >&2
  # pg_ctl may have given up waiting on a server that did start: leave nothing behind.
  as_owner "$PG_BIN/pg_ctl" stop -D "$dir" -m immediate -s >/dev/null 2>&1 || true
  return 1
}

cmd_start() {
  [[ $# -eq 2 ]] || usage
  local dir port auto=0 rc attempt
  dir=$(abspath "$1")
  port=$2
  if [[ $port == auto || $port == 0 ]]; then
    auto=1
  else
    valid_port "$port" || die "bad port '$port' (1024-65535, or auto)"
  fi
  need_binaries

  if [[ -e $dir ]] && ! is_cluster "$dir"; then
    [[ -d $dir ]] || die "$dir exists and is not a directory"
    [[ -z $(ls -A -- "$dir") ]] ||
      die "$dir is neither empty nor a PostgreSQL cluster; refusing to touch it"
  fi

  if [[ $auto -eq 0 ]] && port_in_use "$port" && ! { is_cluster "$dir" && cluster_status "$dir"; }; then
    port_taken "$port"
  fi

  if is_cluster "$dir"; then
    check_traversable "$dir"
    rc=0
    cluster_status "$dir" || rc=$?
    if [[ $rc -eq 0 ]]; then
      local running
      running=$(pidfile_line "$dir" 4)
      if [[ $auto -eq 0 && $running != "$port" ]]; then
        log "cluster in $dir is already running on port $running (not $port)"
      fi
      wait_ready "$running" || die "cluster in $dir is running but not accepting connections"
      ensure_database "$running"
      url_for_port "$running"
      return 0
    fi
  else
    prepare_dir "$dir"
    init_cluster "$dir"
  fi

  for ((attempt = 1; attempt <= 5; attempt++)); do
    if [[ $auto -eq 1 ]]; then
      port=$(free_port)
    elif port_in_use "$port"; then
      port_taken "$port"
    fi
    rc=0
    try_start "$dir" "$port" || rc=$?
    if [[ $rc -eq 0 ]]; then
      break
    elif [[ $rc -eq 10 && $auto -eq 1 ]]; then
      log "port $port was taken meanwhile; trying another"
      continue
    elif [[ $rc -eq 10 ]]; then
      port_taken "$port"
    else
      die "could not start the cluster in $dir (log: $dir/server.log)"
    fi
  done
  [[ $rc -eq 0 ]] || die "could not find a free port for the cluster in $dir"
  register "$dir"

  wait_ready "$port" || die "cluster in $dir did not accept connections within ${START_TIMEOUT}s"
  ensure_database "$port"
  url_for_port "$port"
}

# --- stop / kill / status / url ----------------------------------------------------------------

shutdown_cluster() {
  local dir mode=$2 rc=0
  dir=$(abspath "$1")
  cluster_status "$dir" || rc=$?
  case $rc in
    0) ;;
    3 | 4)
      log "no cluster running in $dir"
      return 0
      ;;
    *) die "cannot query the cluster in $dir (pg_ctl status exit $rc)" ;;
  esac
  as_owner "$PG_BIN/pg_ctl" stop -D "$dir" -m "$mode" -w -t "$START_TIMEOUT" -s ||
    die "pg_ctl stop -m $mode failed for $dir"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  need_binaries
  shutdown_cluster "$1" fast
}

cmd_kill() {
  [[ $# -eq 1 ]] || usage
  need_binaries
  shutdown_cluster "$1" immediate
}

cmd_status() {
  [[ $# -eq 1 ]] || usage
  need_binaries
  local dir rc=0
  dir=$(abspath "$1")
  cluster_status "$dir" || rc=$?
  case $rc in
    0) echo "running: $dir, pid $(pidfile_line "$dir" 1), $(url_for_port "$(pidfile_line "$dir" 4)")" ;;
    3) echo "stopped: $dir" ;;
    4) echo "no cluster: $dir" ;;
    *) echo "unknown (pg_ctl status exit $rc): $dir" ;;
  esac
  return "$rc"
}

cmd_url() {
  [[ $# -eq 1 ]] || usage
  need_binaries
  local dir rc=0
  dir=$(abspath "$1")
  cluster_status "$dir" || rc=$?
  [[ $rc -eq 0 ]] || {
    log "no cluster running in $dir"
    return 3
  }
  url_for_port "$(pidfile_line "$dir" 4)"
}

# Stop every cluster recorded in a registry file. A cluster whose data dir was deleted while it
# ran gets SIGQUIT (immediate shutdown) by the pid recorded at its start, if that pid is still
# a postgres process for that data dir.
cmd_stop_registered() {
  [[ $# -eq 1 ]] || usage
  local file=$1 pid dir failed=0
  [[ -f $file ]] || return 0
  need_binaries
  while IFS=$'\t' read -r pid dir; do
    [[ -n $dir ]] || continue
    if is_cluster "$dir"; then
      if cluster_status "$dir"; then
        log "stopping leftover cluster in $dir"
        as_owner "$PG_BIN/pg_ctl" stop -D "$dir" -m fast -w -t 30 -s ||
          as_owner "$PG_BIN/pg_ctl" stop -D "$dir" -m immediate -w -t 30 -s || failed=1
      fi
    elif [[ $pid =~ ^[1-9][0-9]*$ && -r /proc/$pid/cmdline &&
      " $(tr '\0' ' ' <"/proc/$pid/cmdline") " == *"postgres -D $dir "* ]]; then
      log "data dir $dir is gone; ending its postmaster (pid $pid)"
      kill -QUIT "$pid" 2>/dev/null || true
    fi
  done < <(sort -u "$file")
  return "$failed"
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    kill) cmd_kill "$@" ;;
    status) cmd_status "$@" ;;
    url) cmd_url "$@" ;;
    free-port)
      [[ $# -eq 0 ]] || usage
      free_port
      ;;
    stop-registered) cmd_stop_registered "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
