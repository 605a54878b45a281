// Private to the CMS verifier (cms_verify.cpp, cms_algorithms.cpp, cms_verify_timestamp.cpp):
// the signature algorithm table, RSA-PSS parameters, checking a signature value, and the small
// ASN.1 value readers they share. The contract: nothing here throws for malformed input (what is
// missing comes back empty, as nullopt or with `ok` false), and what OpenSSL reports along the
// way is cleared from its error queue, so that the callers can turn what they find into verdicts.
#pragma once

#include "neac/util/bytes.hpp"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <optional>
#include <string>

namespace neac::crypto::detail {

// The dotted text of an OID, or "" when there is none.
std::string obj_text(const ASN1_OBJECT* obj);
// The content octets of an ASN.1 string (empty for null).
Bytes octets(const ASN1_STRING* s);
// An ASN.1 UTCTime or GeneralizedTime as a time point; nullopt when unreadable.
std::optional<std::chrono::system_clock::time_point> asn1_time(const ASN1_TIME* t);

// The hash implied by a signature algorithm OID (sha256WithRSAEncryption -> sha256), or "" when
// the OID names only the key type.
struct SigAlgRow {
    const char* oid;
    const char* scheme;
    const char* implied_digest;
};
// The row for a signature algorithm OID, or nullptr when neac does not know it.
const SigAlgRow* sigalg_row(const std::string& oid);

// RSASSA-PSS parameters (RFC 4055): hash, MGF1 hash, salt length.
struct PssParams {
    std::string hash = "sha1";
    std::string mgf1_hash = "sha1";
    int salt_length = 20;
    bool ok = true;
};
// The parameters of an RSASSA-PSS AlgorithmIdentifier; `ok` is false when they are missing or
// malformed.
PssParams parse_pss(const X509_ALGOR* alg);

// Verifies `signature` over `data` (hashed by EVP) or over a precomputed `digest` (prehashed),
// with the scheme named by `sigalg` and hash `md_name`. ECDSA signatures given as plain r||s
// (some tokens) are retried in DER form. `note` says why a signature could not be checked, or
// which tolerated form it verified in; it is left alone otherwise.
bool verify_with(EVP_PKEY* pkey, const X509_ALGOR* sigalg, const std::string& md_name,
                 const Bytes& signature, const Bytes* data, const Bytes* digest, std::string& note);

} // namespace neac::crypto::detail
