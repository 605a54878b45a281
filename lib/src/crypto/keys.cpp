#include "neac/crypto/keys.hpp"

#include "crypto/ossl.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

#include <mutex>

namespace neac::crypto {

namespace {

enum class KeyFamily { Rsa, RsaPss, Ec, Ed25519, Other };

KeyFamily family_of(const EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA"))
        return KeyFamily::Rsa;
    if (EVP_PKEY_is_a(key, "RSA-PSS"))
        return KeyFamily::RsaPss;
    if (EVP_PKEY_is_a(key, "EC"))
        return KeyFamily::Ec;
    if (EVP_PKEY_is_a(key, "ED25519"))
        return KeyFamily::Ed25519;
    return KeyFamily::Other;
}

bool scheme_fits(SignatureScheme scheme, KeyFamily family) {
    switch (scheme) {
    case SignatureScheme::RsaPkcs1v15:
        return family == KeyFamily::Rsa;
    case SignatureScheme::RsaPss:
        return family == KeyFamily::Rsa || family == KeyFamily::RsaPss;
    case SignatureScheme::Ecdsa:
        return family == KeyFamily::Ec;
    case SignatureScheme::Ed25519:
        return family == KeyFamily::Ed25519;
    }
    return false;
}

const char* family_name(KeyFamily f) {
    switch (f) {
    case KeyFamily::Rsa:
        return "RSA";
    case KeyFamily::RsaPss:
        return "RSA-PSS";
    case KeyFamily::Ec:
        return "EC";
    case KeyFamily::Ed25519:
        return "Ed25519";
    case KeyFamily::Other:
        break;
    }
    return "unsupported";
}

// Sets padding, hash and PSS parameters on a sign or verify context.
void configure(EVP_PKEY_CTX* ctx, const SignatureAlgorithm& alg) {
    const EVP_MD* md = ossl::md_for(alg.digest);
    ossl::check_ossl(EVP_PKEY_CTX_set_signature_md(ctx, md), "cannot set the signature digest");
    if (alg.scheme == SignatureScheme::RsaPkcs1v15) {
        ossl::check_ossl(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING),
                         "cannot select PKCS#1 v1.5 padding");
    } else if (alg.scheme == SignatureScheme::RsaPss) {
        ossl::check_ossl(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING),
                         "cannot select PSS padding");
        ossl::check_ossl(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), "cannot set the MGF1 digest");
        // Salt length = hash length, the value RFC 4055 recommends and CMS verifiers expect.
        ossl::check_ossl(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST),
                         "cannot set the PSS salt length");
    }
}

// Loads OpenSSL's legacy provider (RC2, RC4, DES...) next to the default one, once. Returns false
// when it is not installed.
bool load_legacy_provider() {
    // Loading any provider explicitly stops the default one from loading implicitly, so load
    // both. The handles stay loaded for the life of the process on purpose, held here so that
    // they stay reachable (not a leak).
    static std::once_flag once;
    static OSSL_PROVIDER* default_provider = nullptr;
    static OSSL_PROVIDER* legacy_provider = nullptr;
    std::call_once(once, [] {
        default_provider = OSSL_PROVIDER_load(nullptr, "default");
        legacy_provider = OSSL_PROVIDER_load(nullptr, "legacy");
        ossl::clear_errors();
    });
    return default_provider && legacy_provider;
}

int no_password_callback(char*, int, int, void*) {
    return -1; // never prompt on the terminal: an encrypted key is an input error
}

} // namespace

const char* scheme_name(SignatureScheme scheme) {
    switch (scheme) {
    case SignatureScheme::RsaPkcs1v15:
        return "rsa-pkcs1";
    case SignatureScheme::RsaPss:
        return "rsa-pss";
    case SignatureScheme::Ecdsa:
        return "ecdsa";
    case SignatureScheme::Ed25519:
        return "ed25519";
    }
    return "rsa-pkcs1";
}

SignatureScheme default_scheme_for(const Certificate& cert) {
    const EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key)
        throw ossl::error("the certificate's public key is unreadable");
    switch (family_of(key)) {
    case KeyFamily::Rsa:
        return SignatureScheme::RsaPkcs1v15;
    case KeyFamily::RsaPss:
        return SignatureScheme::RsaPss;
    case KeyFamily::Ec:
        return SignatureScheme::Ecdsa;
    case KeyFamily::Ed25519:
        return SignatureScheme::Ed25519;
    case KeyFamily::Other:
        break;
    }
    throw Error(ErrorKind::BadInput, "the certificate's key type is not supported for signing")
        .hint("use an RSA or EC (P-256/P-384) certificate");
}

std::size_t max_raw_signature_size(const Certificate& cert) {
    const EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key)
        throw ossl::error("the certificate's public key is unreadable");
    int size = EVP_PKEY_get_size(key);
    if (size <= 0)
        throw ossl::error("cannot size signatures for the certificate's key");
    return static_cast<std::size_t>(size);
}

Bytes ecdsa_plain_to_der(const Bytes& r_and_s) {
    if (r_and_s.empty() || r_and_s.size() % 2 != 0 || r_and_s.size() > 264)
        throw Error(ErrorKind::BadInput,
                    "plain ECDSA signature must be r||s of equal halves, got " +
                        std::to_string(r_and_s.size()) + " bytes");
    int half = static_cast<int>(r_and_s.size() / 2);
    ossl::BignumPtr r(BN_bin2bn(r_and_s.data(), half, nullptr));
    ossl::BignumPtr s(BN_bin2bn(r_and_s.data() + half, half, nullptr));
    ECDSA_SIG* sig = ECDSA_SIG_new();
    if (!r || !s || !sig) {
        ECDSA_SIG_free(sig);
        throw ossl::error("out of memory", ErrorKind::Internal);
    }
    ECDSA_SIG_set0(sig, r.release(), s.release());
    ossl::DeleteFnPtr<ECDSA_SIG, ECDSA_SIG_free> owner(sig);
    return ossl::i2d_bytes<ECDSA_SIG>(i2d_ECDSA_SIG, sig, "ECDSA signature");
}

bool verify_digest_signature(const Certificate& cert, const SignatureAlgorithm& alg,
                             const Bytes& digest_value, const Bytes& raw_signature) {
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key) {
        ossl::clear_errors();
        return false;
    }
    if (!scheme_fits(alg.scheme, family_of(key)) || alg.scheme == SignatureScheme::Ed25519 ||
        digest_value.size() != digest_size(alg.digest) || raw_signature.empty())
        return false;
    ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) <= 0) {
        ossl::clear_errors();
        return false;
    }
    try {
        configure(ctx.get(), alg);
    } catch (const Error&) {
        return false;
    }
    int rc = EVP_PKEY_verify(ctx.get(), raw_signature.data(), raw_signature.size(),
                             digest_value.data(), digest_value.size());
    ossl::clear_errors();
    return rc == 1;
}

PrivateKey PrivateKey::adopt(EVP_PKEY* key) {
    if (!key)
        throw Error(ErrorKind::Internal, "PrivateKey::adopt(nullptr)");
    PrivateKey k;
    k.key_.reset(key, EVP_PKEY_free);
    return k;
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
    ossl::BioPtr bio = ossl::mem_bio(pem.data(), pem.size());
    ossl::clear_errors();
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password_callback, nullptr);
    if (!key)
        throw ossl::error("cannot read the private key (PEM, unencrypted)");
    return adopt(key);
}

PrivateKey PrivateKey::generate(KeyType type) {
    EVP_PKEY* key = nullptr;
    switch (type) {
    case KeyType::Rsa2048:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
        break;
    case KeyType::Rsa3072:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072));
        break;
    case KeyType::EcP256:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyType::EcP384:
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    }
    if (!key)
        throw ossl::error("key generation failed", ErrorKind::Internal);
    return adopt(key);
}

EVP_PKEY* PrivateKey::get() const {
    if (!key_)
        throw Error(ErrorKind::Internal, "use of an empty PrivateKey");
    return key_.get();
}

Bytes PrivateKey::sign_digest(const SignatureAlgorithm& alg, const Bytes& digest_value) const {
    EVP_PKEY* key = get();
    KeyFamily family = family_of(key);
    if (alg.scheme == SignatureScheme::Ed25519 || family == KeyFamily::Ed25519)
        throw Error(ErrorKind::BadInput,
                    "Ed25519 signs the message itself, not a digest; neac cannot use it with "
                    "hash-based (remote) signing")
            .hint("use an RSA or EC key");
    if (!scheme_fits(alg.scheme, family))
        throw Error(ErrorKind::BadInput, std::string("signature scheme ") +
                                             scheme_name(alg.scheme) + " does not fit a " +
                                             family_name(family) + " key");
    if (digest_value.size() != digest_size(alg.digest))
        throw Error(ErrorKind::BadInput, "digest is " + std::to_string(digest_value.size()) +
                                             " bytes, " + digest_name(alg.digest) + " needs " +
                                             std::to_string(digest_size(alg.digest)));
    ossl::clear_errors();
    ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    ossl::check_ossl_ptr(ctx.get(), "cannot create a signing context", ErrorKind::Internal);
    ossl::check_ossl(EVP_PKEY_sign_init(ctx.get()), "cannot start signing");
    configure(ctx.get(), alg);
    std::size_t len = 0;
    ossl::check_ossl(
        EVP_PKEY_sign(ctx.get(), nullptr, &len, digest_value.data(), digest_value.size()),
        "cannot size the signature");
    Bytes sig(len);
    ossl::check_ossl(
        EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest_value.data(), digest_value.size()),
        "signing failed");
    sig.resize(len);
    return sig;
}

std::string PrivateKey::to_pem() const {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw ossl::error("cannot write the private key", ErrorKind::Internal);
    return ossl::bio_string(bio.get());
}

bool PrivateKey::matches(const Certificate& cert) const {
    int rc = X509_check_private_key(cert.get(), get());
    ossl::clear_errors();
    return rc == 1;
}

Pkcs12Bundle load_pkcs12(const std::filesystem::path& file, const std::string& password) {
    const std::string name = file.string();
    std::string content = read_small_file(file);
    ossl::BioPtr bio = ossl::mem_bio(content.data(), content.size());
    ossl::clear_errors();
    ossl::Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
    if (!p12)
        throw ossl::error("not a PKCS#12 file")
            .file(name)
            .hint("give a .p12/.pfx file exported with its private key");

    // Check the MAC first: it is the one place that tells a wrong password apart from a damaged
    // file. Some tools write an empty password as NULL, others as "", so try both.
    if (PKCS12_mac_present(p12.get())) {
        bool ok =
            PKCS12_verify_mac(p12.get(), password.c_str(), static_cast<int>(password.size())) == 1;
        if (!ok && password.empty())
            ok = PKCS12_verify_mac(p12.get(), nullptr, 0) == 1;
        if (!ok) {
            ossl::clear_errors();
            throw Error(ErrorKind::BadInput, "wrong password for PKCS#12 file " + name)
                .file(name)
                .hint("check the password setting (password-env or password-file)");
        }
    }

    EVP_PKEY* pkey = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    int rc = PKCS12_parse(p12.get(), password.c_str(), &pkey, &cert, &ca);
    if (rc != 1) {
        // Old files encrypt with RC2-40 or similar, which only the legacy provider has.
        ossl::clear_errors();
        if (load_legacy_provider())
            rc = PKCS12_parse(p12.get(), password.c_str(), &pkey, &cert, &ca);
    }
    ossl::EvpPkeyPtr key_owner(pkey);
    ossl::X509Ptr cert_owner(cert);
    ossl::X509StackPtr ca_owner(ca);
    if (rc != 1)
        throw ossl::error("cannot decrypt PKCS#12 file " + name)
            .file(name)
            .hint("the file may use an algorithm this OpenSSL build does not support");
    if (!pkey)
        throw Error(ErrorKind::BadInput, "PKCS#12 file " + name + " holds no private key")
            .file(name);
    if (!cert)
        throw Error(ErrorKind::BadInput,
                    "PKCS#12 file " + name + " holds no certificate for its key")
            .file(name);

    Pkcs12Bundle bundle{PrivateKey::adopt(key_owner.release()),
                        Certificate::from_der(ossl::i2d_bytes<X509>(i2d_X509, cert, "certificate")),
                        {}};
    if (!bundle.key.matches(bundle.certificate))
        throw Error(ErrorKind::BadInput,
                    "PKCS#12 file " + name + ": the certificate does not match the private key")
            .file(name);
    for (int i = 0; ca && i < sk_X509_num(ca); ++i)
        bundle.extra_certs.push_back(Certificate::from_der(
            ossl::i2d_bytes<X509>(i2d_X509, sk_X509_value(ca, i), "certificate")));
    return bundle;
}

} // namespace neac::crypto
