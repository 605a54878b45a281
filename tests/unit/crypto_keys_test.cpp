#include "neac/crypto/keys.hpp"
#include "support/pki.hpp"

#include <openssl/ecdsa.h>

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::crypto;
using namespace neac::testing;

namespace {

Pkcs12Bundle load(const std::string& name) {
    return load_pkcs12(pki_file(name + ".p12"), kPkiPassword);
}

// Verifies a raw signature over a digest with the openssl CLI (pkeyutl), independently of us.
bool openssl_verifies(const std::string& signer, const SignatureAlgorithm& alg,
                      const Bytes& digest_value, const Bytes& sig) {
    TempDir dir;
    write_file(dir / "digest.bin", to_string(digest_value));
    write_file(dir / "sig.bin", to_string(sig));
    std::string cmd = "openssl pkeyutl -verify -certin -inkey " +
                      shell_quote(pki_file(signer + ".pem")) + " -in " +
                      shell_quote(dir / "digest.bin") + " -sigfile " +
                      shell_quote(dir / "sig.bin") + " -pkeyopt digest:" + digest_name(alg.digest);
    if (alg.scheme == SignatureScheme::RsaPss)
        cmd += " -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest"
               " -pkeyopt rsa_mgf1_md:" +
               std::string(digest_name(alg.digest));
    CommandResult r = run_command(cmd);
    return r.status == 0 && r.output.find("Signature Verified Successfully") != std::string::npos;
}

struct SignCase {
    const char* signer;
    SignatureScheme scheme;
    DigestAlgorithm digest;
};

} // namespace

TEST(CryptoKeys, Pkcs12LoadsKeyCertificateAndChain) {
    for (const char* name : {"signer-rsa", "signer-p256", "signer-p384", "signer-other"}) {
        Pkcs12Bundle b = load(name);
        EXPECT_FALSE(b.key.empty());
        EXPECT_TRUE(b.key.matches(b.certificate)) << name;
        EXPECT_EQ(b.certificate, Certificate::load_all(pki_file(std::string(name) + ".pem"))[0]);
        ASSERT_EQ(b.extra_certs.size(), 2u) << name;
    }
    Pkcs12Bundle rsa = load("signer-rsa");
    EXPECT_FALSE(load("signer-p256").key.matches(rsa.certificate));
}

TEST(CryptoKeys, Pkcs12WrongPasswordIsAClearBadInput) {
    std::string file = pki_file("signer-rsa.p12").string();
    Error e = expect_error([&] { load_pkcs12(file, "wrong"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_EQ(std::string(e.what()), "wrong password for PKCS#12 file " + file);
    EXPECT_EQ(expect_error([&] { load_pkcs12(file, ""); }).kind(), ErrorKind::BadInput);
}

TEST(CryptoKeys, Pkcs12MalformedOrMissingFile) {
    TempDir dir;
    write_file(dir / "garbage.p12", "this is not PKCS#12");
    Error e = expect_error([&] { load_pkcs12(dir / "garbage.p12", "x"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("not a PKCS#12"), std::string::npos);
    EXPECT_EQ(expect_error([&] { load_pkcs12(dir / "missing.p12", "x"); }).kind(),
              ErrorKind::BadInput);
    // Truncated real file: never a crash.
    std::string real = read_file(pki_file("signer-rsa.p12"));
    for (std::size_t cut : {1u, 16u, 200u, 1000u}) {
        write_file(dir / "cut.p12", real.substr(0, real.size() - cut));
        EXPECT_EQ(expect_error([&] { load_pkcs12(dir / "cut.p12", kPkiPassword); }).kind(),
                  ErrorKind::BadInput);
    }
    // A certificate-only PKCS#12 has no key.
    CommandResult r = run_command("openssl pkcs12 -export -nokeys -in " +
                                  shell_quote(pki_file("signer-rsa.pem")) +
                                  " -passout pass:x -out " + shell_quote(dir / "nokey.p12"));
    ASSERT_EQ(r.status, 0) << r.output;
    Error nokey = expect_error([&] { load_pkcs12(dir / "nokey.p12", "x"); });
    EXPECT_NE(std::string(nokey.what()).find("no private key"), std::string::npos) << nokey.what();
}

TEST(CryptoKeys, LegacyPkcs12LoadsThroughTheLegacyProvider) {
    // make_pki.sh writes it whenever OpenSSL's legacy module is installed (Debian 12: always).
    ASSERT_TRUE(std::filesystem::exists(pki_file("signer-legacy.p12")));
    Pkcs12Bundle b = load("signer-legacy");
    EXPECT_EQ(b.certificate.identity().number, "001099012345");
    EXPECT_TRUE(b.key.matches(b.certificate));
}

TEST(CryptoKeys, SignedDigestsVerifyHereAndWithOpenSsl) {
    const SignCase cases[] = {
        {"signer-rsa", SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256},
        {"signer-rsa", SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha512},
        {"signer-rsa", SignatureScheme::RsaPss, DigestAlgorithm::Sha256},
        {"signer-rsa", SignatureScheme::RsaPss, DigestAlgorithm::Sha384},
        {"signer-p256", SignatureScheme::Ecdsa, DigestAlgorithm::Sha256},
        {"signer-p384", SignatureScheme::Ecdsa, DigestAlgorithm::Sha384},
        {"signer-p384", SignatureScheme::Ecdsa, DigestAlgorithm::Sha512},
    };
    for (const SignCase& c : cases) {
        SCOPED_TRACE(std::string(c.signer) + " " + scheme_name(c.scheme) + " " +
                     digest_name(c.digest));
        Pkcs12Bundle b = load(c.signer);
        SignatureAlgorithm alg{c.scheme, c.digest};
        Bytes d = digest(c.digest, to_bytes("hồ sơ số 1"));
        Bytes sig = b.key.sign_digest(alg, d);
        EXPECT_LE(sig.size(), max_raw_signature_size(b.certificate));
        EXPECT_TRUE(verify_digest_signature(b.certificate, alg, d, sig));
        EXPECT_TRUE(openssl_verifies(c.signer, alg, d, sig));
        Bytes other = d;
        other[0] ^= 1;
        EXPECT_FALSE(verify_digest_signature(b.certificate, alg, other, sig));
        Bytes bad_sig = sig;
        bad_sig[bad_sig.size() / 2] ^= 1;
        EXPECT_FALSE(verify_digest_signature(b.certificate, alg, d, bad_sig));
        EXPECT_FALSE(openssl_verifies(c.signer, alg, d, bad_sig));
        // Wrong certificate.
        EXPECT_FALSE(verify_digest_signature(load("signer-other").certificate, alg, d, sig));
    }
}

TEST(CryptoKeys, PkcsAndPssAreNotInterchangeable) {
    Pkcs12Bundle b = load("signer-rsa");
    Bytes d = digest(DigestAlgorithm::Sha256, to_bytes("x"));
    Bytes pkcs1 = b.key.sign_digest({SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256}, d);
    EXPECT_FALSE(verify_digest_signature(
        b.certificate, {SignatureScheme::RsaPss, DigestAlgorithm::Sha256}, d, pkcs1));
    EXPECT_FALSE(verify_digest_signature(b.certificate,
                                         {SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha384},
                                         digest(DigestAlgorithm::Sha384, to_bytes("x")), pkcs1));
}

TEST(CryptoKeys, SchemeMustFitKeyAndDigestLength) {
    Pkcs12Bundle rsa = load("signer-rsa");
    Pkcs12Bundle ec = load("signer-p256");
    Bytes d = digest(DigestAlgorithm::Sha256, to_bytes("x"));
    EXPECT_EQ(expect_error([&] {
                  rsa.key.sign_digest({SignatureScheme::Ecdsa, DigestAlgorithm::Sha256}, d);
              }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(expect_error([&] {
                  ec.key.sign_digest({SignatureScheme::RsaPss, DigestAlgorithm::Sha256}, d);
              }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(expect_error([&] {
                  rsa.key.sign_digest({SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha384}, d);
              }).kind(),
              ErrorKind::BadInput);
    Error ed = expect_error([&] {
        ec.key.sign_digest({SignatureScheme::Ed25519, DigestAlgorithm::Sha512}, d);
    });
    EXPECT_NE(std::string(ed.what()).find("Ed25519"), std::string::npos);
    EXPECT_EQ(default_scheme_for(rsa.certificate), SignatureScheme::RsaPkcs1v15);
    EXPECT_EQ(default_scheme_for(ec.certificate), SignatureScheme::Ecdsa);
    EXPECT_EQ(max_raw_signature_size(rsa.certificate), 256u);
    EXPECT_EQ(max_raw_signature_size(ec.certificate), 72u);
    EXPECT_EQ(max_raw_signature_size(load("signer-p384").certificate), 104u);
}

TEST(CryptoKeys, PemRoundTripAndEncryptedPemIsRefusedWithoutPrompting) {
    PrivateKey k = PrivateKey::from_pem(read_file(pki_file("signer-p256.key")));
    Certificate cert = Certificate::load_all(pki_file("signer-p256.pem"))[0];
    EXPECT_TRUE(k.matches(cert));
    PrivateKey again = PrivateKey::from_pem(k.to_pem());
    EXPECT_TRUE(again.matches(cert));

    TempDir dir;
    CommandResult r =
        run_command("openssl pkey -in " + shell_quote(pki_file("signer-p256.key")) +
                    " -aes256 -passout pass:secret -out " + shell_quote(dir / "enc.key"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(expect_error([&] { PrivateKey::from_pem(read_file(dir / "enc.key")); }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] { PrivateKey::from_pem("garbage"); }).kind(), ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] { PrivateKey().get(); }).kind(), ErrorKind::Internal);
}

TEST(CryptoKeys, GeneratedKeysSign) {
    for (KeyType t : {KeyType::Rsa2048, KeyType::EcP256, KeyType::EcP384}) {
        PrivateKey k = PrivateKey::generate(t);
        SignatureAlgorithm alg{t == KeyType::Rsa2048 ? SignatureScheme::RsaPss
                                                     : SignatureScheme::Ecdsa,
                               DigestAlgorithm::Sha256};
        Bytes sig = k.sign_digest(alg, digest(DigestAlgorithm::Sha256, to_bytes("x")));
        EXPECT_FALSE(sig.empty());
        EXPECT_FALSE(PrivateKey::from_pem(k.to_pem()).empty());
    }
}

TEST(CryptoKeys, PlainEcdsaConvertsToDer) {
    Pkcs12Bundle b = load("signer-p256");
    SignatureAlgorithm alg{SignatureScheme::Ecdsa, DigestAlgorithm::Sha256};
    Bytes d = digest(DigestAlgorithm::Sha256, to_bytes("plain"));
    Bytes der_sig = b.key.sign_digest(alg, d);
    // DER -> r||s (32 bytes each, left-padded) with OpenSSL, then back with ours.
    const unsigned char* p = der_sig.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_sig.size()));
    ASSERT_NE(sig, nullptr);
    Bytes plain(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), plain.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), plain.data() + 32, 32);
    ECDSA_SIG_free(sig);
    EXPECT_FALSE(verify_digest_signature(b.certificate, alg, d, plain));
    Bytes converted = ecdsa_plain_to_der(plain);
    EXPECT_EQ(converted, der_sig);
    EXPECT_TRUE(verify_digest_signature(b.certificate, alg, d, converted));
    EXPECT_EQ(expect_error([] { ecdsa_plain_to_der({1, 2, 3}); }).kind(), ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] { ecdsa_plain_to_der({}); }).kind(), ErrorKind::BadInput);
}
