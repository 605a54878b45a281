// Message digests (OpenSSL EVP), streamed so that large PDFs are hashed without being loaded.
#pragma once

#include "neac/util/bytes.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace neac::crypto {

enum class DigestAlgorithm { Sha256, Sha384, Sha512 };

// "sha256", "sha384", "sha512".
const char* digest_name(DigestAlgorithm alg);
// Accepts "sha256"/"SHA-256" etc. Throws Error(Usage) naming the accepted values.
DigestAlgorithm parse_digest_algorithm(std::string_view name);
std::size_t digest_size(DigestAlgorithm alg);
// The digest algorithm OID in dotted form, e.g. "2.16.840.1.101.3.4.2.1" (SHA-256).
const char* digest_oid(DigestAlgorithm alg);

class Hasher {
public:
    explicit Hasher(DigestAlgorithm alg);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Returns the digest; the hasher cannot be updated afterwards.
    Bytes finish();
    // The digest of what was hashed so far, leaving this hasher able to continue: one pass over
    // a file yields both the digest of a prefix and of the whole.
    Bytes peek() const;
    DigestAlgorithm algorithm() const noexcept { return alg_; }

private:
    DigestAlgorithm alg_;
    struct State;
    std::unique_ptr<State> state_;
};

Bytes digest(DigestAlgorithm alg, const void* data, std::size_t size);
inline Bytes digest(DigestAlgorithm alg, const Bytes& data) {
    return digest(alg, data.data(), data.size());
}

} // namespace neac::crypto
