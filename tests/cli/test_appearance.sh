#!/usr/bin/env bash
# Visible signatures on real documents: neac sign places the widget by keyword and draws the
# profile's image and Vietnamese text. Judged by independent tools: pdftotext gives back the
# appearance text exactly (the ToUnicode map), pdffonts sees an embedded CID TrueType subset,
# pdftoppm renders the image inside the box and nothing outside it, the shown time equals /M,
# and pdfsig, mutool sign -v and qpdf --check accept the result. The appearance stays under
# 60 KB.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/locate_lib.sh"

export TZ=Asia/Ho_Chi_Minh NEAC_SANDBOX_DELAY=0
corpus="${NEAC_CORPUS_DIR:-}/vi"
name="ĐẶNG THỊ Ữ"

python3 "$NEAC_SOURCE_DIR/tests/support/make_png.py" "$tmp/chu-ky.png" 240 100
expect_exit 0 "$NEAC" profile add an --display-name "$name" --phone 0912345678 \
    --account 001099012345 --provider sandbox --approval-delay 0 --image "$tmp/chu-ky.png" \
    --keyword "Người làm đơn" --reason "Nộp hồ sơ trực tuyến" --location "Điện Biên"
cat >>"$NEAC_HOME/profiles/an.yaml" <<'YAML'
appearance:
  layout: image-left
  lines:
    - "Ký bởi: {name}"
    - "Ngày ký: {time:%d/%m/%Y %H:%M:%S}"
    - "Lý do: {reason}"
    - "Nơi ký: {location}"
  border: false
  color: "#000000"
YAML
expect_exit 0 "$NEAC" profile check an

# Renders page P of a PDF as a 72 dpi PPM.
render() { pdftoppm -r 72 -f "$2" -l "$2" -singlefile "$1" "$3" && [ -f "$3.ppm" ] || fail "pdftoppm failed on $1"; }

# sign_and_judge INPUT LABEL [neac sign flags...]
sign_and_judge() {
    local input=$1 label=$2
    shift 2
    step "$label: sign $(basename "$input") $*"
    cp "$input" "$tmp/$label.pdf"
    expect_exit 0 "$NEAC" --json sign "$tmp/$label.pdf" --profile an -o "$tmp/$label.signed.pdf" "$@"
    cp "$OUT" "$tmp/$label.json"
    local page box
    page=$(json_get "$tmp/$label.json" 'd["files"][0]["page"]')
    box=$(json_get "$tmp/$label.json" '",".join(str(v) for v in d["files"][0]["box"])')
    local signed="$tmp/$label.signed.pdf"

    # The independent validators accept it.
    run pdfsig "$signed"
    assert_contains "$(cat "$OUT")" "Signature is Valid." "pdfsig on $label"
    assert_contains "$(cat "$OUT")" "Total document signed" "pdfsig on $label"
    run mutool sign -v "$signed"
    assert_contains "$(cat "$OUT")$(cat "$ERR")" "unchanged since signing" "mutool sign -v on $label"
    expect_exit 0 qpdf --check "$signed"

    # pdftotext gives back every line exactly, and the time is the one claimed in /M.
    pdftotext -f "$page" -l "$page" "$signed" "$tmp/$label.txt"
    python3 - "$signed" "$tmp/$label.txt" "$name" <<'PY' || fail "$label: appearance text not extracted exactly"
import re, sys, unicodedata
pdf, txt, name = open(sys.argv[1], "rb").read(), open(sys.argv[2], encoding="utf-8").read(), sys.argv[3]
m = re.findall(rb"/M \(D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)", pdf)[-1]
when = "%s/%s/%s %s:%s:%s" % tuple(v.decode() for v in (m[2], m[1], m[0], m[3], m[4], m[5]))
lines = [line.strip() for line in txt.splitlines()]
for want in ("Ký bởi: " + name, "Ngày ký: " + when, "Lý do: Nộp hồ sơ trực tuyến", "Nơi ký: Điện Biên"):
    want = unicodedata.normalize("NFC", want)
    if want not in lines:
        sys.exit("missing line %r in:\n%s" % (want, txt))
PY
    run pdffonts -f "$page" -l "$page" "$signed"
    assert_contains "$(grep DejaVuSans "$OUT")" "CID TrueType      Identity-H       yes yes yes" "pdffonts on $label"

    # Renders before and after differ only inside the box, and the image's strokes show.
    render "$input" "$page" "$tmp/before"
    render "$signed" "$page" "$tmp/after"
    python3 - "$tmp/before.ppm" "$tmp/after.ppm" "$box" <<'PY' || fail "$label: the render changed outside the signature box"
import sys
def ppm(path):
    data = open(path, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    return int(parts[1]), int(parts[2]), data[pos + 1:]
w, h, before = ppm(sys.argv[1])
w2, h2, after = ppm(sys.argv[2])
assert (w, h) == (w2, h2), "page size changed"
x, y, bw, bh = (float(v) for v in sys.argv[3].split(","))
x0, x1 = int(x) - 2, int(x + bw) + 2          # 72 dpi: a pixel per point; 2 px of antialiasing
y0, y1 = int(h - y - bh) - 2, int(h - y) + 2
outside = inside = strokes = 0
for py in range(h):
    for px in range(w):
        i = (py * w + px) * 3
        if before[i:i + 3] == after[i:i + 3]:
            continue
        if x0 <= px <= x1 and y0 <= py <= y1:
            inside += 1
            r, g, b = after[i], after[i + 1], after[i + 2]
            if b > 110 and b > r + 60 and b > g + 40:  # the blue stroke of make_png.py
                strokes += 1
        else:
            outside += 1
print("changed pixels: %d inside the box, %d outside; %d show the image's stroke" % (inside, outside, strokes))
assert outside == 0, "%d pixels changed outside the box" % outside
assert inside > 200, "the box shows almost nothing"
assert strokes > 20, "the signature image is not visible"
PY
}

make_vi_pdf "$tmp/gs-form.pdf"
sign_and_judge "$tmp/gs-form.pdf" ghostscript
make_vi_pdf "$tmp/gs-turned.pdf" --rotate 90
sign_and_judge "$tmp/gs-turned.pdf" ghostscript-rotate90
if [ -d "$corpus" ]; then
    sign_and_judge "$corpus/ho-tro-chi-phi-hoc-tap-3trang.pdf" libreoffice
    sign_and_judge "$corpus/tro-cap-xa-hoi-nfd.pdf" chromium-nfd
    sign_and_judge "$corpus/ban-sao-trich-luc-khai-sinh-ps.pdf" postscript --keyword "NGƯỜI ĐỀ NGHỊ"
    sign_and_judge "$corpus/doi-giay-phep-lai-xe-xoay90.pdf" libreoffice-rotate90 --keyword "Người đề nghị"
    sign_and_judge "$corpus/bhyt-ho-gia-dinh-bang-ky.pdf" chromium-table --keyword "CHỦ HỘ"
else
    step "corpus not found at $corpus: LibreOffice and Chromium files skipped"
fi

step "the appearance (font subset, image, form) adds less than 60 KB"
cp "$tmp/gs-form.pdf" "$tmp/size.pdf"
expect_exit 0 "$NEAC" sign "$tmp/size.pdf" --profile an -o "$tmp/visible.pdf"
expect_exit 0 "$NEAC" sign "$tmp/size.pdf" --profile an --invisible -o "$tmp/invisible.pdf"
visible=$(stat -c %s "$tmp/visible.pdf")
invisible=$(stat -c %s "$tmp/invisible.pdf")
added=$((visible - invisible))
step "appearance: $added bytes"
[ "$added" -gt 1000 ] || fail "the visible signature is only $added bytes larger: no appearance?"
[ "$added" -lt 61440 ] || fail "the appearance adds $added bytes (limit 60 KB)"

step "a batch places each file at its own keyword; files without it fail alone or fall back"
make_vi_pdf "$tmp/one.pdf" --pages 1
make_vi_pdf "$tmp/three.pdf" --pages 3
printf '%%!PS\n<< /PageSize [595 842] >> setpagedevice /Helvetica findfont 12 scalefont setfont 72 700 moveto (No keyword here) show showpage\n' >"$tmp/other.ps"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$tmp/other.pdf" "$tmp/other.ps"
mkdir "$tmp/out"
expect_exit 7 "$NEAC" --json sign "$tmp/one.pdf" "$tmp/three.pdf" "$tmp/other.pdf" --profile an --out-dir "$tmp/out"
json_check "$OUT" '[f["page"] for f in d["files"][:2]] == [1, 3] and not d["files"][2]["ok"]' "pages per file"
json_check "$OUT" '"other.pdf" in d["files"][2]["error"] and "not found" in d["files"][2]["error"]' "the failure names the file"
rm -f "$tmp"/out/*
expect_exit 0 "$NEAC" --json sign "$tmp/one.pdf" "$tmp/other.pdf" --profile an --out-dir "$tmp/out" --fallback-rect 380,60,180,60
json_check "$OUT" 'd["files"][1]["box"] == [380, 60, 180, 60] and d["files"][1]["page"] == 1' "fallback box"

step "flag conflicts are usage errors"
expect_exit 2 "$NEAC" sign "$tmp/one.pdf" --profile an --keyword x --rect 1,1,100,40 -o "$tmp/x.pdf"
expect_exit 2 "$NEAC" sign "$tmp/one.pdf" --profile an --invisible --fallback-rect 1,1,100,40 -o "$tmp/x.pdf"
expect_exit 2 "$NEAC" sign "$tmp/one.pdf" --profile an --occurrence all -o "$tmp/x.pdf"
expect_exit 2 "$NEAC" sign "$tmp/one.pdf" --profile an --fallback-rect 1,1 -o "$tmp/x.pdf"
[ ! -e "$tmp/x.pdf" ] || fail "a refused command wrote its output"

pass
