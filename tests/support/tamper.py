#!/usr/bin/env python3
"""Makes tampered variants of a signed PDF for the verifier tests (independent of neac: objects are
read with the qpdf CLI and regular expressions, updates are written by hand).

Usage: tamper.py MODE IN OUT

Incremental updates appended after the signature (each writes a new revision with a classic xref
table, /Prev pointing at the signed revision):
  add-page          append a new page to the page tree (/Kids and /Count change)
  replace-content   redefine page 1's content stream with other text
  replace-reason    redefine the first signature dictionary with another /Reason
  swap-appearance   redefine the appearance stream of the first signature's widget
  move-contents     redefine the first signature dictionary with /Contents as an indirect object
  add-annotation    add a Text annotation to page 1 (allowed with a warning)
  update-info       replace the /Info dictionary (allowed with a warning)
  hide-layer        add /OCProperties that hide an optional content group (shadow attack)
In-place edits of the signed bytes:
  flip              change one byte inside the first signed range (page text)
  shift-byterange   move the /ByteRange gap of the last signature by one byte
  shrink-byterange  make the last signature's second range one byte shorter
Hostile files made from scratch (IN is ignored, give -):
  xref-loop         two cross-reference sections whose /Prev point at each other
  deflate-bomb      the catalog inside an object stream that inflates to 1 GiB
  deep-nesting      a catalog entry nested 10,000 arrays deep
  deep-page-tree    a page tree 30,000 /Pages nodes deep
  content-bomb      a page whose content stream inflates to 1 GiB before its text
"""
import zlib
import re
import subprocess
import sys


def qpdf_object(path, what):
    out = subprocess.run(["qpdf", f"--show-object={what}", path], check=True,
                         capture_output=True).stdout
    return out.strip()


def last_startxref(data):
    m = list(re.finditer(rb"startxref\s+(\d+)", data))
    if not m:
        sys.exit("tamper: no startxref")
    return int(m[-1].group(1))


def trailer_info(path):
    t = qpdf_object(path, "trailer").decode("latin-1")
    size = int(re.search(r"/Size (\d+)", t).group(1))
    root = re.search(r"/Root (\d+ \d+ R)", t).group(1)
    info = re.search(r"/Info (\d+ \d+ R)", t)
    ident = re.search(r"/ID (\[[^\]]*\])", t)
    return size, root, info.group(1) if info else None, ident.group(1) if ident else None


def append_update(src, dst, objects, info_ref=None):
    """objects: {number: body bytes}. Writes src + one incremental revision to dst."""
    data = open(src, "rb").read()
    size, root, info, ident = trailer_info(src)
    prev = last_startxref(data)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objects):
        out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    new_size = max([size] + [n + 1 for n in objects])
    trailer = b"<< /Size %d /Root %s /Prev %d" % (new_size, root.encode(), prev)
    info_ref = info_ref or info
    if info_ref:
        trailer += b" /Info " + info_ref.encode()
    if ident:
        trailer += b" /ID " + ident.encode()
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    open(dst, "wb").write(out)


def stream(dict_entries, data):
    return b"<< " + dict_entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pages(path):
    out = subprocess.run(["qpdf", "--show-pages", path], check=True, capture_output=True).stdout
    return [int(m.group(1)) for m in re.finditer(rb"page \d+: (\d+) \d+ R", out)]


def sig_dicts(data):
    """(number, start, end) of each signature dictionary object in file order (uncompressed)."""
    found = []
    for m in re.finditer(rb"(\d+) 0 obj\s*<<\s*/Type\s*/Sig\b", data):
        end = data.index(b"endobj", m.end())
        found.append((int(m.group(1)), m.start(), end))
    return found


def object_body(data, start, end):
    body = data[start:end]
    return body[body.index(b"obj") + 3:].strip()


def write_pdf(dst, objects, trailer_extra=b"", xref_stream_objstm=None):
    """A one-revision PDF with a classic xref table; objects: {number: body}."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, trailer_extra, xref)
    open(dst, "wb").write(out)


def hostile(mode, dst):
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
    content = stream(b"", b"BT /F1 12 Tf 72 720 Td (x) Tj ET")
    if mode == "deep-nesting":
        deep = b"[" * 10000 + b"]" * 10000
        write_pdf(dst, {1: b"<< /Type /Catalog /Pages 2 0 R /Deep " + deep + b" >>",
                        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page, 4: content})
    elif mode == "xref-loop":
        # The first section's trailer points forward to a second section whose /Prev points
        # back: the chain never ends.
        write_pdf(dst, {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page, 4: content},
                  trailer_extra=b" /Prev 0000000000")
        data = bytearray(open(dst, "rb").read())
        first = last_startxref(data)
        second = len(data)
        data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\n" \
                b"startxref\n%d\n%%%%EOF\n" % (first, second)
        at = data.index(b"/Prev 0000000000")
        data[at:at + 16] = b"/Prev %010d" % second
        open(dst, "wb").write(data)
    elif mode == "deep-page-tree":
        depth = 30000
        objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
        for i in range(depth):
            objects[2 + i] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + i)
        objects[2 + depth] = b"<< /Type /Page /MediaBox [0 0 595 842] >>"
        write_pdf(dst, objects)
    elif mode == "content-bomb":
        comp = zlib.compressobj(9)
        block = b" " * (1 << 20)
        data = b"".join([comp.compress(block) for _ in range(1024)] +
                        [comp.compress(b"BT /F1 12 Tf 72 720 Td (Nguoi lam don) Tj ET"),
                         comp.flush()])
        page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>")
        write_pdf(dst, {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page,
                        4: b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data
                        + b"\nendstream",
                        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"})
    elif mode == "deflate-bomb":
        # Object stream 5 holds the catalog; its data inflates to 1 GiB of spaces after it.
        header = b"1 0 "
        body = b"<< /Type /Catalog /Pages 2 0 R >>"
        comp = zlib.compressobj(9)
        chunks = [comp.compress(header + body)]
        block = b" " * (1 << 20)
        for _ in range(1024):
            chunks.append(comp.compress(block))
        chunks.append(comp.flush())
        data = b"".join(chunks)
        objstm = (b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                  % (len(header), len(data)) + data + b"\nendstream")
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for num, b in ((2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"), (3, page), (4, content),
                       (5, objstm)):
            offsets[num] = len(out)
            out += b"%d 0 obj\n" % num + b + b"\nendobj\n"
        rows = [b"\x00\x00\x00\x00\xff", b"\x02\x00\x00\x05\x00"]  # 0 free, 1 in objstm 5
        for num in (2, 3, 4, 5):
            rows.append(b"\x01" + offsets[num].to_bytes(3, "big") + b"\x00")
        xref_at = len(out)
        rows.append(b"\x01" + xref_at.to_bytes(3, "big") + b"\x00")
        raw = b"".join(rows)
        out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 3 1] /Root 1 0 R /Length %d >>\nstream\n"
                % len(raw) + raw + b"\nendstream\nendobj\n")
        out += b"startxref\n%d\n%%%%EOF\n" % xref_at
        open(dst, "wb").write(out)
    else:
        return False
    return True


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    mode, src, dst = sys.argv[1:]
    if hostile(mode, dst):
        return
    data = open(src, "rb").read()
    size = trailer_info(src)[0]

    if mode == "flip":
        at = data.find(b"Page 1")
        if at < 0:
            sys.exit("tamper: no page text to flip")
        out = bytearray(data)
        out[at + 5] ^= 0x01  # "Page 1" -> "Page 0"
        open(dst, "wb").write(out)
    elif mode in ("shift-byterange", "shrink-byterange"):
        m = list(re.finditer(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
        a, b, c = (int(x) for x in m.groups())
        if mode == "shift-byterange":
            a, b = a + 1, b + 1
        else:
            c -= 1
        new = b"/ByteRange [0 %d %d %d]" % (a, b, c)
        old = m.group(0)
        if len(new) > len(old):
            sys.exit("tamper: no room to rewrite /ByteRange in place")
        new += b" " * (len(old) - len(new))
        open(dst, "wb").write(data[:m.start()] + new + data[m.end():])
    elif mode == "add-page":
        kids = pages(src)
        pages_ref = re.search(rb"/Pages (\d+) 0 R", qpdf_object(src, trailer_info(src)[1].split()[0]))
        pages_num = int(pages_ref.group(1))
        pages_dict = qpdf_object(src, str(pages_num)).decode("latin-1")
        page_num, content_num = size, size + 1
        new_kids = " ".join(f"{k} 0 R" for k in kids + [page_num])
        pages_dict = re.sub(r"/Kids \[[^\]]*\]", f"/Kids [ {new_kids} ]", pages_dict)
        pages_dict = re.sub(r"/Count \d+", f"/Count {len(kids) + 1}", pages_dict)
        first_page = qpdf_object(src, str(kids[0])).decode("latin-1")
        res = re.search(r"/Resources (<<.*?>> >>|\d+ 0 R)", first_page)
        resources = res.group(1) if res else "<< >>"
        append_update(src, dst, {
            pages_num: pages_dict.encode("latin-1"),
            page_num: (f"<< /Type /Page /Parent {pages_num} 0 R /MediaBox [0 0 595 842] "
                       f"/Resources {resources} /Contents {content_num} 0 R >>").encode("latin-1"),
            content_num: stream(b"", b"BT /F1 14 Tf 72 720 Td (Trang them sau khi ky) Tj ET"),
        })
    elif mode == "replace-content":
        first_page = qpdf_object(src, str(pages(src)[0])).decode("latin-1")
        content = int(re.search(r"/Contents (\d+) 0 R", first_page).group(1))
        append_update(src, dst, {
            content: stream(b"", b"BT /F1 14 Tf 72 720 Td (So tien: 999.000.000 dong) Tj ET"),
        })
    elif mode in ("replace-reason", "move-contents"):
        num, start, end = sig_dicts(data)[0]
        body = object_body(data, start, end)
        objects = {}
        if mode == "replace-reason":
            if re.search(rb"/Reason\s*(\([^)]*\)|<[0-9A-Fa-f]*>)", body):
                body = re.sub(rb"/Reason\s*(\([^)]*\)|<[0-9A-Fa-f]*>)", b"/Reason (Tampered)", body)
            else:
                body = body[:-2] + b" /Reason (Tampered) >>"
        else:
            m = re.search(rb"/Contents\s*(<[0-9A-Fa-f\s]*>)", body)
            objects[size] = m.group(1)
            body = body[:m.start()] + b"/Contents %d 0 R" % size + body[m.end():]
        objects[num] = body
        append_update(src, dst, objects)
    elif mode == "swap-appearance":
        num = sig_dicts(data)[0][0]
        m = re.search(rb"/V %d 0 R[^\n]*?/AP << /N (\d+) 0 R" % num, data) or \
            re.search(rb"/AP << /N (\d+) 0 R[^\n]*?/V %d 0 R" % num, data)
        if not m:
            sys.exit("tamper: no appearance found for the first signature")
        ap = int(m.group(1))
        append_update(src, dst, {
            ap: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 200 70] /Resources << /Font << "
                       b"/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
                       b"BT /F1 10 Tf 4 30 Td (Signed by SOMEONE ELSE) Tj ET"),
        })
    elif mode == "add-annotation":
        page = pages(src)[0]
        page_dict = qpdf_object(src, str(page)).decode("latin-1")
        annot = size
        m = re.search(r"/Annots (\[[^\]]*\]|\d+ 0 R)", page_dict)
        objects = {annot: b"<< /Type /Annot /Subtype /Text /Rect [50 50 70 70] "
                          b"/Contents (Ghi chu) /P %d 0 R >>" % page}
        if m and m.group(1).startswith("["):
            page_dict = page_dict.replace(m.group(1), m.group(1)[:-1] + f" {annot} 0 R]")
        elif m:
            arr_num = int(m.group(1).split()[0])
            arr = qpdf_object(src, str(arr_num)).decode("latin-1")
            objects[arr_num] = (arr.rstrip()[:-1] + f" {annot} 0 R]").encode("latin-1")
        else:
            page_dict = page_dict.rstrip()[:-2] + f" /Annots [{annot} 0 R] >>"
        if not (m and not m.group(1).startswith("[")):
            objects[page] = page_dict.encode("latin-1")
        append_update(src, dst, objects)
    elif mode == "update-info":
        append_update(src, dst, {size: b"<< /Producer (tamper.py) /Title (Ho so) >>"},
                      info_ref=f"{size} 0 R")
    elif mode == "hide-layer":
        root = trailer_info(src)[1].split()[0]
        cat = qpdf_object(src, root).decode("latin-1")
        ocg = size
        cat = cat.rstrip()[:-2] + (f" /OCProperties << /OCGs [{ocg} 0 R] /D << /OFF [{ocg} 0 R] "
                                   f">> >> >>")
        append_update(src, dst, {int(root): cat.encode("latin-1"),
                                 ocg: b"<< /Type /OCG /Name (Lop an) >>"})
    else:
        sys.exit(f"tamper: unknown mode {mode}\n{__doc__}")


if __name__ == "__main__":
    main()
