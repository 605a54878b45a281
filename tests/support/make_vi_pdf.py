#!/usr/bin/python3
"""Writes a one-page Vietnamese administrative form (DejaVu Sans, embedded) with a signature
block "Người làm đơn (Ký, ghi rõ họ tên)" at the bottom right: the kind of dossier component the
demo and the placement tests sign. Runs with Debian's python3 (python3-reportlab).

Usage: make_vi_pdf.py OUT [TITLE]"""
import sys

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def main():
    out = sys.argv[1]
    title = sys.argv[2] if len(sys.argv) > 2 else "ĐƠN ĐỀ NGHỊ"
    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", BOLD))
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    w, h = A4
    c.setFont("DejaVu-Bold", 12)
    c.drawCentredString(w / 2, h - 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.setFont("DejaVu", 11)
    c.drawCentredString(w / 2, h - 76, "Độc lập - Tự do - Hạnh phúc")
    c.setFont("DejaVu-Bold", 14)
    c.drawCentredString(w / 2, h - 120, title)
    c.setFont("DejaVu", 11)
    lines = [
        "Kính gửi: Ủy ban nhân dân xã Mường Phăng, tỉnh Điện Biên",
        "Họ và tên: Nguyễn Văn A          Ngày sinh: 12/03/1999",
        "Số định danh cá nhân (CCCD): 001099012345",
        "Nơi thường trú: Bản Phăng, xã Mường Phăng, tỉnh Điện Biên",
        "Tôi xin cam đoan những thông tin trên là đúng sự thật.",
    ]
    y = h - 170
    for line in lines:
        c.drawString(72, y, line)
        y -= 22
    c.drawString(330, 230, "Điện Biên, ngày 26 tháng 11 năm 2026")
    c.setFont("DejaVu-Bold", 11)
    c.drawString(370, 210, "Người làm đơn")
    c.setFont("DejaVu", 10)
    c.drawString(350, 195, "(Ký, ghi rõ họ tên)")
    c.showPage()
    c.save()


if __name__ == "__main__":
    main()
