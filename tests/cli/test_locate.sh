#!/usr/bin/env bash
# neac locate end to end: the keyword's box agrees with pdftotext -bbox-layout on real documents
# (LibreOffice, Chromium and Ghostscript PDFs of the corpus, and Ghostscript forms made here,
# turned by /Rotate and cropped), Vietnamese matching rules, occurrences, the proposal, --json,
# --preview, profiles, and errors.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/locate_lib.sh"

corpus="${NEAC_CORPUS_DIR:-}/vi"

step "corpus: every keyword of the ground truth, against pdftotext -bbox-layout"
if [ -d "$corpus" ]; then
    for truth in "$corpus"/*.json; do
        pdf="${truth%.json}.pdf"
        while IFS= read -r kw; do
            run "$NEAC" --json locate "$pdf" --keyword "$kw" --occurrence all
            if [ "$status" -eq 4 ]; then
                json_check "$truth" "[k for k in d['keywords'] if k['keyword'] == '''$kw'''][0]['count_any_case'] == 0" \
                    "$(basename "$pdf"): no match for '$kw' only where the ground truth has none"
                continue
            fi
            [ "$status" -eq 0 ] || fail "locate $(basename "$pdf") '$kw' exited $status"
            cp "$OUT" "$tmp/locate.json"
            count=$(json_get "$tmp/locate.json" 'len(d["matches"])')
            want=$(json_get "$truth" "[k for k in d['keywords'] if k['keyword'] == '''$kw'''][0]['count_any_case']")
            assert_eq "$count" "$want" "$(basename "$pdf"): matches of '$kw'"
            check_bbox "$pdf" "$tmp/locate.json" >&2
        done < <(json_get "$truth" '"\n".join(k["keyword"] for k in d["keywords"])')
    done
else
    step "corpus not found at $corpus: skipped"
fi

step "Ghostscript forms, upright, turned by /Rotate and cropped, against pdftotext"
for variant in "0" "90" "180" "270" "90 --crop 20,30,580,800" "0 --crop 40,60,560,700"; do
    set -- $variant
    rot=$1
    shift
    make_vi_pdf "$tmp/form.pdf" --rotate "$rot" "$@"
    expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "người làm đơn" --occurrence all
    cp "$OUT" "$tmp/form.json"
    json_check "$tmp/form.json" 'len(d["matches"]) == 4 and d["total_matches"] == 4' "four matches"
    check_bbox "$tmp/form.pdf" "$tmp/form.json" >&2
    # The default is the last match: the signature title on the last page.
    expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "người làm đơn"
    json_check "$OUT" 'd["matches"][0]["text"] == "NGƯỜI LÀM ĐƠN" and d["matches"][0]["page"] == 2' \
        "last match is the signature title (rotate $rot)"
    # The proposal is under the title in the reading direction, clear of "(Ký, ghi rõ họ tên)".
    json_check "$OUT" '(lambda m: m["signature_box"]["user"][1] + m["signature_box"]["user"][3] < 296 and m["signature_box"]["user"][1] > 215 + 13)(d["matches"][0])' \
        "signature box between the hint line and the printed name (rotate $rot)"
done

make_vi_pdf "$tmp/form.pdf"
step "matching: case, decomposed input, extra spaces, diacritics, whole words"
nfd=$(python3 -c 'import unicodedata; print(unicodedata.normalize("NFD", "NGƯỜI   LÀM   ĐƠN"))')
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "$nfd" --occurrence all
json_check "$OUT" 'd["total_matches"] == 4' "NFD, upper-case keyword with extra spaces"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "Nguoi lam don" --ignore-diacritics --occurrence all
json_check "$OUT" 'd["total_matches"] == 4 and d["ignore_diacritics"]' "--ignore-diacritics"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "ký, ghi rõ"
json_check "$OUT" 'd["matches"][0]["text"] == "Ký, ghi rõ"' "keyword inside punctuation"
expect_exit 4 "$NEAC" locate "$tmp/form.pdf" --keyword "Đặng Thị Ữa"
expect_exit 4 "$NEAC" locate "$tmp/form.pdf" --keyword "Nguoi lam don"
assert_contains "$(cat "$ERR")" "form.pdf"
assert_contains "$(cat "$ERR")" "was not found"
assert_contains "$(cat "$ERR")" "\"NGƯỜI LÀM ĐƠN\" (differs only in diacritics)"
assert_contains "$(cat "$ERR")" "--ignore-diacritics"
expect_exit 4 "$NEAC" --json locate "$tmp/form.pdf" --keyword "Nguoi lam don"
json_check "$OUT" 'd["matches"] == [] and d["candidates"][0]["differs_only_in_diacritics"]' "candidates in --json"
json_check "$ERR" 'd["exit_code"] == 4 and d["code"] == "bad_input"' "JSON error on stderr"

step "occurrence and page"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "người làm đơn" --occurrence first
json_check "$OUT" 'd["matches"][0]["index"] == 1 and d["matches"][0]["page"] == 1' "first"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "người làm đơn" --occurrence 2
json_check "$OUT" 'd["matches"][0]["index"] == 2 and d["matches"][0]["text"] == "người làm đơn"' "second"
expect_exit 4 "$NEAC" locate "$tmp/form.pdf" --keyword "người làm đơn" --occurrence 7
assert_contains "$(cat "$ERR")" "occurs 4 times"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "người làm đơn" --page 1 --occurrence all
json_check "$OUT" 'd["total_matches"] == 2 and d["pages_scanned"] == 1' "--page 1"
expect_exit 2 "$NEAC" locate "$tmp/form.pdf" --keyword "người làm đơn" --occurrence none
expect_exit 2 "$NEAC" locate "$tmp/form.pdf" --keyword "người làm đơn" --page 9

step "placement policy flags and the text output"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "NGƯỜI LÀM ĐƠN" --placement right \
    --offset 10 --box 80x30 --no-avoid-text
json_check "$OUT" '(lambda k, s: abs(s[0] - (k[0] + k[2] + 10)) < 0.03 and s[2] == 80 and s[3] == 30)(d["matches"][0]["keyword_box"]["displayed"], d["matches"][0]["signature_box"]["displayed"])' \
    "right of the keyword, 10 pt away, 80x30"
expect_exit 0 "$NEAC" locate "$tmp/form.pdf" --keyword "NGƯỜI LÀM ĐƠN"
assert_contains "$(cat "$OUT")" "found 4 times; using the last one"
assert_contains "$(cat "$OUT")" "sign with  --page 2 --rect "
assert_contains "$(cat "$OUT")" "to clear printed text"
assert_contains "$(cat "$OUT")" "bottom-left corner of the page as displayed"
make_vi_pdf "$tmp/turned.pdf" --rotate 90
expect_exit 0 "$NEAC" locate "$tmp/turned.pdf" --keyword "NGƯỜI LÀM ĐƠN"
assert_contains "$(cat "$OUT")" "/Rotate 90"
assert_contains "$(cat "$OUT")" "user space"
expect_exit 2 "$NEAC" locate "$tmp/form.pdf" --keyword "x" --placement under
expect_exit 2 "$NEAC" locate "$tmp/form.pdf" --keyword "x" --box 12
expect_exit 2 "$NEAC" locate "$tmp/form.pdf"

step "--preview: the page with the keyword highlighted and the box drawn"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --keyword "NGƯỜI LÀM ĐƠN" --preview "$tmp/preview.png" --preview-dpi 72
cp "$OUT" "$tmp/p.json"
json_check "$tmp/p.json" 'd["previews"] == ["'"$tmp/preview.png"'"]' "preview listed"
python3 - "$tmp/preview.png" "$tmp/p.json" <<'PY' || fail "the preview does not show the placement"
import json, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
assert (w, h) == (595, 842), (w, h)
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw, bpp = zlib.decompress(idat), 3 if ctype == 2 else 4
stride, rows, prev = w * bpp, [], bytearray(w * bpp)
for y in range(h):  # undo the PNG row filters
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
def px(x, y):  # displayed points -> RGB
    r = rows[int(842 - y)]; i = int(x) * bpp
    return r[i], r[i + 1], r[i + 2]
m = json.load(open(sys.argv[2]))["matches"][0]
kx, ky, kw, kh = m["keyword_box"]["displayed"]
r, g, b = px(kx + 1.5, ky + 1.5)
assert r > 200 and g > 150 and b < 150, ("keyword not highlighted", r, g, b)
sx, sy, sw, sh = m["signature_box"]["displayed"]
r, g, b = px(sx + 0.5, sy + sh / 2)
assert b > 150 and r < 100, ("box outline missing", r, g, b)
assert px(30, 30) == (255, 255, 255), "paper not white"
PY

step "profiles: the locator's keyword and placement"
expect_exit 0 "$NEAC" profile add an --display-name "ĐẶNG THỊ Ữ" --phone 0912345678 \
    --account 001099012345 --provider sandbox --keyword "người làm đơn" --placement above --box 150x50
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --profile an
json_check "$OUT" 'd["placement"]["position"] == "above" and d["placement"]["width"] == 150 and d["matches"][0]["page"] == 2' "profile locator"
expect_exit 0 "$NEAC" --json locate "$tmp/form.pdf" --profile an --placement below --keyword "Đặng Thị Ữ"
json_check "$OUT" 'd["placement"]["position"] == "below" and d["keyword"] == "Đặng Thị Ữ"' "flags override the profile"
expect_exit 0 "$NEAC" profile add bare --display-name "A" --phone 0912345678 --account 001099012345 --provider sandbox
expect_exit 2 "$NEAC" locate "$tmp/form.pdf" --profile bare
assert_contains "$(cat "$ERR")" "has no locator"

step "bad input: missing, not a PDF, damaged, no text"
expect_exit 4 "$NEAC" locate "$tmp/missing.pdf" --keyword x
printf 'not a pdf\n' >"$tmp/text.pdf"
expect_exit 4 "$NEAC" locate "$tmp/text.pdf" --keyword x
head -c 2000 "$tmp/form.pdf" >"$tmp/cut.pdf"
run "$NEAC" locate "$tmp/cut.pdf" --keyword "Người làm đơn"
[ "$status" -eq 4 ] || fail "a damaged PDF must exit 4, got $status"
printf '%%!PS\n<< /PageSize [595 842] >> setpagedevice 0.5 setgray 100 100 300 300 rectfill showpage\n' >"$tmp/scan.ps"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$tmp/scan.pdf" "$tmp/scan.ps"
expect_exit 4 "$NEAC" locate "$tmp/scan.pdf" --keyword "Người làm đơn"
assert_contains "$(cat "$ERR")" "no text layer"

pass
