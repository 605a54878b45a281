#!/usr/bin/env bash
# neac sign on the sandbox provider: outputs, JSON, refusals, and nothing lost on failure.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

sandbox_profile an
python3 "$make_pdf" "$tmp/don.pdf" --pages 2
cp "$tmp/don.pdf" "$tmp/don.orig"

step "default output NAME.signed.pdf beside the input, original untouched"
expect_exit 0 "$NEAC" sign "$tmp/don.pdf" --profile an
assert_signed_ok "$tmp/don.signed.pdf" 1
cmp -s "$tmp/don.pdf" "$tmp/don.orig" || fail "the input was modified"
size=$(stat -c %s "$tmp/don.orig")
cmp -n "$size" "$tmp/don.orig" "$tmp/don.signed.pdf" || fail "original bytes not kept as prefix"
assert_contains "$(cat "$OUT")" "Signature1, page 2"

step "--json: one document with the fields scripts rely on"
expect_exit 0 "$NEAC" --json sign "$tmp/don.pdf" --profile an -o "$tmp/j.pdf" --page 1 \
    --rect 300,100,200,60 --reason "Nộp hồ sơ" --digest sha384
json_check "$OUT" 'd["version"] == 1 and d["signed"] == 1 and d["failed"] == 0'
json_check "$OUT" 'd["signer"]["identity"] == {"kind": "CCCD", "number": "001099012345"}'
json_check "$OUT" 'd["signer"]["name"] == "NGUYỄN VĂN A" and d["provider"] == "sandbox"'
json_check "$OUT" 'd["files"][0]["page"] == 1 and d["files"][0]["box"] == [300, 100, 200, 60]'
json_check "$OUT" 'd["files"][0]["digest_algorithm"] == "sha384"'
json_check "$OUT" '0 < d["files"][0]["signature_size"] <= d["files"][0]["placeholder_size"]'
json_check "$OUT" 'd["files"][0]["field"] == "Signature1" and len(d["signer"]["serial"]) > 0'
[ ! -s "$ERR" ] || fail "--json wrote to stderr: $(cat "$ERR")"
assert_signed_ok "$tmp/j.pdf" 1
pdfsig "$tmp/j.pdf" | grep -q "Signing Hash Algorithm: SHA-384" || fail "not SHA-384"
pdfsig "$tmp/j.pdf" | grep -q "ETSI.CAdES.detached" || fail "SubFilter is not ETSI.CAdES.detached"

step "PAdES attributes: signing-certificate-v2, content-type, message-digest, no signing-time"
python3 "$sigtool" extract "$tmp/j.pdf" "$tmp/x"
openssl cms -inform DER -in "$tmp/x/sig.der" -cmsout -print >"$tmp/x/print.txt"
assert_file_contains "$tmp/x/print.txt" "signingCertificateV2"
assert_file_contains "$tmp/x/print.txt" "contentType"
assert_file_contains "$tmp/x/print.txt" "messageDigest"
assert_file_not_contains "$tmp/x/print.txt" "signingTime"
assert_file_not_contains "$tmp/x/print.txt" "eContent: <ABSENT>x"
certs=$(grep -c "cert_info:" "$tmp/x/print.txt" || true)
assert_eq "$certs" 2 "certificates in the CMS (signer + issuing CA, root left out)"

step "--out-dir for several files; two inputs cannot share an output"
mkdir "$tmp/out"
python3 "$make_pdf" "$tmp/b.pdf"
expect_exit 0 "$NEAC" sign "$tmp/don.pdf" "$tmp/b.pdf" --profile an --out-dir "$tmp/out"
assert_signed_ok "$tmp/out/don.signed.pdf" 1
assert_signed_ok "$tmp/out/b.signed.pdf" 1
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" "$tmp/b.pdf" --profile an -o "$tmp/one.pdf"

step "an existing output needs --force"
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an
assert_contains "$(cat "$ERR")" "--force"
expect_exit 0 "$NEAC" sign "$tmp/don.pdf" --profile an --force
assert_signed_ok "$tmp/don.signed.pdf" 1

step "--in-place replaces the original with its signed version"
cp "$tmp/don.orig" "$tmp/inplace.pdf"
expect_exit 0 "$NEAC" sign "$tmp/inplace.pdf" --profile an --in-place
assert_signed_ok "$tmp/inplace.pdf" 1
cmp -n "$size" "$tmp/don.orig" "$tmp/inplace.pdf" || fail "in-place lost the original bytes"

step "rejected and expired requests: exit 6, nothing written, no temporary files"
cp "$tmp/don.orig" "$tmp/r.pdf"
NEAC_SANDBOX_OUTCOME=reject expect_exit 6 "$NEAC" sign "$tmp/r.pdf" --profile an --in-place
assert_contains "$(cat "$ERR")" "rejected"
cmp -s "$tmp/r.pdf" "$tmp/don.orig" || fail "rejected request changed the original"
NEAC_SANDBOX_OUTCOME=expire expect_exit 6 "$NEAC" sign "$tmp/r.pdf" --profile an
assert_contains "$(cat "$ERR")" "expired"
[ ! -e "$tmp/r.signed.pdf" ] || fail "an expired request left an output"
leftovers=$(find "$tmp" -maxdepth 1 -name '*.pdf.*' | wc -l)
assert_eq "$leftovers" 0 "temporary files left behind"

step "waiting shows the approval line on stderr"
NEAC_SANDBOX_DELAY=1 expect_exit 0 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/w.pdf"
assert_contains "$(cat "$ERR")" "Mở ứng dụng ký số trên điện thoại để xác nhận"
assert_contains "$(cat "$ERR")" "sandbox"

step "a batch with one bad file: the others are signed, exit 7"
printf 'not a pdf' >"$tmp/bad.pdf"
mkdir "$tmp/out2"
expect_exit 7 "$NEAC" --json sign "$tmp/don.pdf" "$tmp/bad.pdf" --profile an --out-dir "$tmp/out2"
json_check "$OUT" 'd["signed"] == 1 and d["failed"] == 1 and not d["files"][1]["ok"]'
json_check "$OUT" '"PDF" in d["files"][1]["error"]'
assert_signed_ok "$tmp/out2/don.signed.pdf" 1

step "bad input: not a PDF, missing file, encrypted, damaged, bad box, bad page"
expect_exit 4 "$NEAC" sign "$tmp/bad.pdf" --profile an -o "$tmp/o.pdf"
assert_contains "$(cat "$ERR")" "not a PDF"
expect_exit 4 "$NEAC" sign "$tmp/missing.pdf" --profile an -o "$tmp/o.pdf"
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/o.pdf" --rect 1,2,3
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/o.pdf" --rect 500,700,300,300
assert_contains "$(cat "$ERR")" "outside page"
expect_exit 2 "$NEAC" sign "$tmp/don.pdf" --profile an -o "$tmp/o.pdf" --page 9
expect_exit 4 "$NEAC" --json sign "$tmp/don.pdf" --profile nobody -o "$tmp/o.pdf"
json_check "$ERR" 'd["exit_code"] == 4 and d["code"] == "bad_input"'
if [ -d "${NEAC_CORPUS_DIR:-/nonexistent}/pyhanko/pdf" ]; then
    expect_exit 4 "$NEAC" sign "$NEAC_CORPUS_DIR/pyhanko/pdf/minimal-aes256.pdf" --profile an \
        -o "$tmp/o.pdf"
    assert_contains "$(cat "$ERR")" "encrypted PDFs are not supported"
    expect_exit 4 "$NEAC" sign "$NEAC_CORPUS_DIR/pyhanko/pdf/circular-page-tree.pdf" \
        --profile an -o "$tmp/o.pdf"
fi
head -c 300 "$tmp/don.orig" >"$tmp/trunc.pdf"
expect_exit 4 "$NEAC" sign "$tmp/trunc.pdf" --profile an -o "$tmp/o.pdf"
[ ! -e "$tmp/o.pdf" ] || fail "a failed signing left an output"

pass
