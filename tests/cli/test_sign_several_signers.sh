#!/usr/bin/env bash
# Several signers on one component: every Vietnamese form of the corpus is signed three times at
# the same keyword (the signature line its ground truth names), by two people. No signature box
# may overlap another (their /Rect, read with qpdf) or cover printed text (pdftotext's word
# boxes); every signature passes neac verify and pdfsig; sign says where it moved the box. With
# no free space at all, sign stops with exit 4 unless --allow-overlap.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

corpus="${NEAC_CORPUS_DIR:-}/vi"
[ -d "$corpus" ] || skip "no Vietnamese corpus at $corpus"
use_pki
sandbox_profile an
pkcs12_profile other signer-other 079188004321

check="$tmp/check.py"
cat >"$check" <<'PY'
"""check.py SIGNED ORIGINAL SIGN_JSON...: widgets of SIGNED do not overlap; the boxes neac chose
(displayed coordinates, from sign --json) cover no word of ORIGINAL (pdftotext -bbox)."""
import json, subprocess, sys, re

signed, original, sign_outputs = sys.argv[1], sys.argv[2], sys.argv[3:]
doc = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", signed],
                                capture_output=True, text=True, check=True).stdout)
rects = []
for key, obj in doc["qpdf"][1].items():
    v = obj.get("value") if isinstance(obj, dict) else None
    if isinstance(v, dict) and v.get("/Subtype") == "/Widget" and v.get("/FT") == "/Sig":
        r = v.get("/Rect")
        if r and abs(r[2] - r[0]) > 1 and abs(r[3] - r[1]) > 1:
            rects.append((key, min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])))
problems = []
for i in range(len(rects)):
    for j in range(i + 1, len(rects)):
        a, b = rects[i], rects[j]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]:
            problems.append("widgets %s and %s overlap" % (a[0], b[0]))
html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "9", original, "-"],
                      capture_output=True, text=True, check=True).stdout
pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
for out in sign_outputs:
    f = json.load(open(out))["files"][0]
    if f.get("invisible"):
        continue
    x, y, w, h = f["box"]
    pw, ph, body = pages[f["page"] - 1]
    # pdftotext gives words as the page is displayed but the page size unturned.
    info = subprocess.run(["pdfinfo", "-f", str(f["page"]), "-l", str(f["page"]), original],
                          capture_output=True, text=True).stdout
    rot = re.search(r"Page +%d rot: +(\d+)" % f["page"], info)
    ph = float(pw) if rot and int(rot.group(1)) % 180 == 90 else float(ph)
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body):
        x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
        # pdftotext measures from the top; shrink a little: glyph boxes touching the box are fine
        top, bottom = ph - y0 - 0.5, ph - y1 + 0.5
        if x0 + 0.5 < x + w and x < x1 - 0.5 and bottom < y + h and y < top:
            problems.append("%s: box %s covers the word %r" % (out.split("/")[-1], f["box"], m.group(5)))
print("\n".join(problems))
PY

step "three signatures at the same keyword of every form: none overlaps, none covers text"
forms=0
for truth in "$corpus"/*.json; do
    pdf="$corpus/$(basename "$truth" .json).pdf"
    [ -f "$pdf" ] || continue
    read -r keyword occurrence < <(python3 - "$truth" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keywords"]:
    occ = k.get("signature_occurrence")
    if occ is not None and not k["keyword"].startswith("("):
        print(k["keyword"].replace(" ", "\u00a0"), occ + 1)
        break
PY
)
    keyword=${keyword//$'\u00a0'/ }
    name=$(basename "$pdf" .pdf)
    in="$pdf"
    outs=()
    for k in 1 2 3; do
        who=an
        [ "$k" = 2 ] && who=other
        out="$tmp/$name.$k.pdf"
        expect_exit 0 "$NEAC" --json sign "$in" --profile "$who" -o "$out" --keyword "$keyword" \
            --occurrence "$occurrence"
        cp "$OUT" "$tmp/$name.$k.json"
        outs+=("$tmp/$name.$k.json")
        in="$out"
    done
    json_check "${outs[1]}" 'd["files"][0]["placement"] != ""' "$name: the second box was moved, and sign says so"
    problems=$(python3 "$check" "$in" "$pdf" "${outs[@]}")
    [ -z "$problems" ] || fail "$name: $problems"
    expect_exit 0 "$NEAC" --json verify "$in" --trust sandbox --trust "$pki/root-ca.pem"
    json_check "$OUT" '[s["indication"] for s in d["files"][0]["signatures"]] == ["PASSED"] * 3' "$name"
    valid=$(pdfsig "$in" 2>&1 | grep -c "Signature is Valid." || true)
    assert_eq "$valid" 3 "$name: signatures pdfsig calls valid"
    forms=$((forms + 1))
done
[ "$forms" -ge 8 ] || fail "only $forms forms were tried"

step "the text output names the move; history lists the three signers in order"
expect_exit 0 "$NEAC" sign "$tmp/xay-dung-nha-o-1trang.1.pdf" --profile other -o "$tmp/again.pdf" \
    --keyword "NGƯỜI LÀM ĐƠN"
assert_contains "$(cat "$OUT")" "beside an earlier signature"
expect_exit 0 "$NEAC" --json history "$tmp/xay-dung-nha-o-1trang.3.pdf" --trust sandbox \
    --trust "$pki/root-ca.pem"
json_check "$OUT" '[s["signer"]["identity"]["number"] for s in d["files"][0]["signatures"]] == ["001099012345", "079188004321", "001099012345"]'

step "no free space: exit 4 naming the conflict, --allow-overlap signs over it"
python3 "$make_pdf" "$tmp/tight.pdf"
# A page-wide stamp around the signature line leaves no room anywhere near it.
python3 - "$tmp/tight.pdf" <<'PY'
import sys
p = sys.argv[1]
data = open(p, "rb").read()
size = int(data.split(b"/Size ")[1].split()[0])
start = data.rindex(b"startxref")
prev = int(data[start:].split()[1])
page_at = data.index(b"4 0 obj")
page = data[page_at:data.index(b"endobj", page_at)].split(b"\n", 1)[1].rstrip()
page = page[:-2] + b" /Annots [%d 0 R] >>" % size
stamp = b"<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /C [1 0 0] >>"
body, offsets = b"", {}
base = len(data)
for no, obj in ((4, page), (size, stamp)):
    offsets[no] = base + len(body)
    body += b"%d 0 obj\n" % no + obj + b"\nendobj\n"
xref = base + len(body)
body += b"xref\n4 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (offsets[4], size, offsets[size])
body += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size + 1, prev, xref)
open(p, "ab").write(body)
PY
expect_exit 4 "$NEAC" sign "$tmp/tight.pdf" --profile an -o "$tmp/tight.signed.pdf" \
    --keyword "Nguoi lam don"
assert_contains "$(cat "$ERR")" "no free space near the keyword"
[ ! -e "$tmp/tight.signed.pdf" ] || fail "an output was written for a refused file"
expect_exit 0 "$NEAC" --json sign "$tmp/tight.pdf" --profile an -o "$tmp/tight.signed.pdf" \
    --keyword "Nguoi lam don" --allow-overlap
json_check "$OUT" '"covers an earlier signature" in d["files"][0]["placement"]'
expect_exit 0 "$NEAC" locate "$tmp/tight.pdf" --keyword "Nguoi lam don"
assert_contains "$(cat "$OUT")$(cat "$ERR")" "covers an earlier signature or annotation"
pass
