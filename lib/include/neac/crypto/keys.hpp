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

// Ed25519 is listed for completeness (certificates and verification may carry it), but it signs
// the message itself, not a digest: sign_digest() and build_signed_data() refuse it with
// Error(BadInput), because neac's remote-signing flow only ever hands a digest to the signer.
enum class SignatureScheme { RsaPkcs1v15, RsaPss, Ecdsa, Ed25519 };

struct SignatureAlgorithm {
    SignatureScheme scheme = SignatureScheme::RsaPkcs1v15;
    DigestAlgorithm digest = DigestAlgorithm::Sha256;
};

const char* scheme_name(SignatureScheme scheme); // "rsa-pkcs1", "rsa-pss", "ecdsa", "ed25519"

// The default scheme for a certificate's key: RSA -> PKCS#1 v1.5, EC -> ECDSA, Ed25519.
SignatureScheme default_scheme_for(const Certificate& cert);

// Upper bound of a raw signature made with this certificate's key (dry-run placeholder sizing):
// the modulus size for RSA, the maximum DER ECDSA-Sig-Value size for EC.
std::size_t max_raw_signature_size(const Certificate& cert);

// Converts a plain ECDSA signature (r || s, each half the same length, as some providers and
// PKCS#11 tokens return it) to the DER ECDSA-Sig-Value that CMS requires. Throws Error(BadInput)
// on an empty or odd-length input.
Bytes ecdsa_plain_to_der(const Bytes& r_and_s);

// Verifies `raw_signature` over `digest_value` (the hash of the data, already computed) with the
// certificate's public key. PSS uses MGF1 with the same hash and salt length = hash length.
bool verify_digest_signature(const Certificate& cert, const SignatureAlgorithm& alg,
                             const Bytes& digest_value, const Bytes& raw_signature);

// Key types PrivateKey::generate() can create (sandbox CA, tests).
enum class KeyType { Rsa2048, Rsa3072, EcP256, EcP384 };

class PrivateKey {
public:
    static PrivateKey from_pem(std::string_view pem); // unencrypted PEM; throws Error(BadInput)
    // Takes ownership of `key` (must not be null).
    static PrivateKey adopt(EVP_PKEY* key);
    static PrivateKey generate(KeyType type);
    // An empty PrivateKey (default-constructed) throws Error(Internal) when used.
    bool empty() const noexcept { return !key_; }
    EVP_PKEY* get() const;
    // Signs a precomputed digest. Throws Error(BadInput) if the scheme does not fit the key or the
    // digest length does not fit alg.digest. RSA-PSS: MGF1 with alg.digest, salt = hash length.
    // ECDSA: DER ECDSA-Sig-Value. Ed25519: refused (see SignatureScheme).
    Bytes sign_digest(const SignatureAlgorithm& alg, const Bytes& digest_value) const;
    // PEM (PKCS#8, unencrypted) for storage under a 0600 file.
    std::string to_pem() const;
    // True when `cert` carries this key's public half.
    bool matches(const Certificate& cert) const;

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

// Loads a PKCS#12 file. Wrong password ("wrong password for PKCS#12 file X"), unreadable file,
// malformed content or missing key: Error(BadInput) naming the file. Files made with legacy
// algorithms (RC2-40, as older Windows and Java tools write them) load through OpenSSL's legacy
// provider when it is installed.
Pkcs12Bundle load_pkcs12(const std::filesystem::path& file, const std::string& password);

} // namespace neac::crypto
