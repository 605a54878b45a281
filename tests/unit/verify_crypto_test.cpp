// The verifier's crypto layer against CMS, OCSP and CRL data made by the openssl CLI (an
// independent producer): BER (indefinite-length) SignedData, RSA-PSS, ECDSA, tampering; path
// validation at a time; revocation from a CRL and from an OCSP response.
#include "neac/crypto/chain.hpp"
#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/revocation.hpp"
#include "neac/util/bytes.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::crypto;
using namespace neac::testing;

namespace {

struct Signed {
    Bytes cms;
    Bytes content;
};

// Signs `content` with openssl cms (detached, signed attributes) and extra options.
Signed openssl_sign(TempDir& dir, const std::string& signer, const std::string& extra) {
    write_file(dir / "content.bin", "Noi dung ho so can ky: 123456789\n");
    std::string cmd = "openssl cms -sign -binary -in " +
                      shell_quote((dir / "content.bin").string()) + " -signer " +
                      shell_quote(pki_file(signer + ".pem").string()) + " -inkey " +
                      shell_quote(pki_file(signer + ".key").string()) + " -certfile " +
                      shell_quote(pki_file("chain.pem").string()) + " -outform DER -out " +
                      shell_quote((dir / "sig.der").string()) + " " + extra;
    CommandResult r = run_command(cmd);
    if (r.status != 0)
        throw std::runtime_error("openssl cms failed: " + r.output);
    return Signed{to_bytes(read_file(dir / "sig.der")), to_bytes(read_file(dir / "content.bin"))};
}

SignerCheck check(const Signed& s, bool tamper_content = false) {
    std::string error;
    auto sd = SignedData::parse(s.cms, error);
    if (!sd)
        throw std::runtime_error("parse failed: " + error);
    DigestSpec spec = sd->signer_digest(0);
    Bytes content = s.content;
    if (tamper_content)
        content[0] ^= 1;
    return sd->check_signer(0, digest_any(spec, content.data(), content.size()));
}

} // namespace

TEST(VerifyCms, BerIndefiniteLengthFromOpensslStream) {
    TempDir dir;
    Signed s = openssl_sign(dir, "signer-rsa", "-stream");
    ASSERT_GE(s.cms.size(), 2u);
    EXPECT_EQ(s.cms[1], 0x80) << "openssl -stream should write indefinite-length BER";
    std::string error;
    auto sd = SignedData::parse(s.cms, error);
    ASSERT_TRUE(sd) << error;
    // openssl -stream embeds the content; the signed attributes still digest it.
    if (!sd->detached()) {
        EXPECT_EQ(sd->econtent(), s.content);
    }
    EXPECT_EQ(sd->econtent_type(), "1.2.840.113549.1.7.1");
    EXPECT_EQ(sd->certificates().size(), 3u);
    SignerCheck c = check(s);
    EXPECT_TRUE(c.signature_ok);
    EXPECT_TRUE(c.message_digest_ok);
    EXPECT_TRUE(c.content_type_ok);
    EXPECT_FALSE(c.signer.empty());
    EXPECT_EQ(c.signer.identity().number, "001099012345");
    EXPECT_EQ(c.signature_algorithm, "rsa-pkcs1");
    EXPECT_TRUE(c.problems.empty()) << c.problems.front();
}

TEST(VerifyCms, ChangedContentIsAHashFailureNotASignatureFailure) {
    TempDir dir;
    Signed s = openssl_sign(dir, "signer-rsa", "");
    SignerCheck c = check(s, true);
    EXPECT_FALSE(c.message_digest_ok);
    EXPECT_TRUE(c.signature_ok); // the signed attributes themselves are intact
}

TEST(VerifyCms, TamperedSignatureValueFails) {
    TempDir dir;
    Signed s = openssl_sign(dir, "signer-rsa", "");
    // The RSA signature value is the last 256 bytes of this DER (no unsigned attributes).
    s.cms[s.cms.size() - 10] ^= 0x01;
    SignerCheck c = check(s);
    EXPECT_TRUE(c.message_digest_ok);
    EXPECT_FALSE(c.signature_ok);
}

TEST(VerifyCms, RsaPssAndEcdsaAndSha384) {
    TempDir dir;
    SignerCheck pss = check(openssl_sign(dir, "signer-rsa", "-keyopt rsa_padding_mode:pss"));
    EXPECT_EQ(pss.signature_algorithm, "rsa-pss");
    EXPECT_TRUE(pss.signature_ok);
    EXPECT_TRUE(pss.algorithm_consistent);
    SignerCheck ec = check(openssl_sign(dir, "signer-p256", "-md sha384"));
    EXPECT_EQ(ec.signature_algorithm, "ecdsa");
    EXPECT_EQ(ec.digest.name, "sha384");
    EXPECT_TRUE(ec.signature_ok);
    EXPECT_TRUE(ec.message_digest_ok);
}

TEST(VerifyCms, SignerWithoutCertificateIsReported) {
    TempDir dir;
    Signed s = openssl_sign(dir, "signer-rsa", "-nocerts");
    SignerCheck c = check(s);
    EXPECT_TRUE(c.signer.empty());
    EXPECT_FALSE(c.signature_ok);
    // With the certificate supplied from outside, the signature verifies.
    std::string error;
    auto sd = SignedData::parse(s.cms, error);
    ASSERT_TRUE(sd);
    auto certs = Certificate::load_all(pki_file("signer-rsa.pem"));
    SignerCheck with = sd->check_signer(
        0, digest_any(sd->signer_digest(0), s.content.data(), s.content.size()), certs);
    EXPECT_TRUE(with.signature_ok);
}

TEST(VerifyCms, GarbageIsAVerdictNotACrash) {
    std::string error;
    EXPECT_FALSE(SignedData::parse(Bytes{}, error));
    EXPECT_FALSE(SignedData::parse(Bytes{0x30, 0x80, 0x06, 0x09}, error));
    EXPECT_FALSE(error.empty());
    Bytes zeros(4096, 0);
    EXPECT_FALSE(SignedData::parse(zeros, error));
    TimestampCheck ts =
        check_timestamp_token(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, nullptr, Bytes(32, 0));
    EXPECT_FALSE(ts.parsed);
    EXPECT_FALSE(ts.valid());
}

TEST(VerifyCms, TrailingPaddingAllowedOtherBytesNot) {
    TempDir dir;
    Signed s = openssl_sign(dir, "signer-rsa", "");
    std::string error;
    Bytes padded = s.cms;
    padded.resize(padded.size() + 1000, 0);
    EXPECT_TRUE(SignedData::parse(padded, error)) << error;
    padded.push_back(0x41);
    EXPECT_FALSE(SignedData::parse(padded, error));
}

TEST(VerifyDigest, KnownVectorsIncludingShake256) {
    Bytes abc = to_bytes("abc");
    EXPECT_EQ(hex_encode(digest_any(digest_spec_from_name("sha1"), abc.data(), abc.size())),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(hex_encode(digest_any(digest_spec_from_name("sha256"), abc.data(), abc.size())),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Bytes shake = digest_any(digest_spec_from_name("shake256"), abc.data(), abc.size());
    EXPECT_EQ(shake.size(), 64u);
    EXPECT_EQ(hex_encode(shake).substr(0, 16), "483366601360a877");
    EXPECT_TRUE(digest_spec_from_oid("1.3.14.3.2.26").weak);
    EXPECT_FALSE(digest_spec_from_oid("1.2.3.4").known);
    // One pass, several algorithms.
    MultiHasher h;
    h.add(digest_spec_from_name("sha256"));
    h.add(digest_spec_from_name("sha1"));
    h.update("a", 1);
    h.update("bc", 2);
    EXPECT_EQ(hex_encode(h.result(digest_spec_from_name("sha1"))),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(VerifyChain, ValidNoAnchorWrongAnchorAndTime) {
    auto leaf = Certificate::load_all(pki_file("signer-rsa.pem")).front();
    auto chain = Certificate::load_all(pki_file("chain.pem"));
    auto root = Certificate::load_all(pki_file("root-ca.pem"));
    auto now = std::chrono::system_clock::now();
    EXPECT_EQ(validate_chain(leaf, chain, root, now).status, ChainStatus::Valid);
    EXPECT_EQ(validate_chain(leaf, chain, root, now).path.size(), 3u);
    EXPECT_EQ(validate_chain(leaf, chain, {}, now).status, ChainStatus::NoAnchors);
    auto other_root = Certificate::load_all(pki_file("server.pem"));
    EXPECT_EQ(validate_chain(leaf, chain, other_root, now).status, ChainStatus::NoPath);
    EXPECT_EQ(validate_chain(leaf, {}, root, now).status, ChainStatus::NoPath);
    auto long_ago = std::chrono::system_clock::from_time_t(946684800); // 2000-01-01
    EXPECT_EQ(validate_chain(leaf, chain, root, long_ago).status, ChainStatus::OutOfValidity);
    EXPECT_TRUE(allows_document_signing(leaf));
    EXPECT_EQ(validity_iso(leaf, true).size(), 20u);
}

TEST(VerifyRevocation, CrlRevokedAndGood) {
    auto revoked = Certificate::load_all(pki_file("signer-revoked.pem")).front();
    auto good = Certificate::load_all(pki_file("signer-rsa.pem")).front();
    auto issuer = Certificate::load_all(pki_file("intermediate-ca.pem")).front();
    auto root = Certificate::load_all(pki_file("root-ca.pem"));
    RevocationData data;
    data.crls.push_back(to_bytes(read_file(pki_file("intermediate.crl.pem"))));
    auto now = std::chrono::system_clock::now();
    RevocationResult r = check_revocation(revoked, issuer, data, root, {}, now, " (test)");
    EXPECT_EQ(r.status, RevocationStatus::Revoked);
    EXPECT_EQ(r.reason, "keyCompromise");
    EXPECT_EQ(r.source, "CRL (test)");
    EXPECT_TRUE(r.revoked_at.has_value());
    EXPECT_EQ(check_revocation(good, issuer, data, root, {}, now, "").status,
              RevocationStatus::Good);
    // A CRL signed by another key is not believed.
    auto wrong_issuer = Certificate::load_all(pki_file("root-ca.pem")).front();
    EXPECT_EQ(check_revocation(revoked, wrong_issuer, data, root, {}, now, "").status,
              RevocationStatus::Unknown);
}

TEST(VerifyRevocation, OcspResponseFromOpensslResponder) {
    TempDir dir;
    auto issuer_pem = pki_file("intermediate-ca.pem").string();
    auto ocsp = [&](const std::string& cert, const std::string& name) {
        std::string req = (dir / (name + ".req")).string();
        std::string resp = (dir / (name + ".resp")).string();
        CommandResult a = run_command("openssl ocsp -issuer " + shell_quote(issuer_pem) +
                                      " -cert " + shell_quote(pki_file(cert).string()) +
                                      " -reqout " + shell_quote(req) + " -no_nonce");
        CommandResult b =
            run_command("openssl ocsp -reqin " + shell_quote(req) + " -index " +
                        shell_quote(pki_file("ca/index.txt").string()) + " -rsigner " +
                        shell_quote(pki_file("ocsp.pem").string()) + " -rkey " +
                        shell_quote(pki_file("ocsp.key").string()) + " -CA " +
                        shell_quote(issuer_pem) + " -respout " + shell_quote(resp) + " -nmin 10");
        if (a.status != 0 || b.status != 0)
            throw std::runtime_error("openssl ocsp failed: " + a.output + b.output);
        return to_bytes(read_file(resp));
    };
    auto issuer = Certificate::load_all(issuer_pem).front();
    auto root = Certificate::load_all(pki_file("root-ca.pem"));
    auto now = std::chrono::system_clock::now();
    RevocationData revoked_data;
    revoked_data.ocsp_responses.push_back(ocsp("signer-revoked.pem", "revoked"));
    auto revoked = Certificate::load_all(pki_file("signer-revoked.pem")).front();
    RevocationResult r = check_revocation(revoked, issuer, revoked_data, root, {}, now, "");
    EXPECT_EQ(r.status, RevocationStatus::Revoked);
    EXPECT_EQ(r.source, "OCSP");
    RevocationData good_data;
    good_data.ocsp_responses.push_back(ocsp("signer-rsa.pem", "good"));
    auto good = Certificate::load_all(pki_file("signer-rsa.pem")).front();
    EXPECT_EQ(check_revocation(good, issuer, good_data, root, {}, now, "").status,
              RevocationStatus::Good);
    // The answer about one certificate says nothing about another.
    EXPECT_EQ(check_revocation(good, issuer, revoked_data, root, {}, now, "").status,
              RevocationStatus::Unknown);
    // Without the right anchor the responder is not trusted.
    auto sandbox_like = Certificate::load_all(pki_file("server.pem"));
    EXPECT_EQ(check_revocation(revoked, issuer, revoked_data, sandbox_like, {}, now, "").status,
              RevocationStatus::Unknown);
}
