#include "neac/crypto/digest.hpp"

#include "crypto/ossl.hpp"
#include "neac/util/error.hpp"

#include <algorithm>
#include <cctype>

namespace neac::crypto {

namespace {

// Explicitly fetched digests, fetched once: EVP_get_digestbyname() would make every
// EVP_DigestInit_ex pay for an implicit provider fetch.
const EVP_MD* fetched_md(DigestAlgorithm alg) {
    static const ossl::EvpMdPtr sha256(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
    static const ossl::EvpMdPtr sha384(EVP_MD_fetch(nullptr, "SHA2-384", nullptr));
    static const ossl::EvpMdPtr sha512(EVP_MD_fetch(nullptr, "SHA2-512", nullptr));
    const EVP_MD* md = nullptr;
    switch (alg) {
    case DigestAlgorithm::Sha256:
        md = sha256.get();
        break;
    case DigestAlgorithm::Sha384:
        md = sha384.get();
        break;
    case DigestAlgorithm::Sha512:
        md = sha512.get();
        break;
    }
    if (!md)
        throw ossl::error(std::string("digest ") + digest_name(alg) + " is not available",
                          ErrorKind::Internal);
    return md;
}

} // namespace

const char* digest_name(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return "sha256";
    case DigestAlgorithm::Sha384:
        return "sha384";
    case DigestAlgorithm::Sha512:
        return "sha512";
    }
    return "sha256";
}

DigestAlgorithm parse_digest_algorithm(std::string_view name) {
    std::string n;
    for (char c : name)
        if (c != '-' && c != '_')
            n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (n == "sha256" || n == "sha2256")
        return DigestAlgorithm::Sha256;
    if (n == "sha384" || n == "sha2384")
        return DigestAlgorithm::Sha384;
    if (n == "sha512" || n == "sha2512")
        return DigestAlgorithm::Sha512;
    throw usage_error("unknown digest algorithm \"" + std::string(name) + "\"")
        .hint("use sha256, sha384 or sha512");
}

std::size_t digest_size(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return 32;
    case DigestAlgorithm::Sha384:
        return 48;
    case DigestAlgorithm::Sha512:
        return 64;
    }
    return 32;
}

const char* digest_oid(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return "2.16.840.1.101.3.4.2.1";
    case DigestAlgorithm::Sha384:
        return "2.16.840.1.101.3.4.2.2";
    case DigestAlgorithm::Sha512:
        return "2.16.840.1.101.3.4.2.3";
    }
    return "2.16.840.1.101.3.4.2.1";
}

const EVP_MD* ossl::md_for(DigestAlgorithm alg) {
    return fetched_md(alg);
}

struct Hasher::State {
    ossl::EvpMdCtxPtr ctx;
    bool finished = false;
};

Hasher::Hasher(DigestAlgorithm alg) : alg_(alg), state_(std::make_unique<State>()) {
    state_->ctx.reset(EVP_MD_CTX_new());
    ossl::check_ossl_ptr(state_->ctx.get(), "cannot allocate a digest context",
                         ErrorKind::Internal);
    ossl::check_ossl(EVP_DigestInit_ex(state_->ctx.get(), fetched_md(alg), nullptr),
                     "cannot start the digest", ErrorKind::Internal);
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(const void* data, std::size_t size) {
    if (!state_ || state_->finished)
        throw Error(ErrorKind::Internal, "Hasher::update after finish()");
    if (size == 0)
        return;
    // EVP_DigestUpdate takes size_t and streams internally: no copy, no chunking needed.
    ossl::check_ossl(EVP_DigestUpdate(state_->ctx.get(), data, size), "digest update failed",
                     ErrorKind::Internal);
}

Bytes Hasher::finish() {
    if (!state_ || state_->finished)
        throw Error(ErrorKind::Internal, "Hasher::finish called twice");
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::check_ossl(EVP_DigestFinal_ex(state_->ctx.get(), out, &len), "digest finish failed",
                     ErrorKind::Internal);
    state_->finished = true;
    return Bytes(out, out + len);
}

Bytes Hasher::peek() const {
    if (!state_ || state_->finished)
        throw Error(ErrorKind::Internal, "Hasher::peek after finish()");
    ossl::EvpMdCtxPtr copy(EVP_MD_CTX_new());
    ossl::check_ossl_ptr(copy.get(), "cannot allocate a digest context", ErrorKind::Internal);
    ossl::check_ossl(EVP_MD_CTX_copy_ex(copy.get(), state_->ctx.get()), "cannot copy the digest",
                     ErrorKind::Internal);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ossl::check_ossl(EVP_DigestFinal_ex(copy.get(), out, &len), "digest finish failed",
                     ErrorKind::Internal);
    return Bytes(out, out + len);
}

Bytes digest(DigestAlgorithm alg, const void* data, std::size_t size) {
    Hasher h(alg);
    h.update(data, size);
    return h.finish();
}

} // namespace neac::crypto
