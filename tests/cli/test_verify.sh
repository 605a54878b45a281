#!/usr/bin/env bash
# neac verify on files neac, mutool and pdfsig signed: verdicts, exit codes, policy flags, JSON
# and JUnit output, many files and folders in one call, hostile inputs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

use_pki
sandbox_profile an
expect_exit 0 "$NEAC" profile add other --display-name "TRẦN THỊ BÍCH NGỌC" --phone 0912345679 \
    --account 079188004321 --provider pkcs12 --pkcs12 "$pki/signer-other.p12" \
    --password-env P12_PASSWORD
tamper="$NEAC_SOURCE_DIR/tests/support/tamper.py"

step "a sandbox-signed file passes against the sandbox root"
python3 "$make_pdf" "$tmp/a.pdf" --pages 2
expect_exit 0 "$NEAC" sign "$tmp/a.pdf" --profile an -o "$tmp/a1.pdf"
expect_exit 0 "$NEAC" verify "$tmp/a1.pdf" --trust sandbox
assert_contains "$(cat "$OUT")" "PASSED"
assert_contains "$(cat "$OUT")" "NGUYỄN VĂN A (CCCD 001099012345)"
expect_exit 0 "$NEAC" --json verify "$tmp/a1.pdf" --trust "$NEAC_HOME/sandbox/root-ca.pem"
json_check "$OUT" 'd["version"] == 1 and d["exit_code"] == 0'
json_check "$OUT" 'd["files"][0]["indication"] == "PASSED"'
s='d["files"][0]["signatures"][0]'
json_check "$OUT" "$s[\"indication\"] == \"PASSED\" and $s[\"sub_indication\"] == \"\""
json_check "$OUT" "$s[\"coverage\"] == \"entire_file\" and $s[\"intact\"] and $s[\"valid\"]"
json_check "$OUT" "$s[\"trusted\"] and $s[\"changes_ok\"] and $s[\"revision\"] == 2"
json_check "$OUT" "$s[\"signer\"][\"identity\"] == {\"kind\": \"CCCD\", \"number\": \"001099012345\"}"
json_check "$OUT" "$s[\"sub_filter\"] == \"ETSI.CAdES.detached\" and $s[\"claimed_time\"] != \"\""
json_check "$OUT" "len($s[\"chain\"]) == 3 and $s[\"byte_range\"][0] == 0"

step "no trust anchor: INDETERMINATE (exit 3), never PASSED; --require-trusted makes it fail"
expect_exit 3 "$NEAC" --json verify "$tmp/a1.pdf"
json_check "$OUT" "$s[\"indication\"] == \"INDETERMINATE\""
json_check "$OUT" "$s[\"sub_indication\"] == \"NO_CERTIFICATE_CHAIN_FOUND\""
json_check "$OUT" "$s[\"intact\"] and $s[\"valid\"] and not $s[\"trusted\"]"
expect_exit 1 "$NEAC" verify "$tmp/a1.pdf" --require-trusted
expect_exit 3 "$NEAC" verify "$tmp/a1.pdf" --trust "$pki/root-ca.pem"

step "two signatures: the first covers its revision, the neac update is an allowed new signature"
expect_exit 0 "$NEAC" sign "$tmp/a1.pdf" --profile an -o "$tmp/a2.pdf" --page 1
expect_exit 0 "$NEAC" --json verify "$tmp/a2.pdf" --trust sandbox
json_check "$OUT" 'd["files"][0]["signatures"][0]["coverage"] == "entire_revision"'
json_check "$OUT" 'd["files"][0]["signatures"][1]["coverage"] == "entire_file"'
json_check "$OUT" 'all(c["allowed"] and c["category"] == "signature" for c in d["files"][0]["signatures"][0]["changes"])'
json_check "$OUT" 'len(d["files"][0]["signatures"][0]["changes"]) >= 1'
json_check "$OUT" 'len(d["files"][0]["revisions"]) == 3'

step "a tagged PDF with an indirect /Annots: three signers, every signature still passes"
python3 "$make_pdf" "$tmp/t.pdf" --pages 2 --tagged
expect_exit 0 "$NEAC" sign "$tmp/t.pdf" --profile an -o "$tmp/t1.pdf" --page 2 --rect 350,60,180,50
expect_exit 0 "$NEAC" sign "$tmp/t1.pdf" --profile other -o "$tmp/t2.pdf" --page 2 \
    --rect 350,130,180,50
expect_exit 0 "$NEAC" sign "$tmp/t2.pdf" --profile an -o "$tmp/t3.pdf" --invisible
expect_exit 0 "$NEAC" --json verify "$tmp/t3.pdf" --trust sandbox --trust "$pki/root-ca.pem"
json_check "$OUT" '[s["indication"] for s in d["files"][0]["signatures"]] == ["PASSED"] * 3'
json_check "$OUT" 'all(c["allowed"] for s in d["files"][0]["signatures"] for c in s["changes"])'
json_check "$OUT" '{c["rule"] for c in d["files"][0]["signatures"][0]["changes"]} <= {"signature-field-added", "signature-widget-added", "acroform-updated", "struct-tree-updated"}'
SKIP_MUTOOL= assert_signed_ok "$tmp/t3.pdf" 3

step "--expect-signer: CCCD number or a regular expression over the subject"
expect_exit 0 "$NEAC" verify "$tmp/a1.pdf" --trust sandbox --expect-signer 001099012345
expect_exit 0 "$NEAC" verify "$tmp/a1.pdf" --trust sandbox --expect-signer 'NGUYỄN VĂN'
expect_exit 1 "$NEAC" verify "$tmp/a1.pdf" --trust sandbox --expect-signer 079188004321
assert_contains "$(cat "$OUT")" "expected signer"
expect_exit 2 "$NEAC" verify "$tmp/a1.pdf" --expect-signer '('

step "--min-signatures, unsigned files"
python3 "$make_pdf" "$tmp/unsigned.pdf"
expect_exit 1 "$NEAC" verify "$tmp/unsigned.pdf"
assert_contains "$(cat "$OUT")" "no signature"
expect_exit 0 "$NEAC" verify "$tmp/unsigned.pdf" --min-signatures 0
expect_exit 1 "$NEAC" verify "$tmp/a1.pdf" --trust sandbox --min-signatures 2
expect_exit 0 "$NEAC" verify "$tmp/a2.pdf" --trust sandbox --min-signatures 2

step "a signer from another CA is untrusted under the sandbox root, trusted under the test root"
expect_exit 0 "$NEAC" sign "$tmp/a.pdf" --profile other -o "$tmp/o1.pdf"
expect_exit 3 "$NEAC" verify "$tmp/o1.pdf" --trust sandbox
expect_exit 0 "$NEAC" verify "$tmp/o1.pdf" --trust "$pki/root-ca.pem" --expect-signer 079188004321
expect_exit 0 "$NEAC" verify "$tmp/o1.pdf" --trust "$pki" --expect-signer 'TRẦN THỊ'

step "--require-timestamp: no timestamp fails; a document timestamp is not a signature"
expect_exit 1 "$NEAC" --json verify "$tmp/a1.pdf" --trust sandbox --require-timestamp
json_check "$OUT" "$s[\"sub_indication\"] == \"SIG_CONSTRAINTS_FAILURE\""

step "mutool sign (SHA-1, only the signer certificate): weak digest unless --allow sha1"
python3 "$make_pdf" "$tmp/m.pdf" --sig-field Sig1
mutool sign -s "$pki/signer-rsa.p12" -P test123 -o "$tmp/m1.pdf" "$tmp/m.pdf" >/dev/null 2>&1 ||
    fail "mutool sign failed"
expect_exit 3 "$NEAC" --json verify "$tmp/m1.pdf" --trust "$pki/root-ca.pem"
json_check "$OUT" "$s[\"sub_indication\"] == \"CRYPTO_CONSTRAINTS_FAILURE_NO_POE\""
json_check "$OUT" "$s[\"intact\"] and $s[\"valid\"] and $s[\"digest_algorithm\"] == \"sha1\""
expect_exit 3 "$NEAC" verify "$tmp/m1.pdf" --trust "$pki/root-ca.pem" --allow sha1
assert_contains "$(cat "$OUT")" "NO_CERTIFICATE_CHAIN_FOUND"
expect_exit 0 "$NEAC" verify "$tmp/m1.pdf" --trust "$pki/root-ca.pem" --allow sha1 \
    --extra-certs "$pki/chain.pem"
step "neac signs the mutool-signed file; mutool's signature stays PASSED"
expect_exit 0 "$NEAC" sign "$tmp/m1.pdf" --profile an -o "$tmp/m2.pdf"
expect_exit 0 "$NEAC" --json verify "$tmp/m2.pdf" --trust "$pki/root-ca.pem" --trust sandbox \
    --allow sha1 --extra-certs "$pki/chain.pem"
json_check "$OUT" '[x["indication"] for x in d["files"][0]["signatures"]] == ["PASSED", "PASSED"]'
json_check "$OUT" 'd["files"][0]["signatures"][0]["field"] == "Sig1"'

step "pdfsig -add-signature (NSS, BER CMS) passes; so does a neac signature on top of it"
nss="$tmp/nss"
mkdir "$nss"
certutil -N -d "sql:$nss" --empty-password
pk12util -i "$pki/signer-rsa.p12" -d "sql:$nss" -W test123 >/dev/null 2>&1 || fail "pk12util"
nick=$(certutil -L -d "sql:$nss" | awk 'NR>4 && /u,u,u/ {sub(/[ \t]+u,u,u$/, ""); print; exit}')
python3 "$make_pdf" "$tmp/p.pdf"
pdfsig -add-signature -nssdir "sql:$nss" -nick "$nick" -new-signature-field-name PdfsigSig \
    "$tmp/p.pdf" "$tmp/p1.pdf" >/dev/null 2>&1 || fail "pdfsig -add-signature failed"
expect_exit 0 "$NEAC" verify "$tmp/p1.pdf" --trust "$pki/root-ca.pem" --expect-signer 001099012345
expect_exit 0 "$NEAC" sign "$tmp/p1.pdf" --profile an -o "$tmp/p2.pdf"
expect_exit 0 "$NEAC" --json verify "$tmp/p2.pdf" --trust "$pki/root-ca.pem" --trust sandbox
json_check "$OUT" '[x["field"] for x in d["files"][0]["signatures"]][0] == "PdfsigSig"'
json_check "$OUT" 'all(x["indication"] == "PASSED" for x in d["files"][0]["signatures"])'
step "pdfsig -add-signature on a neac-signed file: the neac signature stays PASSED"
pdfsig -add-signature -nssdir "sql:$nss" -nick "$nick" -new-signature-field-name Later \
    "$tmp/a1.pdf" "$tmp/a1p.pdf" >/dev/null 2>&1 || fail "pdfsig -add-signature failed"
expect_exit 0 "$NEAC" --json verify "$tmp/a1p.pdf" --trust "$pki/root-ca.pem" --trust sandbox
json_check "$OUT" 'd["files"][0]["signatures"][0]["changes_ok"]'

step "many files and a folder in one call: input order, one bottom line each, worst exit code"
mkdir -p "$tmp/dir/sub"
cp "$tmp/a1.pdf" "$tmp/dir/b.pdf"
cp "$tmp/a2.pdf" "$tmp/dir/sub/c.pdf"
python3 "$tamper" flip "$tmp/a1.pdf" "$tmp/dir/a-flipped.pdf"
echo "not a pdf" > "$tmp/dir/z.pdf"
expect_exit 1 "$NEAC" --json verify "$tmp/a1.pdf" "$tmp/dir" "$tmp/unsigned.pdf" --trust sandbox \
    -j 2 --junit "$tmp/report.xml"
json_check "$OUT" '[f["file"].split("/")[-1] for f in d["files"]] == ["a1.pdf", "a-flipped.pdf", "b.pdf", "c.pdf", "z.pdf", "unsigned.pdf"]'
json_check "$OUT" '[f["indication"] for f in d["files"]] == ["PASSED", "FAILED", "PASSED", "PASSED", "", "FAILED"]'
json_check "$OUT" 'd["files"][4]["status"] == "bad_input" and "not a PDF" in d["files"][4]["error"]'
json_check "$OUT" 'd["summary"] == {"files": 6, "passed": 3, "failed": 2, "indeterminate": 0, "bad_input": 1}'
python3 - "$tmp/report.xml" <<'PY' || fail "JUnit report does not match"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
assert len(cases) == 6, len(cases)
assert suite.get("failures") == "2" and suite.get("errors") == "1", suite.attrib
flipped = [c for c in cases if c.get("name").endswith("a-flipped.pdf")][0]
assert "HASH_FAILURE" in flipped.find("failure").get("message"), flipped.find("failure").attrib
assert cases[0].find("failure") is None and cases[0].find("error") is None
assert cases[4].find("error") is not None
PY
expect_exit 4 "$NEAC" verify "$tmp/dir/z.pdf" "$tmp/a1.pdf" --trust sandbox
expect_exit 3 "$NEAC" verify "$tmp/dir/b.pdf" "$tmp/a1.pdf"
expect_exit 4 "$NEAC" verify "$tmp/nope.pdf"
expect_exit 2 "$NEAC" verify "$tmp/a1.pdf" --allow pages
expect_exit 2 "$NEAC" verify "$tmp/a1.pdf" --revocation maybe

step "hostile files end quickly: a /Prev loop is a finding, a bomb or absurd nesting is bad input"
for case in xref-loop:1 deflate-bomb:4 deep-nesting:4; do
    mode=${case%%:*}
    python3 "$tamper" "$mode" - "$tmp/h-$mode.pdf"
    start=$(date +%s%N)
    expect_exit "${case##*:}" "$NEAC" verify "$tmp/h-$mode.pdf"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$ms" -lt 3000 ] || fail "$mode took $ms ms (limit 3000)"
done
# A page tree 30,000 levels deep: bad input with the reason, not a stack overflow.
python3 "$tamper" deep-page-tree - "$tmp/h-deep-pages.pdf"
expect_exit 4 "$NEAC" verify "$tmp/h-deep-pages.pdf"
assert_contains "$(cat "$OUT")" "page tree is more than 256 levels deep"
# The loop is reported; the file then fails for what it is: unsigned.
expect_exit 1 "$NEAC" verify "$tmp/h-xref-loop.pdf"
assert_contains "$(cat "$OUT")" "loop in the /Prev chain"
assert_contains "$(cat "$OUT")" "the file has no signature"
expect_exit 4 "$NEAC" verify "$tmp/h-deflate-bomb.pdf"
assert_contains "$(cat "$OUT")" "decompression bomb"

step "a signed file cut short: its first revision reads, the cut one is named, the file fails"
size=$(stat -c %s "$tmp/a1.pdf")
head -c $((size - 700)) "$tmp/a1.pdf" >"$tmp/cut.pdf"
expect_exit 1 "$NEAC" --json verify "$tmp/cut.pdf" --trust sandbox
json_check "$OUT" 'any("no cross-reference section describes" in p for p in d["files"][0]["problems"])'
head -c 200 "$tmp/a1.pdf" >"$tmp/cut-early.pdf"
expect_exit 4 "$NEAC" verify "$tmp/cut-early.pdf"
assert_contains "$(cat "$OUT")" "no revision of the file can be read"

step "encrypted and damaged corpus files: exit 4, no crash"
corpus="${NEAC_CORPUS_DIR:-}/pyhanko/pdf"
if [ -d "$corpus" ]; then
    expect_exit 4 "$NEAC" verify "$corpus/minimal-aes256.pdf"
    assert_contains "$(cat "$OUT")" "encrypted"
    expect_exit 4 "$NEAC" verify "$corpus/signed-encrypted-pubkey-with-catalog-ref.pdf"
    expect_exit 4 "$NEAC" verify "$corpus/circular-page-tree.pdf"
fi
pass
