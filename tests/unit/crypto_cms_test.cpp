// CMS SignedData built from raw signatures, judged by OpenSSL (CLI and API) as an independent
// verifier.
#include "crypto/der.hpp"
#include "neac/crypto/cms.hpp"
#include "support/pki.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::crypto;
using namespace neac::testing;

namespace {

struct Case {
    const char* signer;
    SignatureScheme scheme;
    DigestAlgorithm digest;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.signer << "/" << scheme_name(c.scheme) << "/" << digest_name(c.digest);
}

std::string case_name(const Case& c) {
    std::string n =
        std::string(c.signer) + "_" + scheme_name(c.scheme) + "_" + digest_name(c.digest);
    for (char& ch : n)
        if (ch == '-')
            ch = '_';
    return n;
}

Bytes sample_content() {
    std::string s = "%PDF-1.7 hồ sơ thủ tục hành chính ";
    std::string out;
    for (int i = 0; i < 200; ++i)
        out += s + std::to_string(i) + "\n";
    return to_bytes(out);
}

struct Built {
    Bytes content;
    Bytes attrs;
    Bytes cms;
    Pkcs12Bundle bundle;
    std::vector<Certificate> chain;
};

Built build(const Case& c, const Bytes& content, std::optional<Bytes> token = std::nullopt) {
    Built b;
    b.content = content;
    b.bundle = load_pkcs12(pki_file(std::string(c.signer) + ".p12"), kPkiPassword);
    SignatureAlgorithm alg{c.scheme, c.digest};
    b.attrs = build_signed_attributes(digest(c.digest, content), c.digest, b.bundle.certificate);
    Bytes sig = b.bundle.key.sign_digest(alg, digest(c.digest, b.attrs));
    // Give the whole pool, root included: build_signed_data must leave the root out.
    b.chain = {b.bundle.certificate};
    b.chain.insert(b.chain.end(), b.bundle.extra_certs.begin(), b.bundle.extra_certs.end());
    b.cms = build_signed_data(b.attrs, alg, sig, b.chain, token);
    return b;
}

CommandResult openssl_cms_verify(const TempDir& dir, const Bytes& cms, const Bytes& content,
                                 const std::string& extra = "") {
    write_file(dir / "sig.der", to_string(cms));
    write_file(dir / "data.bin", to_string(content));
    return run_command("openssl cms -verify -binary -inform DER -in " +
                       shell_quote(dir / "sig.der") + " -content " + shell_quote(dir / "data.bin") +
                       " -CAfile " + shell_quote(pki_file("chain.pem")) + " -purpose any " + extra +
                       " -out /dev/null");
}

std::string cms_print(const TempDir& dir, const Bytes& cms) {
    write_file(dir / "print.der", to_string(cms));
    CommandResult r =
        run_command("openssl cms -cmsout -print -inform DER -in " + shell_quote(dir / "print.der"));
    EXPECT_EQ(r.status, 0) << r.output;
    return r.output;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1))
        ++n;
    return n;
}

// In-process CMS_verify with the test chain as trust store and CAdES checks (ESS
// signing-certificate-v2 must match the signer).
bool openssl_api_verifies(const Bytes& cms_der, const Bytes& content) {
    const unsigned char* p = cms_der.data();
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size()));
    if (!cms)
        return false;
    X509_STORE* store = X509_STORE_new();
    X509_STORE_load_file(store, pki_file("chain.pem").c_str());
    X509_VERIFY_PARAM_set_purpose(X509_STORE_get0_param(store), X509_PURPOSE_ANY);
    BIO* data = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
    int rc = CMS_verify(cms, nullptr, store, data, nullptr, CMS_BINARY | CMS_CADES);
    BIO_free(data);
    X509_STORE_free(store);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc == 1;
}

class CryptoCms : public ::testing::TestWithParam<Case> {};

} // namespace

TEST_P(CryptoCms, OpenSslVerifiesTheDetachedSignature) {
    const Case c = GetParam();
    Built b = build(c, sample_content());
    TempDir dir;
    CommandResult ok = openssl_cms_verify(dir, b.cms, b.content);
    EXPECT_EQ(ok.status, 0) << ok.output;
    EXPECT_NE(ok.output.find("Verification successful"), std::string::npos) << ok.output;
    // -cades also checks the ESS signing-certificate-v2 attribute against the signer.
    CommandResult cades = openssl_cms_verify(dir, b.cms, b.content, "-cades");
    EXPECT_NE(cades.output.find("Verification successful"), std::string::npos) << cades.output;
    EXPECT_TRUE(openssl_api_verifies(b.cms, b.content));

    Bytes tampered = b.content;
    tampered[tampered.size() / 2] ^= 0x01;
    CommandResult bad = openssl_cms_verify(dir, b.cms, tampered);
    EXPECT_NE(bad.status, 0) << bad.output;
    EXPECT_EQ(bad.output.find("Verification successful"), std::string::npos);
    EXPECT_FALSE(openssl_api_verifies(b.cms, tampered));
}

TEST_P(CryptoCms, StructureIsPadesBaselineB) {
    const Case c = GetParam();
    Built b = build(c, sample_content());
    TempDir dir;
    std::string print = cms_print(dir, b.cms);
    EXPECT_NE(print.find("id-smime-aa-signingCertificateV2"), std::string::npos) << print;
    EXPECT_NE(print.find("contentType"), std::string::npos);
    EXPECT_NE(print.find("messageDigest"), std::string::npos);
    EXPECT_EQ(print.find("signingTime"), std::string::npos) << "PAdES forbids signing-time";
    EXPECT_NE(print.find("eContent: <ABSENT>"), std::string::npos) << "must be detached";
    EXPECT_EQ(count(print, "d.issuerAndSerialNumber"), 1u);

    // Certificates: leaf first, then the intermediate; the self-signed root is left out.
    write_file(dir / "c.der", to_string(b.cms));
    CommandResult certs =
        run_command("openssl pkcs7 -inform DER -print_certs -in " + shell_quote(dir / "c.der"));
    ASSERT_EQ(certs.status, 0) << certs.output;
    EXPECT_EQ(count(certs.output, "subject="), 2u) << certs.output;
    EXPECT_LT(certs.output.find("UID"), certs.output.find("neac Test Issuing CA"));
    EXPECT_EQ(certs.output.find("subject=C = VN, O = neac test, CN = neac Test Root CA"),
              std::string::npos);
}

TEST_P(CryptoCms, SignedAttributesAreASortedDerSetEmbeddedAsImplicitZero) {
    const Case c = GetParam();
    Built b = build(c, sample_content());
    ASSERT_EQ(b.attrs[0], 0x31);
    der::Element set = der::parse_single(b.attrs);
    der::Reader r(set);
    std::vector<Bytes> attrs;
    while (!r.at_end())
        attrs.push_back(r.next().bytes());
    ASSERT_EQ(attrs.size(), 3u);
    for (std::size_t i = 1; i < attrs.size(); ++i)
        EXPECT_FALSE(der::der_less(attrs[i], attrs[i - 1])) << "attribute " << i << " out of order";
    // The same content bytes appear in the CMS after the tag 0xA0.
    Bytes implicit = b.attrs;
    implicit[0] = 0xA0;
    auto it = std::search(b.cms.begin(), b.cms.end(), implicit.begin(), implicit.end());
    EXPECT_NE(it, b.cms.end());
    // ESSCertIDv2 omits hashAlgorithm exactly when it is the DEFAULT (SHA-256).
    const Bytes scv2 = der::oid("1.2.840.113549.1.9.16.2.47");
    for (const Bytes& a : attrs) {
        der::Element attr = der::parse_single(a);
        der::Reader fields(attr);
        if (fields.next().bytes() != scv2)
            continue;
        der::Reader values(fields.next());
        der::Reader signing_cert(values.expect(der::kSequence, "SigningCertificateV2"));
        der::Reader certs(signing_cert.expect(der::kSequence, "certs"));
        der::Reader id(certs.expect(der::kSequence, "ESSCertIDv2"));
        der::Element first = id.next();
        if (c.digest == DigestAlgorithm::Sha256) {
            EXPECT_EQ(first.tag, der::kOctetString);
        } else {
            EXPECT_EQ(first.tag, der::kSequence);
            first = id.next();
        }
        EXPECT_EQ(first.content_bytes(), digest(c.digest, b.bundle.certificate.der()));
    }
}

TEST_P(CryptoCms, EstimateIsAnUpperBound) {
    const Case c = GetParam();
    Built plain = build(c, sample_content());
    std::vector<Certificate> ordered = order_chain(plain.bundle.certificate, plain.chain);
    std::size_t estimate = estimate_signed_data_size(ordered, 0);
    EXPECT_GE(estimate, plain.cms.size());
    EXPECT_LE(estimate, plain.cms.size() + 2500) << "estimate far too generous";
    // With a 6000-byte stand-in token.
    Bytes token = der::tlv(der::kSequence, Bytes(6000 - 4, 0));
    Built stamped = build(c, sample_content(), token);
    EXPECT_GE(estimate_signed_data_size(ordered, 6000), stamped.cms.size());
}

INSTANTIATE_TEST_SUITE_P(
    KeysAndDigests, CryptoCms,
    ::testing::Values(Case{"signer-rsa", SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256},
                      Case{"signer-rsa", SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha384},
                      Case{"signer-rsa", SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha512},
                      Case{"signer-rsa", SignatureScheme::RsaPss, DigestAlgorithm::Sha256},
                      Case{"signer-rsa", SignatureScheme::RsaPss, DigestAlgorithm::Sha512},
                      Case{"signer-p256", SignatureScheme::Ecdsa, DigestAlgorithm::Sha256},
                      Case{"signer-p384", SignatureScheme::Ecdsa, DigestAlgorithm::Sha384},
                      Case{"signer-p384", SignatureScheme::Ecdsa, DigestAlgorithm::Sha512}),
    [](const ::testing::TestParamInfo<Case>& info) { return case_name(info.param); });

TEST(CryptoCmsChecks, SigningCertificateV2MismatchIsCaughtByCadesVerification) {
    // Attributes that name another certificate, signed by signer-rsa: the signature itself is
    // fine, so only the ESS check can catch the substitution.
    Pkcs12Bundle signer = load_pkcs12(pki_file("signer-rsa.p12"), kPkiPassword);
    Certificate other = Certificate::load_all(pki_file("signer-other.pem"))[0];
    Bytes content = sample_content();
    SignatureAlgorithm alg{SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256};
    Bytes attrs = build_signed_attributes(digest(alg.digest, content), alg.digest, other);
    Bytes sig = signer.key.sign_digest(alg, digest(alg.digest, attrs));
    std::vector<Certificate> chain{signer.certificate};
    chain.insert(chain.end(), signer.extra_certs.begin(), signer.extra_certs.end());
    Bytes cms = build_signed_data(attrs, alg, sig, chain);
    TempDir dir;
    EXPECT_EQ(openssl_cms_verify(dir, cms, content).status, 0) << "plain CMS does not check ESS";
    CommandResult cades = openssl_cms_verify(dir, cms, content, "-cades");
    EXPECT_NE(cades.status, 0) << cades.output;
    EXPECT_FALSE(openssl_api_verifies(cms, content));
}

TEST(CryptoCmsChecks, RejectsSignaturesThatDoNotMatchTheCertificate) {
    Pkcs12Bundle signer = load_pkcs12(pki_file("signer-rsa.p12"), kPkiPassword);
    Pkcs12Bundle other = load_pkcs12(pki_file("signer-other.p12"), kPkiPassword);
    SignatureAlgorithm alg{SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256};
    Bytes attrs =
        build_signed_attributes(digest(alg.digest, to_bytes("x")), alg.digest, signer.certificate);
    Bytes wrong_key = other.key.sign_digest(alg, digest(alg.digest, attrs));
    Error e = expect_error([&] { build_signed_data(attrs, alg, wrong_key, {signer.certificate}); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    // The classic pitfall: signing the [0] IMPLICIT form instead of the SET OF.
    Bytes implicit = attrs;
    implicit[0] = 0xA0;
    Bytes pitfall = signer.key.sign_digest(alg, digest(alg.digest, implicit));
    EXPECT_EQ(
        expect_error([&] { build_signed_data(attrs, alg, pitfall, {signer.certificate}); }).kind(),
        ErrorKind::Remote);
    // Scheme that does not match what was signed.
    Bytes good = signer.key.sign_digest(alg, digest(alg.digest, attrs));
    EXPECT_EQ(expect_error([&] {
                  build_signed_data(attrs, {SignatureScheme::RsaPss, DigestAlgorithm::Sha256}, good,
                                    {signer.certificate});
              }).kind(),
              ErrorKind::Remote);
    EXPECT_NO_THROW(build_signed_data(attrs, alg, good, {signer.certificate}));
}

TEST(CryptoCmsChecks, MalformedInputsAreErrorsNotCrashes) {
    Pkcs12Bundle signer = load_pkcs12(pki_file("signer-p256.p12"), kPkiPassword);
    SignatureAlgorithm alg{SignatureScheme::Ecdsa, DigestAlgorithm::Sha256};
    Bytes attrs =
        build_signed_attributes(digest(alg.digest, to_bytes("x")), alg.digest, signer.certificate);
    Bytes sig = signer.key.sign_digest(alg, digest(alg.digest, attrs));
    EXPECT_EQ(expect_error([&] { build_signed_data(attrs, alg, sig, {}); }).kind(),
              ErrorKind::Internal);
    EXPECT_EQ(expect_error([&] { build_signed_data(attrs, alg, {}, {signer.certificate}); }).kind(),
              ErrorKind::Remote);
    Bytes truncated(attrs.begin(), attrs.end() - 3);
    EXPECT_EQ(
        expect_error([&] { build_signed_data(truncated, alg, sig, {signer.certificate}); }).kind(),
        ErrorKind::BadInput);
    Bytes as_sequence = attrs;
    as_sequence[0] = 0x30;
    EXPECT_EQ(expect_error([&] {
                  build_signed_data(as_sequence, alg, sig, {signer.certificate});
              }).kind(),
              ErrorKind::Internal);
    EXPECT_EQ(expect_error([&] {
                  build_signed_data(attrs, alg, sig, {signer.certificate}, Bytes{0x01, 0x02});
              }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(expect_error([&] {
                  build_signed_attributes(Bytes(20, 0), DigestAlgorithm::Sha256,
                                          signer.certificate);
              }).kind(),
              ErrorKind::Internal);
    EXPECT_EQ(expect_error([&] {
                  build_signed_data(attrs, {SignatureScheme::Ed25519, DigestAlgorithm::Sha256}, sig,
                                    {signer.certificate});
              }).kind(),
              ErrorKind::BadInput);
    // Attributes made for SHA-256 cannot go with a SHA-512 SignerInfo.
    EXPECT_EQ(expect_error([&] {
                  build_signed_data(attrs, {SignatureScheme::Ecdsa, DigestAlgorithm::Sha512}, sig,
                                    {signer.certificate});
              }).kind(),
              ErrorKind::Internal);
}

TEST(CryptoCmsChecks, OrderChainLinksIssuersAndDropsRoots) {
    Certificate leaf = Certificate::load_all(pki_file("signer-rsa.pem"))[0];
    Certificate inter = Certificate::load_all(pki_file("intermediate-ca.pem"))[0];
    Certificate root = Certificate::load_all(pki_file("root-ca.pem"))[0];
    Certificate other = Certificate::load_all(pki_file("signer-other.pem"))[0];
    auto chain = order_chain(leaf, {root, other, inter});
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0], leaf);
    EXPECT_EQ(chain[1], inter);
    EXPECT_EQ(order_chain(leaf, {}).size(), 1u);
    EXPECT_EQ(order_chain(leaf, {root}).size(), 1u); // the root does not issue the leaf
    EXPECT_EQ(order_chain(inter, {root, leaf}).size(), 1u);
    EXPECT_EQ(order_chain(root, {root, inter}).size(), 1u);
}
