#!/usr/bin/env bash
# Benchmarks (SPEC section 8), each next to its peer in the same run:
#   - auction-cli bench: durable accepted bids/s and latency, spread over many
#     auctions and on one hot auction, with the same client's empty health
#     check rate as the transport ceiling;
#   - pgbench: the same bids as row-locking PostgreSQL transactions;
#   - auction-cli bench watch: live-update delivery to W watchers of one
#     auction at --watch-bid-rate bids/s, for each W in --watchers.
# Starts its own PostgreSQL cluster and auctiond on loopback; stops both.
#
#   bench/run.sh [--duration 10s] [--in-flight 64] [--auctions 1000] [--pg-clients 16]
#                [--watchers "1000 10000"] [--watch-bid-rate 100] (--watchers "": none)
#                [--server-arg ARG]... (passed to auctiond, e.g. --server-arg --scheduler=stealing)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
duration=10s
in_flight=64
auctions=1000
pg_clients=16
watcher_counts="1000 10000"
watch_bid_rate=100
server_args=()
build=${AUCTION_BUILD_DIR:-$repo/build}
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --in-flight) in_flight=$2; shift 2 ;;
    --auctions) auctions=$2; shift 2 ;;
    --pg-clients) pg_clients=$2; shift 2 ;;
    --watchers) watcher_counts=$2; shift 2 ;;
    --watch-bid-rate) watch_bid_rate=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --server-arg) server_args+=("$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
seconds=${duration%s}

work=$(mktemp -d /tmp/auction-bench.XXXXXX)
chmod 755 "$work"
pg_data=$work/pg
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  bash "$repo/deploy/pg-cluster.sh" stop "$pg_data" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$(bash "$repo/deploy/pg-cluster.sh" start "$pg_data" auto 2>/dev/null | tail -n 1)
port=$(bash "$repo/deploy/pg-cluster.sh" free-port)
# --bid-rate-limit 0: the bench's few accounts stand for many users, each
# bidding far faster than the per-user limit allows a person to.
"$build/server/auctiond" --listen "127.0.0.1:$port" --database-url "$url" \
  --token-secret bench-secret --log-level warn --bid-rate-limit 0 "${server_args[@]}" \
  > "$work/auctiond.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/auctiond.log" && break
  sleep 0.1
done
grep -q "listening on" "$work/auctiond.log" || { cat "$work/auctiond.log"; exit 1; }

cli=("$build/client-cli/auction-cli" --server "127.0.0.1:$port")
echo "== auctiond: $auctions auctions, $in_flight calls in flight, $duration"
"${cli[@]}" bench --in-flight "$in_flight" --auctions "$auctions" --duration "$duration"
echo
echo "== auctiond: one hot auction, $in_flight calls in flight, $duration"
"${cli[@]}" bench --in-flight "$in_flight" --auctions 1 --duration "$duration"
for w in $watcher_counts; do
  echo
  echo "== auctiond: live updates, $w watchers of one auction, $watch_bid_rate bids/s, $duration"
  "${cli[@]}" bench watch --watchers "$w" --bid-rate "$watch_bid_rate" --duration "$duration" \
    --server-pid "$server_pid" | grep -v '^bench watch:'
done

peer_url=${url%/auction}/postgres
peer() {
  local n=$1
  psql -q "$peer_url" -v auctions="$n" -f "$repo/bench/peer_setup.sql" >/dev/null
  pgbench -n -c "$pg_clients" -j 2 -T "$seconds" -D auctions="$n" -f "$repo/bench/peer_bid.sql" \
    "$peer_url" 2>/dev/null | grep -E "^(tps|latency average)"
}
echo
echo "== peer: pgbench, $pg_clients clients, bids over $auctions auctions"
peer "$auctions"
echo
echo "== peer: pgbench, $pg_clients clients, one hot auction"
peer 1
