#!/usr/bin/env bash
# neac sign on files other tools signed or shaped: several signatures, mutool- and pdfsig-signed
# inputs, certified documents, existing fields, rotated pages, xref streams, linearized and large
# files. Every output is judged by pdfsig, mutool, qpdf and openssl.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

use_pki
sandbox_profile an
ca_sandbox="$NEAC_HOME/sandbox/root-ca.pem"

step "two neac signatures: both stay valid"
python3 "$make_pdf" "$tmp/a.pdf" --pages 2
expect_exit 0 "$NEAC" sign "$tmp/a.pdf" --profile an -o "$tmp/a1.pdf"
expect_exit 0 "$NEAC" sign "$tmp/a1.pdf" --profile an -o "$tmp/a2.pdf" --page 1
assert_contains "$(cat "$OUT")" "Signature2"
assert_signed_ok "$tmp/a2.pdf" 2
valid=$(pdfsig "$tmp/a2.pdf" | grep -c "Signature is Valid.")
assert_eq "$valid" 2 "valid signatures after the second one"

step "a file signed by mutool gets one more signature; both stay valid"
python3 "$make_pdf" "$tmp/m.pdf" --sig-field Sig1
mutool sign -s "$pki/signer-rsa.p12" -P test123 -o "$tmp/m1.pdf" "$tmp/m.pdf" >/dev/null 2>&1 ||
    fail "mutool sign failed"
expect_exit 0 "$NEAC" sign "$tmp/m1.pdf" --profile an -o "$tmp/m2.pdf"
assert_signed_ok "$tmp/m2.pdf" 2
assert_eq "$(pdfsig "$tmp/m2.pdf" | grep -c "Signature is Valid.")" 2 "valid signatures"

step "a file signed by pdfsig -add-signature gets one more signature"
nss="$tmp/nss"
mkdir "$nss"
certutil -N -d "sql:$nss" --empty-password
pk12util -i "$pki/signer-rsa.p12" -d "sql:$nss" -W test123 >/dev/null 2>&1 || fail "pk12util"
nick=$(certutil -L -d "sql:$nss" | awk 'NR>4 && /u,u,u/ {sub(/[ \t]+u,u,u$/, ""); print; exit}')
[ -n "$nick" ] || fail "no certificate nickname in the NSS database"
python3 "$make_pdf" "$tmp/p.pdf"
pdfsig -add-signature -nssdir "sql:$nss" -nick "$nick" -new-signature-field-name PdfsigSig \
    "$tmp/p.pdf" "$tmp/p1.pdf" >/dev/null 2>&1 || fail "pdfsig -add-signature failed"
expect_exit 0 "$NEAC" sign "$tmp/p1.pdf" --profile an -o "$tmp/p2.pdf"
assert_signed_ok "$tmp/p2.pdf" 2
assert_eq "$(pdfsig "$tmp/p2.pdf" | grep -c "Signature is Valid.")" 2 "valid signatures"

step "--field fills an existing empty signature field"
expect_exit 0 "$NEAC" --json sign "$tmp/m.pdf" --profile an --field Sig1 -o "$tmp/f.pdf"
json_check "$OUT" 'd["files"][0]["field"] == "Sig1"'
assert_signed_ok "$tmp/f.pdf" 1
pdfsig "$tmp/f.pdf" | grep -q "Signature Field Name: Sig1" || fail "Sig1 was not filled"
expect_exit 4 "$NEAC" sign "$tmp/f.pdf" --profile an --field Sig1 -o "$tmp/f2.pdf"
assert_contains "$(cat "$ERR")" "already signed"
expect_exit 4 "$NEAC" sign "$tmp/m.pdf" --profile an --field Nope -o "$tmp/f3.pdf"

step "invisible signature"
expect_exit 0 "$NEAC" --json sign "$tmp/a.pdf" --profile an --invisible -o "$tmp/inv.pdf"
json_check "$OUT" 'd["files"][0]["invisible"] is True'
assert_signed_ok "$tmp/inv.pdf" 1

step "certified documents: DocMDP P=1 refused with the reason, P=2 and P=3 signed"
python3 "$make_pdf" "$tmp/mdp1.pdf" --docmdp 1
expect_exit 4 "$NEAC" sign "$tmp/mdp1.pdf" --profile an -o "$tmp/mdp1.signed.pdf"
assert_contains "$(cat "$ERR")" "DocMDP P=1"
[ ! -e "$tmp/mdp1.signed.pdf" ] || fail "output written for a P=1 document"
for p in 2 3; do
    python3 "$make_pdf" "$tmp/mdp$p.pdf" --docmdp "$p"
    expect_exit 0 "$NEAC" sign "$tmp/mdp$p.pdf" --profile an -o "$tmp/mdp$p.signed.pdf"
    pdfsig "$tmp/mdp$p.signed.pdf" | grep -q "Signature is Valid." || fail "P=$p not signed validly"
    qpdf --check "$tmp/mdp$p.signed.pdf" >/dev/null || fail "qpdf --check on P=$p"
done

step "rotated page: the box is placed on the page as displayed"
python3 "$make_pdf" "$tmp/rot.pdf" --rotate 90
expect_exit 0 "$NEAC" --json sign "$tmp/rot.pdf" --profile an --rect 36,36,200,60 -o "$tmp/rot1.pdf"
assert_signed_ok "$tmp/rot1.pdf" 1
# The page is 595x842 unrotated; displayed it is 842 wide. Displayed (36,36,200,60) is user-space
# x from 595-36-60 to 595-36, y from 36 to 236.
rect=$(qpdf --json=2 --json-key=qpdf "$tmp/rot1.pdf" | python3 -c '
import json, sys
objs = json.load(sys.stdin)["qpdf"][1]
for k, v in objs.items():
    val = v.get("value") if isinstance(v, dict) else None
    if isinstance(val, dict) and val.get("/FT") == "/Sig" and "/Rect" in val:
        print(" ".join(str(round(x)) for x in val["/Rect"]))
')
assert_eq "$rect" "499 36 559 236" "widget /Rect on the page rotated by 90 degrees"
expect_exit 2 "$NEAC" sign "$tmp/rot.pdf" --profile an --rect 36,600,200,60 -o "$tmp/rot2.pdf"

step "xref streams, object streams, linearized files"
qpdf --object-streams=generate "$tmp/a.pdf" "$tmp/os.pdf"
expect_exit 0 "$NEAC" sign "$tmp/os.pdf" --profile an -o "$tmp/os1.pdf"
assert_signed_ok "$tmp/os1.pdf" 1
tail -c 2000 "$tmp/os1.pdf" | grep -aq "/Type /XRef" || fail "the update does not use an xref stream"
qpdf --linearize "$tmp/a.pdf" "$tmp/lin.pdf"
expect_exit 0 "$NEAC" sign "$tmp/lin.pdf" --profile an -o "$tmp/lin1.pdf"
assert_signed_ok "$tmp/lin1.pdf" 1
expect_exit 0 "$NEAC" sign "$tmp/lin1.pdf" --profile an -o "$tmp/lin2.pdf"
assert_signed_ok "$tmp/lin2.pdf" 2

if [ -d "${NEAC_CORPUS_DIR:-/nonexistent}/pyhanko/pdf" ]; then
    step "hybrid-reference files (MS Word style)"
    for f in minimal-hybrid-xref minimal-hybrid-xref-mswordstyle minimal-hybrid-xref-weirdgen; do
        expect_exit 0 "$NEAC" sign "$NEAC_CORPUS_DIR/pyhanko/pdf/$f.pdf" --profile an \
            -o "$tmp/$f.pdf"
        assert_signed_ok "$tmp/$f.pdf" 1
    done
fi

step "a 1,000-page file"
python3 "$make_pdf" "$tmp/big.pdf" --pages 1000
expect_exit 0 "$NEAC" --json sign "$tmp/big.pdf" --profile an -o "$tmp/big1.pdf"
json_check "$OUT" 'd["files"][0]["page"] == 1000'
assert_signed_ok "$tmp/big1.pdf" 1

pass
