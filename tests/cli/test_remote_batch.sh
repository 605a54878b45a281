#!/usr/bin/env bash
# One approval per batch: 200 files go to the phone in one request (the simulator counts one
# approval) and every output is valid in pdfsig; a batch larger than the provider's cap (CSC
# multisign) is split into ceil(N / cap) requests, no more.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/remote_lib.sh"

out="$tmp/out"
mkdir -p "$out"

step "200 files, one request, one approval (VNPT SmartCA)"
make_inputs 200
start_sim
add_remote_profile p vnpt-smartca
"$NEAC" sign $(inputs) --profile p --out-dir "$out" >"$tmp/sign.out" 2>"$tmp/sign.err" &
pid=$!
wait_pending 1
for i in $(seq 50); do grep -q "Mở ứng dụng" "$tmp/sign.err" && break; sleep 0.1; done
assert_file_contains "$tmp/sign.err" "200 document(s)"
assert_eq "$(sim_stat 'd["transactions"][0]["documents"]')" 200 "documents in the one request"
sim_post /_sim/approve >/dev/null
wait "$pid" || fail "neac sign failed: $(cat "$tmp/sign.err")"
assert_eq "$(sim_stat 'd["approvals"]')" 1 "approvals on the phone"
assert_eq "$(sim_stat 'd["sign_requests"]')" 1 "sign requests"
assert_eq "$(ls "$out"/*.signed.pdf | wc -l)" 200 "outputs"
assert_eq "$(count_signed_valid "$out")" 200 "outputs valid in pdfsig"
assert_inputs_untouched
assert_eq "$(sqlite3 "$NEAC_HOME/journal.db" "SELECT count(*) FROM files WHERE outcome = 'signed'")" \
    200 "files journaled as signed"
# The journal knows each input by its content.
sum=$(sha256sum "$tmp/in/in-17.pdf" | cut -d' ' -f1)
assert_eq "$(sqlite3 "$NEAC_HOME/journal.db" "SELECT input FROM files WHERE input_sha256 = '$sum'")" \
    "$tmp/in/in-17.pdf" "input found by its SHA-256"

step "25 files with multisign 10: three requests, three approvals (CSC)"
make_inputs 25
rm -f "$out"/*
start_sim --auto approve --multisign 10
add_remote_profile p csc
expect_exit 0 "$NEAC" --json sign $(inputs) --profile p --out-dir "$out"
json_check "$OUT" 'len(d["transactions"]) == 3' "three transactions in the result"
json_check "$OUT" 'd["signed"] == 25'
assert_eq "$(sim_stat 'd["sign_requests"]')" 3 "ceil(25 / 10) sign requests"
assert_eq "$(sim_stat 'd["approvals"]')" 3 "approvals"
assert_eq "$(sim_stat '[t["documents"] for t in d["transactions"]]')" "[10, 10, 5]" "batch sizes"
assert_eq "$(count_signed_valid "$out")" 25 "outputs valid in pdfsig"

step "a later batch rejected after an earlier one was signed: partial (exit 7)"
rm -f "$out"/*
start_sim --multisign 10
add_remote_profile p csc
"$NEAC" --json sign $(inputs) --profile p --out-dir "$out" >"$tmp/sign.out" 2>"$tmp/sign.err" &
pid=$!
wait_pending 1
sim_post /_sim/approve >/dev/null
for i in $(seq 100); do
    [ "$(sim_stat 'len(d["transactions"])')" -ge 2 ] && [ "$(sim_stat 'len(d["pending"])')" -ge 1 ] && break
    sleep 0.1
done
sim_post /_sim/reject >/dev/null
set +e
wait "$pid"
code=$?
set -e
assert_eq "$code" 7 "exit code of a partial batch"
json_check "$tmp/sign.out" 'd["signed"] == 10 and d["failed"] == 15'
json_check "$tmp/sign.out" 'all("rejected" in f["error"] for f in d["files"] if not f["ok"])'
assert_eq "$(count_signed_valid "$out")" 10 "the approved batch is signed"
assert_eq "$(find "$out" -name '*.pdf.*' | wc -l)" 0 "no temporary file left"
assert_eq "$(sim_stat 'd["sign_requests"]')" 2 "the third batch was not sent"

pass
