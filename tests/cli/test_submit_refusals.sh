#!/usr/bin/env bash
# neac submit checks first and sends second: an unsigned required component, a tampered one, one
# signed by someone other than the applicant, a manifest path escaping its folder, a file that is
# not a PDF/DOC/DOCX whatever its name, one over the size limit and a token in the manifest are
# each refused with the component named and the documented exit code, and the portal receives
# not a single request.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/portal_lib.sh"
source "$(dirname "$0")/submit_lib.sh"

d="$tmp/dossier"
make_dossier "$d"
sandbox_profile an
expect_exit 0 "$NEAC" profile add binh --display-name "TRẦN THỊ BÌNH" --phone 0987654321 \
    --account 079188004321 --provider sandbox
expect_exit 0 "$NEAC" sign "$d/to-khai.pdf" "$d/don.pdf" --profile an --out-dir "$d/signed"
expect_exit 0 "$NEAC" sign "$d/don.pdf" --profile binh -o "$d/signed/don-binh.pdf"
python3 "$NEAC_SOURCE_DIR/tests/support/tamper.py" replace-content "$d/signed/don.signed.pdf" \
    "$d/signed/don-tampered.pdf" || fail "tamper.py failed"
start_portal --trust "$(sandbox_trust)"

nothing_sent() {
    assert_eq "$(portal_stat 'sum(d["requests"].values())')" 0 "requests the portal received"
}

# refused EXIT COMPONENT TEXT: submit the manifest, expect EXIT and an error naming it.
refused() {
    local code=$1 component=$2 text=$3
    expect_exit "$code" "$NEAC" submit "$d/dossier.yaml"
    assert_file_contains "$ERR" "$component"
    assert_file_contains "$ERR" "$text"
    assert_file_contains "$ERR" "nothing was sent"
    expect_exit "$code" "$NEAC" --json submit "$d/dossier.yaml"
    json_check "$OUT" 'not d["check"]["ok"]' "the --json check document says not ok"
    json_check "$ERR" 'd["exit_code"] == '"$code"
    nothing_sent
}

step "a required component that is not signed: exit 1"
write_manifest "$d" to-khai.pdf
refused 1 "component TP1 (to-khai.pdf)" "not signed"

step "a tampered component: exit 1"
write_manifest "$d" signed/to-khai.signed.pdf signed/don-tampered.pdf
refused 1 "component TP2 (signed/don-tampered.pdf)" "does not pass verification"

step "signed by someone other than the applicant: exit 1"
write_manifest "$d" signed/to-khai.signed.pdf signed/don-binh.pdf
refused 1 "component TP2 (signed/don-binh.pdf)" "001099012345"

step "no trust anchor for the signer's CA: not established, exit 1"
write_manifest "$d" signed/to-khai.signed.pdf signed/don.signed.pdf
sed -i '/^policy:/,$d' "$d/dossier.yaml"
refused 1 "component TP1" "cannot be established (INDETERMINATE)"

step "a path that leaves the manifest's folder: exit 4, at its line"
cp "$d/signed/don.signed.pdf" "$tmp/outside.pdf"
write_manifest "$d" signed/to-khai.signed.pdf ../outside.pdf
expect_exit 4 "$NEAC" submit "$d/dossier.yaml"
assert_file_contains "$ERR" "dossier.yaml:22:11:"
assert_file_contains "$ERR" "leaves the manifest's folder"
nothing_sent

step "a PNG named .pdf: exit 4"
python3 "$NEAC_SOURCE_DIR/tests/support/make_png.py" "$d/anh.pdf"
write_manifest "$d" signed/to-khai.signed.pdf signed/don.signed.pdf
sed -i 's|file: giay.pdf|file: anh.pdf|' "$d/dossier.yaml"
refused 4 "component TP3 (anh.pdf)" "PNG image"

step "a component over the size limit: exit 4"
write_manifest "$d" signed/to-khai.signed.pdf signed/don.signed.pdf
sed -i 's|^  url: .*|&\n  max-file-size: 20KB|' "$d/dossier.yaml"
refused 4 "component TP1" "over the portal's limit"

step "a token in the manifest: exit 4, and the token is not echoed"
write_manifest "$d" signed/to-khai.signed.pdf signed/don.signed.pdf
sed -i 's|^  url: .*|&\n  token: eyJhbGciOiJIUzI1NiJ9.c2VjcmV0|' "$d/dossier.yaml"
expect_exit 4 "$NEAC" submit "$d/dossier.yaml"
assert_file_contains "$ERR" "portal.token"
assert_file_not_contains "$ERR" "eyJhbGciOiJIUzI1NiJ9"
nothing_sent

step "a required signature on a DOCX: exit 4 (neac verifies PDF signatures only)"
write_manifest "$d" signed/to-khai.signed.pdf ghi-chu.docx
refused 4 "component TP2 (ghi-chu.docx)" "PDF files only"

step "and the good dossier goes through"
write_manifest "$d" signed/to-khai.signed.pdf signed/don.signed.pdf
expect_exit 0 "$NEAC" submit "$d/dossier.yaml"
assert_eq "$(portal_stat 'd["dossiers"]')" 1 "dossiers on the portal"
pass
