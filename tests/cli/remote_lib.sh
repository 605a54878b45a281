# Helpers for the remote-signing CLI tests (tests/cli/test_remote*.sh), on top of lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/remote_lib.sh"
#
#   start_sim [provider_sim options]   start tests/sim/provider_sim on a free loopback port (the
#                                      previous one is stopped); sets SIM_URL
#   sim_post PATH                      POST to the simulator's control API (the phone), e.g.
#                                      sim_post /_sim/approve ; prints the answer
#   sim_stat EXPR                      a value of GET /_sim/stats, EXPR is Python over `d`,
#                                      e.g. sim_stat 'd["approvals"]'
#   wait_pending [N]                   wait until the simulator holds N (default 1) pending
#                                      transactions (the request reached "the phone")
#   add_remote_profile NAME PROVIDER [flags]   a profile for PROVIDER pointing at the simulator
#   make_inputs N                      N one-page PDFs in $tmp/in (in-1.pdf ...); sums in $tmp/sums
#   assert_inputs_untouched            every input has its original bytes
#   assert_no_outputs DIR              no signed file and no temporary file in DIR
#   count_signed_valid DIR             how many *.signed.pdf in DIR pdfsig says are valid
#
# The credentials the simulator accepts are exported under the variable names the profiles use;
# tests grep neac's stderr for them (and for the tokens the simulator issued) at -vvv.

SIM_BIN="${NEAC_BUILD_DIR:?NEAC_BUILD_DIR must name the build folder}/tests/provider_sim"
[ -x "$SIM_BIN" ] || fail "provider_sim not built: $SIM_BIN"
PKI="$tmp/pki"
bash "$NEAC_SOURCE_DIR/tests/support/make_pki.sh" "$PKI" >/dev/null 2>&1 || fail "make_pki.sh failed"

export T_SP_ID=sim-sp-4184-0633 T_SP_PW=sim-sp-pass-NGNhMzdm
export T_CLIENT_ID=sim-client-7781 T_CLIENT_SECRET=sim-client-secret-Qm9v
export T_MISA_USER=nguyenvana@example.vn T_MISA_PW=sim-misa-pass-ZmFr
export T_CSC_TOKEN=sim-csc-token-eyJhbGci
SECRET_VALUES=("$T_SP_ID" "$T_SP_PW" "$T_CLIENT_ID" "$T_CLIENT_SECRET" "$T_MISA_USER" "$T_MISA_PW"
    "$T_CSC_TOKEN")

SIM_PID=""
SIM_URL=""
stop_sim() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
        SIM_PID=""
    fi
}
at_exit stop_sim

start_sim() {
    stop_sim
    local out="$tmp/sim.$RANDOM.out"
    "$SIM_BIN" --pki "$PKI" "$@" >"$out" 2>"$tmp/sim.err" &
    SIM_PID=$!
    local i
    for i in $(seq 100); do
        if grep -q "listening on" "$out" 2>/dev/null; then
            SIM_URL=$(sed -n 's/^listening on //p' "$out")
            return 0
        fi
        kill -0 "$SIM_PID" 2>/dev/null || fail "provider_sim exited: $(cat "$tmp/sim.err")"
        sleep 0.05
    done
    fail "provider_sim did not start"
}

sim_http() { # METHOD PATH
    python3 - "$1" "$SIM_URL$2" <<'PY'
import ssl, sys, urllib.request
method, url = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)
ctx = ssl._create_unverified_context()  # the test's own simulator on loopback
print(urllib.request.urlopen(req, timeout=10, context=ctx).read().decode())
PY
}
sim_post() { sim_http POST "$1"; }

sim_stat() {
    sim_http GET /_sim/stats >"$tmp/.stats" || fail "cannot read the simulator's stats"
    json_get "$tmp/.stats" "$1"
}

wait_pending() {
    local want=${1:-1} i
    for i in $(seq 200); do
        [ "$(sim_stat 'len(d["pending"])')" -ge "$want" ] && return 0
        sleep 0.1
    done
    fail "no pending transaction reached the simulator"
}

add_remote_profile() {
    local name=$1 provider=$2
    shift 2
    local base=${SIM_URL}
    local flags=()
    case $provider in
    vnpt-smartca) flags=(--endpoint "$base/sca/sp769" --sp-id-env T_SP_ID --sp-password-env T_SP_PW) ;;
    viettel-mysign) flags=(--endpoint "$base" --client-id-env T_CLIENT_ID
        --client-secret-env T_CLIENT_SECRET) ;;
    misa-esign) flags=(--endpoint "$base" --username-env T_MISA_USER --password-env T_MISA_PW) ;;
    csc) flags=(--endpoint "$base/csc/v2" --token-env T_CSC_TOKEN) ;;
    *) fail "unknown provider $provider" ;;
    esac
    run "$NEAC" profile add "$name" --display-name "NGUYỄN VĂN A" --phone 0912345678 \
        --account 001099012345 --provider "$provider" "${flags[@]}" --force "$@"
    [ "$status" -eq 0 ] || fail "cannot add profile $name"
}

make_inputs() {
    local n=$1 i
    mkdir -p "$tmp/in"
    rm -f "$tmp/in"/*
    # One interpreter for all files: make_pdf.py's main() with each file's arguments.
    python3 - "$NEAC_SOURCE_DIR/tests/support/make_pdf.py" "$tmp/in" "$n" <<'PY' \
        || fail "make_pdf.py failed"
import importlib.util, sys
script, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = importlib.util.spec_from_file_location("make_pdf", script)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for i in range(1, n + 1):
    sys.argv = [script, f"{folder}/in-{i}.pdf"]
    mod.main()
PY
    (cd "$tmp/in" && sha256sum in-*.pdf >"$tmp/sums")
}

inputs() { ls "$tmp"/in/in-*.pdf | sort -V; }

assert_inputs_untouched() {
    (cd "$tmp/in" && sha256sum --quiet -c "$tmp/sums") >/dev/null 2>&1 \
        || fail "an original input was changed"
}

assert_no_outputs() {
    local left
    left=$(find "$1" -maxdepth 1 \( -name '*.signed.pdf' -o -name '*.pdf.*' \) | head -5)
    [ -z "$left" ] || fail "files were left in $1: $left"
}

count_signed_valid() {
    local n=0 f
    for f in "$1"/*.signed.pdf; do
        [ -e "$f" ] || continue
        pdfsig "$f" 2>/dev/null | grep -q "Signature Validation: Signature is Valid." && n=$((n + 1))
    done
    echo "$n"
}
