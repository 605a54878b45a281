#!/usr/bin/env bash
# Several keywords in order of preference: forms whose signature line is worded differently are
# signed in one batch, with one approval; each file is placed by the first keyword it contains (or
# the fallback box), and text and JSON say which. The same list works from a profile and in locate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

sandbox_profile an
python3 "$make_pdf" "$tmp/don.pdf" --line "Nguoi lam don"
python3 "$make_pdf" "$tmp/to-khai.pdf" --line "Nguoi khai"
python3 "$make_pdf" "$tmp/both.pdf" --line "Nguoi khai      Nguoi lam don"
python3 "$make_pdf" "$tmp/none.pdf" --line "Xac nhan cua UBND xa"

step "one batch, one approval: each file says which keyword placed it"
expect_exit 0 "$NEAC" --json sign "$tmp/don.pdf" "$tmp/to-khai.pdf" "$tmp/both.pdf" \
    "$tmp/none.pdf" --profile an --out-dir "$tmp" --keyword "Nguoi lam don" \
    --keyword "Nguoi khai" --fallback-rect 36,36,180,60
json_check "$OUT" 'len(d["transactions"]) == 1'
json_check "$OUT" '[f["keyword"] for f in d["files"]] == ["Nguoi lam don", "Nguoi khai", "Nguoi lam don", None]'
json_check "$OUT" '[f["fallback"] for f in d["files"]] == [False, False, False, True]'
json_check "$OUT" 'd["files"][3]["box"] == [36, 36, 180, 60]'
for f in don to-khai both none; do
    assert_signed_ok "$tmp/$f.signed.pdf" 1
done

step "the text output names the keyword, or the fallback box"
expect_exit 0 "$NEAC" sign "$tmp/to-khai.pdf" "$tmp/none.pdf" --profile an --out-dir "$tmp" \
    --force --keyword "Nguoi lam don" --keyword "Nguoi khai" --fallback-rect 36,36,180,60
assert_contains "$(cat "$OUT")" 'page 1, by "Nguoi khai"' "sign text"
assert_contains "$(cat "$OUT")" "no keyword found: the fallback box" "sign text"

step "without a fallback, a file with none of the keywords is exit 4 naming them all"
expect_exit 4 "$NEAC" sign "$tmp/none.pdf" --profile an -o "$tmp/x.pdf" \
    --keyword "Nguoi lam don" --keyword "Nguoi khai"
assert_contains "$(cat "$ERR")" 'none of the keywords "Nguoi lam don", "Nguoi khai" was found'
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/x.pdf" --keyword "Nguoi khai" \
    --keyword " Nguoi khai "
assert_contains "$(cat "$ERR")" "given twice"

step "a profile lists keywords in order; --keyword replaces the list"
expect_exit 0 "$NEAC" profile add forms --display-name "NGUYỄN VĂN A" --phone 0912345678 \
    --account 001099012345 --provider sandbox --keyword "Nguoi khai" --keyword "Nguoi lam don"
assert_file_contains "$NEAC_HOME/profiles/forms.yaml" '    - "Nguoi khai"'
expect_exit 0 "$NEAC" --json profile show forms
json_check "$OUT" 'd["profile"]["locator"]["keywords"] == ["Nguoi khai", "Nguoi lam don"]'
expect_exit 0 "$NEAC" --json sign "$tmp/both.pdf" --profile forms -o "$tmp/both.forms.pdf"
json_check "$OUT" 'd["files"][0]["keyword"] == "Nguoi khai"'
expect_exit 0 "$NEAC" --json sign "$tmp/both.pdf" --profile forms -o "$tmp/both.flag.pdf" \
    --keyword "Nguoi lam don"
json_check "$OUT" 'd["files"][0]["keyword"] == "Nguoi lam don"'

step "a keyword in a page full of text: no free space is exit 4 naming printed text"
python3 - "$tmp/dense.pdf" <<'PY'
import sys
lines = []
for i in range(60):
    y = 40 + 12 * i
    text = "Nguoi lam don" if i == 30 else "noi dung " * 12
    lines.append("BT /F1 10 Tf 36 %d Td (%s) Tj ET" % (y, text))
content = "\n".join(lines).encode()
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out = bytearray(b"%PDF-1.7\n")
offsets = []
for n, body in enumerate(objs, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[1], "wb").write(bytes(out))
PY
expect_exit 4 "$NEAC" sign "$tmp/dense.pdf" --profile an --keyword "Nguoi lam don" \
    -o "$tmp/dense.signed.pdf"
assert_contains "$(cat "$ERR")" "no free space near the keyword \"Nguoi lam don\" on page 1"
assert_contains "$(cat "$ERR")" "printed text"
[ ! -e "$tmp/dense.signed.pdf" ] || fail "an output was written for a refused file"
expect_exit 0 "$NEAC" sign "$tmp/dense.pdf" --profile an --keyword "Nguoi lam don" \
    -o "$tmp/dense.signed.pdf" --allow-overlap
expect_exit 0 "$NEAC" sign "$tmp/dense.pdf" --profile an --keyword "Nguoi lam don" \
    -o "$tmp/dense.kept.pdf" --no-avoid-text

step "locate takes the same list and says which keyword it found"
expect_exit 0 "$NEAC" --json locate "$tmp/to-khai.pdf" --keyword "Nguoi lam don" \
    --keyword "Nguoi khai"
json_check "$OUT" 'd["keyword"] == "Nguoi khai" and d["keywords"] == ["Nguoi lam don", "Nguoi khai"]'
expect_exit 0 "$NEAC" locate "$tmp/to-khai.pdf" --profile forms
assert_contains "$(cat "$OUT")" '"Nguoi khai" found 1 time' "locate text"
assert_contains "$(cat "$OUT")" 'keywords in order of preference: "Nguoi khai", "Nguoi lam don"'
pass
