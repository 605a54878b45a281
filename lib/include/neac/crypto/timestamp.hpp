// RFC 3161 time-stamp client: asks a TSA to time-stamp a signature value (PAdES B-T).
#pragma once

#include "neac/crypto/digest.hpp"

#include <chrono>
#include <string>

namespace neac::crypto {

struct TimestampOptions {
    std::string url;
    std::string ca_bundle; // PEM file for HTTPS TSAs with a private CA; empty = system store
    std::chrono::milliseconds timeout{15000};
};

struct TimestampToken {
    Bytes der; // ContentInfo (SignedData with TSTInfo), as embedded in the CMS unsigned attribute
    std::chrono::system_clock::time_point gen_time;
    std::string tsa_name; // subject of the TSA certificate, if the token carries it
};

// Hashes `data` (the SignerInfo signature value) with `alg`, sends a TimeStampReq with a random
// nonce and certReq=true, and checks the response: status granted, imprint and nonce match, the
// token's signature verifies against the certificate inside it, and that certificate has the
// critical timeStamping extended key usage. Network or HTTP failure: Error(Remote); a response
// that fails the checks: Error(Remote) saying which.
TimestampToken request_timestamp(const TimestampOptions& options, DigestAlgorithm alg,
                                 const Bytes& data);

} // namespace neac::crypto
