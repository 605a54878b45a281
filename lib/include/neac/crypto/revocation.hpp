// Revocation status of a certificate from OCSP responses (RFC 6960) and CRLs (RFC 5280): embedded
// data (a PDF's DSS, the adbe-revocationInfoArchival attribute) or fetched on line.
//
// Every response and CRL is verified before it is believed: an OCSP response must be signed by the
// issuing CA or by a responder certificate it issued with the OCSPSigning usage, and chain to the
// caller's anchors; a CRL must be signed by the issuer. Outcomes are values; network and parse
// failures become Unknown with a reason.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/util/bytes.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace neac::crypto {

enum class RevocationStatus { Good, Revoked, Unknown };
const char* revocation_status_name(RevocationStatus status);

struct RevocationResult {
    RevocationStatus status = RevocationStatus::Unknown;
    std::string source; // "OCSP", "CRL" (+ " (embedded)" or " (online)")
    std::optional<std::chrono::system_clock::time_point> revoked_at;
    std::string reason; // CRL reason when revoked ("keyCompromise"), else ""
    std::string detail; // why Unknown, or where the answer came from
};

struct RevocationData {
    std::vector<Bytes> ocsp_responses; // DER OCSPResponse
    std::vector<Bytes> crls;           // DER (or PEM) CRLs
};

// Judges `cert` (issued by `issuer`) with the given data, as of time `at`: a "good" answer counts
// when it was produced for a period that includes `at`, or after `at` (it then proves the
// certificate was not revoked at `at`). A revocation counts whatever its date; the caller compares
// revoked_at with the signing time. `anchors` and `pool` serve to verify OCSP responder chains.
RevocationResult
check_revocation(const Certificate& cert, const Certificate& issuer, const RevocationData& data,
                 const std::vector<Certificate>& anchors, const std::vector<Certificate>& pool,
                 std::chrono::system_clock::time_point at, const std::string& source_label);

struct OnlineOptions {
    std::string ocsp_url; // overrides the certificate's AIA responder when not empty
    std::chrono::milliseconds timeout{10000};
};

// Fetches fresh revocation data for `cert` on line: an OCSP response from its responder (with a
// nonce, checked), else the CRLs of its distribution points. Returns what could be fetched;
// `errors` says what could not.
RevocationData fetch_revocation(const Certificate& cert, const Certificate& issuer,
                                const OnlineOptions& options, std::vector<std::string>& errors);

// The pieces of fetch_revocation, for callers that fetch once per certificate or URL and keep
// what they fetched (B-LT validation data, neac/crypto/validation_data.hpp).
std::vector<std::string> ocsp_urls(const Certificate& cert); // AIA OCSP responders
std::vector<std::string> crl_urls(const Certificate& cert);  // HTTP(S) CRL distribution points
std::vector<std::string> ca_issuers_urls(const Certificate& cert); // AIA caIssuers, HTTP(S)
// The certificates at a caIssuers URL: DER, PEM or a certs-only PKCS#7 (RFC 5280 §4.2.2.1).
// Failures go to `errors`.
std::vector<Certificate> fetch_ca_issuers(const std::string& url, std::chrono::milliseconds timeout,
                                          std::vector<std::string>& errors);
// One OCSP request with a nonce; the answer is returned when it parses and its nonce matches
// (its signature and dates are check_revocation's job). Failures go to `errors`.
std::optional<Bytes> fetch_ocsp(const Certificate& cert, const Certificate& issuer,
                                const std::string& url, std::chrono::milliseconds timeout,
                                std::vector<std::string>& errors);
std::optional<Bytes> fetch_crl(const std::string& url, std::chrono::milliseconds timeout,
                               std::vector<std::string>& errors);
// The certificates an OCSP response carries (its responder's, usually); none when unreadable.
std::vector<Certificate> ocsp_response_certificates(const Bytes& der);

} // namespace neac::crypto
