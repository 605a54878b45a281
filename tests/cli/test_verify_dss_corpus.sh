#!/usr/bin/env bash
# neac verify over the EU DSS corpus (signed PDFs from real signers and DSS's own tests): every
# file gets the verdict its MANIFEST.tsv records. INTACT files verify (exit 0, or 3 because no
# trust anchor is given and their certificates expired long ago); TAMPERED and BROKEN files fail
# (exit 1), each for the reason DSS names.
#
# The POLICY-DEPENDENT rows are decided as the manifest's `expected` column says, on purpose:
# - pdf-double-signer-info.pdf: several SignerInfos are accepted when every one verifies (warning).
# - pades-signed-filled-form.pdf: form filling after an approval signature is permitted by
#   ISO 32000 and reported as a warning (--forbid forms makes it fail).
# - DSS-2821.pdf: a new signature field and its structure-tree bookkeeping after a document
#   timestamp are the ordinary changes of the next signer.
# - Signature-P-HU_NET-2.pdf: a signature-algorithm OID where the digest algorithm belongs is not
#   read leniently as SHA-256: FAILED/FORMAT_FAILURE.
# - the two dss-818 files: signed attributes that are not DER-encoded (RFC 5652 §5.4) are FAILED,
#   even though the signature verifies over the bytes as stored.
source "$(dirname "$0")/lib.sh"

corpus="${NEAC_CORPUS_DIR:-}/dss"
[ -f "$corpus/MANIFEST.tsv" ] || skip "no DSS corpus at $corpus"

step "one call over the whole folder: every file reported, no crash"
run "$NEAC" --json verify "$corpus" -j 2
assert_eq "$status" 1 "exit of the whole-folder run"
count=$(find "$corpus" -name '*.pdf' | wc -l)
json_check "$OUT" "d[\"summary\"][\"files\"] == $count"
json_check "$OUT" 'all(f["status"] == "checked" for f in d["files"])' "no file is bad input"

right=0
total=0
while IFS=$'\t' read -r file expected sigs _source _evidence _note; do
    [ "$file" = file ] && continue
    total=$((total + 1))
    run "$NEAC" --json verify "$corpus/$file"
    case "$expected" in
    INTACT) [ "$status" = 0 ] || [ "$status" = 3 ] ||
        fail "$file is INTACT: expected exit 0 or 3, got $status" ;;
    TAMPERED | BROKEN) [ "$status" = 1 ] || fail "$file is $expected: expected exit 1, got $status" ;;
    *) fail "$file: unknown expected verdict $expected" ;;
    esac
    n=$(json_get "$OUT" 'len(d["files"][0]["signatures"])')
    assert_eq "$n" "$sigs" "$file: signatures and document timestamps found"
    right=$((right + 1))
done <"$corpus/MANIFEST.tsv"
step "$right of $total files judged as MANIFEST.tsv says"

# What makes the verdicts: the reasons DSS's own tests give.
verdict_of() { # FILE INDEX -> "INDICATION/SUB"
    run "$NEAC" --json verify "$corpus/$1"
    json_get "$OUT" "(lambda s: s['indication'] + '/' + s['sub_indication'])(d['files'][0]['signatures'][$2])"
}
step "broken CMS: each defect named with its sub-indication"
assert_eq "$(verdict_of Signature-P-HU_NET-2.pdf 0)" FAILED/FORMAT_FAILURE "digest OID"
assert_contains "$(cat "$OUT")" "not a digest algorithm"
assert_eq "$(verdict_of 'Signature-P-DE_CRY-2 (HASH_FAILURE).pdf' 0)" FAILED/SIG_CRYPTO_FAILURE \
    "non-DER signed attributes"
assert_contains "$(cat "$OUT")" "DER"
assert_eq "$(verdict_of 'Signature-P-IT_ADO-1 (HASH_FAILURE) (ECDSA).pdf' 0)" \
    FAILED/SIG_CRYPTO_FAILURE "non-DER signed attributes (ECDSA)"
assert_eq "$(verdict_of pades-bes-no-certificates.pdf 0)" FAILED/NO_SIGNING_CERTIFICATE_FOUND \
    "no signer certificate"
assert_eq "$(verdict_of pades-unsupported-signature-algorithm.pdf 0)" FAILED/FORMAT_FAILURE \
    "curve OID as signature algorithm"
assert_contains "$(cat "$OUT")" "signature algorithm"
assert_eq "$(verdict_of PAdES-BpB-att-SHA256-SHA3_256withRSA.pdf 0)" FAILED/FORMAT_FAILURE \
    "declared SHA3-256, signed SHA-256"
assert_eq "$(verdict_of pades-enveloping-empty-bytes-cms.pdf 0)" FAILED/FORMAT_FAILURE \
    "encapsulated empty content"
assert_eq "$(verdict_of pdf-with-empty-sig.pdf 0)" FAILED/FORMAT_FAILURE "empty placeholder"
assert_eq "$(verdict_of pades-lta-copied-doctst.pdf 1)" FAILED/HASH_FAILURE "copied doc-TS"

step "document timestamps and no signature: INDETERMINATE (exit 3), accepted with --min-signatures 0"
run "$NEAC" --json verify "$corpus/timestamped-fields.pdf"
assert_eq "$status" 3 "timestamps only"
json_check "$OUT" 'any("document timestamps but no signature" in w for w in d["files"][0]["warnings"])'
expect_exit 3 "$NEAC" verify "$corpus/timestamped-fields.pdf" --min-signatures 0

step "harmless damage is a finding, not a verdict"
run "$NEAC" --json verify "$corpus/encrypted.pdf"
assert_eq "$status" 3 "RC4 file with an empty user password"
json_check "$OUT" 'd["files"][0]["signatures"][0]["intact"] and d["files"][0]["signatures"][0]["valid"]'
json_check "$OUT" 'any("encrypted" in w for w in d["files"][0]["warnings"])'

step "ordinary updates of later signers are allowed and named by their rule"
run "$NEAC" --json verify "$corpus/pdf-structtreeroot-changes.pdf"
assert_eq "$status" 3 "StructTreeRoot rewritten by the second signer"
json_check "$OUT" 'any(c["rule"] == "struct-tree-updated" for c in d["files"][0]["signatures"][0]["changes"])'
run "$NEAC" --json verify "$corpus/DSS1376-rev_n-1.pdf"
assert_eq "$status" 3 "form filling under DocMDP P=2"
json_check "$OUT" 'any(c["rule"] == "form-filled" and c["allowed"] for c in d["files"][0]["signatures"][0]["changes"])'
run "$NEAC" --json verify "$corpus/pades-signed-filled-form.pdf" --forbid forms
assert_eq "$status" 1 "--forbid forms"
pass
