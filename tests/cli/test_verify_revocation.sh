#!/usr/bin/env bash
# neac verify and the outside world: revocation through `openssl ocsp` running as a responder on
# loopback (the test PKI's revoked signer must FAIL), and RFC 3161 signature timestamps from the
# TSA simulator (time of the token, TSA chain, --require-timestamp).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

use_pki
root="$pki/root-ca.pem"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# openssl ocsp serves one connection at a time and would wait on a probe: watch its log instead.
wait_log() {
    for _ in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "the responder did not start: $(cat "$1")"
}

pkcs12_profile good signer-rsa
expect_exit 0 "$NEAC" profile add revoked --display-name "LÊ VĂN CƯỜNG" --phone 0912345670 \
    --account 123456789 --provider pkcs12 --pkcs12 "$pki/signer-revoked.p12" \
    --password-env P12_PASSWORD
python3 "$make_pdf" "$tmp/in.pdf"
expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile good -o "$tmp/good.pdf"
expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile revoked -o "$tmp/revoked.pdf"

step "offline: the revocation status is unknown (a warning), --revocation require makes it TRY_LATER"
expect_exit 0 "$NEAC" --json verify "$tmp/revoked.pdf" --trust "$root"
s='d["files"][0]["signatures"][0]'
json_check "$OUT" "$s[\"revocation\"] == \"unknown\""
json_check "$OUT" "any(\"revocation status\" in w for w in $s[\"warnings\"])"
expect_exit 3 "$NEAC" --json verify "$tmp/good.pdf" --trust "$root" --revocation require
json_check "$OUT" "$s[\"sub_indication\"] == \"TRY_LATER\""
expect_exit 0 "$NEAC" --json verify "$tmp/good.pdf" --trust "$root" --revocation none
json_check "$OUT" "$s[\"revocation\"] == \"not_checked\""

step "openssl ocsp on loopback: revoked signer FAILS with REVOKED, good signer passes"
port=$(free_port)
openssl ocsp -index "$pki/ca/index.txt" -port "$port" -rsigner "$pki/ocsp.pem" \
    -rkey "$pki/ocsp.key" -CA "$pki/intermediate-ca.pem" -nmin 5 >"$tmp/ocsp.log" 2>&1 &
ocsp_pid=$!
trap 'kill $ocsp_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_log "$tmp/ocsp.log" "waiting for OCSP client connections"
url="http://127.0.0.1:$port/"
expect_exit 1 "$NEAC" --json verify "$tmp/revoked.pdf" --trust "$root" --online --ocsp-url "$url"
json_check "$OUT" "$s[\"indication\"] == \"FAILED\" and $s[\"sub_indication\"] == \"REVOKED\""
json_check "$OUT" "$s[\"revocation\"] == \"revoked\" and \"OCSP (online)\" in $s[\"revocation_source\"]"
json_check "$OUT" "any(\"revoked\" in e and \"keyCompromise\" in e for e in $s[\"errors\"])"
run "$NEAC" verify "$tmp/revoked.pdf" --trust "$root" --online --ocsp-url "$url"
assert_contains "$(cat "$OUT")" "FAILED/REVOKED"
expect_exit 0 "$NEAC" --json verify "$tmp/good.pdf" --trust "$root" --online --ocsp-url "$url" \
    --revocation require
json_check "$OUT" "$s[\"revocation\"] == \"good\" and $s[\"indication\"] == \"PASSED\""
step "an unreachable responder leaves the status unknown: INDETERMINATE under --revocation require"
expect_exit 3 "$NEAC" --json verify "$tmp/good.pdf" --trust "$root" --trust sandbox --online \
    --ocsp-url "http://127.0.0.1:$(free_port)/" --revocation require
json_check "$OUT" "$s[\"revocation\"] == \"unknown\""
kill $ocsp_pid 2>/dev/null || true

step "signature timestamp from the TSA simulator: the token's time is the signing time"
tsa_sim="$NEAC_BUILD_DIR/tests/tsa_sim"
[ -x "$tsa_sim" ] || tsa_sim="$NEAC_BUILD_DIR/tsa_sim"
if [ -x "$tsa_sim" ]; then
    "$tsa_sim" --port 0 --cert "$pki/tsa.pem" --key "$pki/tsa.key" --chain "$pki/chain.pem" \
        >"$tmp/tsa.out" 2>"$tmp/tsa.err" &
    tsa_pid=$!
    trap 'kill $tsa_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
    for _ in $(seq 1 100); do grep -q listening "$tmp/tsa.out" && break; sleep 0.1; done
    tsa_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/tsa.out")
    [ -n "$tsa_url" ] || fail "the TSA simulator did not start: $(cat "$tmp/tsa.err")"
    expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile good --tsa "$tsa_url" -o "$tmp/ts.pdf"
    expect_exit 0 "$NEAC" --json verify "$tmp/ts.pdf" --trust "$root" --require-timestamp
    json_check "$OUT" "$s[\"timestamps\"][0][\"kind\"] == \"signature\""
    json_check "$OUT" "$s[\"timestamps\"][0][\"valid\"] and $s[\"timestamps\"][0][\"trusted\"]"
    json_check "$OUT" "$s[\"timestamp_time\"] != \"\" and $s[\"validation_time\"] == $s[\"timestamp_time\"]"
    json_check "$OUT" "\"neac Test TSA\" in $s[\"timestamps\"][0][\"tsa\"]"
    step "a TSA outside the anchors gives no proven time: --require-timestamp fails"
    sandbox_profile an
    expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile an --tsa "$tsa_url" -o "$tmp/ts2.pdf"
    expect_exit 0 "$NEAC" --json verify "$tmp/ts2.pdf" --trust sandbox
    json_check "$OUT" "not $s[\"timestamps\"][0][\"trusted\"] and $s[\"timestamp_time\"] == \"\""
    expect_exit 1 "$NEAC" --json verify "$tmp/ts2.pdf" --trust sandbox --require-timestamp
    json_check "$OUT" "$s[\"sub_indication\"] == \"SIG_CONSTRAINTS_FAILURE\""
    kill $tsa_pid 2>/dev/null || true
fi
pass
