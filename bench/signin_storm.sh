#!/usr/bin/env bash
# A storm of sign-ins against a release build: wrk posts correct staff credentials (so every
# request runs a full argon2id check) at 64 connections for a minute, while the server's
# resident memory is sampled every half second. Prints the peak RSS, the throughput and how
# many requests were turned away (503 with Retry-After when the hashing queue is full).
#
# Usage: bench/signin_storm.sh
#
# Environment:
#   DURATION=60s      length of the storm
#   CONNECTIONS=64    concurrent connections
#   CARGO_TARGET_DIR  honoured when locating the binary (default: target)
#
# Everything runs against 127.0.0.1 on a port chosen by the OS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-64}"
export LOGIN_EMAIL="storm-admin@example.com"
export LOGIN_PASSWORD="storm-admin-password"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

unset DATABASE_URL
for name in $(compgen -e | grep '^ATRIUM_' || true); do unset "$name"; done

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || die "wrk is required"

log "building the release binary"
cargo build --release -p atrium
BIN="${CARGO_TARGET_DIR:-target}/release/atrium"
[ -x "$BIN" ] || die "no binary at $BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/atrium-storm.XXXXXX")"
DATA="$WORK/data"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        sleep 1
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

RUST_LOG=warn "$BIN" admin create --email "$LOGIN_EMAIL" --password "$LOGIN_PASSWORD" \
    --data-dir "$DATA" >/dev/null
RUST_LOG=warn "$BIN" serve --bind 127.0.0.1:0 --data-dir "$DATA" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
BASE=""
for _ in $(seq 300); do
    if line="$(grep -m1 'listening on http://' "$WORK/serve.out")"; then
        BASE="${line##*listening on }"
        break
    fi
    sleep 0.1
done
[ -n "$BASE" ] || die "the server did not start"
case "$BASE" in http://127.0.0.1:*) ;; *) die "unexpected address $BASE" ;; esac

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
IDLE_RSS="$(rss_kib)"
( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kib >>"$WORK/rss"; sleep 0.5; done ) &
SAMPLER_PID=$!

log "storm: $CONNECTIONS connections for $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/wrk/login.lua \
    "$BASE/api/v1/staff/login" | tee "$WORK/wrk.out"
sleep 1
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

PEAK_RSS="$(sort -n "$WORK/rss" | tail -n 1)"
AFTER_RSS="$(rss_kib)"
REQUESTS="$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")"
TURNED_AWAY="$(awk '/Non-2xx or 3xx responses/ { print $5 }' "$WORK/wrk.out")"
RATE="$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")"
BUSY="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "{\"email\":\"$LOGIN_EMAIL\",\"password\":\"$LOGIN_PASSWORD\"}" "$BASE/api/v1/staff/login")"

printf '\n%-28s %s\n' "connections" "$CONNECTIONS"
printf '%-28s %s\n' "duration" "$DURATION"
printf '%-28s %s\n' "requests" "${REQUESTS:-0}"
printf '%-28s %s\n' "sign-ins/s" "${RATE:-0}"
printf '%-28s %s\n' "turned away (non-2xx)" "${TURNED_AWAY:-0}"
printf '%-28s %s MiB\n' "RSS idle" "$((IDLE_RSS / 1024))"
printf '%-28s %s MiB\n' "RSS peak during the storm" "$((PEAK_RSS / 1024))"
printf '%-28s %s MiB\n' "RSS after" "$((AFTER_RSS / 1024))"
printf '%-28s %s\n' "a sign-in afterwards" "$BUSY"
[ "$PEAK_RSS" -lt $((200 * 1024)) ] || die "peak RSS above 200 MiB"
