#!/usr/bin/env bash
# Damaged inputs: an unsigned file QPDF can only read by repairing is signed as a repaired copy
# (the input untouched; qpdf --check and pdfsig accept the output); a signed file with harmless
# damage is signed incrementally and its earlier signature stays valid in pdfsig; a signed file
# whose cross-reference chain is broken is refused with exit 4 and the reason, nothing written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

use_pki
sandbox_profile an
pkcs12_profile other signer-other 079188004321

damage="$tmp/damage.py"
cat >"$damage" <<'PY'
"""damage.py KIND IN OUT
xref-offsets   every offset of the last xref table moved by 7 bytes: QPDF must rebuild it
size           an update appended whose trailer /Size is too small (QPDF warns, reads it as is)
startxref      an update appended whose startxref points past the end of the file"""
import re, sys

kind, src, dst = sys.argv[1:]
data = open(src, "rb").read()
prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
if kind == "xref-offsets":
    at = data.rindex(b"\nxref\n") + 1
    head, table = data[:at], data[at:]
    table = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 7), table)
    data = head + table
elif kind == "size":
    at = len(data)
    data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 2 /Root 1 0 R /Prev %d >>\n" % prev
    data += b"startxref\n%d\n%%%%EOF\n" % at
elif kind == "startxref":
    data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 2 /Root 1 0 R /Prev %d >>\n" % prev
    data += b"startxref\n%d\n%%%%EOF\n" % (len(data) * 10)
open(dst, "wb").write(data)
PY

step "an unsigned file with a broken cross-reference table is signed as a repaired copy"
python3 "$make_pdf" "$tmp/clean.pdf"
python3 "$damage" xref-offsets "$tmp/clean.pdf" "$tmp/broken.pdf"
qpdf --check "$tmp/broken.pdf" >/dev/null 2>&1 && fail "the damaged fixture reads cleanly"
before=$(sha256sum <"$tmp/broken.pdf")
expect_exit 0 "$NEAC" sign "$tmp/broken.pdf" --profile an --rect 300,60,180,60 \
    -o "$tmp/broken.signed.pdf"
assert_contains "$(cat "$OUT")" "signed a repaired copy; the input is unchanged" "sign text"
assert_eq "$(sha256sum <"$tmp/broken.pdf")" "$before" "the damaged input"
assert_signed_ok "$tmp/broken.signed.pdf" 1
expect_exit 0 "$NEAC" verify "$tmp/broken.signed.pdf" --trust "$NEAC_HOME/sandbox/root-ca.pem"
assert_not_contains "$(cat "$OUT")" "PDF structure" "verify of the repaired copy"
ls "$tmp" | grep -q '\.tmp$' && fail "a temporary file was left behind: $(ls "$tmp")"

step "--json names the damage; a sound input has none"
expect_exit 0 "$NEAC" sign "$tmp/broken.pdf" --profile an --rect 300,60,180,60 \
    -o "$tmp/broken2.signed.pdf" --json
json_check "$OUT" "'repaired copy' in d['files'][0]['damage']"
expect_exit 0 "$NEAC" sign "$tmp/clean.pdf" --profile an --rect 300,60,180,60 --json
json_check "$OUT" "d['files'][0]['damage'] is None"

step "a signed file with harmless damage is signed incrementally; the first signature holds"
python3 "$damage" size "$tmp/clean.signed.pdf" "$tmp/size.pdf"
qpdf --check "$tmp/size.pdf" >/dev/null 2>&1 && fail "the damaged fixture reads cleanly"
prefix=$(stat -c %s "$tmp/size.pdf")
expect_exit 0 "$NEAC" sign "$tmp/size.pdf" --profile other --rect 300,140,180,60 \
    -o "$tmp/size.signed.pdf"
assert_contains "$(cat "$OUT")" "signed incrementally, earlier signatures kept" "sign text"
assert_eq "$(head -c "$prefix" "$tmp/size.signed.pdf" | sha256sum)" "$(sha256sum <"$tmp/size.pdf")" \
    "the damaged signed input, as the prefix of the output"
QPDF_WARNINGS_OK=1 assert_signed_ok "$tmp/size.signed.pdf" 2 "$pki/root-ca.pem"
valid=$(pdfsig "$tmp/size.signed.pdf" 2>&1 | grep -c "Signature is Valid." || true)
assert_eq "$valid" 2 "pdfsig: valid signatures"
expect_exit 0 "$NEAC" --json history "$tmp/size.signed.pdf" --trust sandbox --trust "$pki/root-ca.pem"
json_check "$OUT" '[s["signer"]["identity"]["number"] for s in d["files"][0]["signatures"]] == ["001099012345", "079188004321"]'

step "a signed file whose startxref is broken is refused: appending would break the signature"
python3 "$damage" startxref "$tmp/clean.signed.pdf" "$tmp/lost.pdf"
expect_exit 4 "$NEAC" sign "$tmp/lost.pdf" --profile other --rect 300,140,180,60 \
    -o "$tmp/lost.signed.pdf"
assert_contains "$(cat "$ERR")" "lost.pdf" "the error names the file"
assert_contains "$(cat "$ERR")" "would break the earlier signatures" "the reason"
[ ! -e "$tmp/lost.signed.pdf" ] || fail "an output was written for a refused file"

corpus=${NEAC_CORPUS_DIR:-/nonexistent}
if [ -d "$corpus/dss" ]; then
    step "third-party signed files with damage in their structure (corpus)"
    for name in pkcs7 Signature-P-PK7-2; do
        f="$corpus/dss/$name.pdf"
        expect_exit 0 "$NEAC" sign "$f" --profile an -o "$tmp/$name.signed.pdf"
        assert_contains "$(cat "$OUT")" "signed incrementally" "$name"
        valid=$(pdfsig "$tmp/$name.signed.pdf" 2>&1 | grep -c "Signature is Valid." || true)
        assert_eq "$valid" 2 "$name: signatures pdfsig calls valid"
    done
    step "third-party unsigned damaged files (corpus)"
    for name in minimal-startxref-hopeless minimal-annotless minimal-broken-xref-size; do
        f="$corpus/pyhanko/pdf/$name.pdf"
        expect_exit 0 "$NEAC" sign "$f" --profile an -o "$tmp/$name.signed.pdf"
        assert_contains "$(cat "$OUT")" "signed a repaired copy" "$name"
        assert_signed_ok "$tmp/$name.signed.pdf" 1
    done
else
    echo "corpus not found at $corpus: third-party damaged files not tried" >&2
fi
pass
