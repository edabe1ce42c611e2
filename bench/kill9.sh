#!/usr/bin/env bash
# Crash safety of a release build.
#
# SQLite: for ROUNDS rounds, streams writes (cases created through the staff API, every id
# answered 201 recorded), kills the server with SIGKILL in the middle of the stream, checks the
# database file with `PRAGMA integrity_check`, restarts the server and checks that every case
# ever acknowledged is there (GET → 200).
#
# PostgreSQL: serves a fresh database, streams writes and reads, restarts PostgreSQL under that
# load and checks that requests during the outage fail quickly with 503 (not 500, not hanging)
# and that Atrium recovers by itself, without a restart.
#
# Usage: bench/kill9.sh
#
# Environment:
#   ROUNDS=5             kill -9 rounds on SQLite
#   WRITERS=4            concurrent writers
#   WRITE_SECONDS=3      longest stream before a kill (each kill comes after 1 s to this)
#   SKIP_POSTGRES=1      only the SQLite part
#   PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
#                        the PostgreSQL server (trust or PGPASSWORD authentication)
#   PG_CLUSTER="15 main" the cluster that `pg_ctlcluster` restarts (default: the only version
#                        under /etc/postgresql, cluster main)
#   PG_DOWN_SECONDS=0    0: `pg_ctlcluster restart`; N > 0: stop PostgreSQL, wait N seconds,
#                        start it again (a longer outage)
#   PG_THROWAWAY=1       create a temporary cluster (pg_createcluster, port PG_PORT, default
#                        5499) for the PostgreSQL part and drop it afterwards, so that other
#                        users of the usual server are not disturbed by the restart
#   KEEP_DATA=1          keep the temporary directory (its path is printed)
#   CARGO_TARGET_DIR     honoured when locating the binary (default: target)
#
# Everything listens on 127.0.0.1 only. The script stops by itself (every wait is bounded),
# and on exit stops the servers and writers it started and drops the database it created.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROUNDS="${ROUNDS:-5}"
WRITERS="${WRITERS:-4}"
WRITE_SECONDS="${WRITE_SECONDS:-3}"
SKIP_POSTGRES="${SKIP_POSTGRES:-0}"
PG_THROWAWAY="${PG_THROWAWAY:-0}"
PG_DOWN_SECONDS="${PG_DOWN_SECONDS:-0}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_USER="${PG_USER:-postgres}"
if [ "$PG_THROWAWAY" = 1 ]; then PG_PORT="${PG_PORT:-5499}"; else PG_PORT="${PG_PORT:-5432}"; fi
KEEP_DATA="${KEEP_DATA:-0}"
ADMIN_EMAIL="kill9-admin@example.com"
ADMIN_PASSWORD="kill9 admin passphrase 7"
# A request slower than this during the PostgreSQL restart counts as hanging.
HANG_SECONDS=5
# Atrium must answer again within this many seconds of PostgreSQL being back.
RECOVER_SECONDS=15

log() { printf '==> %s\n' "$*" >&2; }
# The newest PostgreSQL version installed (a directory per version under /etc/postgresql).
# shellcheck disable=SC2012 # version directories are plain numbers
pg_version() { ls /etc/postgresql | sort -n | tail -n 1; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The script must use only its own data directories and databases.
unset DATABASE_URL
for name in $(compgen -e | grep '^ATRIUM_' || true); do unset "$name"; done

# --- tools -------------------------------------------------------------------------------
apt_install() {
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "$1 is missing; install it (apt-get install $1)"
        SUDO="sudo"
    fi
    log "installing $1"
    $SUDO apt-get install -y "$1" >/dev/null 2>&1 \
        || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y "$1" >/dev/null; } \
        || die "cannot install $1"
}
command -v curl >/dev/null || die "curl is required"
command -v jq >/dev/null || apt_install jq
command -v sqlite3 >/dev/null || apt_install sqlite3
if [ "$SKIP_POSTGRES" != 1 ]; then
    for tool in createdb dropdb psql pg_ctlcluster pg_isready; do
        command -v "$tool" >/dev/null || die "$tool is required (or SKIP_POSTGRES=1)"
    done
fi

# --- build -------------------------------------------------------------------------------
log "building the release binary"
cargo build --release -p atrium
BIN="${CARGO_TARGET_DIR:-target}/release/atrium"
[ -x "$BIN" ] || die "no binary at $BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/atrium-kill9.XXXXXX")"
SERVER_PID=""
WRITER_PIDS=()
PG_DB=""
CREATED_CLUSTER=""

# --- processes ---------------------------------------------------------------------------
stop_pid() {
    local pid="$1" signal="${2:-TERM}"
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

stop_writers() {
    local pid
    touch "$WORK/stop"
    for pid in "${WRITER_PIDS[@]}"; do
        # Writers finish the request in hand (curl gives up after 20 s) and then stop.
        for _ in $(seq 250); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        stop_pid "$pid"
    done
    WRITER_PIDS=()
    rm -f "$WORK/stop"
}

cleanup() {
    local status=$?
    set +e
    stop_writers
    [ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID"
    if [ -n "$PG_DB" ]; then
        dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "$PG_DB" 2>/dev/null \
            || log "could not drop the database $PG_DB"
    fi
    if [ -n "$CREATED_CLUSTER" ]; then
        # shellcheck disable=SC2086 # "version name"
        pg_dropcluster --stop $CREATED_CLUSTER >/dev/null 2>&1 \
            || log "could not drop the cluster $CREATED_CLUSTER"
    fi
    if [ "$KEEP_DATA" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server DATA [ENV=VALUE…] → sets BASE to the server's URL once it prints
# `listening on http://ADDR`. Each start logs to its own files.
START_COUNT=0
start_server() {
    local data="$1" line out err
    shift
    START_COUNT=$((START_COUNT + 1))
    out="$WORK/server.$START_COUNT.out"
    err="$WORK/server.$START_COUNT.err"
    env "$@" RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --bind 127.0.0.1:0 --data-dir "$data" \
        >"$out" 2>"$err" &
    SERVER_PID=$!
    BASE=""
    for _ in $(seq 300); do
        if line="$(grep -m1 'listening on http://' "$out" 2>/dev/null)"; then
            BASE="${line##*listening on }"
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$err" >&2; die "the server exited"; }
        sleep 0.1
    done
    [ -n "$BASE" ] || { cat "$err" >&2; die "the server did not start within 30 s"; }
    case "$BASE" in http://127.0.0.1:*) ;; *) die "unexpected address $BASE" ;; esac
}

# admin_token → prints a staff token of the admin.
admin_token() {
    curl -sS -m 10 -X POST -H 'Content-Type: application/json' \
        --data "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
        "$BASE/api/v1/staff/login" | jq -er .token
}

# writer N KIND: one stream of requests until $WORK/stop exists. KIND is `create` (POST a
# case; the id of every 201 goes to acked.N) or `read` (GET a list of cases) or `ready`
# (GET /readyz). Every request is logged to log.N as "start end status".
writer() {
    local n="$1" kind="$2" i=0 start out code args
    while [ ! -e "$WORK/stop" ]; do
        i=$((i + 1))
        args=(-sS -m 20 -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN")
        case "$kind" in
            create)
                args+=(-X POST -H 'Content-Type: application/json'
                    --data "{\"title\":\"Crash test $n-$i\"}" "$BASE/api/v1/records/cases")
                ;;
            read) args+=("$BASE/api/v1/records/cases?per_page=5") ;;
            ready) args+=("$BASE/readyz") ;;
        esac
        start="$EPOCHREALTIME"
        out="$(curl "${args[@]}" 2>/dev/null)" || true
        code="${out##*$'\n'}"
        [ -n "$code" ] || code=000
        if [ "$kind" = create ] && [ "$code" = 201 ]; then
            jq -r .id <<<"${out%$'\n'*}" >>"$WORK/acked.$n"
        fi
        printf '%s %s %s %s\n' "$start" "$EPOCHREALTIME" "$code" "$kind" >>"$WORK/log.$n"
        # After a refused connection (the server is down) do not spin.
        [ "$code" = 000 ] && sleep 0.05
    done
}

# start_writers KIND… → one writer per argument.
start_writers() {
    local kind n=0
    rm -f "$WORK"/log.* "$WORK/stop"
    for kind in "$@"; do
        n=$((n + 1))
        writer "$n" "$kind" &
        WRITER_PIDS+=("$!")
    done
}

# check_acked → prints "found missing" for every id in $WORK/acked.all (one curl process,
# keep-alive; the config file names each URL and discards its body).
check_acked() {
    local config="$WORK/check.curl"
    : >"$config"
    while read -r id; do
        printf 'url = "%s/api/v1/records/cases/%s"\noutput = "/dev/null"\n' "$BASE" "$id"
    done <"$WORK/acked.all" >>"$config"
    if [ ! -s "$config" ]; then
        echo "0 0"
        return
    fi
    curl -sS -m 300 -H "Authorization: Bearer $TOKEN" -w '%{http_code}\n' -K "$config" \
        >"$WORK/check.codes" 2>/dev/null || true
    awk -v total="$(wc -l <"$WORK/acked.all")" \
        '$1 == 200 { found++ } END { printf "%d %d\n", found, total - found }' "$WORK/check.codes"
}

# status_counts FILE… → "201×12 000×3" for the status column of request logs.
status_counts() {
    cat "$@" 2>/dev/null | awk '{ n[$3]++ } END { for (c in n) printf "%s×%d ", c, n[c] }'
}

# --- SQLite: kill -9 rounds ----------------------------------------------------------------
SQLITE_DATA="$WORK/sqlite"
log "SQLite: a fresh data directory and an admin"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" admin create --email "$ADMIN_EMAIL" \
    --password "$ADMIN_PASSWORD" --name "Crash Admin" --data-dir "$SQLITE_DATA" >/dev/null
start_server "$SQLITE_DATA"
TOKEN="$(admin_token)" || die "cannot sign in as the admin"
: >"$WORK/acked.all"
SQLITE_OK=1
ROUND_LINES=()
ALL_WRITE_CODES=""
for round in $(seq "$ROUNDS"); do
    rm -f "$WORK"/acked.[0-9]*
    kinds=()
    for _ in $(seq "$WRITERS"); do kinds+=(create); done
    start_writers "${kinds[@]}"
    # Kill at a random moment between 1 s and WRITE_SECONDS into the stream.
    delay="$(awk -v max="$WRITE_SECONDS" -v seed="$RANDOM" \
        'BEGIN { srand(seed); printf "%.2f", 1 + rand() * (max > 1 ? max - 1 : 0) }')"
    sleep "$delay"
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    stop_writers
    cat "$WORK"/acked.[0-9]* >>"$WORK/acked.all" 2>/dev/null || true
    acked_now="$(cat "$WORK"/acked.[0-9]* 2>/dev/null | wc -l)"
    codes="$(status_counts "$WORK"/log.*)"
    ALL_WRITE_CODES+="$(cat "$WORK"/log.* 2>/dev/null)"$'\n'
    # The database as the crash left it (the server is down).
    integrity="$(sqlite3 "$SQLITE_DATA/atrium.db" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ')"
    integrity="${integrity% }"
    start_server "$SQLITE_DATA"
    read -r found missing < <(check_acked)
    total="$(wc -l <"$WORK/acked.all")"
    line="$(printf 'round %d: killed after %ss, %d writes acknowledged (%s), %d/%d acknowledged so far found, integrity: %s' \
        "$round" "$delay" "$acked_now" "${codes% }" "$found" "$total" "$integrity")"
    ROUND_LINES+=("$line")
    log "$line"
    if [ "$missing" != 0 ] || [ "$integrity" != ok ] || [ "$acked_now" = 0 ]; then
        SQLITE_OK=0
    fi
done
# A last look after a graceful stop.
stop_pid "$SERVER_PID"
SERVER_PID=""
FINAL_INTEGRITY="$(sqlite3 "$SQLITE_DATA/atrium.db" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ')"
FINAL_INTEGRITY="${FINAL_INTEGRITY% }"
CASES_IN_DB="$(sqlite3 "$SQLITE_DATA/atrium.db" \
    "SELECT count(*) FROM cases WHERE title LIKE 'Crash test %'" 2>&1)"
SQLITE_ACKED="$(wc -l <"$WORK/acked.all")"
SQLITE_FOUND="$found"
[ "$FINAL_INTEGRITY" = ok ] || SQLITE_OK=0
# 5xx answers while the server was up are failures too (000 = no answer: the kill).
SQLITE_5XX="$(awk '$3 ~ /^5/ { n++ } END { print n + 0 }' <<<"$ALL_WRITE_CODES")"
[ "$SQLITE_5XX" = 0 ] || SQLITE_OK=0

# --- PostgreSQL: a restart under load ------------------------------------------------------
PG_OK=1
if [ "$SKIP_POSTGRES" != 1 ]; then
    if [ "$PG_THROWAWAY" = 1 ]; then
        CREATED_CLUSTER="$(pg_version) atrium_kill9_$$"
        log "PostgreSQL: a temporary cluster ($CREATED_CLUSTER) on port $PG_PORT"
        # shellcheck disable=SC2086
        pg_createcluster $CREATED_CLUSTER --port "$PG_PORT" --start \
            -- --auth-host=trust --auth-local=trust >/dev/null
        PG_CLUSTER="$CREATED_CLUSTER"
    fi
    PG_CLUSTER="${PG_CLUSTER:-$(pg_version) main}"
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 10 || die "no PostgreSQL at $PG_HOST:$PG_PORT"
    PG_DB="atrium_kill9_$$"
    log "PostgreSQL: a fresh database $PG_DB on $PG_HOST:$PG_PORT"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
    PG_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
    PG_DATA="$WORK/postgres"
    DATABASE_URL="$PG_URL" RUST_LOG="${RUST_LOG:-warn}" "$BIN" admin create \
        --email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD" --name "Crash Admin" \
        --data-dir "$PG_DATA" >/dev/null
    start_server "$PG_DATA" DATABASE_URL="$PG_URL"
    TOKEN="$(admin_token)" || die "cannot sign in as the admin"
    : >"$WORK/acked.all"
    rm -f "$WORK"/acked.[0-9]*
    start_writers create create read ready
    sleep 2
    restart_start="$EPOCHREALTIME"
    # shellcheck disable=SC2086 # "version name"
    if [ "$PG_DOWN_SECONDS" = 0 ]; then
        OUTAGE_KIND="a restart"
        log "restarting PostgreSQL ($PG_CLUSTER) under load"
        pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER restart
    else
        OUTAGE_KIND="a stop of ${PG_DOWN_SECONDS} s"
        log "stopping PostgreSQL ($PG_CLUSTER) under load for ${PG_DOWN_SECONDS} s"
        pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER stop
        sleep "$PG_DOWN_SECONDS"
        pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER start
    fi
    restart_end="$EPOCHREALTIME"
    # Keep the load on until every stream has succeeded again (or RECOVER_SECONDS pass).
    deadline=$(( ${restart_end%.*} + RECOVER_SECONDS ))
    while [ "${EPOCHREALTIME%.*}" -lt "$deadline" ]; do
        recovered=1
        for f in "$WORK"/log.*; do
            awk -v t="$restart_end" '$1 > t && $3 ~ /^2/ { ok = 1 } END { exit !ok }' "$f" \
                || recovered=0
        done
        [ "$recovered" = 1 ] && break
        sleep 0.2
    done
    sleep 1
    stop_writers
    cat "$WORK"/acked.[0-9]* >>"$WORK/acked.all" 2>/dev/null || true
    cat "$WORK"/log.* | sort -n >"$WORK/pg.log"
    # The outage as the clients saw it: from the restart until the first success that
    # started after PostgreSQL was back, for every stream.
    recovered_at="$(awk -v b="$restart_end" '
        { seen[$4] = 1 }
        $1 > b && $3 ~ /^2/ && !($4 in first) { first[$4] = $2 }
        END {
            last = 0
            for (k in seen) {
                if (!(k in first)) { print "never"; exit }
                if (first[k] > last) last = first[k]
            }
            print last
        }' "$WORK/pg.log")"
    if [ "$recovered_at" = never ]; then
        PG_OK=0
        window_end="$restart_end"
        recover_text="not within ${RECOVER_SECONDS} s"
    else
        window_end="$recovered_at"
        recover_text="$(awk -v a="$restart_end" -v b="$recovered_at" 'BEGIN { printf "%.2f s", b - a }')"
    fi
    # Requests that overlapped the outage: their statuses and the slowest one.
    awk -v a="$restart_start" -v b="$window_end" '$2 >= a && $1 <= b' "$WORK/pg.log" \
        >"$WORK/outage.log"
    OUTAGE_CODES="$(awk '{ n[$4 " " $3]++ } END { for (k in n) printf "%s×%d, ", k, n[k] }' \
        "$WORK/outage.log")"
    OUTAGE_CODES="${OUTAGE_CODES%, }"
    SLOWEST="$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.2f", m }' "$WORK/outage.log")"
    PG_500="$(awk '$3 == 500 { n++ } END { print n + 0 }' "$WORK/outage.log")"
    PG_OTHER="$(awk '$3 !~ /^(2..|503)$/ && $3 != 500 { n++ } END { print n + 0 }' "$WORK/outage.log")"
    PG_503="$(awk '$3 == 503 { n++ } END { print n + 0 }' "$WORK/outage.log")"
    RESTART_TOOK="$(awk -v a="$restart_start" -v b="$restart_end" 'BEGIN { printf "%.2f", b - a }')"
    [ "$PG_500" = 0 ] && [ "$PG_OTHER" = 0 ] || PG_OK=0
    awk -v s="$SLOWEST" -v h="$HANG_SECONDS" 'BEGIN { exit !(s > h) }' && PG_OK=0
    read -r PG_FOUND PG_MISSING < <(check_acked)
    PG_ACKED="$(wc -l <"$WORK/acked.all")"
    [ "$PG_MISSING" = 0 ] || PG_OK=0
    PG_ALL_CODES="$(status_counts "$WORK/pg.log")"
    # What the server logged about the outage (first lines), for the report.
    grep -m 3 -iE 'error|warn' "$WORK/server.$START_COUNT.err" | sed 's/\x1b\[[0-9;]*m//g' \
        | cut -c1-300 >"$WORK/pg.errors" || true
fi

# --- figures -------------------------------------------------------------------------------
echo
echo "SQLite: kill -9 under a stream of writes ($WRITERS writers)"
for line in "${ROUND_LINES[@]}"; do echo "  $line"; done
echo "  rounds: $ROUNDS; writes acknowledged: $SQLITE_ACKED; found after the restarts: $SQLITE_FOUND"
echo "  test cases in the database: $CASES_IN_DB (at least the acknowledged ones)"
echo "  5xx answers while the server was up: $SQLITE_5XX"
echo "  integrity after a final graceful stop: $FINAL_INTEGRITY"
echo "  result: $([ "$SQLITE_OK" = 1 ] && echo PASS || echo FAIL)"
if [ "$SKIP_POSTGRES" != 1 ]; then
    echo
    echo "PostgreSQL: $OUTAGE_KIND of $PG_CLUSTER under load (2 writers, 1 list reader, 1 /readyz poller)"
    echo "  PostgreSQL was back ${RESTART_TOOK} s after the outage began"
    echo "  answers overlapping the outage (stream status×count): $OUTAGE_CODES"
    echo "  503: $PG_503, 500: $PG_500, other non-2xx: $PG_OTHER; slowest: ${SLOWEST} s (hang: > ${HANG_SECONDS} s)"
    echo "  time to recover after PostgreSQL was back: $recover_text (without restarting Atrium)"
    echo "  all answers of the run: $PG_ALL_CODES"
    echo "  writes acknowledged: $PG_ACKED; found afterwards: $PG_FOUND"
    if [ -s "$WORK/pg.errors" ]; then
        echo "  the server's log during the outage (first lines):"
        sed 's/^/    /' "$WORK/pg.errors"
    fi
    echo "  result: $([ "$PG_OK" = 1 ] && echo PASS || echo FAIL)"
fi
[ "$SQLITE_OK" = 1 ] && [ "$PG_OK" = 1 ]
