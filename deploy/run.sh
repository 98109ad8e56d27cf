#!/usr/bin/env bash
# Quick start: install the Debian packages, build, start a private PostgreSQL 15 cluster and
# run auctiond in the foreground. Ctrl-C stops auctiond gracefully (SIGTERM; a second Ctrl-C
# kills it), then stops the cluster this script started.
#
#   deploy/run.sh [auctiond args...]
#
# Environment (all optional):
#   AUCTIOND_LISTEN        gRPC address (default 127.0.0.1:50051)
#   AUCTIOND_DATABASE_URL  use this database instead of the private cluster in <repo>/.pgdata
#   AUCTIOND_TOKEN_SECRET  token signing secret (default: generated once, kept in
#                          <repo>/.run/token-secret, mode 600)
#   AUCTION_PG_PORT        preferred port of the private cluster (default 55432; a free one is
#                          chosen when it is taken; the choice is kept in <repo>/.pgdata/port)
#   AUCTIOND_LOG_LEVEL, AUCTIOND_ADMIN_USERNAME, AUCTIOND_ADMIN_PASSWORD: passed to auctiond.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

say() { echo "run.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}

bash deploy/install-deps.sh
bash deploy/build.sh build

auctiond=$repo/build/server/auctiond
cli=$repo/build/client-cli/auction-cli
[[ -x $auctiond ]] || die "$auctiond was not built"

export AUCTIOND_LISTEN=${AUCTIOND_LISTEN:-127.0.0.1:50051}

# Refuse early if something already listens on the gRPC address (e.g. an earlier run).
listen_host=${AUCTIOND_LISTEN%:*}
listen_port=${AUCTIOND_LISTEN##*:}
case $listen_host in
  0.0.0.0 | "[::]" | "" | localhost) probe_host=127.0.0.1 ;;
  *) probe_host=${listen_host#[} && probe_host=${probe_host%]} ;;
esac
if [[ $listen_port =~ ^[0-9]+$ ]] && (exec 3<>"/dev/tcp/$probe_host/$listen_port") 2>/dev/null; then
  die "something already listens on $AUCTIOND_LISTEN (another auctiond?); stop it or set AUCTIOND_LISTEN"
fi

# --- database ----------------------------------------------------------------------------------
pgdata=$repo/.pgdata/data
started_cluster=0
stop_cluster() {
  if [[ $started_cluster -eq 1 ]]; then
    say "stopping the private PostgreSQL cluster ($pgdata)"
    bash "$repo/deploy/pg-cluster.sh" stop "$pgdata" || true
    started_cluster=0
  fi
}
trap stop_cluster EXIT

if [[ -z ${AUCTIOND_DATABASE_URL:-} ]]; then
  (umask 022 && mkdir -p "$repo/.pgdata")
  if url=$(bash deploy/pg-cluster.sh url "$pgdata" 2>/dev/null); then
    say "reusing the private PostgreSQL cluster that is already running in $pgdata"
  else
    port=${AUCTION_PG_PORT:-}
    [[ -n $port ]] || port=$(cat "$repo/.pgdata/port" 2>/dev/null || echo 55432)
    rc=0
    started_cluster=1 # from here on, stop it on exit whatever happens
    out=$(bash deploy/pg-cluster.sh start "$pgdata" "$port") || rc=$?
    if [[ $rc -eq 98 ]]; then
      say "port $port is taken; choosing a free port"
      rc=0
      out=$(bash deploy/pg-cluster.sh start "$pgdata" auto) || rc=$?
    fi
    [[ $rc -eq 0 ]] || die "could not start PostgreSQL in $pgdata"
    url=$(tail -n 1 <<<"$out")
    port=${url##*:}
    port=${port%%/*}
    echo "$port" >"$repo/.pgdata/port"
  fi
  export AUCTIOND_DATABASE_URL=$url
fi

# --- token secret ------------------------------------------------------------------------------
if [[ -z ${AUCTIOND_TOKEN_SECRET:-} ]]; then
  secret_file=$repo/.run/token-secret
  if [[ ! -s $secret_file ]]; then
    (
      umask 077
      mkdir -p "$repo/.run"
      od -An -vtx1 -N32 /dev/urandom | tr -d ' \n' >"$secret_file"
    )
    say "generated a token secret in $secret_file"
  fi
  chmod 600 "$secret_file"
  AUCTIOND_TOKEN_SECRET=$(<"$secret_file")
  export AUCTIOND_TOKEN_SECRET
fi

# --- auctiond ----------------------------------------------------------------------------------
server=$AUCTIOND_LISTEN
[[ $listen_host == 0.0.0.0 || $listen_host == "[::]" ]] && server=127.0.0.1:$listen_port
db_shown=${AUCTIOND_DATABASE_URL%%\?*}
db_shown=$(sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$db_shown") # hide a password
cat <<EOF

  auctiond listens on $AUCTIOND_LISTEN
  database: $db_shown

  Try it from another terminal (README.md walks through a whole auction):
    $cli --server $server register alice "Alice A" --password 'password123'
    $cli --server $server login alice --password 'password123'
    $cli --server $server create --title "Lamp" --start-price 10.00 --duration 10m
    $cli --server $server list

  Ctrl-C stops the server$([[ $started_cluster -eq 1 ]] && echo " and the private database").

EOF

"$auctiond" "$@" &
child=$!
signals=0
# shellcheck disable=SC2317  # invoked by the trap below
forward() {
  signals=$((signals + 1))
  if [[ $signals -eq 1 ]]; then
    say "stopping auctiond (pid $child) gracefully; Ctrl-C again to kill it"
    kill -TERM "$child" 2>/dev/null || true
  else
    say "killing auctiond (pid $child)"
    kill -KILL "$child" 2>/dev/null || true
  fi
}
trap forward INT TERM HUP

# `wait` returns early when a trapped signal arrives; wait again until auctiond has exited.
status=
while [[ -z $status ]]; do
  before=$signals
  rc=0
  wait "$child" || rc=$?
  if [[ $signals -ne $before && $rc -gt 128 ]]; then
    last=$rc
    continue
  fi
  # 127: the status was already collected by an interrupted wait.
  if [[ $rc -eq 127 && -n ${last:-} ]]; then rc=$last; fi
  status=$rc
done
trap - INT TERM HUP
say "auctiond exited with status $status"
stop_cluster
exit "$status"
