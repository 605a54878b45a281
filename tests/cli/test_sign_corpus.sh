#!/usr/bin/env bash
# Every PDF of the third-party corpus: files qpdf reads cleanly are signed and validate; encrypted
# files are refused as encrypted; damaged files are signed (unsigned ones as a repaired copy that
# qpdf reads cleanly, signed ones incrementally) or refused with exit 4 naming the file. Nothing
# crashes, and no input is changed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

corpus=${NEAC_CORPUS_DIR:-/nonexistent}
[ -d "$corpus/pyhanko/pdf" ] || skip "corpus not found at $corpus"
sandbox_profile an
signed=0
repaired=0
refused=0
for f in "$corpus"/pyhanko/pdf/*.pdf "$corpus"/vi/*.pdf; do
    name=$(basename "$f" .pdf)
    out="$tmp/$name.signed.pdf"
    enc=$(qpdf --show-encryption "$f" 2>&1 || true)
    qpdf --check "$f" >/dev/null 2>&1 && clean=1 || clean=0
    before=$(sha256sum <"$f")
    run timeout 20 "$NEAC" sign "$f" --profile an -o "$out"
    assert_eq "$(sha256sum <"$f")" "$before" "$name: the input"
    case "$status" in
    0 | 4) ;;
    *) fail "$name: exit $status (expected 0 or 4)" ;;
    esac
    if [[ "$enc" != *"File is not encrypted"* && "$enc" =~ (R\ =|ncrypt) ]]; then
        assert_eq "$status" 4 "$name (encrypted): exit"
        assert_contains "$(cat "$ERR")" "encrypted PDFs are not supported" "$name"
        refused=$((refused + 1))
    elif [ "$clean" = 1 ]; then
        assert_eq "$status" 0 "$name (qpdf reads it cleanly): exit"
        n=$(python3 "$sigtool" count "$f")
        skip_mutool=""
        # mutool 1.21 loops on a circular form tree and dies without a verdict.
        [ "$name" = form-tree-circular-ref-input ] && skip_mutool=1
        SKIP_MUTOOL=$skip_mutool assert_signed_ok "$out" $((n + 1))
        signed=$((signed + 1))
    elif [ "$status" = 4 ]; then
        # qpdf --check finds damage that neither repair nor an incremental update gets past...
        assert_contains "$(cat "$ERR")" "$name.pdf" "$name: the error names the file"
        [ ! -e "$out" ] || fail "$name: output written for a refused file"
        refused=$((refused + 1))
    elif grep -q "signed a repaired copy" "$OUT"; then
        # ...an unsigned damaged file is signed as a sound copy...
        assert_signed_ok "$out" 1
        repaired=$((repaired + 1))
    else
        # ...and otherwise the damage is kept as it is, under the new revision.
        n=$(python3 "$sigtool" count "$f")
        QPDF_WARNINGS_OK=1 assert_signed_ok "$out" $((n + 1))
        signed=$((signed + 1))
    fi
done
echo "corpus: $signed signed and validated, $repaired signed as repaired copies," \
    "$refused refused as expected" >&2
[ "$repaired" -gt 0 ] || fail "no damaged file was signed as a repaired copy"
pass
