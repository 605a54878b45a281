#!/usr/bin/env bash
# Long-term signatures with real parts on loopback: `openssl ocsp` as the responder, CRLs over
# HTTP, the TSA simulator. sign --level B-LT/B-LTA (one request per certificate per batch),
# extend and --renew, verification at the right time (five years on, with NEAC_TEST_NOW), and
# the answers a signer must not believe (unauthorised responder, stale answer).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sign_lib.sh"
source "$(dirname "$0")/ltv_lib.sh"

ltv_start
ltv_profile ltv signer
for n in a b c; do python3 "$make_pdf" "$tmp/$n.pdf"; done
later=$(date -u -d '+5 years' +%Y-%m-%dT%H:%M:%SZ)
s='d["files"][0]["signatures"][0]'

step "a batch of 3 files to B-LTA: each OCSP answer and CRL is fetched once for the batch"
mkdir "$tmp/out"
expect_exit 0 "$NEAC" --json sign "$tmp/a.pdf" "$tmp/b.pdf" "$tmp/c.pdf" --profile ltv \
    --tsa "$ltv_tsa" --level B-LTA --out-dir "$tmp/out"
json_check "$OUT" 'all(f["level"] == "B-LTA" and f["document_timestamp"] for f in d["files"])'
json_check "$OUT" 'd["files"][0]["validation_data"]["ocsp_responses"] == 2'
# The signer's and the TSA's certificates by OCSP; the issuing CA's by the root's CRL.
assert_eq "$(ocsp_requests)" 2 "OCSP requests for 3 files"
assert_eq "$(crl_requests)" 1 "CRL requests for 3 files"

step "every output: neac B-LTA, pdfsig and mutool valid, qpdf clean, openssl checks both parts"
for n in a b c; do
    f="$tmp/out/$n.signed.pdf"
    expect_exit 0 "$NEAC" --json verify "$f" --trust "$ltv_root" --require-level B-LTA \
        --revocation require
    json_check "$OUT" "$s[\"level\"] == \"B-LTA\" and $s[\"indication\"] == \"PASSED\""
    json_check "$OUT" "d[\"files\"][0][\"signatures\"][1][\"kind\"] == \"document_timestamp\""
    json_check "$OUT" 'd["files"][0]["dss"]["ocsp_responses"] == 2 and d["files"][0]["dss"]["crls"] == 1'
    json_check "$OUT" "all(c[\"status\"] == \"good\" and \"(embedded)\" in c[\"source\"] for c in $s[\"revocation_checks\"])"
    pdfsig "$f" | grep -q "Signature is Valid." || fail "pdfsig: $(pdfsig "$f" 2>&1)"
    mutool sign -v "$f" 2>&1 | grep -q "signature is valid" || fail "mutool: $(mutool sign -v "$f" 2>&1)"
    qpdf --check "$f" >/dev/null || fail "qpdf --check $f"
    python3 "$sigtool" extract "$f" "$tmp/sig-$n" 0
    openssl cms -verify -binary -inform DER -in "$tmp/sig-$n/sig.der" -content "$tmp/sig-$n/content.bin" \
        -CAfile "$ltv_root" -purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify $f"
    python3 "$sigtool" extract "$f" "$tmp/dts-$n"
    openssl ts -verify -data "$tmp/dts-$n/content.bin" -in "$tmp/dts-$n/sig.der" -token_in \
        -CAfile "$ltv_root" -untrusted "$ltv/issuing-ca.pem" >/dev/null 2>&1 ||
        fail "openssl ts -verify: the document timestamp of $f"
done
run "$NEAC" verify "$tmp/out/a.signed.pdf" --trust "$ltv_root"
assert_contains "$(cat "$OUT")" "PAdES B-LTA"
assert_contains "$(cat "$OUT")" "validation data (DSS): 5 certificates, 2 OCSP responses, 1 CRLs"

step "history shows the DSS update and the document timestamp as revisions of their own"
expect_exit 0 "$NEAC" history "$tmp/out/a.signed.pdf" --trust "$ltv_root"
assert_contains "$(cat "$OUT")" "validation data (DSS)"
assert_contains "$(cat "$OUT")" "DocumentTimestamp1"

step "five years on, the signer's certificate has expired: B-LTA passes offline at its proven time"
NEAC_TEST_NOW=$later expect_exit 0 "$NEAC" --json verify "$tmp/out/a.signed.pdf" --trust "$ltv_root" \
    --require-level B-LTA --revocation require
json_check "$OUT" "$s[\"validation_time\"] == $s[\"timestamp_time\"]"
# Without any proof of existence the same signer is out of bounds.
expect_exit 0 "$NEAC" sign "$tmp/a.pdf" --profile ltv --level B-B -o "$tmp/bb.pdf"
NEAC_TEST_NOW=$later expect_exit 3 "$NEAC" --json verify "$tmp/bb.pdf" --trust "$ltv_root"
json_check "$OUT" "$s[\"sub_indication\"] == \"OUT_OF_BOUNDS_NO_POE\" and $s[\"level\"] == \"B-B\""
# B-T proves the time but carries no validation data: --require-level B-LT fails it.
expect_exit 0 "$NEAC" sign "$tmp/a.pdf" --profile ltv --tsa "$ltv_tsa" -o "$tmp/bt.pdf"
expect_exit 1 "$NEAC" --json verify "$tmp/bt.pdf" --trust "$ltv_root" --require-level B-LT
json_check "$OUT" "$s[\"level\"] == \"B-T\" and $s[\"sub_indication\"] == \"SIG_CONSTRAINTS_FAILURE\""
assert_contains "$(json_get "$OUT" "$s[\"reason\"]")" "--require-level"

step "extend takes a B-T file to B-LT, then B-LTA; the original stays untouched"
cp "$tmp/bt.pdf" "$tmp/bt.orig"
expect_exit 0 "$NEAC" --json extend "$tmp/bt.pdf" --level B-LT -o "$tmp/bt-lt.pdf"
json_check "$OUT" 'd["files"][0]["status"] == "extended" and d["files"][0]["level"] == "B-LT"'
cmp -s "$tmp/bt.pdf" "$tmp/bt.orig" || fail "extend changed its input"
expect_exit 0 "$NEAC" --json verify "$tmp/bt-lt.pdf" --trust "$ltv_root" --require-level B-LT
json_check "$OUT" "$s[\"level\"] == \"B-LT\""
expect_exit 0 "$NEAC" --json extend "$tmp/bt-lt.pdf" --level B-LTA --tsa "$ltv_tsa" --in-place
json_check "$OUT" 'd["files"][0]["document_timestamp"] is not None'
expect_exit 0 "$NEAC" --json verify "$tmp/bt-lt.pdf" --trust "$ltv_root" --require-level B-LTA
step "extending again adds nothing; --level B-LTA on a B-LTA file leaves it unchanged"
cp "$tmp/bt-lt.pdf" "$tmp/bt-lt.before"
expect_exit 0 "$NEAC" --json extend "$tmp/bt-lt.pdf" --level B-LTA --tsa "$ltv_tsa" --in-place
json_check "$OUT" 'd["files"][0]["status"] == "unchanged"'
cmp -s "$tmp/bt-lt.pdf" "$tmp/bt-lt.before" || fail "an unchanged file was rewritten"

step "renew: --renew-before skips files whose timestamp is not due, renews those that are"
expect_exit 0 "$NEAC" --json extend "$tmp/out" --renew-before 10 --tsa "$ltv_tsa" --in-place
json_check "$OUT" 'all(f["status"] == "unchanged" for f in d["files"]) and len(d["files"]) == 3'
# The TSA's certificate expires in 30 days: within 60 days, every file is due.
expect_exit 0 "$NEAC" --json extend "$tmp/out" --renew-before 60 --tsa "$ltv_tsa" --in-place
json_check "$OUT" 'all(f["status"] == "renewed" for f in d["files"])'
expect_exit 0 "$NEAC" --json verify "$tmp/out/b.signed.pdf" --trust "$ltv_root" --require-level B-LTA
json_check "$OUT" 'sum(x["kind"] == "document_timestamp" for x in d["files"][0]["signatures"]) == 2'
json_check "$OUT" 'all(x["indication"] == "PASSED" for x in d["files"][0]["signatures"])'
pdfsig "$tmp/out/b.signed.pdf" | grep -q "Signature is Valid." || fail "pdfsig after renewal"

step "an unauthorised responder, a stale answer, an unknown status: the CRL is used instead"
expect_exit 0 "$NEAC" sign "$tmp/b.pdf" --profile ltv --level B-B -o "$tmp/u.pdf"
ocsp_start "$ltv/rogue.pem" "$ltv/rogue.key"
crl_before=$(crl_requests)
expect_exit 0 "$NEAC" --json extend "$tmp/u.pdf" --level B-LT -o "$tmp/u-lt.pdf"
assert_eq "$(crl_requests)" $((crl_before + 2)) "CRL requests (issuing and root)"
# A B-B signature carries no root: its issuer's AIA caIssuers URL gives it.
assert_eq "$(ca_requests)" 1 "CA certificates fetched by AIA caIssuers"
expect_exit 0 "$NEAC" --json verify "$tmp/u-lt.pdf" --trust "$ltv_root" --revocation require
json_check "$OUT" "$s[\"revocation_checks\"][0][\"source\"] == \"CRL (embedded)\""
# Answers valid for one minute, judged a day later: too old.
ocsp_start "$ltv/ocsp.pem" "$ltv/ocsp.key" 1
NEAC_TEST_NOW=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ) expect_exit 0 "$NEAC" --json extend \
    "$tmp/u.pdf" --level B-LT -o "$tmp/u-stale.pdf"
python3 - "$tmp/u-stale.pdf" <<'EOF' || fail "the stale OCSP answer was embedded"
import sys
data = open(sys.argv[1], "rb").read()
# One DSS revision; its OCSP array must be empty (the answer was refused).
assert b"/OCSPs [ ]" in data or b"/OCSPs" not in data, "OCSP answer embedded"
EOF

# A responder that does not know the certificate answers "unknown": the CRL decides.
grep -v "CCCD:001099012345" "$ltv/ca/index.txt" >"$tmp/index-without-signer.txt"
ocsp_start "$ltv/ocsp.pem" "$ltv/ocsp.key" 60 "$tmp/index-without-signer.txt"
expect_exit 0 "$NEAC" --json extend "$tmp/u.pdf" --level B-LT -o "$tmp/u-unknown.pdf"
expect_exit 0 "$NEAC" --json verify "$tmp/u-unknown.pdf" --trust "$ltv_root" --revocation require
json_check "$OUT" "$s[\"revocation_checks\"][0][\"source\"] == \"CRL (embedded)\""

step "nothing answers: extend fails with exit 5 and leaves the file as it was"
ocsp_stop
crl_stop
cp "$tmp/u.pdf" "$tmp/u.orig"
expect_exit 5 "$NEAC" --json extend "$tmp/u.pdf" --level B-LT --in-place
cmp -s "$tmp/u.pdf" "$tmp/u.orig" || fail "a failed extend changed the file"
ls "$tmp"/u.pdf.* 2>/dev/null && fail "a temporary file was left behind"
assert_contains "$(cat "$ERR")" "--allow-incomplete"
expect_exit 0 "$NEAC" --json extend "$tmp/u.pdf" --level B-LTA --tsa "$ltv_tsa" \
    --allow-incomplete -o "$tmp/u-partial.pdf"
json_check "$OUT" 'd["files"][0]["level"] == "B-T" and d["files"][0]["warnings"]'
expect_exit 0 "$NEAC" --json verify "$tmp/u-partial.pdf" --trust "$ltv_root"
json_check "$OUT" "$s[\"level\"] == \"B-T\""
crl_start
ocsp_start

step "revoked after the proof of existence: renewal embeds it, the signature still passes"
sleep 1
ltv_revoke signer
expect_exit 0 "$NEAC" --json extend "$tmp/out/a.signed.pdf" --renew --tsa "$ltv_tsa" --in-place
json_check "$OUT" 'any("revoked" in w for w in d["files"][0]["warnings"])'
NEAC_TEST_NOW=$later expect_exit 0 "$NEAC" --json verify "$tmp/out/a.signed.pdf" --trust "$ltv_root"
json_check "$OUT" "$s[\"indication\"] == \"PASSED\" and $s[\"level\"] == \"B-LTA\""
json_check "$OUT" "any(\"after the proven signing time\" in w for w in $s[\"warnings\"])"

step "revoked before the proof of existence: FAILED/REVOKED offline, and sign refuses B-LT"
ltv_profile ltv2 signer2 079188004321
expect_exit 0 "$NEAC" sign "$tmp/c.pdf" --profile ltv2 --tsa "$ltv_tsa" -o "$tmp/r.pdf"
ltv_revoke signer2 "$(date -u -d '-2 hours' +%y%m%d%H%M%SZ)"
expect_exit 0 "$NEAC" --json extend "$tmp/r.pdf" --level B-LT --in-place
json_check "$OUT" 'any("revoked" in w for w in d["files"][0]["warnings"])'
expect_exit 1 "$NEAC" --json verify "$tmp/r.pdf" --trust "$ltv_root"
json_check "$OUT" "$s[\"indication\"] == \"FAILED\" and $s[\"sub_indication\"] == \"REVOKED\""
json_check "$OUT" "$s[\"revocation_source\"].startswith(\"OCSP (embedded)\")"
expect_exit 5 "$NEAC" --json sign "$tmp/c.pdf" --profile ltv2 --tsa "$ltv_tsa" --level B-LT \
    -o "$tmp/r2.pdf"
assert_contains "$(cat "$ERR")" "revoked"
assert_contains "$(cat "$ERR")" "neac extend"

step "usage: extend needs a destination and a TSA for B-LTA; sign needs a TSA above B-B"
expect_exit 2 "$NEAC" extend "$tmp/u.pdf" --level B-LT
expect_exit 2 "$NEAC" extend "$tmp/u.pdf" --level B-LTA --in-place
expect_exit 2 "$NEAC" sign "$tmp/a.pdf" --profile ltv --level B-LT -o "$tmp/x.pdf"
expect_exit 4 "$NEAC" extend "$tmp/a.pdf" --level B-LT -o "$tmp/x.pdf"

pass
