#!/usr/bin/env bash
# neac sign with local PKCS#12 keys of every supported type and digest, with an RFC 3161
# time-stamp from a real TSA on loopback, judged by pdfsig, mutool, qpdf and openssl.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"

use_pki
ca="$pki/chain.pem"
python3 "$make_pdf" "$tmp/in.pdf" --pages 3

for key in signer-rsa signer-p256 signer-p384; do
    for digest in sha256 sha384 sha512; do
        step "pkcs12 $key with $digest"
        pkcs12_profile "p-$key-$digest" "$key"
        expect_exit 0 "$NEAC" --json sign "$tmp/in.pdf" --profile "p-$key-$digest" \
            --digest "$digest" -o "$tmp/$key-$digest.pdf"
        json_check "$OUT" "d['files'][0]['digest_algorithm'] == '$digest'"
        assert_signed_ok "$tmp/$key-$digest.pdf" 1 "$ca"
    done
done

step "RSA-PSS key (RSASSA-PSS key type): PSS signature"
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$tmp/pss.key" 2>/dev/null
openssl req -new -key "$tmp/pss.key" -utf8 -subj "/CN=NGUYỄN VĂN A/UID=CCCD:001099012345/C=VN" \
    -out "$tmp/pss.csr" 2>/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\n' >"$tmp/pss.ext"
openssl x509 -req -in "$tmp/pss.csr" -CA "$pki/intermediate-ca.pem" \
    -CAkey "$pki/intermediate-ca.key" -CAcreateserial -days 30 -extfile "$tmp/pss.ext" \
    -out "$tmp/pss.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$tmp/pss.key" -in "$tmp/pss.pem" -certfile "$ca" \
    -passout pass:test123 -out "$tmp/pss.p12" 2>/dev/null
expect_exit 0 "$NEAC" profile add pss --display-name "NGUYỄN VĂN A" --phone 0912345678 \
    --account 001099012345 --provider pkcs12 --pkcs12 "$tmp/pss.p12" --password-env P12_PASSWORD
expect_exit 0 "$NEAC" sign "$tmp/in.pdf" --profile pss -o "$tmp/pss.pdf"
# Debian 12's pdfsig (NSS 3.87) reports every RSASSA-PSS CMS signature as invalid, so this one is
# judged by openssl (cms -verify, and pkeyutl against the PSS parameters written) and mutool.
SKIP_PDFSIG=1 assert_signed_ok "$tmp/pss.pdf" 1 "$ca"
python3 "$sigtool" extract "$tmp/pss.pdf" "$tmp/pssx"
openssl cms -inform DER -in "$tmp/pssx/sig.der" -cmsout -print >"$tmp/pssx/print.txt"
assert_file_contains "$tmp/pssx/print.txt" "rsassaPss"
python3 "$NEAC_SOURCE_DIR/tests/support/cms_parts.py" "$tmp/pssx/sig.der" "$tmp/pssx" ||
    fail "cannot split the CMS"
openssl x509 -in "$tmp/pss.pem" -pubkey -noout >"$tmp/pssx/pub.pem"
openssl dgst -sha256 -binary "$tmp/pssx/signed-attrs.der" >"$tmp/pssx/h.bin"
openssl pkeyutl -verify -pubin -inkey "$tmp/pssx/pub.pem" -in "$tmp/pssx/h.bin" \
    -sigfile "$tmp/pssx/signature.bin" -pkeyopt rsa_padding_mode:pss \
    -pkeyopt rsa_pss_saltlen:32 -pkeyopt digest:sha256 >/dev/null 2>&1 ||
    fail "the PSS signature does not verify with salt length 32 and SHA-256"

step "wrong PKCS#12 password: exit 4, nothing written"
P12_PASSWORD=Zq9-not-it expect_exit 4 "$NEAC" sign "$tmp/in.pdf" --profile p-signer-rsa-sha256 \
    -o "$tmp/wrong.pdf"
assert_contains "$(cat "$ERR")" "password"
assert_not_contains "$(cat "$ERR")" "Zq9-not-it" "error message (must not echo the password)"
[ ! -e "$tmp/wrong.pdf" ] || fail "output written despite the error"

step "a certificate issued to another CCCD than the profile's account is refused"
expect_exit 0 "$NEAC" profile add mismatch --display-name "NGUYỄN VĂN A" --phone 0912345678 \
    --account 001099012345 --provider pkcs12 --pkcs12 "$pki/signer-other.p12" \
    --password-env P12_PASSWORD
expect_exit 4 "$NEAC" sign "$tmp/in.pdf" --profile mismatch -o "$tmp/mismatch.pdf"
assert_contains "$(cat "$ERR")" "079188004321"
[ ! -e "$tmp/mismatch.pdf" ] || fail "output written for the wrong signer"

step "PAdES B-T: signature time-stamp from a TSA on loopback"
tsa_log="$tmp/tsa.log"
"$NEAC_BUILD_DIR/tests/tsa_sim" --port 0 --cert "$pki/tsa.pem" --key "$pki/tsa.key" \
    --chain "$pki/chain.pem" >"$tsa_log" 2>&1 &
tsa_pid=$!
trap 'kill $tsa_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -q listening "$tsa_log" && break; sleep 0.1; done
tsa_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tsa_log" | head -1)
[ -n "$tsa_url" ] || fail "TSA simulator did not start: $(cat "$tsa_log")"
expect_exit 0 "$NEAC" --json sign "$tmp/in.pdf" --profile p-signer-rsa-sha256 --tsa "$tsa_url" \
    -o "$tmp/bt.pdf"
json_check "$OUT" 'd["files"][0]["timestamped"] is True'
assert_signed_ok "$tmp/bt.pdf" 1 "$ca"
python3 "$sigtool" extract "$tmp/bt.pdf" "$tmp/btx"
openssl cms -inform DER -in "$tmp/btx/sig.der" -cmsout -print >"$tmp/btx/print.txt"
assert_file_contains "$tmp/btx/print.txt" "id-smime-aa-timeStampToken"
# The token's imprint must be the hash of the signature value: check with openssl ts.
python3 "$NEAC_SOURCE_DIR/tests/support/cms_parts.py" "$tmp/btx/sig.der" "$tmp/btx" ||
    fail "cannot split the CMS"
[ -s "$tmp/btx/token.der" ] || fail "no time-stamp token in the CMS"
openssl ts -verify -data "$tmp/btx/signature.bin" -in "$tmp/btx/token.der" -token_in \
    -CAfile "$pki/root-ca.pem" -untrusted "$pki/tsa-chain.pem" >"$tmp/ts.out" 2>&1 ||
    fail "openssl ts -verify rejects the token: $(cat "$tmp/ts.out")"

step "TSA failures: exit 5 and nothing written"
kill $tsa_pid
"$NEAC_BUILD_DIR/tests/tsa_sim" --port 0 --cert "$pki/tsa.pem" --key "$pki/tsa.key" \
    --bad-imprint >"$tsa_log" 2>&1 &
tsa_pid=$!
for _ in $(seq 50); do grep -q listening "$tsa_log" && break; sleep 0.1; done
tsa_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tsa_log" | head -1)
expect_exit 5 "$NEAC" sign "$tmp/in.pdf" --profile p-signer-rsa-sha256 --tsa "$tsa_url" \
    -o "$tmp/badts.pdf"
assert_contains "$(cat "$ERR")" "imprint"
[ ! -e "$tmp/badts.pdf" ] || fail "output written despite a bad time-stamp"
expect_exit 5 "$NEAC" sign "$tmp/in.pdf" --profile p-signer-rsa-sha256 \
    --tsa "http://127.0.0.1:9/" -o "$tmp/nots.pdf"
[ ! -e "$tmp/nots.pdf" ] || fail "output written although the TSA is unreachable"
leftovers=$(find "$tmp" -maxdepth 1 -name '*.pdf.*' | wc -l)
assert_eq "$leftovers" 0 "temporary files left behind"

pass
