#!/usr/bin/env bash
# The portal stops in the middle of an upload: neac fails with exit 5 and keeps nothing half-done
# on its side; the same command run again finds the same dossier (idempotency key), uploads only
# the bytes the portal lacks, and submits: one dossier, not two. A connection dropped mid-upload
# is resumed within the same run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/portal_lib.sh"
source "$(dirname "$0")/submit_lib.sh"

d="$tmp/dossier"
make_dossier "$d"
sandbox_profile an
# A 3 MiB scanned form: several upload chunks.
python3 "$make_pdf" "$d/scan.pdf" --pad-bytes 3000000 >/dev/null
expect_exit 0 "$NEAC" sign "$d/to-khai.pdf" "$d/scan.pdf" --profile an --out-dir "$d/signed"
size=$(stat -c %s "$d/signed/scan.signed.pdf")
trust=$(sandbox_trust)
# TP3 and TP4, sent after TP2.
rest=$(($(stat -c %s "$d/giay.pdf") + $(stat -c %s "$d/ghi-chu.docx")))

step "the portal dies after 1,000,000 bytes of TP2"
start_portal --trust "$trust" --chunk-bytes 262144 --fault crash-upload@1000000
write_manifest "$d" signed/to-khai.signed.pdf signed/scan.signed.pdf
export NEAC_HTTP_TIMEOUT=20
expect_exit 5 "$NEAC" submit "$d/dossier.yaml"
assert_file_contains "$ERR" "uploading TP2"
wait_portal_exit 10
assert_eq "$PORTAL_EXIT" 3 "the simulator's crash exit"

step "restart the portal on the same state and URL; run the same command again"
PORTAL_PORT=$PORTAL_PORT_USED start_portal --trust "$trust" --chunk-bytes 262144
expect_exit 0 "$NEAC" --json submit "$d/dossier.yaml"
json_check "$OUT" 'not d["submission"]["created"]' "the dossier of the first run is found again"
first_part=$(stat -c %s "$d/signed/to-khai.signed.pdf")
json_check "$OUT" 'd["submission"]["bytes_resumed"] == '"$((first_part + 1000000))" \
    "TP1 and the first 1,000,000 bytes of TP2 are not sent again"
json_check "$OUT" 'd["submission"]["bytes_sent"] == '"$((size - 1000000 + rest))"
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers on the portal"
assert_eq "$(portal_stat 'd["create_requests"]')" 1 "create requests after the restart"
assert_eq "$(portal_stat 'd["bytes_received"]')" "$((size - 1000000 + rest))" \
    "bytes received after the restart"
code=$(json_get "$OUT" 'd["submission"]["dossier_code"]')
# The portal verified the reassembled file: the signature holds on its copy.
expect_exit 0 "$NEAC" --json history --dossier "$code"
json_check "$OUT" 'all(s["verdict"] == "PASSED" for c in d["dossier"]["components"] for s in c["signatures"]) and sum(len(c["signatures"]) for c in d["dossier"]["components"]) == 2'

step "a dropped connection mid-upload is resumed in the same run"
stop_portal
rm -rf "$PORTAL_DB" "$PORTAL_STORE"
start_portal --trust "$trust" --chunk-bytes 262144 --fault drop-upload@700000
expect_exit 0 "$NEAC" --json submit "$d/dossier.yaml" --portal "$PORTAL_URL"
json_check "$OUT" 'd["submission"]["created"] and d["submission"]["status"] == "submitted"'
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers on the portal"
assert_eq "$(portal_stat 'd["bytes_received"]')" "$((size + first_part + rest))" \
    "bytes received (none twice)"

step "the portal fails at submission: the re-run submits without uploading again"
stop_portal
rm -rf "$PORTAL_DB" "$PORTAL_STORE"
start_portal --trust "$trust" --fault '500@submit*1'
expect_exit 5 "$NEAC" submit "$d/dossier.yaml" --portal "$PORTAL_URL"
assert_file_contains "$ERR" "HTTP 500 while submitting the dossier"
assert_file_contains "$ERR" "run the same command again"
expect_exit 0 "$NEAC" --json submit "$d/dossier.yaml" --portal "$PORTAL_URL"
json_check "$OUT" 'not d["submission"]["created"] and d["submission"]["bytes_sent"] == 0'
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers on the portal"

step "no portal at all: exit 5, and the message says what to do"
stop_portal
expect_exit 5 "$NEAC" submit "$d/dossier.yaml" --portal "$PORTAL_URL"
assert_file_contains "$ERR" "could not be reached"
pass
