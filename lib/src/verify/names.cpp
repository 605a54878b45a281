#include "verify/verifier.hpp"

#include "neac/util/clock.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace neac::verify {

const char* indication_name(Indication i) {
    switch (i) {
    case Indication::Passed:
        return "PASSED";
    case Indication::Indeterminate:
        return "INDETERMINATE";
    case Indication::Failed:
        return "FAILED";
    }
    return "INDETERMINATE";
}

const char* sub_indication_name(SubIndication s) {
    switch (s) {
    case SubIndication::None:
        return "";
    case SubIndication::FormatFailure:
        return "FORMAT_FAILURE";
    case SubIndication::HashFailure:
        return "HASH_FAILURE";
    case SubIndication::SigCryptoFailure:
        return "SIG_CRYPTO_FAILURE";
    case SubIndication::Revoked:
        return "REVOKED";
    case SubIndication::SigConstraintsFailure:
        return "SIG_CONSTRAINTS_FAILURE";
    case SubIndication::ChainConstraintsFailure:
        return "CHAIN_CONSTRAINTS_FAILURE";
    case SubIndication::CryptoConstraintsFailureNoPoe:
        return "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
    case SubIndication::NoCertificateChainFound:
        return "NO_CERTIFICATE_CHAIN_FOUND";
    case SubIndication::NoSigningCertificateFound:
        return "NO_SIGNING_CERTIFICATE_FOUND";
    case SubIndication::OutOfBoundsNoPoe:
        return "OUT_OF_BOUNDS_NO_POE";
    case SubIndication::TryLater:
        return "TRY_LATER";
    case SubIndication::RevokedNoPoe:
        return "REVOKED_NO_POE";
    }
    return "";
}

const char* coverage_name(Coverage c) {
    switch (c) {
    case Coverage::Unclear:
        return "unclear";
    case Coverage::ContiguousBlockFromStart:
        return "contiguous_block_from_start";
    case Coverage::EntireRevision:
        return "entire_revision";
    case Coverage::EntireFile:
        return "entire_file";
    }
    return "unclear";
}

const char* change_category_name(ChangeCategory c) {
    switch (c) {
    case ChangeCategory::Signature:
        return "signature";
    case ChangeCategory::Dss:
        return "dss";
    case ChangeCategory::Timestamp:
        return "timestamp";
    case ChangeCategory::Annotation:
        return "annotation";
    case ChangeCategory::Form:
        return "form";
    case ChangeCategory::Metadata:
        return "metadata";
    case ChangeCategory::Forbidden:
        return "forbidden";
    }
    return "forbidden";
}

} // namespace neac::verify

namespace neac::verify::detail {

std::string iso_time(Clock::time_point t) {
    return utc_text(t);
}

// PDF date (ISO 32000-1 §7.9.4) "D:YYYYMMDDHHmmSSOHH'mm'" as ISO 8601 UTC; "" when unreadable.
std::string pdf_date_iso(const std::string& s) {
    std::string d = s.rfind("D:", 0) == 0 ? s.substr(2) : s;
    int f[6] = {0, 1, 1, 0, 0, 0};
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) {
        if (pos + widths[i] > d.size() ||
            !std::all_of(d.begin() + static_cast<long>(pos),
                         d.begin() + static_cast<long>(pos + widths[i]),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            if (i == 0)
                return "";
            break;
        }
        f[i] = std::stoi(d.substr(pos, static_cast<std::size_t>(widths[i])));
        pos += static_cast<std::size_t>(widths[i]);
    }
    long offset = 0;
    if (pos < d.size() && (d[pos] == '+' || d[pos] == '-')) {
        int sign = d[pos] == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        std::sscanf(d.c_str() + pos + 1, "%2d'%2d", &hh, &mm);
        offset = sign * (hh * 3600L + mm * 60L);
    }
    std::tm tm{};
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1] - 1;
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    std::time_t t = timegm(&tm) - offset;
    return utc_text(t); // any year up to 9999: a time point cannot hold them all
}

CertificateInfo cert_info(const crypto::Certificate& c) {
    CertificateInfo i;
    i.subject = c.subject();
    i.common_name = c.common_name();
    i.issuer = c.issuer();
    i.serial = c.serial_hex();
    i.fingerprint_sha256 = c.fingerprint_sha256();
    i.not_before = crypto::validity_iso(c, false);
    i.not_after = crypto::validity_iso(c, true);
    crypto::Identity id = c.identity();
    i.identity_kind = id.kind;
    i.identity_number = id.number;
    return i;
}

std::string objref(QPDFObjGen og) {
    return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

} // namespace neac::verify::detail
