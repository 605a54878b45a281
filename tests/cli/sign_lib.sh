# Helpers for the signing tests; source after lib.sh.
#
#   use_pki                      makes (once per build) the test PKI; sets $pki
#   sandbox_profile NAME         profile NAME on the sandbox provider (approves at once)
#   pkcs12_profile NAME KEY [ACCOUNT]  profile NAME on $pki/KEY.p12 (password in $P12_PASSWORD);
#                                ACCOUNT (default 001099012345) must be the certificate's CCCD,
#                                e.g. 079188004321 for signer-other
#   assert_signed_ok FILE N [CA] FILE has N signatures, pdfsig says every one is valid and the last
#                                covers the whole file, mutool says the last is unchanged, qpdf
#                                --check passes, openssl cms verifies the last against CA
#                                (default: the sandbox root). SKIP_PDFSIG=1 leaves pdfsig out,
#                                SKIP_MUTOOL=1 mutool; QPDF_WARNINGS_OK=1 accepts qpdf warnings.

export NEAC_SANDBOX_DELAY=0
export P12_PASSWORD=test123
sigtool="$NEAC_SOURCE_DIR/tests/support/pdfsigtool.py"
make_pdf="$NEAC_SOURCE_DIR/tests/support/make_pdf.py"

use_pki() {
    pki="${NEAC_BUILD_DIR:-$tmp}/test-pki"
    mkdir -p "$(dirname "$pki")"
    flock "$pki.lock" bash "$NEAC_SOURCE_DIR/tests/support/make_pki.sh" "$pki" ||
        fail "cannot make the test PKI"
}

sandbox_profile() {
    expect_exit 0 "$NEAC" profile add "$1" --display-name "NGUYỄN VĂN A" --phone 0912345678 \
        --account 001099012345 --provider sandbox
}

pkcs12_profile() {
    expect_exit 0 "$NEAC" profile add "$1" --display-name "NGUYỄN VĂN A" --phone 0912345678 \
        --account "${3:-001099012345}" --provider pkcs12 --pkcs12 "$pki/$2.p12" \
        --password-env P12_PASSWORD
}

assert_signed_ok() {
    local file=$1 n=$2 ca=${3:-$NEAC_HOME/sandbox/root-ca.pem}
    [ -f "$file" ] || fail "$file was not written"
    local count
    count=$(python3 "$sigtool" count "$file")
    assert_eq "$count" "$n" "signatures in $(basename "$file")"
    local report
    report=$(pdfsig "$file" 2>&1) || true
    if [ -n "${SKIP_PDFSIG:-}" ]; then
        report="Signature #1:
  - Total document signed
  - Signature Validation: Signature is Valid."
    fi
    local valid
    valid=$(grep -c "Signature Validation: Signature is Valid." <<<"$report" || true)
    # pdfsig cannot check every third-party signature (e.g. Ed448); ours is always the last one.
    [ "$valid" -ge 1 ] || fail "pdfsig finds no valid signature in $(basename "$file"): $report"
    local last
    last=$(awk '/^Signature #/{block=""} {block=block $0 "\n"} END{printf "%s", block}' <<<"$report")
    assert_contains "$last" "Total document signed" "pdfsig, last signature of $(basename "$file")"
    assert_contains "$last" "Signature is Valid." "pdfsig, last signature of $(basename "$file")"
    if [ -z "${SKIP_MUTOOL:-}" ]; then
        local mu
        mu=$(mutool sign -v "$file" 2>&1 | tail -3) || true
        assert_contains "$mu" "The document is unchanged since signing." "mutool sign -v"
    fi
    local qrc=0
    qpdf --check "$file" >/dev/null 2>&1 || qrc=$?
    # Exit 3 is "warnings": acceptable only for an input that already had them.
    [ "$qrc" = 0 ] || { [ "$qrc" = 3 ] && [ -n "${QPDF_WARNINGS_OK:-}" ]; } ||
        fail "qpdf --check fails on $(basename "$file") (exit $qrc)"
    local ex="$tmp/extract.$$"
    rm -rf "$ex"
    python3 "$sigtool" extract "$file" "$ex" || fail "cannot extract the last signature"
    openssl cms -verify -binary -inform DER -in "$ex/sig.der" -content "$ex/content.bin" \
        -CAfile "$ca" -purpose any -out /dev/null 2>"$ex/err" ||
        fail "openssl cms -verify fails on $(basename "$file"): $(cat "$ex/err")"
}
