# Helpers for the portal CLI tests (tests/cli/test_portal*.sh), on top of lib.sh; they compose
# with remote_lib.sh and sign_lib.sh (each registers its own cleanup with at_exit):
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/portal_lib.sh"
#
#   start_portal [portal_sim options]  start tests/sim/portal_sim on loopback (the previous one
#                                      is stopped) with --db "$PORTAL_DB" --store "$PORTAL_STORE"
#                                      (default $tmp/portal.db and $tmp/portal-store: a restart
#                                      keeps the portal's state). On a free port, or on port N
#                                      with PORTAL_PORT=N start_portal (a restart on the same
#                                      URL). Sets PORTAL_URL (http://127.0.0.1:PORT/neac/v1),
#                                      PORTAL_ROOT (without /neac/v1), PORTAL_PORT_USED and
#                                      PORTAL_PID, and exports NEAC_PORTAL_TOKEN = the
#                                      simulator's token (--token, default sim-portal-token-Zm9v)
#   stop_portal                        stop it (SIGTERM) and wait for it
#   wait_portal_exit [SECONDS]         wait (default 10 s) until the simulator exits by itself
#                                      (a crash-upload fault); sets PORTAL_EXIT to its status
#   portal_stat EXPR                   a value of GET /_sim/stats, EXPR is Python over `d`,
#                                      e.g. portal_stat 'd["bytes_received"]'
#   portal_get PATH                    GET $PORTAL_URL$PATH with the token, print the body;
#                                      fails unless the answer is 200
#   portal_fault SPEC                  add a fault (POST /_sim/fault?spec=SPEC)
#   portal_req METHOD PATH [curl args]  any API call with the token; sets PSTATUS (HTTP status,
#                                      000 when there was no answer) and PCURL (curl's exit
#                                      status); the body is in the file $PBODY.
#                                      PORTAL_REQ_TOKEN=T portal_req ... sends token T instead
#                                      ("" sends no Authorization header)
#   portal_expect CODE METHOD PATH [curl args]   portal_req, failing unless the status is CODE
#
# The simulator's stderr (one line per request) accumulates in $PORTAL_LOG.

PORTAL_BIN="${NEAC_BUILD_DIR:?NEAC_BUILD_DIR must name the build folder}/tests/portal_sim"
[ -x "$PORTAL_BIN" ] || fail "portal_sim not built: $PORTAL_BIN"
PORTAL_DB=${PORTAL_DB:-$tmp/portal.db}
PORTAL_STORE=${PORTAL_STORE:-$tmp/portal-store}
PORTAL_LOG="$tmp/portal.err"
PORTAL_DEFAULT_TOKEN=sim-portal-token-Zm9v
PBODY="$tmp/.portal_body"
PORTAL_PID=""
PORTAL_URL=""
PORTAL_ROOT=""
PORTAL_PORT_USED=""
PORTAL_EXIT=""
PSTATUS=""
PCURL=0

stop_portal() {
    if [ -n "$PORTAL_PID" ]; then
        kill "$PORTAL_PID" 2>/dev/null || true
        wait "$PORTAL_PID" 2>/dev/null || true
        PORTAL_PID=""
    fi
}
at_exit stop_portal

start_portal() {
    stop_portal
    local token=$PORTAL_DEFAULT_TOKEN prev="" a
    for a in "$@"; do
        [ "$prev" = "--token" ] && token=$a
        prev=$a
    done
    local out="$tmp/portal.$RANDOM.out"
    "$PORTAL_BIN" --db "$PORTAL_DB" --store "$PORTAL_STORE" --port "${PORTAL_PORT:-0}" "$@" \
        >"$out" 2>>"$PORTAL_LOG" &
    PORTAL_PID=$!
    local i
    for i in $(seq 200); do
        if grep -q "listening on" "$out" 2>/dev/null; then
            PORTAL_ROOT=$(sed -n 's/^listening on //p' "$out")
            PORTAL_URL="$PORTAL_ROOT/neac/v1"
            PORTAL_PORT_USED=${PORTAL_ROOT##*:}
            export NEAC_PORTAL_TOKEN=$token
            return 0
        fi
        if ! kill -0 "$PORTAL_PID" 2>/dev/null; then
            wait "$PORTAL_PID" 2>/dev/null || true
            PORTAL_PID=""
            fail "portal_sim exited: $(tail -5 "$PORTAL_LOG")"
        fi
        sleep 0.05
    done
    fail "portal_sim did not start"
}

wait_portal_exit() {
    local limit=$(( ${1:-10} * 20 )) i
    [ -n "$PORTAL_PID" ] || fail "no portal_sim is running"
    for i in $(seq "$limit"); do
        kill -0 "$PORTAL_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$PORTAL_PID" 2>/dev/null && fail "portal_sim did not exit"
    PORTAL_EXIT=0
    wait "$PORTAL_PID" || PORTAL_EXIT=$?
    PORTAL_PID=""
}

portal_req() {
    local method=$1 path=$2
    shift 2
    local auth=()
    local token=${PORTAL_REQ_TOKEN-$NEAC_PORTAL_TOKEN}
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    last_cmd="curl -X $method $PORTAL_URL$path $*"
    PCURL=0
    # -k: the test's own simulator on loopback, when it serves HTTPS.
    PSTATUS=$(curl -sS -k --max-time 30 -X "$method" -o "$PBODY" -w '%{http_code}' \
        "${auth[@]}" "$@" "$PORTAL_URL$path" 2>"$tmp/.curl_err") || PCURL=$?
    [ -f "$PBODY" ] || : >"$PBODY"
}

portal_expect() {
    local want=$1
    shift
    portal_req "$@"
    [ "$PSTATUS" = "$want" ] ||
        fail "$1 $2: expected HTTP $want, got $PSTATUS (curl exit $PCURL: $(cat "$tmp/.curl_err")): $(head -c 2000 "$PBODY")"
}

portal_get() {
    portal_expect 200 GET "$1"
    cat "$PBODY"
}

portal_fault() {
    curl -sS -f -X POST "$PORTAL_ROOT/_sim/fault?spec=$1" -k >/dev/null ||
        fail "cannot add the fault $1"
}

portal_stat() {
    curl -sS -f -k "$PORTAL_ROOT/_sim/stats" >"$tmp/.portal_stats" ||
        fail "cannot read the portal simulator's stats"
    json_get "$tmp/.portal_stats" "$1"
}
