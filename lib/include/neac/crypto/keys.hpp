// Signature schemes, local private keys (PKCS#12, PEM) and raw-signature verification.
// A "raw signature" is what remote CAs return for a hash: PKCS#1 v1.5 / PSS bytes for RSA, DER
// ECDSA-Sig-Value for ECDSA (a provider that returns plain r||s is converted by the adapter).
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/digest.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace neac::crypto {

enum class SignatureScheme { RsaPkcs1v15, RsaPss, Ecdsa, Ed25519 };

struct SignatureAlgorithm {
    SignatureScheme scheme = SignatureScheme::RsaPkcs1v15;
    DigestAlgorithm digest = DigestAlgorithm::Sha256;
};

const char* scheme_name(SignatureScheme scheme); // "rsa-pkcs1", "rsa-pss", "ecdsa", "ed25519"

// The default scheme for a certificate's key: RSA -> PKCS#1 v1.5, EC -> ECDSA, Ed25519.
SignatureScheme default_scheme_for(const Certificate& cert);

// Upper bound of a raw signature made with this certificate's key (dry-run placeholder sizing).
std::size_t max_raw_signature_size(const Certificate& cert);

// Verifies `raw_signature` over `digest_value` (the hash of the data, already computed) with the
// certificate's public key. PSS uses MGF1 with the same hash and salt length = hash length.
bool verify_digest_signature(const Certificate& cert, const SignatureAlgorithm& alg,
                             const Bytes& digest_value, const Bytes& raw_signature);

class PrivateKey {
public:
    static PrivateKey from_pem(std::string_view pem); // unencrypted PEM; throws Error(BadInput)
    EVP_PKEY* get() const;
    // Signs a precomputed digest. Throws Error(BadInput) if the scheme does not fit the key.
    Bytes sign_digest(const SignatureAlgorithm& alg, const Bytes& digest_value) const;
    // PEM (PKCS#8, unencrypted) for storage under a 0600 file.
    std::string to_pem() const;

private:
    std::shared_ptr<EVP_PKEY> key_;
    friend struct Pkcs12Bundle;
    friend class KeyFactory;
};

struct Pkcs12Bundle {
    PrivateKey key;
    Certificate certificate;              // the key's certificate
    std::vector<Certificate> extra_certs; // CA certificates found in the file
};

// Loads a PKCS#12 file. Wrong password, unreadable file or missing key: Error(BadInput).
Pkcs12Bundle load_pkcs12(const std::filesystem::path& file, const std::string& password);

} // namespace neac::crypto
