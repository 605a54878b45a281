#include "neac/crypto/cms.hpp"

#include "crypto/der.hpp"
#include "crypto/ossl.hpp"
#include "neac/util/error.hpp"

#include <algorithm>

namespace neac::crypto {

namespace {

constexpr const char* kOidData = "1.2.840.113549.1.7.1";
constexpr const char* kOidSignedData = "1.2.840.113549.1.7.2";
constexpr const char* kOidContentType = "1.2.840.113549.1.9.3";
constexpr const char* kOidMessageDigest = "1.2.840.113549.1.9.4";
constexpr const char* kOidSigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
constexpr const char* kOidSignatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";
constexpr const char* kOidRsaEncryption = "1.2.840.113549.1.1.1";
constexpr const char* kOidRsassaPss = "1.2.840.113549.1.1.10";
constexpr const char* kOidMgf1 = "1.2.840.113549.1.1.8";

const char* ecdsa_oid(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha256:
        return "1.2.840.10045.4.3.2";
    case DigestAlgorithm::Sha384:
        return "1.2.840.10045.4.3.3";
    case DigestAlgorithm::Sha512:
        return "1.2.840.10045.4.3.4";
    }
    return "1.2.840.10045.4.3.2";
}

// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
Bytes attribute(const char* type, const Bytes& value) {
    Bytes oid = der::oid(type);
    Bytes values = der::set_of({value});
    return der::sequence({&oid, &values});
}

// AlgorithmIdentifier for a SHA-2 digest with absent parameters (RFC 5754 §2: "MUST generate
// SHA2 AlgorithmIdentifiers with absent parameters").
Bytes digest_algorithm_id(DigestAlgorithm alg) {
    Bytes oid = der::oid(digest_oid(alg));
    return der::sequence({&oid});
}

// The hash AlgorithmIdentifier inside RSASSA-PSS-params uses NULL parameters, as RFC 4055 §2.1
// defines sha256Identifier and friends.
Bytes digest_algorithm_id_null(DigestAlgorithm alg) {
    Bytes oid = der::oid(digest_oid(alg));
    Bytes null = der::null();
    return der::sequence({&oid, &null});
}

Bytes signature_algorithm_id(const SignatureAlgorithm& alg) {
    switch (alg.scheme) {
    case SignatureScheme::RsaPkcs1v15: {
        // rsaEncryption with NULL parameters: what RFC 3370 §3.2 asks for in SignerInfo and what
        // every PDF validator accepts; the digest is named by SignerInfo.digestAlgorithm.
        Bytes oid = der::oid(kOidRsaEncryption);
        Bytes null = der::null();
        return der::sequence({&oid, &null});
    }
    case SignatureScheme::RsaPss: {
        // RSASSA-PSS-params (RFC 4055 §3.1) spelled out in full: the defaults are SHA-1, so
        // nothing may be left implicit. trailerField keeps its default (1) and is omitted.
        Bytes hash = digest_algorithm_id_null(alg.digest);
        Bytes hash_field = der::explicit_tag(0, hash);
        Bytes mgf_oid = der::oid(kOidMgf1);
        Bytes mgf = der::sequence({&mgf_oid, &hash});
        Bytes mgf_field = der::explicit_tag(1, mgf);
        Bytes salt = der::integer(static_cast<std::int64_t>(digest_size(alg.digest)));
        Bytes salt_field = der::explicit_tag(2, salt);
        Bytes params = der::sequence({&hash_field, &mgf_field, &salt_field});
        Bytes oid = der::oid(kOidRsassaPss);
        return der::sequence({&oid, &params});
    }
    case SignatureScheme::Ecdsa: {
        Bytes oid = der::oid(ecdsa_oid(alg.digest));
        return der::sequence({&oid}); // RFC 5758 §3.2: parameters MUST be absent
    }
    case SignatureScheme::Ed25519:
        break;
    }
    throw Error(ErrorKind::BadInput,
                "Ed25519 signatures are not supported in CMS built from a digest")
        .hint("use an RSA or EC certificate");
}

struct IssuerSerial {
    Bytes issuer; // Name, exactly as encoded in the certificate
    Bytes serial; // INTEGER, exactly as encoded in the certificate
};

// Slices issuer and serialNumber out of the certificate's own TBSCertificate bytes, so that the
// values we sign and put in SignerInfo are byte-identical to the certificate's (re-encoding could
// differ for certificates that are not strictly DER).
IssuerSerial issuer_serial(const Certificate& cert) {
    try {
        der::Element certificate = der::parse_single(cert.der());
        der::Reader outer(certificate);
        der::Element tbs = outer.expect(der::kSequence, "TBSCertificate");
        der::Reader r(tbs);
        if (!r.at_end() && r.peek().tag == der::context_tag(0, true))
            r.next(); // version
        der::Element serial = r.expect(der::kInteger, "serialNumber");
        r.expect(der::kSequence, "signature algorithm");
        der::Element issuer = r.expect(der::kSequence, "issuer");
        return {issuer.bytes(), serial.bytes()};
    } catch (const Error&) {
        // Not DER (e.g. indefinite lengths): fall back to OpenSSL's re-encoding.
        return {ossl::i2d_bytes<X509_NAME>(i2d_X509_NAME, X509_get_issuer_name(cert.get()),
                                           "issuer name"),
                ossl::i2d_bytes<ASN1_INTEGER>(i2d_ASN1_INTEGER, X509_get0_serialNumber(cert.get()),
                                              "serial number")};
    }
}

// The messageDigest value inside a signed-attributes SET OF, or empty if absent.
Bytes find_message_digest(const Bytes& signed_attributes_der) {
    der::Element set = der::parse_single(signed_attributes_der);
    der::Reader attrs(set);
    const Bytes md_oid = der::oid(kOidMessageDigest);
    while (!attrs.at_end()) {
        der::Element attr = attrs.expect(der::kSequence, "Attribute");
        der::Reader fields(attr);
        der::Element type = fields.expect(der::kOid, "attribute type");
        der::Element values = fields.expect(der::kSet, "attribute values");
        if (type.bytes() != md_oid)
            continue;
        der::Reader vr(values);
        return vr.expect(der::kOctetString, "messageDigest value").content_bytes();
    }
    return {};
}

} // namespace

Bytes build_signed_attributes(const Bytes& document_digest, DigestAlgorithm alg,
                              const Certificate& signer) {
    if (document_digest.size() != digest_size(alg))
        throw Error(ErrorKind::Internal,
                    "document digest is " + std::to_string(document_digest.size()) + " bytes, " +
                        digest_name(alg) + " needs " + std::to_string(digest_size(alg)));
    Bytes content_type = attribute(kOidContentType, der::oid(kOidData));
    Bytes message_digest = attribute(kOidMessageDigest, der::octet_string(document_digest));

    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }        (RFC 5035)
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial }
    // DER forbids encoding a DEFAULT value, so the algorithm is omitted for SHA-256.
    IssuerSerial is = issuer_serial(signer);
    Bytes directory_name = der::tlv(der::context_tag(4, true), is.issuer); // [4] EXPLICIT Name
    Bytes general_names = der::sequence({&directory_name});
    Bytes issuer_serial_seq = der::sequence({&general_names, &is.serial});
    Bytes cert_hash = der::octet_string(digest(alg, signer.der()));
    Bytes ess_cert_id;
    if (alg == DigestAlgorithm::Sha256) {
        ess_cert_id = der::sequence({&cert_hash, &issuer_serial_seq});
    } else {
        Bytes hash_alg = digest_algorithm_id(alg);
        ess_cert_id = der::sequence({&hash_alg, &cert_hash, &issuer_serial_seq});
    }
    Bytes certs = der::sequence({&ess_cert_id});
    Bytes signing_certificate = attribute(kOidSigningCertificateV2, der::sequence({&certs}));

    return der::set_of({content_type, message_digest, signing_certificate});
}

Bytes build_signed_data(const Bytes& signed_attributes_der, const SignatureAlgorithm& alg,
                        const Bytes& raw_signature, const std::vector<Certificate>& chain,
                        const std::optional<Bytes>& timestamp_token) {
    if (chain.empty() || chain.front().empty())
        throw Error(ErrorKind::Internal, "build_signed_data needs the signer certificate");
    if (alg.scheme == SignatureScheme::Ed25519)
        throw Error(ErrorKind::BadInput,
                    "Ed25519 signatures are not supported in CMS built from a digest")
            .hint("use an RSA or EC certificate");
    if (raw_signature.empty())
        throw Error(ErrorKind::Remote, "the signer returned an empty signature");
    der::Element attrs_element = der::parse_single(signed_attributes_der);
    if (attrs_element.tag != der::kSet)
        throw Error(ErrorKind::Internal, "signed attributes must be a DER SET OF (tag 0x31)");
    Bytes message_digest = find_message_digest(signed_attributes_der);
    if (message_digest.size() != digest_size(alg.digest))
        throw Error(ErrorKind::Internal, std::string("signed attributes do not carry a ") +
                                             digest_name(alg.digest) + " message digest");
    const Certificate& signer = chain.front();

    // Check the returned signature before it goes into a document: a provider that signed with
    // another key or algorithm would otherwise produce a PDF that every validator rejects.
    Bytes to_be_signed = digest(alg.digest, signed_attributes_der);
    if (!verify_digest_signature(signer, alg, to_be_signed, raw_signature))
        throw Error(ErrorKind::Remote,
                    std::string("the ") + scheme_name(alg.scheme) + "/" + digest_name(alg.digest) +
                        " signature does not verify with the signer certificate (" +
                        signer.subject() + ")")
            .hint("the provider signed with another key or algorithm, or the signature was "
                  "corrupted on the way");

    Bytes version1 = der::integer(1);
    Bytes digest_alg = digest_algorithm_id(alg.digest);
    Bytes digest_algs = der::set_of({digest_alg});
    Bytes data_oid = der::oid(kOidData);
    Bytes encap = der::sequence({&data_oid}); // detached: no eContent

    // certificates [0] IMPLICIT CertificateSet: leaf first, self-signed roots left out (a
    // verifier must get its anchors elsewhere). Kept in chain order rather than DER SET order:
    // some validators take the first certificate as the signer's, and BER readers accept it.
    Bytes certs_content;
    std::vector<const Certificate*> added;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const Certificate& c = chain[i];
        if (c.empty() || (i > 0 && c.is_self_signed()))
            continue;
        if (std::any_of(added.begin(), added.end(), [&](const Certificate* a) { return *a == c; }))
            continue;
        added.push_back(&c);
        certs_content.insert(certs_content.end(), c.der().begin(), c.der().end());
    }
    Bytes certificates = der::tlv(der::context_tag(0, true), certs_content);

    IssuerSerial is = issuer_serial(signer);
    Bytes sid = der::sequence({&is.issuer, &is.serial});
    Bytes signed_attrs = der::retag(signed_attributes_der, der::context_tag(0, true));
    Bytes sig_alg = signature_algorithm_id(alg);
    Bytes signature = der::octet_string(raw_signature);
    std::vector<Bytes> signer_info_parts{version1,     sid,     digest_alg,
                                         signed_attrs, sig_alg, signature};
    if (timestamp_token) {
        der::Element token = der::parse_single(*timestamp_token);
        if (token.tag != der::kSequence)
            throw Error(ErrorKind::Remote, "the timestamp token is not a ContentInfo");
        Bytes attr = attribute(kOidSignatureTimeStampToken, *timestamp_token);
        signer_info_parts.push_back(der::tlv(der::context_tag(1, true), attr));
    }
    Bytes signer_info = der::sequence(signer_info_parts);
    Bytes signer_infos = der::set_of({signer_info});

    Bytes signed_data =
        der::sequence({&version1, &digest_algs, &encap, &certificates, &signer_infos});
    Bytes content = der::explicit_tag(0, signed_data);
    Bytes content_type = der::oid(kOidSignedData);
    return der::sequence({&content_type, &content});
}

std::size_t estimate_signed_data_size(const std::vector<Certificate>& chain,
                                      std::size_t timestamp_reserve) {
    if (chain.empty() || chain.front().empty())
        throw Error(ErrorKind::Internal, "estimate_signed_data_size needs the signer certificate");
    const Certificate& signer = chain.front();
    // Lay out the real structure with the largest values each field can take: SHA-512 digests,
    // the longest signature the key can make, PSS parameters for RSA (the longest identifier).
    Bytes attrs = build_signed_attributes(Bytes(64, 0xFF), DigestAlgorithm::Sha512, signer);
    std::size_t certs = 0;
    for (std::size_t i = 0; i < chain.size(); ++i)
        if (i == 0 || !chain[i].is_self_signed())
            certs += chain[i].der().size();
    std::size_t sig = max_raw_signature_size(signer);
    // The sid (issuer name + serial) is no longer than the ESS copy inside the attributes.
    std::size_t sid = attrs.size();
    std::size_t fixed = 64 /* ContentInfo, SignedData, version, digest algs, encap */ +
                        16 /* certificates header */ + 16 /* SignerInfo header + version */ +
                        64 /* digest + signature AlgorithmIdentifiers */ + 80 /* PSS params */ +
                        attrs.size() + sid + 8 /* signature OCTET STRING header */ + sig;
    if (timestamp_reserve > 0)
        fixed += 32 /* [1] + Attribute + OID + SET headers */ + timestamp_reserve;
    return certs + fixed;
}

std::vector<Certificate> order_chain(const Certificate& leaf,
                                     const std::vector<Certificate>& pool) {
    std::vector<Certificate> out{leaf};
    Certificate current = leaf;
    // A chain longer than a handful of links is a loop or an attack; stop there.
    for (int depth = 0; depth < 16 && !current.is_self_signed(); ++depth) {
        const Certificate* issuer = nullptr;
        for (const Certificate& candidate : pool) {
            if (candidate.empty() || std::any_of(out.begin(), out.end(), [&](const Certificate& c) {
                    return c == candidate;
                }))
                continue;
            if (X509_check_issued(candidate.get(), current.get()) != X509_V_OK)
                continue;
            EVP_PKEY* key = X509_get0_pubkey(candidate.get());
            if (!key || X509_verify(current.get(), key) != 1) {
                ossl::clear_errors();
                continue;
            }
            issuer = &candidate;
            break;
        }
        ossl::clear_errors();
        if (!issuer || issuer->is_self_signed())
            break;
        out.push_back(*issuer);
        current = *issuer;
    }
    return out;
}

} // namespace neac::crypto
