#!/usr/bin/env bash
# neac verify over the pyHanko corpus: every signed file judged as its name and content say,
# every unsigned, broken, hybrid or encrypted file handled without a crash and with the right
# exit code. Damage QPDF can read past (broken object streams, a wrong /Size, an off-by-one
# startxref) is a warning, so such unsigned files fail for being unsigned (exit 1); files that
# need a password, or of which no revision can be read, are bad input (exit 4). Each file is validated at a time when its signer certificate was valid (the corpus
# certificates have expired since), against the corpus's RSA root; signatures from the corpus's
# other (ECDSA/EdDSA) roots, whose root certificates are not in the corpus, stay indeterminate.
source "$(dirname "$0")/lib.sh"

corpus="${NEAC_CORPUS_DIR:-}/pyhanko"
[ -d "$corpus/pdf" ] || skip "no corpus at $corpus"
root="$corpus/testing-ca/root/root.cert.pem"

# file | validation time | exit code | indication of each signature, in file order
expected=$(cat <<'TABLE'
broken-objstream1.pdf|2020-11-03T00:00:00Z|1|
broken-objstream2.pdf|2020-11-03T00:00:00Z|1|
broken-objstream3.pdf|2020-11-03T00:00:00Z|1|
broken-objstream4.pdf|2020-11-03T00:00:00Z|1|
broken-objstream5.pdf|2020-11-03T00:00:00Z|1|
broken-objstream6.pdf|2020-11-03T00:00:00Z|1|
circular-page-tree.pdf|2020-11-03T00:00:00Z|4|
coverage-anomalies/base.pdf|2020-11-03T00:00:00Z|1|FAILED/FORMAT_FAILURE
ed448-disallowed-hash.pdf|2020-11-03T00:00:00Z|1|FAILED/FORMAT_FAILURE
ed448-shake256-nolen.pdf|2020-11-03T00:00:00Z|3|INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
embedded-encrypted-nocf.pdf|2020-11-03T00:00:00Z|4|
empty-a4.pdf|2020-11-03T00:00:00Z|1|
extensions-direct.pdf|2021-06-01T00:00:00Z|3|PASSED INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
extensions-indirect-not-all-paths.pdf|2021-06-01T00:00:00Z|1|FAILED/FORMAT_FAILURE INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
extensions-indirect.pdf|2021-06-01T00:00:00Z|3|PASSED INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
extensions-update-direct.pdf|2021-06-01T00:00:00Z|3|PASSED INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
extensions-update-indirect.pdf|2021-06-01T00:00:00Z|3|PASSED INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
fontembed.pdf|2020-11-03T00:00:00Z|1|
form-tree-circular-ref-input.pdf|2020-11-03T00:00:00Z|1|
form-update-no-override-appearance-stream-ap-indirect.pdf|2021-06-01T00:00:00Z|0|PASSED PASSED
form-update-original-ap-type-wrong.pdf|2021-06-01T00:00:00Z|0|PASSED PASSED
form-update-override-appearance-stream-ap-indirect.pdf|2021-06-01T00:00:00Z|0|PASSED PASSED
info-bin-producer-string.pdf|2020-11-03T00:00:00Z|1|
layout-tests/arabic-box.pdf|2020-11-03T00:00:00Z|1|
layout-tests/bitmap-bg.pdf|2020-11-03T00:00:00Z|1|
layout-tests/code128-test.pdf|2020-11-03T00:00:00Z|1|
layout-tests/default-font.pdf|2020-11-03T00:00:00Z|1|
layout-tests/double-newline.pdf|2020-11-03T00:00:00Z|1|
layout-tests/fancy-qr-stamp-test.pdf|2020-11-03T00:00:00Z|1|
layout-tests/form-fill-result.pdf|2020-11-03T00:00:00Z|1|
layout-tests/four-stamps-fixed.pdf|2020-11-03T00:00:00Z|1|
layout-tests/four-stamps-natural.pdf|2020-11-03T00:00:00Z|1|
layout-tests/ja-vert-stamps.pdf|2020-11-03T00:00:00Z|1|
layout-tests/leaky-graphics-state-stamp-no-corr-result.pdf|2020-11-03T00:00:00Z|1|
layout-tests/leaky-graphics-state-stamp-result.pdf|2020-11-03T00:00:00Z|1|
layout-tests/multiline-textbox-nondefault-fs.pdf|2020-11-03T00:00:00Z|1|
layout-tests/scaled-bitmap-bg.pdf|2020-11-03T00:00:00Z|1|
layout-tests/source-serif-test.pdf|2020-11-03T00:00:00Z|1|
layout-tests/stamp-from-static-pdf.pdf|2020-11-03T00:00:00Z|1|
layout-tests/stamp-on-pdf-bg.pdf|2020-11-03T00:00:00Z|1|
layout-tests/text-stamp-color.pdf|2020-11-03T00:00:00Z|1|
layout-tests/undef-bg-size.pdf|2020-11-03T00:00:00Z|1|
leaky-graphics-state-doc.pdf|2020-11-03T00:00:00Z|1|
malformed-encrypt-dict1.pdf|2020-11-03T00:00:00Z|4|
malformed-encrypt-dict2.pdf|2020-11-03T00:00:00Z|4|
malformed-xref-space-padded.pdf|2020-11-03T00:00:00Z|1|
minimal-aes256-empty-encrypted-string.pdf|2020-11-03T00:00:00Z|4|
minimal-aes256-malformed-oe.pdf|2020-11-03T00:00:00Z|4|
minimal-aes256-malformed-perms.pdf|2020-11-03T00:00:00Z|4|
minimal-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-annotless.pdf|2020-11-03T00:00:00Z|1|
minimal-badxref.pdf|2020-11-03T00:00:00Z|1|
minimal-broken-xref-size.pdf|2020-11-03T00:00:00Z|1|
minimal-hybrid-xref-mswordstyle.pdf|2020-11-03T00:00:00Z|1|
minimal-hybrid-xref-weirdgen.pdf|2020-11-03T00:00:00Z|1|
minimal-hybrid-xref.pdf|2020-11-03T00:00:00Z|1|
minimal-illegal-header.pdf|2020-11-03T00:00:00Z|1|
minimal-one-field-indir-annots.pdf|2020-11-03T00:00:00Z|1|
minimal-pdf-ua-and-a.pdf|2020-11-03T00:00:00Z|1|
minimal-pubkey-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-pubkey-rc4-envelope.pdf|2020-11-03T00:00:00Z|4|
minimal-pubkey-rc4.pdf|2020-11-03T00:00:00Z|4|
minimal-pubkey-unknown-envelope-alg.pdf|2020-11-03T00:00:00Z|4|
minimal-rc4.pdf|2020-11-03T00:00:00Z|4|
minimal-signed-twice-no-sig-type.pdf|2020-11-03T00:00:00Z|3|INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
minimal-signed-twice-second-created.pdf|2021-01-12T00:00:00Z|3|INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
minimal-startxref-hopeless.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-hopeless2.pdf|2020-11-03T00:00:00Z|1|
minimal-startxref-hopeless3.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-obo1.pdf|2020-11-03T00:00:00Z|1|
minimal-startxref-obo2.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-obo3.pdf|2020-11-03T00:00:00Z|1|
minimal-startxref-obo4.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-obo5.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-obo6.pdf|2020-11-03T00:00:00Z|4|
minimal-startxref-same-line.pdf|2020-11-03T00:00:00Z|1|
minimal-two-fields-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-two-fields-pubkey-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-two-fields-pubkey-rc4.pdf|2020-11-03T00:00:00Z|4|
minimal-two-fields-tagged.pdf|2020-11-03T00:00:00Z|1|
minimal-two-fields.pdf|2020-11-03T00:00:00Z|1|
minimal-two-pages.pdf|2020-11-03T00:00:00Z|1|
minimal-with-field-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-with-field-pubkey-aes256.pdf|2020-11-03T00:00:00Z|4|
minimal-with-field-pubkey-rc4.pdf|2020-11-03T00:00:00Z|4|
minimal-with-field-rc4.pdf|2020-11-03T00:00:00Z|4|
minimal-with-field-tagged.pdf|2020-11-03T00:00:00Z|1|
minimal-with-field.pdf|2020-11-03T00:00:00Z|1|
minimal-with-nonexistent-refs.pdf|2020-11-03T00:00:00Z|1|
minimal-with-orphaned-xrefs.pdf|2020-11-03T00:00:00Z|1|
minimal-with-simple-form.pdf|2020-11-03T00:00:00Z|1|
minimal-with-textfield-group-var.pdf|2020-11-03T00:00:00Z|1|
minimal-with-textfield-group.pdf|2020-11-03T00:00:00Z|1|
minimal-xref.pdf|2020-11-03T00:00:00Z|1|
minimal.pdf|2020-11-03T00:00:00Z|1|
no-mediabox.pdf|2020-11-03T00:00:00Z|1|
pades-lta-dss-indirect-arrs-test-2.pdf|2020-11-03T00:00:00Z|0|PASSED PASSED PASSED
pades-with-old-style-signing-cert-attr-issser.pdf|2021-08-19T00:00:00Z|0|PASSED
pades-with-old-style-signing-cert-attr.pdf|2021-08-19T00:00:00Z|0|PASSED
page-tree-direct-kid.pdf|2020-11-03T00:00:00Z|1|
pdf-background-test.pdf|2020-11-03T00:00:00Z|1|
pubkey-3des-test.pdf|2020-11-03T00:00:00Z|4|
pubkey-ecc-test.pdf|2020-11-03T00:00:00Z|4|
pubkey-rc2-test.pdf|2020-11-03T00:00:00Z|4|
safedocs/CompactedPDFSyntaxTest.pdf|2020-11-03T00:00:00Z|1|
scribble-decomp.pdf|2020-11-03T00:00:00Z|1|
scribble-in-arr.pdf|2020-11-03T00:00:00Z|1|
scribble.pdf|2020-11-03T00:00:00Z|1|
separate-annots-kids-indir.pdf|2020-11-02T00:00:00Z|0|PASSED PASSED
sig-with-ski-sid.pdf|2021-08-19T00:00:00Z|0|PASSED
signed-encrypted-pubkey-with-catalog-ref.pdf|2020-11-03T00:00:00Z|4|
simple-acroform-states-ap-indirect.pdf|2020-11-03T00:00:00Z|1|
simple-acroform-states.pdf|2020-11-03T00:00:00Z|1|
struct-tree-circular-ref.pdf|2020-11-03T00:00:00Z|1|
uncompressed-objstream-sample.pdf|2020-11-03T00:00:00Z|1|
TABLE
)

step "one call over the whole corpus folder: no crash, every file reported"
expect_exit 1 "$NEAC" --json verify "$corpus/pdf" --trust "$root" --at 2020-11-03T00:00:00Z -j 2
count=$(find "$corpus/pdf" -name '*.pdf' | wc -l)
json_check "$OUT" "d[\"summary\"][\"files\"] == $count"

while IFS='|' read -r file at code verdicts; do
    [ -n "$file" ] || continue
    step "$file"
    expect_exit "$code" "$NEAC" --json verify "$corpus/pdf/$file" --trust "$root" --at "$at"
    got=$(json_get "$OUT" '" ".join(s["indication"] + ("/" + s["sub_indication"] if s["sub_indication"] else "") for s in d["files"][0]["signatures"])')
    assert_eq "$got" "$verdicts" "$file signatures"
    if [ "$code" = 4 ]; then
        json_check "$OUT" 'd["files"][0]["status"] == "bad_input" and d["files"][0]["error"] != ""'
    fi
    if [ -z "$verdicts" ] && [ "$code" = 1 ]; then
        json_check "$OUT" '"the file has no signature" in d["files"][0]["problems"]'
    fi
done <<<"$expected"

step "what makes the verdicts: the reasons pyHanko's own tests give"
expect_exit 1 "$NEAC" --json verify "$corpus/pdf/extensions-indirect-not-all-paths.pdf" \
    --trust "$root" --at 2021-06-01T00:00:00Z
json_check "$OUT" 'any(not c["allowed"] and "DontOverrideMe" in c["what"] for c in d["files"][0]["signatures"][0]["changes"])'
expect_exit 1 "$NEAC" --json verify "$corpus/pdf/ed448-disallowed-hash.pdf" --trust "$root"
json_check "$OUT" 'any("RFC 8419" in e for e in d["files"][0]["signatures"][0]["errors"])'
expect_exit 3 "$NEAC" --json verify "$corpus/pdf/ed448-shake256-nolen.pdf" --trust "$root"
json_check "$OUT" 'd["files"][0]["signatures"][0]["intact"] and d["files"][0]["signatures"][0]["valid"]'
json_check "$OUT" 'd["files"][0]["signatures"][0]["digest_algorithm"] == "shake256"'
expect_exit 0 "$NEAC" --json verify "$corpus/pdf/pades-lta-dss-indirect-arrs-test-2.pdf" --trust "$root"
json_check "$OUT" '[s["kind"] for s in d["files"][0]["signatures"]] == ["signature", "document_timestamp", "signature"]'
json_check "$OUT" 'd["files"][0]["signatures"][0]["timestamp_time"].startswith("2020-11-01")'
json_check "$OUT" 'd["files"][0]["signatures"][0]["revocation"] == "good"'
json_check "$OUT" 'all(c["allowed"] for s in d["files"][0]["signatures"] for c in s["changes"])'
expect_exit 3 "$NEAC" verify "$corpus/pdf/sig-with-ski-sid.pdf" --trust "$root"
assert_contains "$(cat "$OUT")" "OUT_OF_BOUNDS_NO_POE"
pass
