#!/usr/bin/env bash
# Benchmarks the customer portal's read API of a release build against a floor: a minimal
# server (bench/floor, `atrium-bench-floor`) that answers the same requests with hand-written
# SQL against the same database (SQLite, or PostgreSQL with DATABASE=postgres).
#
# Usage: bench/portal_api.sh
#        DATABASE=postgres bench/portal_api.sh
#
# Environment:
#   DATABASE=sqlite   sqlite: a database file in the temporary data directory;
#                     postgres: a fresh database (atrium_bench_<pid>) on PG_HOST, dropped on exit
#   PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
#                     the PostgreSQL server (trust or PGPASSWORD authentication)
#   SCALE=100000      organizations to seed (~10 cases each, so about a million cases)
#   DURATION=10s      length of each measured wrk run
#   WARMUP=2s         length of the unmeasured wrk run before each server's first measurement
#                     of an endpoint (0 to skip)
#   TIMEOUT=30s       wrk's timeout for one response (slower ones count as errors)
#   CONNS="1 32 256"  the connection counts each portal read is measured at (targets: at 32)
#   KEEP_DATA=1       keep the temporary data directory and the PostgreSQL database (both
#                     are printed)
#   REUSE_DATA=DIR    SQLite: measure an existing data directory (seeded earlier) instead of
#                     seeding
#   REUSE_DB=NAME     PostgreSQL: measure an existing database on PG_HOST (seeded earlier, e.g.
#                     kept with KEEP_DATA=1) instead of seeding; it is not dropped
#   CARGO_TARGET_DIR  honoured when locating the binaries (default: target)
#   BIN=PATH          measure this product binary instead of building one (to compare two
#                     builds on the same data); FLOOR_BIN=PATH likewise for the floor
#
# Everything runs against 127.0.0.1 on ports chosen by the OS. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCALE="${SCALE:-100000}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
TIMEOUT="${TIMEOUT:-30s}"
CONNS="${CONNS:-1 32 256}"
KEEP_DATA="${KEEP_DATA:-0}"
DATABASE="${DATABASE:-sqlite}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
LUA="$ROOT/bench/wrk/staff.lua"
ADMIN_EMAIL="bench-admin@example.com"
ADMIN_PASSWORD="bench-admin-password"
CUSTOMER_PASSWORD="bench customer passphrase 7"
# The targets each product row is marked against.
MIN_RATIO="0.70"
MAX_P99_MS="20"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }

# The benchmark must use only its own temporary database and settings.
unset DATABASE_URL
for name in $(compgen -e | grep '^ATRIUM_' || true); do unset "$name"; done
case "$DATABASE" in
    sqlite)
        DB_LABEL="SQLite"
        [ -z "${REUSE_DB:-}" ] || die "REUSE_DB is for DATABASE=postgres (REUSE_DATA for SQLite)"
        ;;
    postgres)
        DB_LABEL="PostgreSQL"
        [ -z "${REUSE_DATA:-}" ] || die "REUSE_DATA is for SQLite; name the database with REUSE_DB"
        ;;
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
    log "building the release binaries (product and floor)"
    cargo build --release -p atrium -p atrium-bench-floor
fi
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/atrium}"
FLOOR_BIN="${FLOOR_BIN:-${CARGO_TARGET_DIR:-target}/release/atrium-bench-floor}"
[ -x "$BIN" ] || die "no binary at $BIN"
[ -x "$FLOOR_BIN" ] || die "no binary at $FLOOR_BIN"

# --- data --------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/atrium-portal-bench.XXXXXX")"
DATA="$WORK/data"
PIDS=()
PG_DB=""      # the database this run created (dropped on exit)

# pg SQL → runs one statement on the server's `postgres` database.
pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qAt -c "$1"; }

stop_pid() {
    local pid="$1"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    if [ -n "$PG_DB" ]; then
        if [ "$KEEP_DATA" = 1 ]; then
            log "kept the database $PG_DB on $PG_HOST:$PG_PORT (REUSE_DB=$PG_DB measures it again)"
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
    if [ -n "${REUSE_DB:-}" ]; then
        DB_NAME="$REUSE_DB"
        pg "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
            || die "no database $DB_NAME on $PG_HOST:$PG_PORT"
    else
        PG_DB="atrium_bench_$$"
        DB_NAME="$PG_DB"
        log "PostgreSQL: a fresh database $PG_DB on $PG_HOST:$PG_PORT"
        pg "CREATE DATABASE \"$PG_DB\"" >/dev/null || { PG_DB=""; die "cannot create the database"; }
    fi
    # Every atrium command below (seed, admin, serve) and the floor use it.
    export DATABASE_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB_NAME"
fi
# The PostgreSQL server's main process, if it runs here and its pid file can be read: the CPU
# ratios then count the database's work too (see work_ticks).
PG_POSTMASTER=""
if [ "$DATABASE" = postgres ]; then
    PG_POSTMASTER="$(head -n 1 "$(pg "SHOW data_directory")/postmaster.pid" 2>/dev/null || true)"
    if [ -z "$PG_POSTMASTER" ] || [ ! -r "/proc/$PG_POSTMASTER/stat" ]; then
        PG_POSTMASTER=""
        log "WARNING: PostgreSQL's processes are not readable here; CPU counts the servers only"
    fi
fi

if [ -n "${REUSE_DATA:-}" ] || [ -n "${REUSE_DB:-}" ]; then
    [ -z "${REUSE_DATA:-}" ] || DATA="$REUSE_DATA"
    log "measuring the existing data in ${REUSE_DB:-$DATA} (no seeding)"
    SEED_WALL="(reused)"
    SEED_SUMMARY="existing data"
else
log "seeding --scale $SCALE ($DB_LABEL)"
seed_start="$(now)"
# (sqlx's slow-statement warnings about the bulk inserts are expected at large scales.)
RUST_LOG="${RUST_LOG:-warn,sqlx::query=error}" "$BIN" seed --scale "$SCALE" --data-dir "$DATA" \
    | tee "$WORK/seed.out"
seed_end="$(now)"
SEED_WALL="$(python3 -c "print(f'{$seed_end - $seed_start:.1f}')")"
SEED_SUMMARY="$(tail -n 1 "$WORK/seed.out")"
fi

RUST_LOG="${RUST_LOG:-warn}" "$BIN" admin create --email "$ADMIN_EMAIL" \
    --password "$ADMIN_PASSWORD" --name "Bench Admin" --data-dir "$DATA" >"$WORK/admin.out"
ADMIN_ID="$(sed -nE 's/.*\(([0-9a-f-]{36})\).*/\1/p' "$WORK/admin.out")"
[ -n "$ADMIN_ID" ] || die "cannot read the admin's id from: $(cat "$WORK/admin.out")"

# --- servers -----------------------------------------------------------------------------
# start NAME COMMAND… → sets STARTED to the base URL once the server prints
# `listening on http://ADDR`.
STARTED=""
STARTED_PID=""
start() {
    local name="$1" line pid
    shift
    RUST_LOG="${RUST_LOG:-warn}" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    pid=$!
    PIDS+=("$pid")
    STARTED_PID="$pid"
    STARTED=""
    for _ in $(seq 300); do
        if line="$(grep -m1 'listening on http://' "$WORK/$name.out")"; then
            STARTED="${line##*listening on }"
            break
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name exited"; }
        sleep 0.1
    done
    [ -n "$STARTED" ] || { cat "$WORK/$name.err" >&2; die "$name did not start within 30 s"; }
    case "$STARTED" in http://127.0.0.1:*) ;; *) die "unexpected address $STARTED" ;; esac
    log "$name serving at $STARTED"
}

log "starting the product"
start_begin="$(now)"
start product "$BIN" serve --bind 127.0.0.1:0 --data-dir "$DATA"
START_WALL="$(python3 -c "print(f'{$(now) - $start_begin:.2f}')")"
PRODUCT="$STARTED"
PRODUCT_PID="$STARTED_PID"

# call BASE TOKEN METHOD PATH [BODY] → prints the status; the body is in $WORK/last.json
call() {
    local base="$1" token="$2" method="$3" path="$4"
    local args=(-sS -o "$WORK/last.json" -w '%{http_code}' -X "$method" -H 'Accept: application/json')
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    [ $# -ge 5 ] && args+=(-H 'Content-Type: application/json' --data "$5")
    curl "${args[@]}" "$base$path"
}
# staff STATUS METHOD PATH [BODY]: a product request as the admin, expecting STATUS.
staff() {
    local want="$1" got
    shift
    got="$(call "$PRODUCT" "${STAFF_TOKEN:-}" "$@")"
    [ "$got" = "$want" ] || die "$1 $2 → $got (expected $want): $(head -c 500 "$WORK/last.json")"
}
json() { python3 -c "import json,sys; d=json.load(open('$WORK/last.json')); print($1)"; }

# --- the customer ------------------------------------------------------------------------
log "preparing the customer"
STAFF_TOKEN=""
staff 200 POST /api/v1/staff/login "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}"
STAFF_TOKEN="$(json 'd["token"]')"

# A visible case of a contact who belongs to an organization.
staff 200 GET "/api/v1/records/cases?per_page=1&internal=false"
CASE_ID="$(json 'd["items"][0]["id"]')"
CONTACT_ID="$(json 'd["items"][0]["contact"]["id"]')"
ORG_ID="$(json 'd["items"][0]["organization"]["id"]')"
staff 200 PATCH "/api/v1/records/contacts/$CONTACT_ID" '{"portal_user": true}'
CUSTOMER_EMAIL="$(json 'd["email"]')"
json '"ok" if d["organization"]["id"] == "'"$ORG_ID"'" else sys.exit("the contact is not in the case organization")' >/dev/null
# The admin becomes the organization's representative, so `home` shows one.
staff 200 PATCH "/api/v1/records/organizations/$ORG_ID" "{\"assigned_to\": \"$ADMIN_ID\"}"
# The case's comments are posted once: on reused data every run then measures the same
# comment list and record page as a run on fresh data.
staff 200 GET "/api/v1/records/cases/$CASE_ID/comments"
if [ "$(json 'len(d["items"])')" = 0 ]; then
    staff 201 POST "/api/v1/records/cases/$CASE_ID/comments" \
        '{"body": "We are looking into it. Could you send the **exact** error message?"}'
    staff 201 POST "/api/v1/records/cases/$CASE_ID/comments" \
        '{"body": "Internal: probably the proxy again.", "internal": true}'
    staff 201 POST "/api/v1/records/cases/$CASE_ID/comments" \
        '{"body": "Found it: the certificate had expired. Please try again now."}'
fi

RUST_LOG="${RUST_LOG:-warn}" "$BIN" admin customer-password --email "$CUSTOMER_EMAIL" \
    --password "$CUSTOMER_PASSWORD" --data-dir "$DATA" >/dev/null
got="$(call "$PRODUCT" "" POST /api/v1/portal/default/login \
    "{\"email\":\"$CUSTOMER_EMAIL\",\"password\":\"$CUSTOMER_PASSWORD\"}")"
[ "$got" = 200 ] || die "portal login → $got: $(head -c 500 "$WORK/last.json")"
TOKEN="$(json 'd["token"]')"

# set_scope mine|all: the default portal's `default_scope`, through the admin API.
set_scope() {
    staff 200 GET /api/v1/admin/portals/default
    python3 -c "import json; d=json.load(open('$WORK/last.json')); d['default_scope']='$1'; print(json.dumps(d))" \
        >"$WORK/portal.json"
    staff 200 PUT /api/v1/admin/portals/default "$(cat "$WORK/portal.json")"
    json '"ok" if d["default_scope"] == "'"$1"'" else sys.exit("scope not saved")' >/dev/null
}

P=/api/v1/portal/default
# name|scope|path: the benchmarked requests.
ENDPOINTS=(
    "list cases (mine)|mine|$P/records/cases?per_page=25"
    "read one case|mine|$P/records/cases/$CASE_ID"
    "case comments|mine|$P/records/cases/$CASE_ID/comments"
    "me|mine|$P/me"
    "home (mine)|mine|$P/home"
    "list cases (all)|all|$P/records/cases?per_page=25"
    "home (all)|all|$P/home"
)

log "starting the floor"
if [ "$DATABASE" = postgres ]; then
    start floor "$FLOOR_BIN" --bind 127.0.0.1:0 --database-url "$DATABASE_URL"
else
    start floor "$FLOOR_BIN" --bind 127.0.0.1:0 --data-dir "$DATA"
fi
FLOOR="$STARTED"
FLOOR_PID="$STARTED_PID"

# --- same answers ------------------------------------------------------------------------
# Both servers answer every request once, with the scope set as the request needs; the JSON
# must be the same (key order aside). The servers are idle but for these requests.
log "comparing the product's and the floor's answers"
MISMATCHES=0
for scope in mine all; do
    set_scope "$scope"
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name want path <<<"$entry"
        [ "$want" = "$scope" ] || continue
        for server in product floor; do
            base="$PRODUCT"
            [ "$server" = floor ] && base="$FLOOR"
            got="$(call "$base" "$TOKEN" GET "$path")"
            [ "$got" = 200 ] || die "$server: GET $path → $got: $(head -c 500 "$WORK/last.json")"
            cp "$WORK/last.json" "$WORK/answer.$server.json"
        done
        if ! python3 - "$WORK/answer.product.json" "$WORK/answer.floor.json" "$name" <<'EOF'
import difflib, json, sys
product, floor = (json.load(open(p)) for p in sys.argv[1:3])
name = sys.argv[3]
def facts(d):
    if "items" in d:
        return f"{len(d['items'])} items" + (f", total {d['total']}" if "total" in d else "")
    if "charts" in d:
        return ", ".join(f"{k}: {len(v)}" for k, v in d["charts"].items()) + ", " + \
            ", ".join(f"recent {k}: {len(v)}" for k, v in d["recent"].items()) + \
            f", representatives: {len(d.get('representatives', []))}"
    return f"{len(d)} keys"
if product == floor:
    print(f"    same: {name} ({facts(product)})", file=sys.stderr)
    sys.exit(0)
dump = lambda d: json.dumps(d, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
print(f"    DIFFERENT: {name}", file=sys.stderr)
for line in difflib.unified_diff(dump(product), dump(floor), "product", "floor", lineterm="", n=2):
    print("      " + line, file=sys.stderr)
sys.exit(1)
EOF
        then
            MISMATCHES=$((MISMATCHES + 1))
        fi
        # Sanity of the data behind the figures: lists are not empty, comments hide the
        # internal one.
        case "$name" in
            list*) python3 -c "import json,sys; d=json.load(open('$WORK/answer.product.json')); sys.exit(0 if d['items'] else 'empty list')" ;;
            # (Data reused from before comments were posted once may hold more of them.)
            "case comments") python3 -c "import json,sys; d=json.load(open('$WORK/answer.product.json')); bodies=[c['body'] for c in d['items']]; ok=len(d['items']) >= 2 and not any(c['internal'] for c in d['items']) and any('exact' in b for b in bodies) and any('certificate' in b for b in bodies) and not any('Internal:' in b for b in bodies); sys.exit(0 if ok else 'expected the public comments and not the internal one')" ;;
        esac
    done
done

# --- measurements ------------------------------------------------------------------------
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
FAILED=0

# settle PID: waits until the server has been idle (at most 5% of a CPU) for a second, so that
# queries still running for requests that wrk gave up on do not slow the next run; at most
# 120 s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# backend_ticks: the CPU time of the live backends of the benchmark's database (PostgreSQL).
backend_ticks() {
    local total=0 pid backends
    if [ "$DATABASE" = postgres ]; then
        backends="SELECT pid FROM pg_stat_activity WHERE datname = '$DB_NAME'"
        for pid in $(pg "$backends AND backend_type = 'client backend'"); do
            total=$((total + $(cpu_ticks "$pid")))
        done
    fi
    echo "$total"
}
# work_ticks PID: the CPU time of the server and, on PostgreSQL, of the whole database server
# (the work SQLite does inside the server's process): the postmaster's own time and that of
# its children, live and exited. The exited ones count: a connection whose request wrk gives up
# on at the end of a run is closed, its backend gone. Only one server gets requests at a time,
# so the database's work over a run is that server's (other use of the same PostgreSQL shows).
work_ticks() {
    local total child
    total="$(cpu_ticks "$1")"
    if [ -n "$PG_POSTMASTER" ]; then
        for child in $(pgrep -P "$PG_POSTMASTER"); do
            total=$((total + $(cpu_ticks "$child")))
        done
        # utime + stime + the children it has reaped (cutime + cstime)
        total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_POSTMASTER/stat")))
    fi
    echo "$total"
}
settle() {
    local before after
    for _ in $(seq 120); do
        before=$(($(cpu_ticks "$1") + $(backend_ticks)))
        sleep 1
        after=$(($(cpu_ticks "$1") + $(backend_ticks)))
        [ $((after - before)) -le 5 ] && return 0
    done
    log "WARNING: the server was still busy 120 s after the run"
}

# run SERVER NAME CONNECTIONS PATH [DURATION] → one line in $RESULTS (none for a warm-up)
run() {
    local server="$1" name="$2" conns="$3" path="$4" duration="${5:-$DURATION}" threads=2 out base pid
    base="$PRODUCT"
    pid="$PRODUCT_PID"
    if [ "$server" = floor ]; then
        base="$FLOOR"
        pid="$FLOOR_PID"
    fi
    [ "$conns" -lt 2 ] && threads=1
    out="$WORK/wrk.$(wc -l <"$RESULTS").$server.txt"
    log "$server: $name, $conns connection(s), $duration"
    local cpu_before cpu_after
    cpu_before="$(work_ticks "$pid")"
    BENCH_TOKEN="$TOKEN" BENCH_METHOD=GET BENCH_BODY="" \
        wrk -t"$threads" -c"$conns" -d"$duration" --timeout "$TIMEOUT" --latency -s "$LUA" "$base$path" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    # (after the connections that wrk left have closed)
    sleep 0.3
    cpu_after="$(work_ticks "$pid")"
    local line
    line="$(grep '^BENCH ' "$out")" || die "no summary from wrk"
    field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$line"; }
    local non2xx errors
    non2xx="$(field non2xx)"
    errors="$(field errors)"
    if [ "$non2xx" != 0 ] || [ "$errors" != 0 ]; then
        FAILED=1
        log "WARNING: $non2xx non-2xx/3xx responses and $errors socket errors; the same request now:"
        printf '    GET %s → %s %s\n' "$path" "$(call "$base" "$TOKEN" GET "$path")" \
            "$(head -c 300 "$WORK/last.json")" >&2
    fi
    settle "$pid"
    [ "$duration" = "$DURATION" ] || return 0
    sed 's/^/    /' "$out" >&2
    # The last column: the server's CPU time over the run, in clock ticks (1/100 s).
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$server" "$(field rps)" \
        "$(field p50_ms)" "$(field p99_ms)" "$non2xx" "$errors" "$(field requests)" \
        "$(field p999_ms)" "$((cpu_after - cpu_before))" >>"$RESULTS"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
run product "healthz (baseline)" 32 /healthz
run floor "healthz (baseline)" 32 /healthz
for scope in mine all; do
    set_scope "$scope"
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name want path <<<"$entry"
        [ "$want" = "$scope" ] || continue
        # One server at a time, the product and the floor in turn, so that both see the same
        # machine (other load, caches) as far as possible.
        for server in product floor; do
            [ "$WARMUP" = 0 ] || run "$server" "$name" 8 "$path" "$WARMUP"
            for conns in $CONNS; do
                run "$server" "$name" "$conns" "$path"
            done
        done
    done
done
set_scope mine

# --- pages against the API -----------------------------------------------------------------
# The portal's HTML pages render the same views as the API: each page is measured against
# the API call it is built on (pages take the same Bearer token), the two runs right after
# each other so that both see the same machine. Target: a page within 1.5x the time of its
# API call, i.e. at least 0.67x its requests per second; the server's CPU time per request
# is printed beside it (steadier than req/s on a shared machine).
# The record page also shows the record's comments and history, which an API client reads
# with a second call: the page is measured against the record's call alone (the target) and,
# beside it, against both calls (an optional third path, run right after the first).
PP=/portal
PAGES=(
    "list cases|$PP/records/cases|$P/records/cases?per_page=25"
    "one case|$PP/records/cases/$CASE_ID|$P/records/cases/$CASE_ID|$P/records/cases/$CASE_ID/comments"
    "home|$PP/|$P/home"
)
for entry in "${PAGES[@]}"; do
    IFS='|' read -r name path api also <<<"$entry"
    got="$(call "$PRODUCT" "$TOKEN" GET "$path")"
    [ "$got" = 200 ] || die "GET $path -> $got"
    for kind in api also page; do
        case "$kind" in
            api) target="$api" ;;
            also) target="$also" ;;
            page) target="$path" ;;
        esac
        [ -n "$target" ] || continue
        [ "$WARMUP" = 0 ] || run product "$kind: $name" 8 "$target" "$WARMUP"
        run product "$kind: $name" 32 "$target"
    done
done
if grep -qiE '(^| )(ERROR|WARN)( |$)' "$WORK/product.err" "$WORK/floor.err"; then
    log "server warnings/errors:"
    tail -n 20 "$WORK/product.err" "$WORK/floor.err" | sed 's/^/    /' >&2
fi

# --- query plans ---------------------------------------------------------------------------
# One more product, logging every statement, answers each portal read once per scope; the
# plans of what it ran are printed after the figures (bench/query_plans.py flags full scans).
log "logging the portal reads' statements for their query plans"
# VmHWM: the most memory the product's process held resident at any moment of the runs.
PEAK_KIB="$(awk '/^VmHWM:/ {print $2}' "/proc/$PRODUCT_PID/status" 2>/dev/null || echo 0)"
stop_pid "$PRODUCT_PID"
RUST_LOG="warn,sqlx::query=debug" start plans "$BIN" serve --bind 127.0.0.1:0 --data-dir "$DATA"
PLANS="$STARTED"
PRODUCT="$PLANS" # set_scope's admin calls go here now
for scope in mine all; do
    set_scope "$scope"
    offset=$(($(wc -c <"$WORK/plans.err") + 1))
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name want path <<<"$entry"
        got="$(call "$PLANS" "$TOKEN" GET "$path")"
        [ "$got" = 200 ] || die "GET $path -> $got"
    done
    sleep 0.5
    tail -c "+$offset" "$WORK/plans.err" >"$WORK/plans.$scope.err"
done
set_scope mine
stop_pid "$STARTED_PID"

# --- report ------------------------------------------------------------------------------
echo
echo "database: $DB_LABEL"
echo "seed --scale $SCALE ($DB_LABEL): ${SEED_WALL}s wall ($SEED_SUMMARY)"
echo "customer: 1 contact of an organization; case $CASE_ID with 2 public comments and 1 internal (posted once; more on data reused from older runs)"
echo "answers: $([ "$MISMATCHES" = 0 ] && echo "the product and the floor return the same JSON for every endpoint" || echo "$MISMATCHES endpoint(s) differ, see above")"
echo "wrk runs: $DURATION each, $(nproc 2>/dev/null || echo '?') CPU(s) shared by wrk and the server; load average before: $LOAD_BEFORE"
echo "targets at 32 connections: product req/s >= $MIN_RATIO x the floor's, product p99 < $MAX_P99_MS ms"
if [ -n "$PG_POSTMASTER" ]; then
    echo "(CPU: the floor's CPU time per request over the product's, each server's with PostgreSQL's"
    echo " during its runs: the same ratio by work done)"
else
    echo "(CPU: the floor's server CPU time per request over the product's, the same ratio by work done)"
fi
echo
python3 - "$RESULTS" "$MIN_RATIO" "$MAX_P99_MS" "$DB_LABEL" <<'EOF'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
min_ratio, max_p99 = float(sys.argv[2]), float(sys.argv[3])
database = sys.argv[4]
runs = {}
order = []
for name, conns, server, rps, p50, p99, non2xx, errors, requests, p999, cpu in rows:
    key = (name, int(conns))
    if key not in runs:
        order.append(key)
        runs[key] = {}
    # the last: the server's CPU µs per request (clock ticks of 10 ms)
    cpu_us = int(cpu) * 10_000 / int(requests) if int(requests) else 0.0
    runs[key][server] = (float(rps), float(p50), float(p99), int(non2xx) + int(errors), int(requests), float(p999), cpu_us)
def cells(r):
    if not r:
        return f"{'-':>9} {'-':>7} {'-':>7} {'-':>7}"
    if r[4] == 0:  # nothing answered within the run
        return f"{0:>9.1f} {'>run':>7} {'>run':>7} {'>run':>7}"
    if r[1] >= 100:
        return f"{r[0]:>9.1f} {r[1]:>7.1f} {r[2]:>7.1f} {r[5]:>7.1f}"
    return f"{r[0]:>9.1f} {r[1]:>7.2f} {r[2]:>7.2f} {r[5]:>7.2f}"
print(f"{database}:")
head = (f"{'endpoint':<20} {'conns':>5} | {'product':>9} {'p50':>7} {'p99':>7} {'p99.9':>7} | "
        f"{'floor':>9} {'p50':>7} {'p99':>7} {'p99.9':>7} | {'ratio':>5} {'CPU':>5}  target")
print(head)
print(f"{'':<20} {'':>5} | {'req/s':>9} {'ms':>7} {'ms':>7} {'ms':>7} | {'req/s':>9} {'ms':>7} {'ms':>7} {'ms':>7} |")
print("-" * (len(head) + 8))
for key in order:
    name, conns = key
    if name.startswith(("page:", "api:", "also:")):  # reported below, page against API
        continue
    p = runs[key].get("product")
    f = runs[key].get("floor")
    ratio = p[0] / f[0] if p and f and f[0] > 0 else None
    mark = ""
    if conns == 32 and not name.startswith("healthz") and p:
        misses = []
        if ratio is None or ratio < min_ratio:
            misses.append(f"ratio < {min_ratio:.2f}")
        if p[4] == 0 or p[2] >= max_p99:
            misses.append(f"p99 >= {max_p99:g} ms")
        mark = "ok" if not misses else "MISS: " + ", ".join(misses)
    failed = sum(r[3] for r in (p, f) if r)
    if failed:
        mark += f" ({failed} failed requests)"
    ratio_text = f"{ratio:.2f}" if ratio is not None else "-"
    # floor's CPU per request / the product's: the same ratio, measured by the server's work
    cpu_ratio = f[6] / p[6] if p and f and p[6] > 0 else None
    cpu_text = f"{cpu_ratio:.2f}" if cpu_ratio is not None else "-"
    print(f"{name:<20} {conns:>5} | {cells(p)} | {cells(f)} | {ratio_text:>5} {cpu_text:>5}  {mark}")
EOF

echo
echo "pages against the API calls they render, each pair measured back to back (32 connections;"
CPU_OF="server CPU"
[ -n "$PG_POSTMASTER" ] && CPU_OF="CPU of the server and PostgreSQL"
echo "target: page req/s >= 0.67 x the API's; $CPU_OF per request beside it)"
python3 - "$RESULTS" <<'EOF'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
# (req/s, server CPU µs per request) of each product run at 32 connections
runs = {
    r[0]: (float(r[3]), int(r[10]) * 10_000 / int(r[8]) if int(r[8]) else 0.0)
    for r in rows
    if r[2] == "product" and r[1] == "32"
}
for name in ("list cases", "one case", "home"):
    p, a = runs.get(f"page: {name}"), runs.get(f"api: {name}")
    if p is None or a is None:
        continue
    ratio = p[0] / a[0] if a[0] else 0
    cpu_ratio = a[1] / p[1] if p[1] else 0
    mark = "ok" if ratio >= 0.67 else "MISS"
    print(f"  {name:<11} page {p[0]:>8.1f} req/s {p[1]:>6.0f} µs CPU | API {a[0]:>8.1f} req/s "
          f"{a[1]:>6.0f} µs CPU | ratio {ratio:.2f} (CPU {cpu_ratio:.2f})  {mark}")
    b = runs.get(f"also: {name}")
    if b is not None and b[0] and a[0]:
        # Both API calls one after the other: their times (and CPU) add up.
        both = 1 / (1 / a[0] + 1 / b[0])
        both_cpu = a[1] + b[1]
        print(f"  {'':<11} against the record and its comments (two API calls, {both:.1f} a second "
              f"together, {both_cpu:.0f} µs CPU): ratio {p[0] / both:.2f} "
              f"(CPU {both_cpu / p[1] if p[1] else 0:.2f})")
EOF

echo
echo "product: start-up ${START_WALL} s (to listening, on the seeded database), peak RSS $((PEAK_KIB / 1024)) MiB"

# (SQLite: the database file; PostgreSQL: its URL, planned through psql.)
PLANNED="$DATA/atrium.db"
[ "$DATABASE" = postgres ] && PLANNED="$DATABASE_URL"
for scope in mine all; do
    echo
    echo "portal reads with default_scope=$scope:"
    python3 "$ROOT/bench/query_plans.py" "$PLANNED" "$WORK/plans.$scope.err"
done

[ "$MISMATCHES" = 0 ] || { echo; echo "FAILED: the floor's answers differ from the product's"; exit 1; }
[ "$FAILED" = 0 ] || { echo; echo "FAILED: see the warnings above"; exit 1; }
