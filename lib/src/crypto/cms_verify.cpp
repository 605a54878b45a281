// CMS SignedData as found in PDF signatures: parsing, and checking one SignerInfo (its
// attributes, signer certificate and signature value).
#include "neac/crypto/cms_verify.hpp"

#include "crypto/cms_algorithms.hpp"
#include "crypto/der.hpp"
#include "crypto/ossl.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <openssl/err.h>
#include <openssl/ess.h>

#include <algorithm>
#include <cstring>

namespace neac::crypto {
namespace {

using detail::asn1_time;
using detail::obj_text;
using detail::octets;
using detail::parse_pss;
using detail::PssParams;
using detail::sigalg_row;
using detail::SigAlgRow;
using detail::verify_with;

Certificate to_certificate(X509* x) {
    return Certificate::from_der(ossl::i2d_bytes<X509>(i2d_X509, x, "certificate"));
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
    if (content_info.empty() || content_info.size() > limits::kSignatureContentsBytes) {
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

} // namespace neac::crypto
