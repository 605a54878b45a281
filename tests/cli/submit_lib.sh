# Helpers for the `neac submit` tests; source after lib.sh, sign_lib.sh and portal_lib.sh.
#
#   make_dossier DIR             a dossier folder: two Vietnamese forms with a signature block
#                                (to-khai.pdf, don.pdf), a scanned attachment (giay.pdf) and a
#                                Word file (ghi-chu.docx)
#   write_manifest DIR [TP1 [TP2]]   DIR/dossier.yaml for the sandbox profile's applicant; TP1 and
#                                TP2 name the files of the two required components (default
#                                signed/to-khai.signed.pdf and signed/don.signed.pdf)
#   sandbox_trust                the sandbox root certificate (after the first sandbox signature)

make_dossier() {
    local dir=$1
    mkdir -p "$dir/signed"
    "$NEAC_SOURCE_DIR/tests/support/make_vi_pdf.py" "$dir/to-khai.pdf" \
        "TỜ KHAI ĐĂNG KÝ KHAI SINH" || fail "make_vi_pdf.py failed"
    "$NEAC_SOURCE_DIR/tests/support/make_vi_pdf.py" "$dir/don.pdf" "ĐƠN ĐỀ NGHỊ" ||
        fail "make_vi_pdf.py failed"
    python3 "$make_pdf" "$dir/giay.pdf" --pages 2 >/dev/null || fail "make_pdf.py failed"
    python3 - "$dir/ghi-chu.docx" <<'PY' || fail "cannot write the docx"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/document.xml", "<w:document><w:body>Ghi chú</w:body></w:document>")
PY
}

write_manifest() {
    local dir=$1 tp1=${2:-signed/to-khai.signed.pdf} tp2=${3:-signed/don.signed.pdf}
    cat >"$dir/dossier.yaml" <<YAML
version: 1
portal:
  url: ${PORTAL_URL:-https://dichvucong.example.gov.vn/neac/v1}
procedure:
  code: "1.001193"
  name: Đăng ký khai sinh
applicant:
  name: NGUYỄN VĂN A
  id: "001099012345"
  phone: "0912 345 678"
  address: Phường Mường Thanh, TP. Điện Biên Phủ, tỉnh Điện Biên
form:
  ho_ten_tre: Nguyễn Văn Bình
  ngay_sinh: "01/11/2026"
components:
  - code: TP1
    title: Tờ khai đăng ký khai sinh
    file: $tp1
    signature: required
  - code: TP2
    title: Đơn đề nghị
    file: $tp2
    signature: required
  - code: TP3
    title: Giấy chứng sinh (bản scan)
    file: giay.pdf
  - code: TP4
    title: Ghi chú
    file: ghi-chu.docx
policy:
  trust: [sandbox]
YAML
}

sandbox_trust() {
    local root="$NEAC_HOME/sandbox/root-ca.pem"
    [ -f "$root" ] || fail "no sandbox root at $root (sign something with the sandbox first)"
    echo "$root"
}
