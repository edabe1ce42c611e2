#!/usr/bin/env bash
# Checks that the OpenAPI document (`GET /api/v1/openapi.json`) tells the truth: schemathesis
# generates requests from it against a fresh `atrium demo` and runs all of its checks (no 5xx,
# documented status codes, content types, headers and response schemas, valid data accepted,
# invalid data refused, auth not ignored, …).
#
# Two runs, each with the token of the side it tests:
#   staff     a staff admin's Bearer token, on every operation outside the portal API;
#   customer  a demo customer's Bearer token, on the portal API of the portal `default`.
# (The other side's routes would only answer 401 to that token, which the `ignored_auth`
# check already covers by calling every route without credentials.)
#
# Usage: bench/schemathesis.sh
#
# Environment:
#   MAX_EXAMPLES=20   test cases per operation and phase (schemathesis's `--max-examples`)
#   MAX_TIME=600      hard limit in seconds for each run
#   SEED=…            schemathesis's random seed (default: a new one, printed)
#   KEEP_DATA=1       keep the temporary directory with the data, logs and reports
#   CARGO_TARGET_DIR  honoured when locating the binary (default: target)
#
# Everything runs against 127.0.0.1 on a port chosen by the OS. Exits non-zero if either run
# found a failure. Not part of the test suite: it takes a few minutes and installs
# schemathesis with pip if it is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
MAX_TIME="${MAX_TIME:-600}"
SEED="${SEED:-$RANDOM$RANDOM}"
KEEP_DATA="${KEEP_DATA:-0}"
# The schemathesis this script was written against: its CLI and checks change between
# versions.
SCHEMATHESIS_VERSION="4.32.5"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if ! command -v schemathesis >/dev/null \
    || [ "$(schemathesis --version | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    log "installing schemathesis $SCHEMATHESIS_VERSION"
    python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

log "building atrium"
cargo build --quiet -p atrium
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/atrium"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/atrium-schemathesis.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$KEEP_DATA" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

log "starting atrium demo"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" demo --bind 127.0.0.1:0 --data-dir "$WORK/data" \
    >"$WORK/demo.out" 2>"$WORK/demo.err" &
SERVER_PID=$!
BASE=""
for _ in $(seq 600); do
    if line="$(grep -m1 'listening on http://' "$WORK/demo.out")"; then
        BASE="${line##*listening on }"
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/demo.err" >&2; die "atrium demo exited"; }
    sleep 0.1
done
[ -n "$BASE" ] || die "atrium demo did not start within 60 s"
case "$BASE" in http://127.0.0.1:*) ;; *) die "unexpected address $BASE" ;; esac
log "serving at $BASE"

# The demo prints its logins: the first staff login is the admin, then the customers.
read -r ADMIN_EMAIL ADMIN_PASSWORD _ < <(sed -n '/staff logins:/{n;p;q}' "$WORK/demo.out")
read -r CUSTOMER_EMAIL CUSTOMER_PASSWORD _ < <(sed -n '/customer logins/{n;p;q}' "$WORK/demo.out")
[ -n "$ADMIN_PASSWORD" ] && [ -n "$CUSTOMER_PASSWORD" ] \
    || die "cannot read the demo's logins from: $(cat "$WORK/demo.out")"

# login PATH EMAIL PASSWORD → prints the token the login answers.
login() {
    curl -sS --fail-with-body -H 'Content-Type: application/json' \
        --data "$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$2" "$3")" \
        "$BASE$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
# Both tokens are taken before any run: the staff run's failed sign-ins count against this
# address, and enough of them would refuse the next sign-in with 429.
STAFF_TOKEN="$(login /api/v1/staff/login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")"
CUSTOMER_TOKEN="$(login /api/v1/portal/default/login "$CUSTOMER_EMAIL" "$CUSTOMER_PASSWORD")"

# Operations left out of both runs: they end the session the run authenticates with
# (sign-out, the customer's own password change, which also ends their other sessions).
# schemathesis keeps only the last `--exclude-path-regex`, so each run passes one pattern.
ENDS_SESSION='/(logout|password/change)$'

# run NAME TOKEN CONFIG [schemathesis options…] → appends "NAME CASES FAILURES" to the summary.
SUMMARY=()
FAILED=0
run() {
    local name="$1" token="$2" config="$3" status=0
    shift 3
    log "schemathesis, $name token (seed $SEED, at most $MAX_EXAMPLES examples per operation)"
    mkdir -p "$WORK/$name"
    # schemathesis keeps its example database and reports in the working directory.
    (
        cd "$WORK/$name"
        timeout --kill-after=10 "$MAX_TIME" schemathesis --config-file "$config" run \
            "$BASE/api/v1/openapi.json" \
            --checks all \
            --header "Authorization: Bearer $token" \
            --max-examples "$MAX_EXAMPLES" \
            --workers 1 \
            --seed "$SEED" \
            --request-timeout 30 \
            --no-color \
            "$@"
    ) >"$WORK/$name.log" 2>&1 || status=$?
    sed -n '/= SUMMARY =/,$p' "$WORK/$name.log"
    local cases failures
    cases="$(sed -nE 's/^ *([0-9]+) generated.*/\1/p' "$WORK/$name.log" | tail -n 1)"
    failures="$(sed -nE 's/.* found ([0-9]+) unique failures?.*/\1/p' "$WORK/$name.log" | tail -n 1)"
    SUMMARY+=("$name ${cases:-?} ${failures:-0} $status")
    if [ "$status" != 0 ]; then
        FAILED=1
        [ "$status" = 124 ] && log "$name: stopped after $MAX_TIME s"
        log "$name: details in $WORK/$name.log"
        KEEP_DATA=1
    fi
}

# `positive_data_acceptance` expects a request that fits the document to succeed (or to answer
# 401, 403, 404, 409 or 429). The operations below may also refuse such a request, for reasons
# that OpenAPI cannot express and that their documented 422 (or 412) describes; each is listed
# with its reason, so that everywhere else the check keeps its full strength. Operations are
# picked by name, "METHOD /path" (schemathesis ORs separate path and method filters).
ACCEPTED='"2xx", "401", "403", "404", "409", "429", "5xx"'
# Likewise `negative_data_rejection` expects a request that does not fit the document to be
# refused with one of these; a PATCH checks its If-Match first, and refuses one that names no
# version with 412 whatever else is wrong with the request.
REFUSED='"400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"'
# Uploads read their parts in order and stop at `file`: a malformed part after it (a control
# character in its name, which the document forbids) is never looked at, so such a request
# may succeed.
UPLOADS="$(cat <<EOF
[[operations]]
include-name-regex = '^PUT .*/file$'
checks.negative_data_rejection.expected-statuses = [$REFUSED, "2xx"]
EOF
)"
# schemathesis 4.32.5 sends the body `0` as valid data to the comment operations, although
# their schema is an object (whose one property is named `body`); a JSON body that is not an
# object is rightly a 400.
COMMENTS="$(cat <<'EOF'
[[operations]]
include-name-regex = '^POST /api/v1/(portal/\{slug\}/)?records/\{module\}/\{id\}/comments$'
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
EOF
)"
cat >"$WORK/staff.toml" <<EOF
# Which sort and filter fields exist depends on {module}.
[[operations]]
include-name-regex = '^GET /api/v1/records/\{module\}(/\{id\}/related/\{module2\})?$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# Which fields a record has depends on {module}.
[[operations]]
include-name-regex = '^POST /api/v1/records/\{module\}$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# The same, and an If-Match names a version that may be stale.
[[operations]]
include-name-regex = '^PATCH /api/v1/records/\{module\}/\{id\}$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "412", "422"]
checks.negative_data_rejection.expected-statuses = [$REFUSED, "412"]

# Portal documents name modules, fields, templates, roles and staff users, which must exist.
[[operations]]
include-name-regex = '^(POST|PUT) /api/v1/admin/portals'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# Time zones must be known to the tz database; e-mail addresses must be valid per RFC 5322.
[[operations]]
include-name-regex = '^PUT /api/v1/admin/company$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# A logo's bytes must be an image of an accepted type. (Only the first entry that matches an
# operation counts, so this one repeats what the upload entry below says of uploads.)
[[operations]]
include-name-regex = '^PUT /api/v1/admin/company/logo$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]
checks.negative_data_rejection.expected-statuses = [$REFUSED, "2xx"]

# Templates must compile and may only use the merge fields Atrium knows.
[[operations]]
include-name-regex = '^(PUT|POST) /api/v1/admin/email-templates/'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# Only a contact who is a portal user can be invited.
[[operations]]
include-name-regex = '^POST /api/v1/records/contacts/\{id\}/portal-invitation$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]
$UPLOADS
$COMMENTS
EOF
cat >"$WORK/customer.toml" <<EOF
# Portal routes are tested on the portal the customer belongs to; any other slug is a 404.
[parameters]
"path.slug" = "default"

# Which sort and filter fields exist depends on {module} and the portal's layout.
[[operations]]
include-name-regex = '^GET /api/v1/portal/\{slug\}/records/\{module\}(/\{id\}/related/\{module2\})?$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# Which fields a customer may write depends on the portal's profile layout…
[[operations]]
include-name-regex = '^PATCH /api/v1/portal/\{slug\}/me(/organization)?$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]

# …and on {module}. Documents are created by upload (see the upload entry below).
[[operations]]
include-name-regex = '^POST /api/v1/portal/\{slug\}/records/\{module\}$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]
checks.negative_data_rejection.expected-statuses = [$REFUSED, "2xx"]

# The same, and an If-Match names a version that may be stale.
[[operations]]
include-name-regex = '^PATCH /api/v1/portal/\{slug\}/records/\{module\}/\{id\}$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "412", "422"]
checks.negative_data_rejection.expected-statuses = [$REFUSED, "412"]

# A token is only known to the mail it was sent in, and a new password must not be easy to
# guess.
[[operations]]
include-name-regex = '^POST /api/v1/portal/\{slug\}/(invitation/accept|password/reset|email/confirm)$'
checks.positive_data_acceptance.expected-statuses = [$ACCEPTED, "422"]
$UPLOADS
$COMMENTS
EOF

run staff "$STAFF_TOKEN" "$WORK/staff.toml" \
    --exclude-path-regex "^/api/v1/portal/|$ENDS_SESSION"
run customer "$CUSTOMER_TOKEN" "$WORK/customer.toml" \
    --include-path-regex '^/api/v1/portal/' --exclude-path-regex "$ENDS_SESSION"

printf '\n%-10s %8s %9s\n' token cases failures
for row in "${SUMMARY[@]}"; do
    read -r name cases failures status <<<"$row"
    printf '%-10s %8s %9s%s\n' "$name" "$cases" "$failures" \
        "$([ "$status" = 0 ] || echo "  (exit $status)")"
done
exit "$FAILED"
