#!/usr/bin/env bash
# neac history: the timeline of a file (revisions, signatures, journaled attempts matched by
# content), aligned text with Vietnamese names, --json, files signed elsewhere, bad input, usage,
# and --dossier against the portal simulator.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/portal_lib.sh"

use_pki
sandbox_profile an
# A display name in NFD (base letters + combining marks), as some keyboards and macOS produce it.
nfd_name=$(python3 -c 'import unicodedata; print(unicodedata.normalize("NFD", "LÊ THỊ HỒNG NHUNG"))')
[ "$(printf '%s' "$nfd_name" | wc -c)" -gt "$(printf '%s' "LÊ THỊ HỒNG NHUNG" | wc -c)" ] ||
    fail "the NFD name is not decomposed"
expect_exit 0 "$NEAC" profile add nhung --display-name "$nfd_name" --phone 0912345679 \
    --account 079188000111 --provider sandbox
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
# json_check with an expression that may span lines.
jcheck() { json_check "$1" "($2)" "${3:-JSON check}"; }

step "sign, a rejected request on the same input, sign the signed output again"
python3 "$make_pdf" "$tmp/don.pdf" --pages 2
expect_exit 0 "$NEAC" --json sign "$tmp/don.pdf" --profile an -o "$tmp/s1.pdf"
txn1=$(json_get "$OUT" 'd["transactions"][0]')
NEAC_SANDBOX_OUTCOME=reject expect_exit 6 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/r.pdf"
expect_exit 0 "$NEAC" --json sign "$tmp/s1.pdf" --profile nhung -o "$tmp/s2.pdf"
txn2=$(json_get "$OUT" 'd["transactions"][0]')
[ "$txn1" != "$txn2" ] || fail "both signatures report the same transaction"

step "text: the timeline, oldest first, aligned by display width"
expect_exit 0 "$NEAC" history "$tmp/s2.pdf"
cp "$OUT" "$tmp/text.out"
assert_contains "$(cat "$OUT")" "3 revisions, 2 signatures, 1 attempt without a signature"
assert_contains "$(cat "$OUT")" "original document"
assert_contains "$(cat "$OUT")" "request rejected on the phone"
assert_contains "$(cat "$OUT")" "transaction $txn1"
assert_contains "$(cat "$OUT")" "transaction $txn2"
assert_contains "$(cat "$OUT")" "note: no --trust anchor given"
assert_contains "$(cat "$OUT")" "$nfd_name"
python3 - "$tmp/text.out" <<'PY' || fail "the timeline table is out of order or misaligned: $(cat "$tmp/text.out")"
import sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)
rows = [l for l in lines if (l.startswith("  r") and not l.startswith("  rev")) or "request rejected" in l]
order = [("r1" if l.startswith("  r1") else "attempt" if "request rejected" in l else l.split()[0])
         for l in rows]
assert order == ["r1", "attempt", "r2", "r3"], order
# Every cell of the rows with an identity starts at the same display column.
cols = [width(l[: l.index("CCCD ")]) for l in rows if "CCCD " in l]
assert len(cols) == 3 and len(set(cols)) == 1, cols
journal = [width(l[: l.index("sandbox #")]) for l in rows if "sandbox #" in l]
assert len(journal) == 3 and len(set(journal)) == 1, journal
# The NFD name is in the r3 row and takes the same columns as its NFC spelling.
r3 = [l for l in rows if l.startswith("  r3")][0]
assert unicodedata.normalize("NFC", r3).find("LÊ THỊ HỒNG NHUNG") > 0, r3
PY

step "--json with --trust sandbox: every field, matched by content"
expect_exit 0 "$NEAC" --json history --trust sandbox "$tmp/s2.pdf"
cp "$OUT" "$tmp/h.json"
[ ! -s "$ERR" ] || fail "--json wrote to stderr: $(cat "$ERR")"
jcheck "$OUT" 'd["version"] == 1 and len(d["files"]) == 1'
jcheck "$OUT" 'd["files"][0]["status"] == "ok" and d["files"][0]["trust_anchors"]'
jcheck "$OUT" '[r["number"] for r in d["files"][0]["revisions"]] == [1, 2, 3]'
jcheck "$OUT" 'd["files"][0]["revisions"][0]["sha256"] == "'"$(sha_of "$tmp/don.pdf")"'"'
jcheck "$OUT" 'd["files"][0]["revisions"][1]["sha256"] == "'"$(sha_of "$tmp/s1.pdf")"'"'
jcheck "$OUT" 'd["files"][0]["sha256"] == "'"$(sha_of "$tmp/s2.pdf")"'"'
jcheck "$OUT" '[s["verdict"] for s in d["files"][0]["signatures"]] == ["PASSED", "PASSED"]'
jcheck "$OUT" '[s["revision"] for s in d["files"][0]["signatures"]] == [2, 3]'
jcheck "$OUT" 'd["files"][0]["signatures"][0]["signer"]["name"] == "NGUYỄN VĂN A"'
jcheck "$OUT" 'd["files"][0]["signatures"][1]["signer"]["identity"] ==
    {"kind": "CCCD", "number": "079188000111"}'
jcheck "$OUT" 'd["files"][0]["signatures"][0]["issuer"]["name"] == "neac Sandbox Issuing CA"'
jcheck "$OUT" '[s["journal"]["transaction_id"] for s in d["files"][0]["signatures"]] ==
    ["'"$txn1"'", "'"$txn2"'"]'
jcheck "$OUT" 'all(s["journal"]["provider"] == "sandbox" and s["journal"]["approved"]
    for s in d["files"][0]["signatures"])'
jcheck "$OUT" '[s["journal"]["profile"] for s in d["files"][0]["signatures"]] == ["an", "nhung"]'
jcheck "$OUT" 'len(d["files"][0]["attempts"]) == 1 and
    d["files"][0]["attempts"][0]["state"] == "rejected" and
    d["files"][0]["attempts"][0]["revision"] == 1 and
    d["files"][0]["attempts"][0]["journal"]["transaction_id"] not in ["", "'"$txn1"'"]'
jcheck "$OUT" '[e["kind"] for e in d["files"][0]["timeline"]] ==
    ["revision", "attempt", "revision", "revision"]'
jcheck "$OUT" 'd["files"][0]["notes"] == []'
# The signature serials are the certificates' (openssl on the sandbox signer certificates).
serial_nhung=$(openssl x509 -in "$NEAC_HOME/sandbox/signers/079188000111.pem" -noout -serial |
    cut -d= -f2)
jcheck "$OUT" 'd["files"][0]["signatures"][1]["serial"].lstrip("0") == "'"$serial_nhung"'".lstrip("0")'

step "verify --json carries the document digest history matches on"
expect_exit 0 "$NEAC" --json verify --trust sandbox "$tmp/s2.pdf"
python3 - "$OUT" "$tmp/h.json" "$tmp/s2.pdf" <<'PY' || fail "document_digest differs from the bytes"
import hashlib, json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
h = json.load(open(sys.argv[2], encoding="utf-8"))
data = open(sys.argv[3], "rb").read()
for vs, hs in zip(v["files"][0]["signatures"], h["files"][0]["signatures"]):
    a, b, c, n = vs["byte_range"]
    want = hashlib.sha256(data[a:a + b] + data[c:c + n]).hexdigest()
    assert vs["document_digest"] == want, (vs["document_digest"], want)
    assert hs["document_digest"] == want and hs["journal"]["document_digest"] == want
PY

step "a renamed copy keeps its history (content, not name)"
mkdir -p "$tmp/khác"
cp "$tmp/s2.pdf" "$tmp/khác/Tờ khai (bản sao).pdf"
expect_exit 0 "$NEAC" --json history "$tmp/khác/Tờ khai (bản sao).pdf"
jcheck "$OUT" '[s["journal"]["transaction_id"] for s in d["files"][0]["signatures"]] ==
    ["'"$txn1"'", "'"$txn2"'"] and len(d["files"][0]["attempts"]) == 1'

step "a file signed by mutool is not in the journal"
python3 "$make_pdf" "$tmp/m.pdf" --sig-field Sig1
mutool sign -s "$pki/signer-rsa.p12" -P test123 -o "$tmp/m1.pdf" "$tmp/m.pdf" >/dev/null 2>&1 ||
    fail "mutool sign failed"
expect_exit 0 "$NEAC" --json history "$tmp/m1.pdf"
jcheck "$OUT" 'len(d["files"][0]["signatures"]) == 1 and
    d["files"][0]["signatures"][0]["journal"] is None and d["files"][0]["attempts"] == []'
jcheck "$OUT" 'd["files"][0]["signatures"][0]["signer"]["identity"]["number"] != ""'
expect_exit 0 "$NEAC" history "$tmp/m1.pdf"
assert_contains "$(cat "$OUT")" "not signed through this machine's journal"
assert_not_contains "$(cat "$OUT")" "sandbox #"

step "an unreadable file: exit 4, the others are still shown"
printf 'garbage, not a PDF\n' >"$tmp/broken.pdf"
# Cut inside its first revision: no revision of it can be read.
head -c 300 "$tmp/s1.pdf" >"$tmp/truncated.pdf"
expect_exit 4 "$NEAC" history "$tmp/s2.pdf" "$tmp/broken.pdf" "$tmp/m1.pdf"
assert_contains "$(cat "$OUT")" "BAD INPUT"
assert_contains "$(cat "$OUT")" "broken.pdf: not a PDF"
assert_contains "$(cat "$OUT")" "s2.pdf  (3 revisions"
assert_contains "$(cat "$OUT")" "m1.pdf  ("
expect_exit 4 "$NEAC" --json history "$tmp/broken.pdf" "$tmp/truncated.pdf" "$tmp/s2.pdf"
jcheck "$OUT" '[f["status"] for f in d["files"]] == ["bad_input", "bad_input", "ok"]'
jcheck "$OUT" 'd["files"][0]["error"] != "" and len(d["files"][2]["signatures"]) == 2'
expect_exit 4 "$NEAC" history "$tmp/nope.pdf"

step "the unsigned original lists every request made on it"
expect_exit 0 "$NEAC" --json history "$tmp/don.pdf"
jcheck "$OUT" 'sorted(a["state"] for a in d["files"][0]["attempts"]) == ["copy", "rejected"]'
jcheck "$OUT" 'd["files"][0]["signatures"] == [] and len(d["files"][0]["revisions"]) == 1'

step "no journal: history still works, and says so"
NEAC_HOME="$tmp/empty-home" expect_exit 0 "$NEAC" history "$tmp/s2.pdf"
assert_contains "$(cat "$OUT")" "no signing journal on this machine"
[ ! -e "$tmp/empty-home/journal.db" ] || fail "history created a journal"

step "usage errors: exit 2"
expect_exit 2 "$NEAC" history
expect_exit 2 "$NEAC" history "$tmp/s2.pdf" --dossier H40.22-261126-0001
expect_exit 2 "$NEAC" history "$tmp/s2.pdf" --portal http://127.0.0.1:9/neac/v1
expect_exit 2 "$NEAC" history --dossier H40.22-261126-0001
assert_contains "$(cat "$ERR")" "--portal"

step "--dossier: the portal's signing-history view"
start_portal --trust "$NEAC_HOME/sandbox/root-ca.pem"
python3 - "$tmp/dossier.json" "$tmp/s2.pdf" "$tmp/don.pdf" <<'PY' || fail "cannot write the request"
import hashlib, json, os, sys
out, signed, plain = sys.argv[1:]
def comp(code, title, path, req):
    return {"code": code, "title": title, "file_name": os.path.basename(path),
            "size": os.path.getsize(path), "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
            "media_type": "application/pdf", "signature_required": req,
            "expected_signer": "001099012345" if req else ""}
doc = {"procedure_code": "1.001193",
       "applicant": {"name": "NGUYỄN VĂN A", "id_kind": "CCCD", "id_number": "001099012345",
                     "phone": "+84912345678", "address": "Phường Mường Thanh, TP. Điện Biên Phủ"},
       "form": {"ho_ten": "NGUYỄN VĂN B"},
       "components": [comp("TP1", "Tờ khai đăng ký khai sinh", signed, True),
                      comp("TP2", "Giấy chứng sinh", plain, False)]}
json.dump(doc, open(out, "w", encoding="utf-8"), ensure_ascii=False)
PY
portal_expect 201 POST /dossiers -H "Idempotency-Key: $(printf history | sha256sum | cut -d' ' -f1)" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/dossier.json"
dossier_id=$(json_get "$PBODY" 'd["dossier_id"]')
portal_expect 200 PATCH "/dossiers/$dossier_id/components/TP1/upload" -H "Upload-Offset: 0" \
    -H 'Content-Type: application/offset+octet-stream' --data-binary "@$tmp/s2.pdf"
portal_expect 200 PATCH "/dossiers/$dossier_id/components/TP2/upload" -H "Upload-Offset: 0" \
    -H 'Content-Type: application/offset+octet-stream' --data-binary "@$tmp/don.pdf"
portal_expect 200 POST "/dossiers/$dossier_id/submit"
code=$(json_get "$PBODY" 'd["dossier_code"]')
[ -n "$code" ] || fail "the portal gave no dossier code"

expect_exit 0 "$NEAC" history --dossier "$code" --portal "$PORTAL_URL"
assert_contains "$(cat "$OUT")" "Dossier $code"
assert_contains "$(cat "$OUT")" "TP1  Tờ khai đăng ký khai sinh"
assert_contains "$(cat "$OUT")" "sha256 $(sha_of "$tmp/s2.pdf" | head -c 16)…"
assert_contains "$(cat "$OUT")" "TP2  Giấy chứng sinh"
assert_contains "$(cat "$OUT")" "no signature"
assert_contains "$(cat "$OUT")" "NGUYỄN VĂN A"
assert_contains "$(cat "$OUT")" "$nfd_name"

expect_exit 0 "$NEAC" --json history --dossier "$code" --portal "$PORTAL_URL"
cp "$OUT" "$tmp/dossier-history.json"
jcheck "$OUT" 'd["version"] == 1 and d["dossier"]["code"] == "'"$code"'" and
    d["dossier"]["portal"] == "'"$PORTAL_URL"'" and d["dossier"]["status"] == "submitted"'
jcheck "$OUT" '[c["code"] for c in d["dossier"]["components"]] == ["TP1", "TP2"]'
jcheck "$OUT" '[s["verdict"] for s in d["dossier"]["components"][0]["signatures"]] ==
    ["PASSED", "PASSED"]'
# The portal's view and the file view agree on who signed, with which certificate.
python3 - "$tmp/dossier-history.json" "$tmp/h.json" <<'PY' || fail "portal and file views disagree"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))["dossier"]["components"][0]["signatures"]
f = json.load(open(sys.argv[2], encoding="utf-8"))["files"][0]["signatures"]
assert [(s["signer"]["identity"]["number"], s["serial"]) for s in p] == \
       [(s["signer"]["identity"]["number"], s["serial"]) for s in f], (p, f)
PY

step "--dossier: portal errors exit 5"
printf 'not-the-token\n' >"$tmp/token"
chmod 600 "$tmp/token"
NEAC_PORTAL_TOKEN= expect_exit 5 "$NEAC" history --dossier "$code" --portal "$PORTAL_URL" \
    --token-file "$tmp/token"
expect_exit 5 "$NEAC" history --dossier H40.22-000000-0000 --portal "$PORTAL_URL"
stop_portal
expect_exit 5 "$NEAC" history --dossier "$code" --portal "$PORTAL_URL"

pass
