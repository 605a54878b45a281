#!/usr/bin/env bash
# Tampered variants of a neac-signed file (tests/support/tamper.py writes them with qpdf and
# plain Python, not with neac): each must FAIL with the change named; harmless updates pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

sandbox_profile an
tamper="$NEAC_SOURCE_DIR/tests/support/tamper.py"
python3 "$make_pdf" "$tmp/in.pdf" --pages 2
expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile an -o "$tmp/s1.pdf"
expect_exit 0 "$NEAC" sign "$tmp/s1.pdf" --profile an -o "$tmp/s2.pdf" --page 1 --field-name Sig2
expect_exit 0 "$NEAC" verify "$tmp/s2.pdf" --trust sandbox

# mode | exit | signature (0 = Signature1, 1 = Sig2, the last) | its sub-indication | text expected
# in its reason and changes
cases=(
    "flip|1|0|HASH_FAILURE|document was altered"
    "shift-byterange|1|1|FORMAT_FAILURE|ByteRange"
    "shrink-byterange|1|1|HASH_FAILURE|document was altered"
    "add-page|1|0|FORMAT_FAILURE|page tree"
    "replace-content|1|0|FORMAT_FAILURE|page 1 content stream"
    "replace-reason|1|0|FORMAT_FAILURE|/Reason added"
    "swap-appearance|1|0|FORMAT_FAILURE|appearance of signature Signature1"
    "move-contents|1|0|FORMAT_FAILURE|/Contents is an indirect object"
    "hide-layer|1|0|FORMAT_FAILURE|optional content"
    "add-annotation|0|0||annotation added to page 1"
    "update-info|0|0||/Info replaced"
)
for c in "${cases[@]}"; do
    IFS='|' read -r mode code index sub text <<<"$c"
    step "$mode"
    python3 "$tamper" "$mode" "$tmp/s2.pdf" "$tmp/t-$mode.pdf" || fail "tamper.py $mode failed"
    expect_exit "$code" "$NEAC" --json verify "$tmp/t-$mode.pdf" --trust sandbox
    sig="d[\"files\"][0][\"signatures\"][$index]"
    if [ "$code" = 1 ]; then
        json_check "$OUT" "$sig[\"indication\"] == \"FAILED\"" "$mode: signature 1 FAILED"
        json_check "$OUT" "$sig[\"sub_indication\"] == \"$sub\"" "$mode: $sub"
    else
        json_check "$OUT" "$sig[\"indication\"] == \"PASSED\"" "$mode: signature 1 PASSED"
    fi
    everything=$(json_get "$OUT" "$sig")
    assert_contains "$everything" "$text" "$mode report"
    # The text report names the change too.
    run "$NEAC" verify "$tmp/t-$mode.pdf" --trust sandbox
    [ "$status" = "$code" ] || fail "$mode: text mode exit $status, JSON mode $code"
done

step "a forbidden change names the object and what it is"
expect_exit 1 "$NEAC" --json verify "$tmp/t-add-page.pdf" --trust sandbox
json_check "$OUT" 'any(c["category"] == "forbidden" and not c["allowed"] and c["what"] == "page tree" and c["object"].endswith(" 0 R") and c["revision"] == 4 for c in d["files"][0]["signatures"][0]["changes"])'
json_check "$OUT" 'not d["files"][0]["signatures"][0]["changes_ok"]'
expect_exit 1 "$NEAC" --json verify "$tmp/t-replace-reason.pdf" --trust sandbox
json_check "$OUT" 'any(c["what"] == "signature dictionary of Signature1" for c in d["files"][0]["signatures"][1]["changes"])'

step "annotations: allowed with a warning by default, silently with --allow annotations"
expect_exit 0 "$NEAC" --json verify "$tmp/t-add-annotation.pdf" --trust sandbox
json_check "$OUT" 'any(c["category"] == "annotation" and c["allowed"] and c["warning"] for c in d["files"][0]["signatures"][0]["changes"])'
json_check "$OUT" 'any("annotation" in w for w in d["files"][0]["signatures"][0]["warnings"])'
expect_exit 0 "$NEAC" --json verify "$tmp/t-add-annotation.pdf" --trust sandbox --allow annotations
json_check "$OUT" 'all(not c["warning"] for c in d["files"][0]["signatures"][0]["changes"] if c["category"] == "annotation")'

step "DocMDP: P=3 allows annotations after signing, P=2 does not"
for p in 2 3; do
    python3 "$make_pdf" "$tmp/c$p.pdf" --pages 1 --docmdp "$p"
done
# make_pdf's certification is a dummy /Perms entry (no field): its DocMDP level still governs
# the changes after every signature.
expect_exit 0 "$NEAC" sign "$tmp/c2.pdf" --profile an -o "$tmp/c2s.pdf"
python3 "$tamper" add-annotation "$tmp/c2s.pdf" "$tmp/c2a.pdf"
expect_exit 1 "$NEAC" --json verify "$tmp/c2a.pdf" --trust sandbox
json_check "$OUT" 'any(s["field"] == "Signature1" and s["indication"] == "FAILED" and not s["docmdp_ok"] for s in d["files"][0]["signatures"])'
expect_exit 0 "$NEAC" sign "$tmp/c3.pdf" --profile an -o "$tmp/c3s.pdf"
python3 "$tamper" add-annotation "$tmp/c3s.pdf" "$tmp/c3a.pdf"
expect_exit 0 "$NEAC" --json verify "$tmp/c3a.pdf" --trust sandbox
json_check "$OUT" 'any(s["field"] == "Signature1" and s["indication"] == "PASSED" for s in d["files"][0]["signatures"])'
pass
