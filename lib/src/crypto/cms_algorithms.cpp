// Digest and signature algorithms for the CMS verifier: the OID tables, DigestSpec, MultiHasher
// and digest_any, RSA-PSS parameters, and checking a signature value with a given scheme.
#include "crypto/cms_algorithms.hpp"

#include "crypto/ossl.hpp"
#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/keys.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"

#include <openssl/rsa.h>

#include <ctime>
#include <map>

namespace neac::crypto {

using detail::sigalg_row;
using detail::SigAlgRow;

namespace {

struct DigestRow {
    const char* oid;
    const char* name;     // ours
    const char* evp_name; // OpenSSL's
    bool weak;
};

constexpr DigestRow kDigests[] = {
    {"1.2.840.113549.2.5", "md5", "MD5", true},
    {"1.3.14.3.2.26", "sha1", "SHA1", true},
    {"2.16.840.1.101.3.4.2.4", "sha224", "SHA224", false},
    {"2.16.840.1.101.3.4.2.1", "sha256", "SHA256", false},
    {"2.16.840.1.101.3.4.2.2", "sha384", "SHA384", false},
    {"2.16.840.1.101.3.4.2.3", "sha512", "SHA512", false},
    {"2.16.840.1.101.3.4.2.8", "sha3-256", "SHA3-256", false},
    {"2.16.840.1.101.3.4.2.9", "sha3-384", "SHA3-384", false},
    {"2.16.840.1.101.3.4.2.10", "sha3-512", "SHA3-512", false},
    {"2.16.840.1.101.3.4.2.12", "shake256", "SHAKE256", false},
};

const DigestRow* row_for_name(const std::string& name) {
    for (const auto& r : kDigests)
        if (name == r.name)
            return &r;
    return nullptr;
}

// SHAKE256 in CMS (RFC 8419) is used with a 512-bit output.
constexpr std::size_t kShakeOutput = 64;

const char* evp_name(const std::string& our_name) {
    const DigestRow* r = row_for_name(our_name);
    return r ? r->evp_name : nullptr;
}

constexpr SigAlgRow kSigAlgs[] = {
    {"1.2.840.113549.1.1.1", "rsa-pkcs1", ""},
    {"1.2.840.113549.1.1.4", "rsa-pkcs1", "md5"},
    {"1.2.840.113549.1.1.5", "rsa-pkcs1", "sha1"},
    {"1.2.840.113549.1.1.14", "rsa-pkcs1", "sha224"},
    {"1.2.840.113549.1.1.11", "rsa-pkcs1", "sha256"},
    {"1.2.840.113549.1.1.12", "rsa-pkcs1", "sha384"},
    {"1.2.840.113549.1.1.13", "rsa-pkcs1", "sha512"},
    {"1.2.840.113549.1.1.10", "rsa-pss", ""},
    {"1.2.840.10045.2.1", "ecdsa", ""},
    {"1.2.840.10045.4.1", "ecdsa", "sha1"},
    {"1.2.840.10045.4.3.1", "ecdsa", "sha224"},
    {"1.2.840.10045.4.3.2", "ecdsa", "sha256"},
    {"1.2.840.10045.4.3.3", "ecdsa", "sha384"},
    {"1.2.840.10045.4.3.4", "ecdsa", "sha512"},
    // BSI TR-03111 plain ECDSA (r||s, not DER), as German qualified signature cards write it.
    {"0.4.0.127.0.7.1.1.4.1.1", "ecdsa-plain", "sha1"},
    {"0.4.0.127.0.7.1.1.4.1.2", "ecdsa-plain", "sha224"},
    {"0.4.0.127.0.7.1.1.4.1.3", "ecdsa-plain", "sha256"},
    {"0.4.0.127.0.7.1.1.4.1.4", "ecdsa-plain", "sha384"},
    {"0.4.0.127.0.7.1.1.4.1.5", "ecdsa-plain", "sha512"},
    {"2.16.840.1.101.3.4.3.9", "ecdsa", "sha3-224"},
    {"2.16.840.1.101.3.4.3.10", "ecdsa", "sha3-256"},
    {"2.16.840.1.101.3.4.3.11", "ecdsa", "sha3-384"},
    {"2.16.840.1.101.3.4.3.12", "ecdsa", "sha3-512"},
    {"2.16.840.1.101.3.4.3.13", "rsa-pkcs1", "sha3-224"},
    {"2.16.840.1.101.3.4.3.14", "rsa-pkcs1", "sha3-256"},
    {"2.16.840.1.101.3.4.3.15", "rsa-pkcs1", "sha3-384"},
    {"2.16.840.1.101.3.4.3.16", "rsa-pkcs1", "sha3-512"},
    {"1.3.101.112", "ed25519", ""},
    {"1.3.101.113", "ed448", ""},
    {"1.2.840.10040.4.1", "dsa", ""},
    {"1.2.840.10040.4.3", "dsa", "sha1"},
    {"2.16.840.1.101.3.4.3.2", "dsa", "sha256"},
};

} // namespace

namespace detail {

std::string obj_text(const ASN1_OBJECT* obj) {
    if (!obj)
        return {};
    char buf[128];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    if (n <= 0 || n >= static_cast<int>(sizeof buf))
        return {};
    return buf;
}

Bytes octets(const ASN1_STRING* s) {
    if (!s)
        return {};
    const unsigned char* d = ASN1_STRING_get0_data(s);
    return Bytes(d, d + ASN1_STRING_length(s));
}

std::optional<std::chrono::system_clock::time_point> asn1_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ossl::clear_errors();
        return std::nullopt;
    }
    return clamped_time_point(timegm(&tm));
}

const SigAlgRow* sigalg_row(const std::string& oid) {
    for (const auto& r : kSigAlgs)
        if (oid == r.oid)
            return &r;
    return nullptr;
}

PssParams parse_pss(const X509_ALGOR* alg) {
    PssParams out;
    int ptype = 0;
    const void* pval = nullptr;
    X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
    if (ptype != V_ASN1_SEQUENCE || !pval) {
        out.ok = false;
        return out;
    }
    const ASN1_STRING* seq = static_cast<const ASN1_STRING*>(pval);
    const unsigned char* p = ASN1_STRING_get0_data(seq);
    ossl::DeleteFnPtr<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free> params(
        d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(seq)));
    if (!params) {
        ossl::clear_errors();
        out.ok = false;
        return out;
    }
    if (params->hashAlgorithm)
        out.hash = digest_spec_from_oid(obj_text(params->hashAlgorithm->algorithm)).name;
    out.mgf1_hash = out.hash == "sha1" ? "sha1" : out.hash;
    if (params->maskGenAlgorithm) {
        out.mgf1_hash = "sha1";
        int mtype = 0;
        const void* mval = nullptr;
        X509_ALGOR_get0(nullptr, &mtype, &mval, params->maskGenAlgorithm);
        if (mtype == V_ASN1_SEQUENCE && mval) {
            const ASN1_STRING* ms = static_cast<const ASN1_STRING*>(mval);
            const unsigned char* mp = ASN1_STRING_get0_data(ms);
            ossl::X509AlgorPtr mgf_hash(d2i_X509_ALGOR(nullptr, &mp, ASN1_STRING_length(ms)));
            if (mgf_hash)
                out.mgf1_hash = digest_spec_from_oid(obj_text(mgf_hash->algorithm)).name;
        }
    }
    if (params->saltLength)
        out.salt_length = static_cast<int>(ASN1_INTEGER_get(params->saltLength));
    ossl::clear_errors();
    return out;
}

bool verify_with(EVP_PKEY* pkey, const X509_ALGOR* sigalg, const std::string& md_name,
                 const Bytes& signature, const Bytes* data, const Bytes* digest,
                 std::string& note) {
    const SigAlgRow* row = sigalg_row(obj_text(sigalg->algorithm));
    std::string scheme = row ? row->scheme : "";
    bool eddsa = scheme == "ed25519" || scheme == "ed448";
    PssParams pss;
    if (scheme == "rsa-pss") {
        pss = parse_pss(sigalg);
        if (!pss.ok) {
            note = "RSA-PSS parameters are missing or malformed";
            return false;
        }
    }
    const char* mdn = eddsa ? nullptr : evp_name(md_name);
    if (!eddsa && !mdn) {
        note = "unsupported digest algorithm " + md_name;
        return false;
    }
    if (eddsa && !data) {
        note = "EdDSA signatures without signed attributes cannot be checked (pure EdDSA needs "
               "the whole message)";
        return false;
    }

    auto attempt = [&](const Bytes& sig) -> bool {
        ossl::clear_errors();
        if (data) {
            ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
            EVP_PKEY_CTX* pctx = nullptr;
            if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), &pctx, mdn, nullptr, nullptr, pkey,
                                                nullptr) != 1)
                return false;
            if (scheme == "rsa-pss") {
                if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss.salt_length) != 1 ||
                    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, evp_name(pss.mgf1_hash), nullptr) != 1)
                    return false;
            }
            return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data->data(),
                                    data->size()) == 1;
        }
        ossl::EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
        if (!pctx || EVP_PKEY_verify_init(pctx.get()) != 1)
            return false;
        ossl::EvpMdPtr md(EVP_MD_fetch(nullptr, mdn, nullptr));
        if (!md || EVP_PKEY_CTX_set_signature_md(pctx.get(), md.get()) != 1)
            return false;
        if (scheme == "rsa-pss") {
            if (EVP_PKEY_CTX_set_rsa_padding(pctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx.get(), pss.salt_length) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx.get(), evp_name(pss.mgf1_hash), nullptr) !=
                    1)
                return false;
        }
        return EVP_PKEY_verify(pctx.get(), sig.data(), sig.size(), digest->data(),
                               digest->size()) == 1;
    };
    if (scheme == "ecdsa-plain") {
        if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
            note = "plain ECDSA signature algorithm with a key that is not an EC key";
            return false;
        }
        try {
            bool ok = attempt(ecdsa_plain_to_der(signature));
            ossl::clear_errors();
            return ok;
        } catch (const Error&) {
            note = "malformed plain ECDSA signature value";
            return false;
        }
    }
    bool ok = attempt(signature);
    if (!ok && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
        int bits = EVP_PKEY_get_bits(pkey);
        std::size_t half = static_cast<std::size_t>((bits + 7) / 8);
        if (signature.size() == 2 * half) {
            try {
                if (attempt(ecdsa_plain_to_der(signature))) {
                    note = "ECDSA signature in plain r||s form instead of DER";
                    ok = true;
                }
            } catch (const Error&) {
            }
        }
    }
    ossl::clear_errors();
    return ok;
}

} // namespace detail

DigestSpec digest_spec_from_oid(const std::string& oid) {
    for (const auto& r : kDigests)
        if (oid == r.oid)
            return DigestSpec{oid, r.name, true, r.weak};
    // Some signers put the signature algorithm OID where the digest belongs
    // (sha256WithRSAEncryption): take the hash it implies.
    if (const SigAlgRow* s = sigalg_row(oid); s && *s->implied_digest) {
        DigestSpec d = digest_spec_from_name(s->implied_digest);
        d.oid = oid;
        d.signature_oid = true;
        return d;
    }
    return DigestSpec{oid, oid, false, false};
}

DigestSpec digest_spec_from_name(const std::string& name) {
    if (const DigestRow* r = row_for_name(name))
        return DigestSpec{r->oid, r->name, true, r->weak};
    return DigestSpec{"", name, false, false};
}

struct MultiHasher::State {
    std::map<std::string, ossl::EvpMdCtxPtr> contexts;
};

MultiHasher::MultiHasher() : state_(std::make_unique<State>()) {}
MultiHasher::~MultiHasher() = default;
MultiHasher::MultiHasher(MultiHasher&&) noexcept = default;
MultiHasher& MultiHasher::operator=(MultiHasher&&) noexcept = default;

void MultiHasher::add(const DigestSpec& spec) {
    if (!spec.known || state_->contexts.count(spec.name))
        return;
    const char* name = evp_name(spec.name);
    if (!name)
        return;
    ossl::EvpMdPtr md(EVP_MD_fetch(nullptr, name, nullptr));
    ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!md || !ctx || EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) != 1) {
        ossl::clear_errors();
        return;
    }
    state_->contexts.emplace(spec.name, std::move(ctx));
}

void MultiHasher::update(const void* data, std::size_t size) {
    for (auto& [name, ctx] : state_->contexts)
        if (EVP_DigestUpdate(ctx.get(), data, size) != 1)
            throw ossl::error("digest update failed", ErrorKind::Internal);
}

Bytes MultiHasher::result(const DigestSpec& spec) {
    auto it = state_->contexts.find(spec.name);
    if (it == state_->contexts.end())
        return {};
    EVP_MD_CTX* ctx = it->second.get();
    Bytes out;
    if (spec.name == "shake256") {
        out.resize(kShakeOutput);
        if (EVP_DigestFinalXOF(ctx, out.data(), out.size()) != 1)
            throw ossl::error("digest failed", ErrorKind::Internal);
    } else {
        out.resize(EVP_MAX_MD_SIZE);
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1)
            throw ossl::error("digest failed", ErrorKind::Internal);
        out.resize(len);
    }
    state_->contexts.erase(it);
    return out;
}

Bytes digest_any(const DigestSpec& spec, const std::uint8_t* data, std::size_t size) {
    MultiHasher h;
    h.add(spec);
    h.update(data, size);
    return h.result(spec);
}

} // namespace neac::crypto
