#!/usr/bin/env bash
# An approval is never lost: neac killed (-9) or interrupted (Ctrl-C) while the phone has not
# answered, or a status call failing, keeps the journal and the prepared files, and
# `neac sign --resume` finishes the batch without a second request to the phone. `--abandon`
# gives a request up and cleans up.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

out="$tmp/out"
mkdir -p "$out"
make_inputs 3

temp_count() { find "$out" -maxdepth 1 -name '*.signed.pdf.*' | wc -l; }
journal() { sqlite3 "$NEAC_HOME/journal.db" "$1"; }

for provider in vnpt-smartca misa-esign; do
    step "$provider: kill -9 while waiting, approve, then --resume"
    start_sim
    add_remote_profile p "$provider"
    rm -f "$out"/*
    "$NEAC" sign $(inputs) --profile p --out-dir "$out" >/dev/null 2>"$tmp/sign.err" &
    pid=$!
    wait_pending 1
    sleep 0.3
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    assert_eq "$(temp_count)" 3 "prepared files kept after kill -9"
    [ -z "$(ls "$out"/*.signed.pdf 2>/dev/null)" ] || fail "an output exists without approval"
    assert_inputs_untouched
    assert_eq "$(journal "SELECT state FROM transactions ORDER BY id DESC LIMIT 1")" pending \
        "journal state after kill -9"
    sim_post /_sim/approve >/dev/null
    expect_exit 0 "$NEAC" sign --resume
    assert_contains "$(cat "$OUT")" "in-3.pdf"
    assert_eq "$(count_signed_valid "$out")" 3 "$provider: resumed outputs valid in pdfsig"
    assert_eq "$(temp_count)" 0 "no temporary file after --resume"
    assert_eq "$(sim_stat 'd["sign_requests"]')" 1 "$provider: sign requests (no second one)"
    assert_eq "$(sim_stat 'd["approvals"]')" 1 "$provider: approvals"
    assert_eq "$(journal "SELECT state FROM transactions ORDER BY id DESC LIMIT 1")" finished
    assert_eq "$(journal "SELECT count(*) FROM files f JOIN transactions t ON t.id = f.txn \
        WHERE t.id = (SELECT max(id) FROM transactions) AND f.outcome = 'signed'")" 3
    assert_inputs_untouched
done

step "csc (asynchronous): Ctrl-C keeps the request open; --resume TXN waits for the phone"
start_sim --csc-async
add_remote_profile p csc
rm -f "$out"/*
"$NEAC" sign $(inputs) --profile p --out-dir "$out" >/dev/null 2>"$tmp/sign.err" &
pid=$!
wait_pending 1
sleep 0.3
kill -INT "$pid"
set +e
wait "$pid"
code=$?
set -e
assert_eq "$code" 130 "exit code after Ctrl-C"
assert_file_contains "$tmp/sign.err" "interrupted while waiting for approval"
assert_file_contains "$tmp/sign.err" "is still open"
assert_file_contains "$tmp/sign.err" "neac sign --resume csc-h-"
txn=$(grep -o 'neac sign --resume csc-h-[0-9a-f]*' "$tmp/sign.err" | head -1 | awk '{print $4}')
assert_eq "$(temp_count)" 3 "prepared files kept after Ctrl-C"
assert_inputs_untouched
# --resume before the approval waits, and finishes once the phone says yes.
"$NEAC" sign --resume "$txn" >"$tmp/resume.out" 2>"$tmp/resume.err" &
rpid=$!
sleep 1.5
kill -0 "$rpid" 2>/dev/null || fail "--resume did not wait for the approval: $(cat "$tmp/resume.err")"
sim_post /_sim/approve >/dev/null
wait "$rpid" || fail "--resume failed: $(cat "$tmp/resume.err")"
assert_eq "$(count_signed_valid "$out")" 3 "outputs valid after --resume"
assert_eq "$(sim_stat 'd["requests"]["csc.authorize"]')" 1 "one authorisation"
assert_eq "$(sim_stat 'd["requests"]["csc.signHash"]')" 1 "one signHash"
assert_eq "$(sim_stat 'd["approvals"]')" 1 "one approval"
assert_eq "$(temp_count)" 0 "no temporary file after --resume"

step "nothing left to resume"
expect_exit 0 "$NEAC" sign --resume
assert_contains "$(cat "$ERR")" "nothing to resume"
expect_exit 2 "$NEAC" sign --resume "$txn"
assert_contains "$(cat "$ERR")" "already finished"

step "a status call that keeps failing keeps the request for --resume"
start_sim --fault 'malformed@status'
add_remote_profile p viettel-mysign
rm -f "$out"/*
expect_exit 5 "$NEAC" sign $(inputs) --profile p --out-dir "$out"
assert_contains "$(cat "$ERR")" "malformed JSON"
assert_contains "$(cat "$ERR")" "is still open"
assert_eq "$(temp_count)" 3 "prepared files kept after the failure"
sim_post /_sim/clear-faults >/dev/null
sim_post /_sim/approve >/dev/null
expect_exit 0 "$NEAC" sign --resume
assert_eq "$(count_signed_valid "$out")" 3 "outputs valid after --resume"
assert_eq "$(sim_stat 'd["sign_requests"]')" 1 "no second sign request"

step "--abandon gives the request up"
start_sim
add_remote_profile p vnpt-smartca
rm -f "$out"/*
"$NEAC" sign $(inputs) --profile p --out-dir "$out" >/dev/null 2>&1 &
pid=$!
wait_pending 1
sleep 0.3
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
txn=$(journal "SELECT txn_id FROM transactions ORDER BY id DESC LIMIT 1")
expect_exit 2 "$NEAC" sign --abandon
expect_exit 0 "$NEAC" sign --abandon "${txn:0:14}"
assert_contains "$(cat "$OUT")" "abandoned 1 transaction(s)"
assert_no_outputs "$out"
assert_inputs_untouched
sim_post /_sim/approve >/dev/null
expect_exit 0 "$NEAC" sign --resume
assert_contains "$(cat "$ERR")" "nothing to resume"
assert_no_outputs "$out"
assert_eq "$(journal "SELECT state FROM transactions WHERE txn_id = '$txn'")" abandoned

step "a rejection found by --resume removes the prepared files (exit 6)"
start_sim
add_remote_profile p vnpt-smartca
"$NEAC" sign $(inputs) --profile p --out-dir "$out" >/dev/null 2>&1 &
pid=$!
wait_pending 1
sleep 0.3
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
sim_post /_sim/reject >/dev/null
expect_exit 6 "$NEAC" sign --resume
assert_contains "$(cat "$ERR")" "the signer rejected the request"
assert_no_outputs "$out"
assert_inputs_untouched

pass
