# Helpers for the CLI tests (tests/cli/test_*.sh). Source it first:
#
#   source "$(dirname "$0")/lib.sh"
#
# CTest sets NEAC (the binary), NEAC_SOURCE_DIR and NEAC_BUILD_DIR. Every script gets a private
# scratch folder "$tmp" (removed on exit) and a private neac home, NEAC_HOME="$tmp/home". A script
# stops at the first failed assertion with a message naming the test and what was expected.
#
#   run CMD...                 run, keep stdout in $OUT, stderr in $ERR, exit status in $status
#   expect_exit CODE CMD...    run and fail unless the exit status is CODE
#   assert_eq ACTUAL EXPECTED [WHAT]
#   assert_contains TEXT NEEDLE [WHAT]        (also assert_not_contains)
#   assert_file_contains FILE NEEDLE          (also assert_file_not_contains)
#   json_get FILE EXPR         print a value of the JSON document in FILE; EXPR is Python over
#                              `d`, e.g. json_get "$OUT" 'd["profiles"][0]["name"]'
#   json_check FILE EXPR [WHAT]  fail unless the Python expression over `d` is true
#   file_mode PATH             octal permission bits, e.g. 600
#   make_png PATH [W H]        write a small valid PNG (RGBA)
#   step TEXT                  announce a step on stderr; pass prints the final PASS line
#   skip WHY                   say SKIPPED and why, and stop with exit 77 (CTest: skipped, not
#                              passed); for tests that need ../shared or a missing tool
#   at_exit CMD                run the shell command CMD when the script exits (before $tmp
#                              is removed); for helper libraries that start servers

set -euo pipefail

TEST_NAME=$(basename "$0" .sh)
: "${NEAC:?NEAC must name the neac binary (CTest sets it)}"
NEAC_SOURCE_DIR=${NEAC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export NEAC_SOURCE_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/neac-${TEST_NAME}.XXXXXX")
# Helper libraries that start servers (remote_lib.sh, portal_lib.sh) register their stop
# functions with at_exit, so that several can be sourced together; $tmp goes last.
_at_exit_cmds=()
at_exit() { _at_exit_cmds+=("$1"); }
_run_at_exit() {
    local c
    for c in "${_at_exit_cmds[@]}"; do eval "$c" || true; done
    rm -rf "$tmp"
}
trap _run_at_exit EXIT
export NEAC_HOME="$tmp/home"
export NO_COLOR=1
export LC_ALL=C.UTF-8
OUT="$tmp/.stdout"
ERR="$tmp/.stderr"
status=0
last_cmd=""

step() { echo "--- ${TEST_NAME}: $*" >&2; }

# Prints the last command and its output, then stops the script.
fail() {
    {
        echo "FAIL [${TEST_NAME}]: $*"
        if [ -n "$last_cmd" ]; then
            echo "  last command: $last_cmd (exit $status)"
            [ -s "$OUT" ] && { echo "  stdout:"; sed 's/^/    /' "$OUT"; }
            [ -s "$ERR" ] && { echo "  stderr:"; sed 's/^/    /' "$ERR"; }
        fi
    } >&2
    exit 1
}

run() {
    last_cmd=$(printf '%q ' "$@")
    if "$@" >"$OUT" 2>"$ERR"; then status=0; else status=$?; fi
}

expect_exit() {
    local code=$1
    shift
    run "$@"
    [ "$status" -eq "$code" ] || fail "expected exit $code, got $status"
}

assert_eq() {
    [ "$1" == "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

assert_contains() {
    case "$1" in
    *"$2"*) ;;
    *) fail "${3:-output} does not contain '$2'" ;;
    esac
}

assert_not_contains() {
    case "$1" in
    *"$2"*) fail "${3:-output} contains '$2' but must not" ;;
    *) ;;
    esac
}

assert_file_contains() {
    [ -f "$1" ] || fail "$1 does not exist"
    grep -qF -- "$2" "$1" || fail "$(basename "$1") does not contain '$2'"
}

assert_file_not_contains() {
    [ -f "$1" ] || return 0
    if grep -qF -- "$2" "$1"; then fail "$(basename "$1") contains '$2' but must not"; fi
}

json_get() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = eval(sys.argv[2], {"d": d})
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$1" "$2" || fail "cannot read '$2' from the JSON in $(basename "$1")"
}

json_check() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2], {"d": d}) else 1)
' "$1" "$2" || fail "${3:-JSON check} failed: $2"
}

file_mode() { stat -c '%a' "$1"; }

make_png() {
    python3 - "$1" "${2:-8}" "${3:-4}" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\x00" + b"\x20\x40\xa0\xff" * w for _ in range(h))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(path, "wb").write(png)
PY
}

pass() { echo "PASS ${TEST_NAME}" >&2; }
skip() {
    echo "SKIPPED ${TEST_NAME}: $*" >&2
    exit 77
}
