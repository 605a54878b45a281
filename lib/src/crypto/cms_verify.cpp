#include "neac/crypto/cms_verify.hpp"

#include "crypto/der.hpp"
#include "crypto/ossl.hpp"
#include "neac/crypto/keys.hpp"
#include "neac/util/error.hpp"

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>

namespace neac::crypto {
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
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Certificate to_certificate(X509* x) {
    return Certificate::from_der(ossl::i2d_bytes<X509>(i2d_X509, x, "certificate"));
}

// The hash implied by a signature algorithm OID (sha256WithRSAEncryption -> sha256), or "" when
// the OID names only the key type.
struct SigAlgRow {
    const char* oid;
    const char* scheme;
    const char* implied_digest;
};
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

const SigAlgRow* sigalg_row(const std::string& oid) {
    for (const auto& r : kSigAlgs)
        if (oid == r.oid)
            return &r;
    return nullptr;
}

// RSASSA-PSS parameters (RFC 4055): hash, MGF1 hash, salt length.
struct PssParams {
    std::string hash = "sha1";
    std::string mgf1_hash = "sha1";
    int salt_length = 20;
    bool ok = true;
};

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

const char* evp_name(const std::string& our_name) {
    const DigestRow* r = row_for_name(our_name);
    return r ? r->evp_name : nullptr;
}

// Verifies `signature` over `data` (hashed by EVP) or over a precomputed `digest` (prehashed),
// with the scheme named by `sigalg` and hash `md_name`. ECDSA signatures given as plain r||s
// (some tokens) are retried in DER form.
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

// Every value of every occurrence of attribute `nid` in a SignerInfo's signed (or unsigned)
// attributes, as ASN1_TYPE pointers owned by the SignerInfo.
std::vector<const ASN1_TYPE*> attribute_values(CMS_SignerInfo* si, int nid, bool signed_attrs,
                                               int& occurrences) {
    std::vector<const ASN1_TYPE*> out;
    occurrences = 0;
    int count = signed_attrs ? CMS_signed_get_attr_count(si) : CMS_unsigned_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr =
            signed_attrs ? CMS_signed_get_attr(si, i) : CMS_unsigned_get_attr(si, i);
        if (!attr || OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attr)) != nid)
            continue;
        ++occurrences;
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v)
            out.push_back(X509_ATTRIBUTE_get0_type(attr, v));
    }
    return out;
}

std::vector<const ASN1_TYPE*> attribute_values_oid(CMS_SignerInfo* si, const char* oid,
                                                   bool signed_attrs) {
    std::vector<const ASN1_TYPE*> out;
    ossl::Asn1ObjectPtr obj(OBJ_txt2obj(oid, 1));
    if (!obj)
        return out;
    int count = signed_attrs ? CMS_signed_get_attr_count(si) : CMS_unsigned_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr =
            signed_attrs ? CMS_signed_get_attr(si, i) : CMS_unsigned_get_attr(si, i);
        if (!attr || OBJ_cmp(X509_ATTRIBUTE_get0_object(attr), obj.get()) != 0)
            continue;
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v)
            out.push_back(X509_ATTRIBUTE_get0_type(attr, v));
    }
    return out;
}

// The full TLV of a SEQUENCE-typed attribute value.
Bytes sequence_value(const ASN1_TYPE* t) {
    if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
        return {};
    return octets(t->value.sequence);
}

// A SigningCertificate(V2) value (SEQUENCE { certs SEQUENCE OF ESSCertID, policies OPTIONAL })
// rewritten with its first ESSCertID only; empty when it is not of that shape.
Bytes first_cert_id_only(const Bytes& value) {
    if (value.empty())
        return {};
    try {
        der::Element outer = der::parse_single(value);
        der::Reader fields(outer);
        der::Element certs = fields.expect(der::kSequence, "certificate identifiers");
        der::Reader ids(certs);
        if (ids.at_end())
            return {};
        Bytes first = ids.next().bytes();
        Bytes list = der::sequence(std::vector<Bytes>{first});
        return der::sequence(std::vector<Bytes>{list});
    } catch (const Error&) {
        return {};
    }
}

// The signed attributes as the signer must have signed them, the DER SET OF (sorted), first;
// then, when it differs, the attributes in their stored order under a SET tag (to tell a signer
// that did not sort from a changed document).
std::vector<Bytes> signed_attribute_encodings(CMS_SignerInfo* si) {
    std::vector<Bytes> elements;
    int count = CMS_signed_get_attr_count(si);
    for (int i = 0; i < count; ++i) {
        X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
        unsigned char* buf = nullptr;
        int len = i2d_X509_ATTRIBUTE(attr, &buf);
        if (len <= 0) {
            ossl::clear_errors();
            return {};
        }
        ossl::OsslBytesPtr owner(buf);
        elements.emplace_back(buf, buf + len);
    }
    std::vector<Bytes> out;
    out.push_back(der::set_of(elements));
    Bytes content;
    for (const Bytes& e : elements)
        content.insert(content.end(), e.begin(), e.end());
    Bytes original = der::tlv(der::kSet, content);
    if (original != out.front())
        out.push_back(std::move(original));
    return out;
}

void parse_revocation_archival(const Bytes& value, SignerCheck& out) {
    // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL OPTIONAL,
    //   ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] ... OPTIONAL }
    try {
        der::Element outer = der::parse_single(value);
        der::Reader r(outer);
        while (!r.at_end()) {
            der::Element tagged = r.next();
            if (tagged.tag != der::context_tag(0, true) && tagged.tag != der::context_tag(1, true))
                continue;
            der::Reader inner(tagged);
            der::Element list = inner.expect(der::kSequence, "revocation list");
            der::Reader items(list);
            while (!items.at_end()) {
                der::Element item = items.next();
                if (tagged.tag == der::context_tag(0, true))
                    out.archived_crls.push_back(item.bytes());
                else
                    out.archived_ocsp.push_back(item.bytes());
            }
        }
    } catch (const Error&) {
        out.problems.push_back("malformed adbe-revocationInfoArchival attribute (ignored)");
    }
}

} // namespace

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

struct SignedData::Impl {
    ossl::CmsPtr cms;
    std::string econtent_type;
    bool detached = true;
    Bytes econtent;
    std::vector<Certificate> certificates;
    std::vector<Bytes> crls;
};

SignedData::SignedData() : impl_(std::make_unique<Impl>()) {}
SignedData::~SignedData() = default;
SignedData::SignedData(SignedData&&) noexcept = default;
SignedData& SignedData::operator=(SignedData&&) noexcept = default;

std::optional<SignedData> SignedData::parse(const Bytes& content_info, std::string& error) {
    ossl::clear_errors();
    if (content_info.empty() || content_info.size() > (std::size_t{64} << 20)) {
        error = content_info.empty() ? "empty signature value" : "signature value too large";
        return std::nullopt;
    }
    const unsigned char* p = content_info.data();
    ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(content_info.size())));
    if (!cms) {
        error = "not a CMS ContentInfo: " + ossl::drain_errors();
        return std::nullopt;
    }
    // Only zero padding may follow the ContentInfo inside /Contents.
    std::size_t used = static_cast<std::size_t>(p - content_info.data());
    for (std::size_t i = used; i < content_info.size(); ++i)
        if (content_info[i] != 0) {
            error = "unexpected bytes after the CMS structure at offset " + std::to_string(i);
            return std::nullopt;
        }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        error = "the CMS content is not SignedData";
        return std::nullopt;
    }
    SignedData sd;
    Impl& im = *sd.impl_;
    im.econtent_type = obj_text(CMS_get0_eContentType(cms.get()));
    ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
    im.detached = !content || !*content;
    if (!im.detached)
        im.econtent = octets(*content);
    try {
        ossl::X509StackPtr certs(CMS_get1_certs(cms.get()));
        for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i)
            im.certificates.push_back(to_certificate(sk_X509_value(certs.get(), i)));
    } catch (const Error& e) {
        error = std::string("malformed certificate in the CMS: ") + e.what();
        return std::nullopt;
    }
    STACK_OF(X509_CRL)* crls = CMS_get1_crls(cms.get());
    for (int i = 0; crls && i < sk_X509_CRL_num(crls); ++i) {
        unsigned char* buf = nullptr;
        int len = i2d_X509_CRL(sk_X509_CRL_value(crls, i), &buf);
        if (len > 0) {
            im.crls.emplace_back(buf, buf + len);
            OPENSSL_free(buf);
        }
    }
    if (crls)
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
    if (!infos || sk_CMS_SignerInfo_num(infos) == 0) {
        error = "the SignedData has no SignerInfo";
        return std::nullopt;
    }
    im.cms = std::move(cms);
    ossl::clear_errors();
    return sd;
}

const std::string& SignedData::econtent_type() const {
    return impl_->econtent_type;
}
bool SignedData::detached() const {
    return impl_->detached;
}
const Bytes& SignedData::econtent() const {
    return impl_->econtent;
}
const std::vector<Certificate>& SignedData::certificates() const {
    return impl_->certificates;
}
const std::vector<Bytes>& SignedData::crls() const {
    return impl_->crls;
}
std::size_t SignedData::signer_count() const {
    return static_cast<std::size_t>(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(impl_->cms.get())));
}

DigestSpec SignedData::signer_digest(std::size_t index) const {
    CMS_SignerInfo* si =
        sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(impl_->cms.get()), static_cast<int>(index));
    X509_ALGOR* dig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
    return digest_spec_from_oid(dig ? obj_text(dig->algorithm) : "");
}

SignerCheck SignedData::check_signer(std::size_t index, const Bytes& content_digest,
                                     const std::vector<Certificate>& extra_certs) const {
    ossl::clear_errors();
    SignerCheck out;
    out.index = static_cast<int>(index);
    CMS_SignerInfo* si =
        sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(impl_->cms.get()), static_cast<int>(index));
    X509_ALGOR* dig = nullptr;
    X509_ALGOR* sigalg = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sigalg);
    out.digest = digest_spec_from_oid(dig ? obj_text(dig->algorithm) : "");
    std::string sig_oid = sigalg ? obj_text(sigalg->algorithm) : "";
    const SigAlgRow* srow = sigalg_row(sig_oid);
    out.signature_algorithm = srow ? srow->scheme : sig_oid;
    out.signature_value = octets(CMS_SignerInfo_get0_signature(si));

    if (!out.digest.known)
        out.problems.push_back("unsupported digest algorithm " + out.digest.oid);
    // RFC 5652 §5.3: digestAlgorithm identifies a message digest algorithm. A signature
    // algorithm OID there (sha256WithRSAEncryption) is a malformed SignerInfo, not a hint.
    if (out.digest.signature_oid) {
        out.algorithm_consistent = false;
        out.problems.push_back("the SignerInfo's digest algorithm " + out.digest.oid +
                               " is a signature algorithm, not a digest algorithm");
    }
    // RFC 8419: Ed25519 goes with SHA-512, Ed448 with SHAKE256; an implied hash in the signature
    // algorithm must be the digest algorithm (DSS wrong-digest-algo).
    if (srow) {
        std::string scheme = srow->scheme;
        if ((scheme == "ed25519" && out.digest.name != "sha512") ||
            (scheme == "ed448" && out.digest.name != "shake256")) {
            out.algorithm_consistent = false;
            out.problems.push_back("digest algorithm " + out.digest.name + " does not match " +
                                   scheme + " (RFC 8419)");
        }
        if (*srow->implied_digest && out.digest.name != srow->implied_digest) {
            out.algorithm_consistent = false;
            out.problems.push_back(std::string("signature algorithm uses ") + srow->implied_digest +
                                   " but the digest algorithm is " + out.digest.name);
        }
        if (scheme == "rsa-pss" && sigalg) {
            PssParams pss = parse_pss(sigalg);
            if (pss.ok && pss.hash != out.digest.name) {
                out.algorithm_consistent = false;
                out.problems.push_back("RSA-PSS hash " + pss.hash +
                                       " differs from the digest algorithm " + out.digest.name);
            }
        }
    } else {
        // Not a signature algorithm neac knows (a curve OID, say): nothing says how to check the
        // value, so it is not checked with whatever the key type would default to.
        out.algorithm_consistent = false;
        out.problems.push_back("unsupported signature algorithm " + sig_oid);
    }

    // The signer certificate: CMS certificates first, then the caller's.
    auto try_match = [&](const Certificate& c) {
        if (out.signer.empty() && CMS_SignerInfo_cert_cmp(si, c.get()) == 0)
            out.signer = c;
    };
    for (const Certificate& c : impl_->certificates)
        try_match(c);
    for (const Certificate& c : extra_certs)
        try_match(c);
    ossl::clear_errors();
    if (out.signer.empty())
        out.problems.push_back("the signer's certificate is not in the signature");

    int attr_count = CMS_signed_get_attr_count(si);
    out.signed_attributes = attr_count > 0;
    EVP_PKEY* pkey = out.signer.empty() ? nullptr : X509_get0_pubkey(out.signer.get());
    if (out.signed_attributes) {
        int n = 0;
        auto ct = attribute_values(si, NID_pkcs9_contentType, true, n);
        if (n != 1 || ct.size() != 1 || ct[0]->type != V_ASN1_OBJECT)
            out.problems.push_back("content-type attribute missing or not single-valued");
        else if (obj_text(ct[0]->value.object) != impl_->econtent_type)
            out.problems.push_back("content-type attribute " + obj_text(ct[0]->value.object) +
                                   " differs from the encapsulated content type " +
                                   impl_->econtent_type);
        else
            out.content_type_ok = true;

        auto md = attribute_values(si, NID_pkcs9_messageDigest, true, n);
        if (n != 1 || md.size() != 1 || md[0]->type != V_ASN1_OCTET_STRING)
            out.problems.push_back("message-digest attribute missing or not single-valued");
        else if (content_digest.empty() || octets(md[0]->value.octet_string) != content_digest)
            out.problems.push_back("message-digest does not match the signed data");
        else
            out.message_digest_ok = true;
        out.digest_matches_document = out.message_digest_ok;

        auto st = attribute_values(si, NID_pkcs9_signingTime, true, n);
        if (st.size() == 1 &&
            (st[0]->type == V_ASN1_UTCTIME || st[0]->type == V_ASN1_GENERALIZEDTIME))
            out.signing_time = asn1_time(st[0]->value.asn1_string);

        // ESS signing-certificate(-v2): the certificate hash must be the signer's.
        auto v2 = attribute_values(si, NID_id_smime_aa_signingCertificateV2, true, n);
        int n1 = 0;
        auto v1 = attribute_values(si, NID_id_smime_aa_signingCertificate, true, n1);
        out.signing_certificate_present = !v2.empty() || !v1.empty();
        if (out.signing_certificate_present) {
            out.signing_certificate_kind = !v2.empty() ? "v2" : "v1";
            // RFC 5035 §5.4: the first certificate identifier names the signing certificate;
            // further ones (CA certificates, or a repeat, as some signers write) are hints.
            // OpenSSL's check insists every identifier be found in order, so it is given the
            // first one alone.
            Bytes raw2 = !v2.empty() ? sequence_value(v2[0]) : Bytes{};
            Bytes raw1 = !v1.empty() ? sequence_value(v1[0]) : Bytes{};
            Bytes first2 = first_cert_id_only(raw2);
            Bytes first1 = first_cert_id_only(raw1);
            if (first2.empty())
                first2 = raw2; // not DER: OpenSSL reads it as it is
            if (first1.empty())
                first1 = raw1;
            ESS_SIGNING_CERT_V2* ess2 = nullptr;
            ESS_SIGNING_CERT* ess1 = nullptr;
            if (!first2.empty()) {
                const unsigned char* p = first2.data();
                ess2 = d2i_ESS_SIGNING_CERT_V2(nullptr, &p, static_cast<long>(first2.size()));
            }
            if (!first1.empty()) {
                const unsigned char* p = first1.data();
                ess1 = d2i_ESS_SIGNING_CERT(nullptr, &p, static_cast<long>(first1.size()));
            }
            ossl::DeleteFnPtr<ESS_SIGNING_CERT, ESS_SIGNING_CERT_free> own1(ess1);
            ossl::DeleteFnPtr<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free> own2(ess2);
            if ((!v2.empty() && !ess2) || (!v1.empty() && !ess1) || n > 1 || n1 > 1) {
                out.problems.push_back("malformed signing-certificate attribute");
            } else if (!out.signer.empty()) {
                ossl::X509StackPtr chain(sk_X509_new_null());
                X509* x = out.signer.get();
                if (chain && X509_up_ref(x) == 1) {
                    if (sk_X509_push(chain.get(), x) <= 0)
                        X509_free(x);
                    out.signing_certificate_ok =
                        OSSL_ESS_check_signing_certs(ess1, ess2, chain.get(), 1) > 0;
                }
                if (!out.signing_certificate_ok)
                    out.problems.push_back(
                        "the signing-certificate attribute does not name the signer's certificate");
            }
        }

        for (const ASN1_TYPE* v : attribute_values_oid(si, "1.2.840.113583.1.1.8", true))
            parse_revocation_archival(sequence_value(v), out);

        if (pkey && srow && out.digest.known) {
            std::string note;
            std::vector<Bytes> encodings = signed_attribute_encodings(si);
            if (!encodings.empty())
                out.signature_ok = verify_with(pkey, sigalg, out.digest.name, out.signature_value,
                                               &encodings.front(), nullptr, note);
            if (!note.empty())
                out.problems.push_back(note);
            // RFC 5652 §5.4: the signature is over the DER encoding of the signed attributes.
            // One over the attributes as stored, when that is not DER, is invalid (as EU DSS
            // judges it); it is named so that nobody hunts for a changed document.
            std::string ignored;
            if (!out.signature_ok && encodings.size() > 1 &&
                verify_with(pkey, sigalg, out.digest.name, out.signature_value, &encodings[1],
                            nullptr, ignored))
                out.problems.push_back("the signed attributes are not DER-encoded (RFC 5652 "
                                       "§5.4): the signature verifies only over them as stored");
            else if (!out.signature_ok)
                out.problems.push_back("the signature value does not verify with the signer's key");
        }
    } else {
        // No signed attributes (allowed for adbe.pkcs7.detached): the signature is over the
        // content digest itself.
        out.content_type_ok = true;
        if (pkey && srow && out.digest.known && !content_digest.empty()) {
            std::string note;
            out.signature_ok = verify_with(pkey, sigalg, out.digest.name, out.signature_value,
                                           nullptr, &content_digest, note);
            if (!note.empty())
                out.problems.push_back(note);
            if (!out.signature_ok)
                out.problems.push_back(
                    "the signature value does not verify over the document digest");
        }
        out.digest_matches_document = out.signature_ok;
    }

    // Unsigned attributes: the signature timestamp (PAdES B-T).
    for (const ASN1_TYPE* v : attribute_values_oid(si, "1.2.840.113549.1.9.16.2.14", false)) {
        Bytes token = sequence_value(v);
        if (!token.empty()) {
            out.timestamp_token = std::move(token);
            break;
        }
    }
    ossl::clear_errors();
    return out;
}

std::optional<DigestSpec> timestamp_imprint_algorithm(const Bytes& token) {
    std::string error;
    std::optional<SignedData> sd = SignedData::parse(token, error);
    if (!sd || sd->detached())
        return std::nullopt;
    const Bytes& content = sd->econtent();
    const unsigned char* p = content.data();
    ossl::TsTstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(content.size())));
    ossl::clear_errors();
    if (!info)
        return std::nullopt;
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()));
    return digest_spec_from_oid(alg ? obj_text(alg->algorithm) : "");
}

TimestampCheck check_timestamp_token(const Bytes& token, const Bytes* data,
                                     const std::optional<Bytes>& data_digest,
                                     const std::vector<Certificate>& extra_certs) {
    TimestampCheck out;
    std::optional<SignedData> sd = SignedData::parse(token, out.error);
    if (!sd)
        return out;
    if (sd->econtent_type() != "1.2.840.113549.1.9.16.1.4" || sd->detached()) {
        out.error = "the token does not encapsulate a TSTInfo";
        return out;
    }
    if (sd->signer_count() != 1) {
        out.error = "a timestamp token must have exactly one SignerInfo";
        return out;
    }
    const Bytes& content = sd->econtent();
    const unsigned char* p = content.data();
    ossl::TsTstInfoPtr info(d2i_TS_TST_INFO(nullptr, &p, static_cast<long>(content.size())));
    if (!info) {
        out.error = "malformed TSTInfo: " + ossl::drain_errors();
        return out;
    }
    out.parsed = true;
    TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info.get());
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(mi);
    out.imprint_algorithm = digest_spec_from_oid(alg ? obj_text(alg->algorithm) : "");
    out.imprint = octets(TS_MSG_IMPRINT_get_msg(mi));
    if (auto t = asn1_time(TS_TST_INFO_get_time(info.get())))
        out.gen_time = *t;
    else {
        out.parsed = false;
        out.error = "unreadable genTime";
        return out;
    }
    if (ossl::BignumPtr bn{ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(info.get()), nullptr)}) {
        if (char* hex = BN_bn2hex(bn.get())) {
            out.serial_hex = hex;
            OPENSSL_free(hex);
        }
    }
    out.policy_oid = obj_text(TS_TST_INFO_get_policy_id(info.get()));

    Bytes expected;
    if (data_digest)
        expected = *data_digest;
    else if (data)
        expected = digest_any(out.imprint_algorithm, data->data(), data->size());
    out.imprint_ok = !expected.empty() && expected == out.imprint;
    if (!out.imprint_ok)
        out.error = "the token's message imprint does not match the time-stamped data";

    DigestSpec sd_digest = sd->signer_digest(0);
    Bytes content_digest = digest_any(sd_digest, content.data(), content.size());
    out.signer = sd->check_signer(0, content_digest, extra_certs);
    out.certificates = sd->certificates();
    if (!out.signer.signer.empty()) {
        X509* tsa = out.signer.signer.get();
        int idx = X509_get_ext_by_NID(tsa, NID_ext_key_usage, -1);
        out.tsa_eku_ok = idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(tsa, idx)) &&
                         (X509_get_extended_key_usage(tsa) & XKU_TIMESTAMP);
        if (!out.tsa_eku_ok && out.error.empty())
            out.error = "the TSA certificate lacks the critical timeStamping extended key usage";
    }
    if (out.error.empty() && !out.signer.problems.empty())
        out.error = out.signer.problems.front();
    ossl::clear_errors();
    return out;
}

} // namespace neac::crypto
