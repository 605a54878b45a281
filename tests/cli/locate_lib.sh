# Helpers shared by tests/cli/test_locate*.sh and test_appearance*.sh (source after lib.sh).
#
#   make_vi_pdf OUT [--rotate DEG] [--crop x1,y1,x2,y2] [--pages N]
#       A Vietnamese form typeset by Ghostscript (DejaVu Sans, text shown glyph by glyph as
#       PostScript does), "Người làm đơn" in the body of page 1 and as the signature title on
#       the last page, above "(Ký, ghi rõ họ tên)" and the printed name.
#   check_bbox PDF LOCATE_JSON
#       Compares every match of a `neac --json locate` document with the words pdftotext
#       -bbox-layout reports for the same text: the four edges agree within 2 pt (a word with
#       punctuation attached must contain neac's box instead). Prints one line per match.

make_vi_pdf() {
    local out=$1
    shift
    python3 - "$out" "$@" <<'PY'
import argparse, os, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rotate", type=int, default=0)
ap.add_argument("--crop", default="")
ap.add_argument("--pages", type=int, default=2)
a = ap.parse_args()

def show(text):
    """PostScript that shows UTF-8 text: ASCII runs with show, other letters by glyph name."""
    out, run = [], ""
    for ch in text:
        if ord(ch) < 128:
            run += "\\" + ch if ch in "()\\" else ch
        else:
            if run:
                out.append("(%s) show" % run)
                run = ""
            out.append("/uni%04X glyphshow" % ord(ch))
    if run:
        out.append("(%s) show" % run)
    return " ".join(out)

def line(x, y, size, text):
    return "/DejaVuSans findfont %g scalefont setfont %g %g moveto %s\n" % (size, x, y, show(text))

ps = "%!PS\n<< /PageSize [595 842] >> setpagedevice\n"
for p in range(1, a.pages + 1):
    if a.crop:
        ps += "[ /CropBox [%s] /PAGE pdfmark\n" % a.crop.replace(",", " ")
    ps += line(150, 780, 13, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ps += line(200, 760, 12, "Độc lập - Tự do - Hạnh phúc")
    if p == 1:
        ps += line(160, 720, 15, "ĐƠN ĐỀ NGHỊ HỖ TRỢ HỌC PHÍ")
        ps += line(72, 680, 12, "Người làm đơn: Đặng Thị Ữ, sinh năm 1985.")
        ps += line(72, 662, 12, "Địa chỉ: bản Nà Khoa, xã Nậm Pồ, tỉnh Điện Biên.")
    ps += line(72, 620, 12, "Trang %d: nội dung đề nghị và cam kết của người làm đơn." % p)
    if p == a.pages:
        ps += line(340, 330, 12, "Điện Biên, ngày 26 tháng 11 năm 2026")
        ps += line(385, 312, 13, "NGƯỜI LÀM ĐƠN")
        ps += line(378, 296, 11, "(Ký, ghi rõ họ tên)")
        ps += line(392, 215, 13, "Đặng Thị Ữ")
    ps += "showpage\n"

with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "form.ps")
    pdf = os.path.join(d, "form.pdf")
    open(src, "w", encoding="utf-8").write(ps)
    env = dict(os.environ, GS_FONTPATH="/usr/share/fonts/truetype/dejavu")
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
                    "-dAutoRotatePages=/None", "-sOutputFile=" + pdf, src], check=True, env=env)
    if a.rotate:
        subprocess.run(["qpdf", "--rotate=+%d" % a.rotate, pdf, a.out], check=True)
    else:
        os.replace(pdf, a.out)
PY
}

check_bbox() {
    python3 - "$1" "$2" <<'PY' || fail "neac's boxes disagree with pdftotext -bbox-layout for $(basename "$1")"
import json, re, subprocess, sys, unicodedata
from html import unescape

pdf, doc = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
xml = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True, check=True,
                     text=True).stdout
pages = []
for page in re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S):
    words = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
        words.append(([float(v) for v in m.groups()[:4]], unescape(m.group(5))))
    pages.append(words)

def key(s):
    return "".join(unicodedata.normalize("NFKC", s).casefold().split())

def to_user(b, g):
    """pdftotext: displayed page, origin top-left of the MediaBox, y down -> user space."""
    x1, y1, x2, y2 = b
    mx1, my1, mx2, my2 = g["media_box"]
    W, H = mx2 - mx1, my2 - my1
    pts = []
    for X, Y in ((x1, y1), (x2, y2)):
        r = g["rotate"]
        if r == 0:
            p = (X, H - Y)
        elif r == 90:
            p = (Y, X)
        elif r == 180:
            p = (W - X, Y)
        else:
            p = (W - Y, H - X)
        pts.append((mx1 + p[0], my1 + p[1]))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]

want = key(doc["keyword"])
bad = 0
for m in doc["matches"]:
    g = m["page_geometry"]
    ux, uy, uw, uh = m["keyword_box"]["user"]
    ours = [ux, uy, ux + uw, uy + uh]
    words = pages[m["page"] - 1]
    runs = []
    for i in range(len(words)):
        acc, box = "", None
        for j in range(i, len(words)):
            acc += key(words[j][1])
            b = words[j][0]
            box = b if box is None else [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
            if want in acc:
                runs.append((to_user(box, g), acc != want, " ".join(w[1] for w in words[i:j + 1])))
                break
            if len(acc) > len(want) + 40:
                break
    if not runs:
        print("page %d: pdftotext has no words for %r" % (m["page"], doc["keyword"]))
        bad += 1
        continue
    theirs, partial, text = min(runs, key=lambda r: sum(abs(a - b) for a, b in zip(r[0], ours)))
    diff = [abs(a - b) for a, b in zip(theirs, ours)]
    if partial:  # punctuation attached: the words contain the keyword
        ok = (ours[0] >= theirs[0] - 2 and ours[1] >= theirs[1] - 2 and ours[2] <= theirs[2] + 2
              and ours[3] <= theirs[3] + 2)
    else:
        ok = max(diff) <= 2
    print("%s page %d %-30s neac %s pdftotext %s (max diff %.2f pt%s)" % (
        "ok " if ok else "BAD", m["page"], repr(text), [round(v, 2) for v in ours],
        [round(v, 2) for v in theirs], max(diff), ", partial words" if partial else ""))
    bad += 0 if ok else 1
    # The displayed box (what --rect takes) is the user box seen on the turned, cropped page.
    cx1, cy1, cx2, cy2 = g["crop_box"]
    r = g["rotate"]
    if r == 0:
        disp = [ux - cx1, uy - cy1, uw, uh]
    elif r == 90:
        disp = [uy - cy1, cx2 - (ux + uw), uh, uw]
    elif r == 180:
        disp = [cx2 - (ux + uw), cy2 - (uy + uh), uw, uh]
    else:
        disp = [cy2 - (uy + uh), ux - cx1, uh, uw]
    got = m["keyword_box"]["displayed"]
    if max(abs(a - b) for a, b in zip(disp, got)) > 0.05:
        print("BAD displayed box %s, expected %s for /Rotate %d and CropBox %s" % (got, disp, r, g["crop_box"]))
        bad += 1
sys.exit(1 if bad else 0)
PY
}
