#!/usr/bin/env bash
# The whole flow of issue #7, end to end: profile add -> locate -> sign (sandbox, one approval)
# -> verify -> submit to the portal simulator -> history --dossier shows who signed. Then a re-run
# of submit sends nothing and creates no second dossier, and --dry-run sends nothing at all.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/portal_lib.sh"
source "$(dirname "$0")/submit_lib.sh"

d="$tmp/dossier"
make_dossier "$d"

step "profile add, locate the signature block"
expect_exit 0 "$NEAC" profile add an --display-name "NGUYỄN VĂN A" --phone 0912345678 \
    --account 001099012345 --provider sandbox --keyword "Người làm đơn"
expect_exit 0 "$NEAC" --json locate "$d/to-khai.pdf" --keyword "Người làm đơn"
json_check "$OUT" 'len(d["matches"]) == 1 and d["matches"][0]["page"] == 1' "one match on page 1"

step "sign both forms with one approval, verify them"
expect_exit 0 "$NEAC" sign "$d/to-khai.pdf" "$d/don.pdf" --profile an --out-dir "$d/signed"
expect_exit 0 "$NEAC" verify --trust sandbox "$d/signed" --expect-signer 001099012345

start_portal --trust "$(sandbox_trust)"
write_manifest "$d"

step "--dry-run checks everything and sends nothing"
expect_exit 0 "$NEAC" --json submit "$d/dossier.yaml" --dry-run
json_check "$OUT" 'd["dry_run"] and d["check"]["ok"] and len(d["check"]["idempotency_key"]) == 64'
json_check "$OUT" '[c["media_type"] for c in d["request"]["components"]][3].endswith("wordprocessingml.document")' \
    "the docx is recognised by content"
json_check "$OUT" 'd["check"]["components"][0]["signature"]["signers"] == ["NGUYỄN VĂN A (CCCD 001099012345)"]'
assert_eq "$(portal_stat 'sum(d["requests"].values())')" 0 "requests after --dry-run"

step "submit: checks, creates, uploads, submits"
expect_exit 0 "$NEAC" submit "$d/dossier.yaml"
assert_file_contains "$OUT" "PASSED: NGUYỄN VĂN A (CCCD 001099012345)"
assert_file_contains "$OUT" "Submitted: mã hồ sơ H40.22-"
code=$(sed -n "s/^Submitted: mã hồ sơ //p" "$OUT")
[[ "$code" =~ ^H40\.22-[0-9]{6}-[0-9]{4}$ ]] || fail "dossier code '$code' is not H40.22-YYMMDD-NNNN"
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers on the portal"
assert_eq "$(portal_stat 'd["submitted"]')" 1 "submitted dossiers"
# What the portal holds is byte for byte what was signed.
portal_get "/dossiers/$code" >"$tmp/dossier.json"
json_check "$tmp/dossier.json" 'd["status"] == "submitted" and all(c["complete"] for c in d["components"])'
assert_eq "$(file_mode "$NEAC_HOME/dossiers/$code.json")" 600 "mode of the submission record"
assert_file_not_contains "$NEAC_HOME/dossiers/$code.json" "$NEAC_PORTAL_TOKEN"

step "a re-run sends nothing and creates no second dossier"
expect_exit 0 "$NEAC" --json submit "$d/dossier.yaml"
json_check "$OUT" 'd["submission"]["already_submitted"] and d["submission"]["dossier_code"] == "'"$code"'"'
json_check "$OUT" 'd["submission"]["bytes_sent"] == 0'
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers after a re-run"

step "history --dossier shows the officials' view: who signed each component"
expect_exit 0 "$NEAC" history --dossier "$code"
assert_file_contains "$OUT" "NGUYỄN VĂN A"
assert_file_contains "$OUT" "001099012345"
assert_file_contains "$OUT" "TP1"
expect_exit 0 "$NEAC" --json history --dossier "$code"
json_check "$OUT" 'any(s["signer"]["identity"]["number"] == "001099012345" and s["verdict"] == "PASSED" for c in d["dossier"]["components"] if c["code"] == "TP1" for s in c["signatures"])' \
    "TP1 signed by 001099012345, PASSED on the portal"

step "the token comes from the environment or a 0600 file, never the manifest"
(
    unset NEAC_PORTAL_TOKEN
    expect_exit 4 "$NEAC" submit "$d/dossier.yaml"
    assert_file_contains "$ERR" "NEAC_PORTAL_TOKEN"
    printf '%s\n' "$PORTAL_DEFAULT_TOKEN" >"$tmp/token"
    chmod 644 "$tmp/token"
    expect_exit 4 "$NEAC" submit "$d/dossier.yaml" --token-file "$tmp/token"
    assert_file_contains "$ERR" "chmod 600"
    chmod 600 "$tmp/token"
    expect_exit 0 "$NEAC" submit "$d/dossier.yaml" --token-file "$tmp/token"
)
expect_exit 0 "$NEAC" -vvv submit "$d/dossier.yaml"
assert_file_not_contains "$ERR" "$NEAC_PORTAL_TOKEN"
NEAC_PORTAL_TOKEN=wrong-token expect_exit 5 "$NEAC" submit "$d/dossier.yaml"
assert_file_contains "$ERR" "refused the token"
pass
