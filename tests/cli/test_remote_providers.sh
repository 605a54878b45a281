#!/usr/bin/env bash
# Every remote adapter end to end against the provider simulator: one approval signs the whole
# batch (valid in pdfsig), a rejection or an expiry exits 6 with every original untouched and
# nothing written, `profile check --online` lists the account's certificates, and no credential
# or token ever reaches the logs, even at -vvv.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

out="$tmp/out"
mkdir -p "$out"
make_inputs 3

for provider in vnpt-smartca viettel-mysign misa-esign csc; do
    step "$provider: approve"
    start_sim
    add_remote_profile p "$provider"
    rm -f "$out"/*
    "$NEAC" sign $(inputs) --profile p --out-dir "$out" >"$tmp/sign.out" 2>"$tmp/sign.err" &
    pid=$!
    wait_pending 1
    # The wait is visible: provider, transaction, what to do on the phone.
    for i in $(seq 50); do grep -q "Mở ứng dụng" "$tmp/sign.err" && break; sleep 0.1; done
    assert_file_contains "$tmp/sign.err" "waiting for approval on the phone: $provider, transaction"
    assert_file_contains "$tmp/sign.err" "3 document(s)"
    assert_file_contains "$tmp/sign.err" "Mở ứng dụng ký số trên điện thoại để xác nhận"
    [ -z "$(ls "$out"/*.signed.pdf 2>/dev/null)" ] || fail "an output exists before the approval"
    sim_post /_sim/approve >/dev/null
    wait "$pid" || fail "$provider: neac sign failed: $(cat "$tmp/sign.err")"
    assert_eq "$(count_signed_valid "$out")" 3 "$provider: outputs valid in pdfsig"
    assert_eq "$(sim_stat 'd["sign_requests"]')" 1 "$provider: sign requests"
    assert_eq "$(sim_stat 'd["approvals"]')" 1 "$provider: approvals"
    assert_inputs_untouched
    for f in "$out"/*.signed.pdf; do
        pdfsig "$f" | grep -q "UID=CCCD:001099012345" || fail "$f: not signed by the profile's CCCD"
        qpdf --check "$f" >/dev/null || fail "$f: qpdf --check failed"
    done

    step "$provider: reject"
    rm -f "$out"/*
    "$NEAC" sign $(inputs) --profile p --out-dir "$out" >"$tmp/sign.out" 2>"$tmp/sign.err" &
    pid=$!
    wait_pending 1
    sim_post /_sim/reject >/dev/null
    set +e
    wait "$pid"
    code=$?
    set -e
    assert_eq "$code" 6 "$provider: exit code after a rejection"
    assert_file_contains "$tmp/sign.err" "the signer rejected the request"
    assert_file_contains "$tmp/sign.err" "no file was changed"
    assert_no_outputs "$out"
    assert_inputs_untouched

    step "$provider: expire"
    start_sim --auto expire --after 300
    add_remote_profile p "$provider"
    expect_exit 6 "$NEAC" sign $(inputs) --profile p --out-dir "$out"
    assert_contains "$(cat "$ERR")" "the request expired before it was approved"
    assert_no_outputs "$out"
    assert_inputs_untouched
    assert_eq "$(sim_stat 'd["expirations"]')" 1 "$provider: expirations"

    step "$provider: the journal says what happened"
    n=$(sqlite3 "$NEAC_HOME/journal.db" "SELECT group_concat(state, ',') FROM (SELECT state \
        FROM transactions WHERE provider = '$provider' ORDER BY id)")
    assert_eq "$n" "finished,rejected,expired" "$provider: journal states"

    step "$provider: profile check --online"
    start_sim
    add_remote_profile p "$provider"
    expect_exit 0 "$NEAC" profile check p --online
    assert_contains "$(cat "$OUT")" "$provider answered: 1 certificate(s) for account 0010******45"
    assert_contains "$(cat "$OUT")" "NGUYỄN VĂN A (CCCD 0010******45)"
    assert_contains "$(cat "$OUT")" "signing uses serial"
    expect_exit 0 "$NEAC" --json profile check p --online
    json_check "$OUT" 'any(c["id"] == "signatures[1].certificate" for c in d["checks"])'

    step "$provider: no secret in the logs at -vvv"
    start_sim --auto approve
    add_remote_profile p "$provider"
    rm -f "$out"/*
    expect_exit 0 "$NEAC" -vvv sign "$tmp/in/in-1.pdf" --profile p --out-dir "$out"
    assert_contains "$(cat "$ERR")" "trace: HTTP POST" "-vvv output"
    for s in "${SECRET_VALUES[@]}"; do
        assert_file_not_contains "$ERR" "$s"
    done
    for s in $(sim_stat '" ".join(d["secrets"])'); do
        assert_file_not_contains "$ERR" "$s"
    done
    assert_file_not_contains "$NEAC_HOME/journal.db" "$T_SP_PW"
    assert_file_not_contains "$NEAC_HOME/journal.db" "$T_CLIENT_SECRET"
    assert_file_not_contains "$NEAC_HOME/journal.db" "$T_MISA_PW"
    assert_file_not_contains "$NEAC_HOME/journal.db" "$T_CSC_TOKEN"
done

step "vnpt-smartca: SMARTCA and ESEAL for one CCCD"
start_sim --auto approve --vnpt-eseal
add_remote_profile several vnpt-smartca
rm -f "$out"/*
expect_exit 4 "$NEAC" sign "$tmp/in/in-1.pdf" --profile several --out-dir "$out"
assert_contains "$(cat "$ERR")" "2 usable certificates"
assert_contains "$(cat "$ERR")" "service-type"
assert_eq "$(sim_stat 'd["sign_requests"]')" 0 "no request before a certificate is chosen"
add_remote_profile eseal vnpt-smartca --service-type ESEAL
rm -f "$out"/*
expect_exit 0 "$NEAC" --json sign "$tmp/in/in-1.pdf" --profile eseal --out-dir "$out"
p256_serial=$(openssl x509 -in "$PKI/signer-p256.pem" -noout -serial | cut -d= -f2)
json_check "$OUT" "d['signer']['serial'].lstrip('0') == '$p256_serial'.lstrip('0')" "ESEAL chosen"
assert_eq "$(count_signed_valid "$out")" 1 "ESEAL signature valid"

step "misa-esign: two-factor login"
start_sim --auto approve --misa-otp 482913
add_remote_profile otp misa-esign
rm -f "$out"/*
expect_exit 2 "$NEAC" sign "$tmp/in/in-1.pdf" --profile otp --out-dir "$out" </dev/null
assert_contains "$(cat "$ERR")" "--otp"
expect_exit 5 "$NEAC" sign "$tmp/in/in-1.pdf" --profile otp --out-dir "$out" --otp 000000
assert_contains "$(cat "$ERR")" "two-factor"
rm -f "$out"/*
expect_exit 0 "$NEAC" sign "$tmp/in/in-1.pdf" --profile otp --out-dir "$out" --otp 482913
assert_eq "$(count_signed_valid "$out")" 1 "signed after the two-factor login"

step "HTTPS with a private CA: refused without --ca-bundle, accepted with it"
start_sim --auto approve --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"
add_remote_profile tls csc
rm -f "$out"/*
expect_exit 5 "$NEAC" sign "$tmp/in/in-1.pdf" --profile tls --out-dir "$out"
assert_contains "$(cat "$ERR")" "ca-bundle"
expect_exit 0 "$NEAC" sign "$tmp/in/in-1.pdf" --profile tls --out-dir "$out" \
    --ca-bundle "$PKI/chain.pem"
add_remote_profile tls2 csc --ca-bundle "$PKI/chain.pem"
rm -f "$out"/*
expect_exit 0 "$NEAC" sign "$tmp/in/in-1.pdf" --profile tls2 --out-dir "$out"
assert_eq "$(count_signed_valid "$out")" 1 "signed over HTTPS"

pass
