// Certificate path building and validation at a chosen time (RFC 5280 through OpenSSL's verifier),
// with explicit trust anchors only: the operating system's store is never consulted, so "trusted"
// always means "chains to an anchor the caller named".
#pragma once

#include "neac/crypto/certificate.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace neac::crypto {

// Loads every certificate of a PEM/DER file, or of every *.pem, *.crt, *.cer, *.der file in a
// folder (not recursive). Throws Error(BadInput) naming the path when nothing can be loaded.
std::vector<Certificate> load_certificates(const std::filesystem::path& file_or_dir);

enum class ChainStatus {
    Valid,         // a path to an anchor exists and every certificate is valid at the time
    NoAnchors,     // the caller gave no trust anchor
    NoPath,        // no path to any anchor (unknown issuer, self-signed not trusted)
    OutOfValidity, // a path exists but a certificate is expired or not yet valid at the time
    Invalid,       // a path exists but is broken: bad signature, CA constraints, path length
};
const char* chain_status_name(ChainStatus status);

struct ChainResult {
    ChainStatus status = ChainStatus::NoAnchors;
    std::string detail;            // OpenSSL's reason, with the certificate it concerns
    std::vector<Certificate> path; // leaf first, anchor last (when a path was built)
};

// Builds and checks a path from `leaf` to one of `anchors`, using `untrusted` as intermediates,
// at time `at`. Never throws for verdicts.
ChainResult validate_chain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                           const std::vector<Certificate>& anchors,
                           std::chrono::system_clock::time_point at);

// True when the certificate may sign documents: keyUsage absent, or digitalSignature or
// nonRepudiation set.
bool allows_document_signing(const Certificate& cert);

// notBefore / notAfter as ISO 8601 UTC ("2026-11-26T18:00:00Z"), read from the certificate
// itself so that dates past 2262 (Certificate::not_after's clock range) print correctly.
std::string validity_iso(const Certificate& cert, bool not_after);

// The issuer of `cert` among `pool` (name match and signature check), or an empty Certificate.
Certificate find_issuer(const Certificate& cert, const std::vector<Certificate>& pool);

} // namespace neac::crypto
