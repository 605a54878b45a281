#!/usr/bin/env python3
"""Writes test PDFs: N pages of text, optionally an empty signature field (mutool sign only fills
existing fields) and incompressible padding to reach a given size (for benchmarks).

Usage: make_pdf.py OUT [--pages N] [--pad-bytes B] [--sig-field NAME] [--rotate DEG] [--tagged]
                   [--line TEXT]
"""
import argparse
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, default=1)
    ap.add_argument("--pad-bytes", type=int, default=0)
    ap.add_argument("--sig-field", default="")
    ap.add_argument("--rotate", type=int, default=0)
    ap.add_argument("--line", default="Nguoi lam don",
                    help="the signature line printed near the bottom of every page (ASCII)")
    ap.add_argument("--docmdp", type=int, default=0,
                    help="mark the file certified with this DocMDP P (the certification "
                         "signature itself is a dummy: enough to test refusal rules)")
    ap.add_argument("--tagged", action="store_true",
                    help="a tagged PDF (structure tree, /StructParents) whose last page has an "
                         "indirect /Annots array holding a link annotation, as Word writes it")
    a = ap.parse_args()

    objects = {}  # number -> bytes body
    n_pages = a.pages
    # 1 catalog, 2 pages, 3 font, then per page: page + content
    first_page = 4
    kids = []
    for i in range(n_pages):
        page_no = first_page + 2 * i
        content_no = page_no + 1
        kids.append(page_no)
        text = f"BT /F1 14 Tf 72 720 Td (Page {i + 1} of {n_pages}: neac test document) Tj ET\n"
        text += "BT /F1 11 Tf 72 160 Td (%s) Tj ET\n" % a.line
        data = text.encode()
        objects[content_no] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        rotate = f" /Rotate {a.rotate}" if a.rotate else ""
        objects[page_no] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]{rotate} "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_no} 0 R"
        ).encode()
    next_no = first_page + 2 * n_pages
    acroform = b""
    if a.sig_field:
        field_no = next_no
        next_no += 1
        last_page = kids[-1]
        objects[field_no] = (
            f"<< /Type /Annot /Subtype /Widget /FT /Sig /T ({a.sig_field}) /F 4 "
            f"/Rect [350 60 550 120] /P {last_page} 0 R >>"
        ).encode()
        objects[last_page] += f" /Annots [{field_no} 0 R]".encode()
        acroform = f" /AcroForm << /Fields [{field_no} 0 R] /SigFlags 1 >>".encode()
    struct = b""
    if a.tagged:
        root_no, doc_no, para_no, tree_no, annots_no, link_no = range(next_no, next_no + 6)
        next_no += 6
        last_page = kids[-1]
        for i, p in enumerate(kids):
            objects[p] += b" /StructParents %d" % i
        objects[last_page] += b" /Annots %d 0 R" % annots_no
        objects[annots_no] = b"[%d 0 R]" % link_no
        objects[link_no] = (b"<< /Type /Annot /Subtype /Link /Rect [72 700 200 720] /Border [0 0 0] "
                            b"/A << /S /URI /URI (https://dichvucong.gov.vn) >> >>")
        objects[root_no] = (b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R "
                            b"/ParentTreeNextKey %d >>" % (doc_no, tree_no, n_pages))
        objects[doc_no] = b"<< /Type /StructElem /S /Document /P %d 0 R /K [%d 0 R] >>" % (
            root_no, para_no)
        objects[para_no] = b"<< /Type /StructElem /S /P /P %d 0 R /Pg %d 0 R /K 0 >>" % (
            doc_no, kids[0])
        objects[tree_no] = b"<< /Nums [%s] >>" % b" ".join(
            b"%d [%d 0 R]" % (i, para_no) for i in range(n_pages))
        struct = b" /StructTreeRoot %d 0 R /MarkInfo << /Marked true >>" % root_no
    for p in kids:
        objects[p] += b" >>"
    if a.pad_bytes > 0:
        pad_no = next_no
        next_no += 1
        data = os.urandom(a.pad_bytes)
        objects[pad_no] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    perms = b""
    if a.docmdp:
        sig_no = next_no
        next_no += 1
        objects[sig_no] = (
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
            "/ByteRange [0 0 0 0] /Contents <00> /Reference [<< /Type /SigRef "
            "/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d "
            "/V /1.2 >> >>] >>" % a.docmdp
        ).encode()
        perms = b" /Perms << /DocMDP %d 0 R >>" % sig_no
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R" + acroform + perms + struct + b" >>"
    objects[2] = (
        "<< /Type /Pages /Count %d /Kids [%s] >>" % (n_pages, " ".join(f"{k} 0 R" for k in kids))
    ).encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for no in sorted(objects):
            offsets[no] = f.tell()
            f.write(b"%d 0 obj\n" % no + objects[no] + b"\nendobj\n")
        xref = f.tell()
        f.write(b"xref\n0 %d\n" % next_no)
        f.write(b"0000000000 65535 f \n")
        for no in range(1, next_no):
            f.write(b"%010d 00000 n \n" % offsets[no])
        f.write(b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>] >>\n" %
                (next_no, os.urandom(16).hex().encode(), os.urandom(16).hex().encode()))
        f.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
