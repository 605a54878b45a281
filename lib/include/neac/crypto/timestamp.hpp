// RFC 3161 time-stamp client: asks a TSA to time-stamp a signature value (PAdES B-T).
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/digest.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace neac::crypto {

struct TimestampOptions {
    std::string url;
    std::string ca_bundle; // PEM file for HTTPS TSAs with a private CA; empty = system store
    std::chrono::milliseconds timeout{15000};
    // Extra HTTP headers (e.g. Authorization for a TSA that needs it); values are never logged.
    std::vector<std::pair<std::string, std::string>> headers;
};

struct TimestampToken {
    Bytes der; // ContentInfo (SignedData with TSTInfo), as embedded in the CMS unsigned attribute
    std::chrono::system_clock::time_point gen_time;
    std::string tsa_name; // subject of the TSA certificate, if the token carries it
    // Added: the token's details, for history/verify output and for B-LT (the TSA chain).
    std::string serial_hex;                // TSTInfo serialNumber, upper-case hex
    std::string policy_oid;                // TSTInfo policy, dotted
    std::vector<Certificate> certificates; // certificates carried in the token, signer first
};

// Hashes `data` (the SignerInfo signature value) with `alg`, sends a TimeStampReq with a random
// nonce and certReq=true, and checks the response: status granted, imprint and nonce match, the
// token's signature verifies against the certificate inside it, and that certificate has the
// critical timeStamping extended key usage. Network or HTTP failure: Error(Remote); a response
// that fails the checks: Error(Remote) saying which.
// The TSA certificate is not checked against trust anchors or revocation: that is the verifier's
// job (it depends on the verification policy and time).
TimestampToken request_timestamp(const TimestampOptions& options, DigestAlgorithm alg,
                                 const Bytes& data);

// The same for data hashed by the caller: `imprint` is the digest with `alg` (a document
// timestamp's imprint is the digest of the PDF byte ranges, streamed from the file).
TimestampToken request_timestamp_for_imprint(const TimestampOptions& options, DigestAlgorithm alg,
                                             const Bytes& imprint);

// The two halves of request_timestamp(), for callers that move the bytes themselves and for
// tests. make_timestamp_request() returns the DER TimeStampReq (version 1, certReq true) for a
// precomputed imprint and a nonce given as big-endian unsigned bytes (at most 16).
Bytes make_timestamp_request(DigestAlgorithm alg, const Bytes& imprint, const Bytes& nonce);
// Parses and checks a DER TimeStampResp against the DER request that produced it (see
// request_timestamp for the checks). Any failure: Error(Remote). Never crashes on garbage.
TimestampToken check_timestamp_response(const Bytes& response_der, const Bytes& request_der);

} // namespace neac::crypto
