// Validation data for PAdES B-LT (ETSI EN 319 142-1 §5.4): the certificates of a chain and, for
// every certificate in it but the self-signed top, a revocation answer that a verifier can check
// offline years later.
//
// A collector lives for one run (a signing batch, an `extend` over many files) and fetches each
// certificate's answer once: OCSP from its AIA responder first (with a nonce), the CRL of its
// distribution point when there is no responder or its answer cannot be used. Every answer is
// checked before it is kept: the OCSP response's signature and responder authority, its
// thisUpdate/nextUpdate against the collection time, the nonce; the CRL's signature by the
// issuer and its dates.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/revocation.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace neac::crypto {

// What a chain needs embedded. Items are unique (compared by their bytes).
struct ValidationData {
    std::vector<Certificate> certificates;
    std::vector<Bytes> ocsp_responses;
    std::vector<Bytes> crls;

    void add(const Certificate& cert);
    void add_ocsp(const Bytes& der);
    void add_crl(const Bytes& der);
    void merge(const ValidationData& other);
};

// The revocation answer kept for one certificate.
struct CertificateStatus {
    Certificate certificate;
    RevocationResult result; // Good or Revoked when usable; Unknown says why not
};

struct ChainValidationData {
    ValidationData data;
    std::vector<CertificateStatus> statuses; // leaf first, the self-signed top left out
    std::vector<std::string> problems;       // certificates left without a usable answer
    bool complete() const { return problems.empty(); }
};

class ValidationDataCollector {
public:
    explicit ValidationDataCollector(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // The chain of `leaf` built from `pool` (issuer by name and signature, up to a self-signed
    // certificate; an issuer missing from the pool is fetched from the AIA caIssuers URL of the
    // certificate it issued, once per URL), its certificates and a checked revocation answer
    // for each but the self-signed top, judged at `at`. Answers for a certificate seen before
    // by this collector are reused, not fetched again; a CRL URL is fetched once. Never throws
    // for network or verdict failures: they are listed in `problems`.
    ChainValidationData collect(const Certificate& leaf, const std::vector<Certificate>& pool,
                                std::chrono::system_clock::time_point at);

    std::size_t ocsp_requests() const { return ocsp_requests_; }
    std::size_t crl_requests() const { return crl_requests_; }
    std::size_t ca_certificate_requests() const { return ca_requests_; }

private:
    struct Known {
        CertificateStatus status;
        ValidationData data; // the answer and the certificates that vouch for it
        std::string problem;
    };
    Known judge(const Certificate& cert, const Certificate& issuer,
                const std::vector<Certificate>& anchors, const std::vector<Certificate>& pool,
                std::chrono::system_clock::time_point at);

    std::chrono::milliseconds timeout_;
    std::map<std::string, Known> by_fingerprint_;
    std::map<std::string, Bytes> crl_by_url_;
    std::map<std::string, std::vector<Certificate>> issuers_by_url_;
    std::size_t ca_requests_ = 0;
    std::size_t ocsp_requests_ = 0;
    std::size_t crl_requests_ = 0;
};

} // namespace neac::crypto
