#!/usr/bin/env bash
# Benchmarks the staff JSON API of a release build against a freshly seeded database
# (SQLite, or PostgreSQL with DATABASE=postgres).
#
# Usage: bench/staff_api.sh
#        DATABASE=postgres bench/staff_api.sh
#
# Environment:
#   DATABASE=sqlite   sqlite: a database file in the temporary data directory;
#                     postgres: a fresh database (atrium_bench_<pid>) on PG_HOST, dropped on exit
#   PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
#                     the PostgreSQL server (trust or PGPASSWORD authentication)
#   SCALE=10000       organizations to seed (~10 cases each)
#   DURATION=10s      length of each wrk run
#   KEEP_DATA=1       keep the temporary data directory and the PostgreSQL database (both
#                     are printed)
#   CARGO_TARGET_DIR  honoured when locating the binary (default: target)
#   BIN=PATH          measure this atrium binary instead of building one (to compare builds)
#
# Everything runs against 127.0.0.1 on a port chosen by the OS. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCALE="${SCALE:-10000}"
DURATION="${DURATION:-10s}"
KEEP_DATA="${KEEP_DATA:-0}"
DATABASE="${DATABASE:-sqlite}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
LUA="$ROOT/bench/wrk/staff.lua"
ADMIN_EMAIL="bench-admin@example.com"
ADMIN_PASSWORD="bench-admin-password"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }

# The benchmark must use only its own temporary database and settings.
unset DATABASE_URL
for name in $(compgen -e | grep '^ATRIUM_' || true); do unset "$name"; done
case "$DATABASE" in
    sqlite) DB_LABEL="SQLite" ;;
    postgres) DB_LABEL="PostgreSQL" ;;
    *) die "DATABASE must be sqlite or postgres, not '$DATABASE'" ;;
esac

# --- tools -------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if [ "$DATABASE" = postgres ]; then
    command -v psql >/dev/null || die "psql is required for DATABASE=postgres"
fi
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "wrk is missing; install it (e.g. apt-get install wrk)"
        SUDO="sudo"
    fi
    $SUDO apt-get install -y wrk >/dev/null 2>&1 \
        || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; } \
        || die "cannot install wrk"
fi

# --- build -------------------------------------------------------------------------------
if [ -z "${BIN:-}" ]; then
    log "building the release binary"
    cargo build --release -p atrium
    BIN="${CARGO_TARGET_DIR:-target}/release/atrium"
fi
[ -x "$BIN" ] || die "no binary at $BIN"

# --- data --------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/atrium-bench.XXXXXX")"
DATA="$WORK/data"
SERVER_PID=""
PG_DB=""

# pg SQL → runs one statement on the server's `postgres` database.
pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAt -c "$1"; }

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_DB" ]; then
        if [ "$KEEP_DATA" = 1 ]; then
            log "kept the database $PG_DB on $PG_HOST:$PG_PORT"
        else
            pg "DROP DATABASE IF EXISTS \"$PG_DB\"" >/dev/null 2>&1 \
                || log "could not drop the database $PG_DB"
        fi
    fi
    if [ "$KEEP_DATA" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$DATABASE" = postgres ]; then
    PG_DB="atrium_bench_$$"
    log "PostgreSQL: a fresh database $PG_DB on $PG_HOST:$PG_PORT"
    pg "CREATE DATABASE \"$PG_DB\"" >/dev/null || { PG_DB=""; die "cannot create the database"; }
    # Every atrium command below (seed, admin create, serve) uses it.
    export DATABASE_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
fi

log "seeding --scale $SCALE ($DB_LABEL)"
seed_start="$(now)"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" seed --scale "$SCALE" --data-dir "$DATA" | tee "$WORK/seed.out"
seed_end="$(now)"
SEED_WALL="$(python3 -c "print(f'{$seed_end - $seed_start:.1f}')")"
SEED_SUMMARY="$(tail -n 1 "$WORK/seed.out")"

RUST_LOG="${RUST_LOG:-warn}" "$BIN" admin create --email "$ADMIN_EMAIL" \
    --password "$ADMIN_PASSWORD" --name "Bench Admin" --data-dir "$DATA" >/dev/null

# --- server ------------------------------------------------------------------------------
log "starting the server"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --bind 127.0.0.1:0 --data-dir "$DATA" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
BASE=""
for _ in $(seq 300); do
    if line="$(grep -m1 'listening on http://' "$WORK/serve.out")"; then
        BASE="${line##*listening on }"
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; die "the server exited"; }
    sleep 0.1
done
[ -n "$BASE" ] || { cat "$WORK/serve.err" >&2; die "the server did not start within 30 s"; }
case "$BASE" in http://127.0.0.1:*) ;; *) die "unexpected address $BASE" ;; esac
log "serving at $BASE"

# api METHOD PATH [BODY] → prints the status; the body is in $WORK/last.json
api() {
    local args=(-sS -o "$WORK/last.json" -w '%{http_code}' -X "$1" -H 'Accept: application/json')
    [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
    curl "${args[@]}" "$BASE$2"
}
expect() { # expect STATUS METHOD PATH [BODY]
    local want="$1" got
    shift
    got="$(api "$@")"
    [ "$got" = "$want" ] || die "$1 $2 → $got (expected $want): $(head -c 500 "$WORK/last.json")"
}
json() { python3 -c "import json,sys; d=json.load(open('$WORK/last.json')); print($1)"; }

TOKEN=""
expect 200 POST /api/v1/staff/login "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}"
TOKEN="$(json 'd["token"]')"

LIST_UPDATED="/api/v1/records/cases?per_page=25&sort=-updated_at&status=Open"
LIST_PRIORITY="/api/v1/records/cases?per_page=25&sort=-priority&status=Open"
CREATE_BODY='{"title":"Bench case","priority":"High","status":"Open"}'
# Full-text search: a word common in the seeded titles (ranked, best match first), and the
# number of one case (found below).
SEARCH_WORD="/api/v1/records/cases?per_page=25&q=printer"

# Pre-flight: every benchmarked request answers as expected, and lists are full, filtered
# and sorted.
expect 200 GET /healthz
expect 200 GET "$LIST_UPDATED"
json '"ok" if len(d["items"]) == 25 and all(i["status"] == "Open" for i in d["items"])
      and [i["updated_at"] for i in d["items"]] == sorted((i["updated_at"] for i in d["items"]), reverse=True)
      else sys.exit("list by -updated_at is not 25 Open rows in order: " + json.dumps(d)[:500])' >/dev/null
OPEN_TOTAL="$(json 'd["total"]')"
CASE_ID="$(json 'd["items"][0]["id"]')"
CASE_NUMBERS="$(json '" ".join(i["number"] for i in d["items"])')"
expect 200 GET "$LIST_PRIORITY"
json '"ok" if len(d["items"]) == 25 and all(i["status"] == "Open" for i in d["items"])
      else sys.exit("list by -priority is not 25 Open rows: " + json.dumps(d)[:500])' >/dev/null
expect 200 GET "$SEARCH_WORD"
json '"ok" if d["total"] > 0 and len(d["items"]) == min(25, d["total"])
      else sys.exit("search for printer found nothing: " + json.dumps(d)[:500])' >/dev/null
WORD_TOTAL="$(json 'd["total"]')"
# A number that is not the prefix of another (CS-10000 would also find CS-100000…): the
# first listed case whose number search finds exactly that case.
SEARCH_NUMBER=""
for number in $CASE_NUMBERS; do
    expect 200 GET "/api/v1/records/cases?per_page=25&q=$number"
    if [ "$(json 'd["total"] == 1 and d["items"][0]["number"] == "'"$number"'"')" = True ]; then
        SEARCH_NUMBER="/api/v1/records/cases?per_page=25&q=$number"
        break
    fi
done
[ -n "$SEARCH_NUMBER" ] || die "no listed case is found alone by its number: $(head -c 500 "$WORK/last.json")"
READ_PATH="/api/v1/records/cases/$CASE_ID"
expect 200 GET "$READ_PATH"
expect 201 POST /api/v1/records/cases "$CREATE_BODY"
expect 200 GET "/api/v1/records/cases?per_page=1"
CASES_BEFORE="$(json 'd["total"]')"
log "$CASES_BEFORE cases, $OPEN_TOTAL open, $WORD_TOTAL found by q=printer, number search: q=${SEARCH_NUMBER##*q=}"

# --- measurements ------------------------------------------------------------------------
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
FAILED=0
LAST_REQUESTS=0

# run NAME CONNECTIONS METHOD PATH [BODY]
run() {
    local name="$1" conns="$2" method="$3" path="$4" body="${5:-}" threads=2 out
    [ "$conns" -lt 2 ] && threads=1
    out="$WORK/wrk.$(wc -l <"$RESULTS").txt"
    log "$name, $conns connection(s), $DURATION"
    BENCH_TOKEN="$TOKEN" BENCH_METHOD="$method" BENCH_BODY="$body" \
        wrk -t"$threads" -c"$conns" -d"$DURATION" --timeout 5s --latency -s "$LUA" "$BASE$path" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    sed 's/^/    /' "$out" >&2
    local line
    line="$(grep '^BENCH ' "$out")" || die "no summary from wrk"
    field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$line"; }
    local non2xx errors
    non2xx="$(field non2xx)"
    errors="$(field errors)"
    LAST_REQUESTS="$(field requests)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$(field rps)" "$(field p50_ms)" \
        "$(field p99_ms)" "$non2xx" "$errors" >>"$RESULTS"
    if [ "$non2xx" != 0 ] || [ "$errors" != 0 ]; then
        FAILED=1
        log "WARNING: $non2xx non-2xx/3xx responses and $errors socket errors; the same request now:"
        printf '    %s %s → %s %s\n' "$method" "$path" "$(api "$method" "$path" ${body:+"$body"})" \
            "$(head -c 300 "$WORK/last.json")" >&2
    fi
    sleep 1
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
run "healthz (baseline)" 32 GET /healthz
run "list 25, -updated_at, status" 1 GET "$LIST_UPDATED"
run "list 25, -updated_at, status" 32 GET "$LIST_UPDATED"
run "list 25, -priority, status" 1 GET "$LIST_PRIORITY"
run "list 25, -priority, status" 32 GET "$LIST_PRIORITY"
run "search 25, q=printer" 1 GET "$SEARCH_WORD"
run "search 25, q=printer" 32 GET "$SEARCH_WORD"
run "search 25, q=<case number>" 1 GET "$SEARCH_NUMBER"
run "search 25, q=<case number>" 32 GET "$SEARCH_NUMBER"
run "read one case" 32 GET "$READ_PATH"
# Writes last, so the reads above see exactly the seeded data.
CREATED_BY_WRK=0
run "create case" 1 POST /api/v1/records/cases "$CREATE_BODY"
CREATED_BY_WRK=$((CREATED_BY_WRK + LAST_REQUESTS))
run "create case" 8 POST /api/v1/records/cases "$CREATE_BODY"
CREATED_BY_WRK=$((CREATED_BY_WRK + LAST_REQUESTS))
# The list again while a case is created every 100 ms: each write moves the kept total, and
# the requests in flight right after it find the total to count again.
WRITER_COUNT="$WORK/writer.count"
echo 0 >"$WRITER_COUNT"
(
    made=0
    while :; do
        status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data "$CREATE_BODY" \
            "$BASE/api/v1/records/cases" 2>>"$WORK/writer.err" || true)"
        [ "$status" = 201 ] && made=$((made + 1)) && echo "$made" >"$WRITER_COUNT"
        sleep 0.1
    done
) &
WRITER_PID=$!
run "list 25, -updated_at, writes" 32 GET "$LIST_UPDATED"
kill "$WRITER_PID" 2>/dev/null || true
wait "$WRITER_PID" 2>/dev/null || true
WRITER_CREATES="$(cat "$WRITER_COUNT")"
CREATED_BY_WRK=$((CREATED_BY_WRK + WRITER_CREATES))

# wrk does not count requests still in flight when a run stops, so the server may have
# created up to one more per connection than wrk reports.
expect 200 GET "/api/v1/records/cases?per_page=1"
CASES_AFTER="$(json 'd["total"]')"
CREATED=$((CASES_AFTER - CASES_BEFORE))
if [ "$CREATED" -lt "$CREATED_BY_WRK" ] || [ "$CREATED" -gt $((CREATED_BY_WRK + 9)) ]; then
    FAILED=1
    log "WARNING: wrk completed $CREATED_BY_WRK creates but the case count grew by $CREATED"
fi
if grep -qiE '(^| )(ERROR|WARN)( |$)' "$WORK/serve.err"; then
    log "server warnings/errors:"
    sed 's/^/    /' "$WORK/serve.err" | tail -n 20 >&2
fi

# --- report ------------------------------------------------------------------------------
echo
echo "seed --scale $SCALE ($DB_LABEL): ${SEED_WALL}s wall ($SEED_SUMMARY)"
echo "cases: $CASES_BEFORE before the writes ($OPEN_TOTAL Open), $CASES_AFTER after (+$CREATED; wrk and the writer counted $CREATED_BY_WRK, the writer $WRITER_CREATES)"
echo "wrk runs: $DURATION each, $(nproc 2>/dev/null || echo '?') CPU(s) shared by wrk and the server; load average before: $LOAD_BEFORE"
echo
printf '%-32s %5s %10s %9s %9s %8s %7s\n' "operation ($DB_LABEL)" conns 'req/s' 'p50 ms' 'p99 ms' non-2xx errors
while IFS=$'\t' read -r name conns rps p50 p99 non2xx errors; do
    printf '%-32s %5s %10s %9s %9s %8s %7s\n' "$name" "$conns" "$rps" "$p50" "$p99" "$non2xx" "$errors"
done <"$RESULTS"

[ "$FAILED" = 0 ] || { echo; echo "FAILED: see the warnings above"; exit 1; }
