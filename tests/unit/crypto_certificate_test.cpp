#include "neac/crypto/certificate.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace neac;
using namespace neac::crypto;
using namespace neac::testing;

namespace {

std::string openssl_field(const std::string& args) {
    CommandResult r = run_command("openssl x509 -noout " + args);
    EXPECT_EQ(r.status, 0) << r.output;
    std::string v = r.output.substr(r.output.find('=') + 1);
    v.erase(std::remove_if(v.begin(), v.end(), [](char c) { return c == ':' || c == '\n'; }),
            v.end());
    return v;
}

Certificate load_one(const std::string& name) {
    return Certificate::load_all(pki_file(name)).at(0);
}

// A self-signed EC certificate with the given -subj, made by the openssl CLI.
Certificate make_cert(const TempDir& dir, const std::string& subj) {
    std::string cmd = "cd " + shell_quote(dir.path()) +
                      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                      "-keyout k.pem -out c.pem -days 10 -utf8 -subj " +
                      shell_quote(subj);
    CommandResult r = run_command(cmd);
    EXPECT_EQ(r.status, 0) << r.output;
    return Certificate::load_all(dir / "c.pem").at(0);
}

} // namespace

TEST(CryptoCertificate, VietnameseSubjectIsUtf8Rfc2253) {
    Certificate c = load_one("signer-rsa.pem");
    EXPECT_EQ(c.subject(), "CN=NGUYỄN VĂN A,UID=CCCD:001099012345,C=VN");
    EXPECT_EQ(c.common_name(), "NGUYỄN VĂN A");
    EXPECT_EQ(c.issuer(), "CN=neac Test Issuing CA,O=neac test,C=VN");
    EXPECT_EQ(c.issuer_common_name(), "neac Test Issuing CA");
    Identity id = c.identity();
    EXPECT_EQ(id.kind, "CCCD");
    EXPECT_EQ(id.number, "001099012345");
    EXPECT_FALSE(c.is_self_signed());
    EXPECT_TRUE(load_one("root-ca.pem").is_self_signed());
    EXPECT_FALSE(load_one("intermediate-ca.pem").is_self_signed());
}

TEST(CryptoCertificate, SerialFingerprintAndValidityMatchOpenSsl) {
    std::string pem = pki_file("signer-p256.pem").string();
    Certificate c = load_one("signer-p256.pem");
    EXPECT_EQ(c.serial_hex(), openssl_field("-serial -in " + shell_quote(pem)));
    std::string fp = openssl_field("-fingerprint -sha256 -in " + shell_quote(pem));
    std::transform(fp.begin(), fp.end(), fp.begin(), ::tolower);
    EXPECT_EQ(c.fingerprint_sha256(), fp);
    auto now = std::chrono::system_clock::now();
    EXPECT_LT(c.not_before(), now);
    EXPECT_GT(c.not_after(), now + std::chrono::hours(24 * 365));
    EXPECT_LT(c.not_after(), now + std::chrono::hours(24 * 800));
}

TEST(CryptoCertificate, LoadAllReadsPemChainsAndDer) {
    auto chain = Certificate::load_all(pki_file("chain.pem"));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].common_name(), "neac Test Issuing CA");
    EXPECT_EQ(chain[1].common_name(), "neac Test Root CA");

    TempDir dir;
    CommandResult r = run_command("openssl x509 -in " + shell_quote(pki_file("tsa.pem")) +
                                  " -outform DER -out " + shell_quote(dir / "tsa.der"));
    ASSERT_EQ(r.status, 0) << r.output;
    auto der = Certificate::load_all(dir / "tsa.der");
    ASSERT_EQ(der.size(), 1u);
    EXPECT_EQ(der[0], load_one("tsa.pem"));
    EXPECT_EQ(Certificate::from_der(der[0].der()).der(), der[0].der());

    // Other PEM blocks (a private key) are skipped.
    std::string mixed =
        read_file(pki_file("signer-rsa.key")) + read_file(pki_file("signer-rsa.pem"));
    auto certs = Certificate::from_pem(mixed);
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(certs[0].identity().number, "001099012345");
    EXPECT_EQ(Certificate::from_pem(certs[0].to_pem()).at(0), certs[0]);
}

TEST(CryptoCertificate, MalformedInputIsBadInputNeverACrash) {
    Bytes der = load_one("signer-rsa.pem").der();
    EXPECT_EQ(expect_error([] { Certificate::from_der({}); }).kind(), ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] { Certificate::from_der(to_bytes("not a certificate")); }).kind(),
              ErrorKind::BadInput);
    for (std::size_t cut : {1u, 10u, 100u, 500u})
        EXPECT_EQ(expect_error([&] {
                      Certificate::from_der(Bytes(der.begin(), der.end() - cut));
                  }).kind(),
                  ErrorKind::BadInput);
    Bytes trailing = der;
    trailing.push_back(0);
    EXPECT_EQ(expect_error([&] { Certificate::from_der(trailing); }).kind(), ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] { Certificate::from_pem("no pem here"); }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(expect_error([] {
                  Certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                        "CERTIFICATE-----\n");
              }).kind(),
              ErrorKind::BadInput);
    Error missing = expect_error([] { Certificate::load_all("/nonexistent/x.pem"); });
    EXPECT_EQ(missing.kind(), ErrorKind::BadInput);
    // Flipping bytes anywhere either still parses or fails cleanly.
    for (std::size_t i = 0; i < der.size(); i += 7) {
        Bytes b = der;
        b[i] ^= 0xFF;
        try {
            Certificate c = Certificate::from_der(b);
            (void)c.subject();
            (void)c.identity();
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        }
    }
    Certificate empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(expect_error([&] { (void)empty.der(); }).kind(), ErrorKind::Internal);
}

TEST(CryptoCertificate, IdentityFromTextForms) {
    struct Case {
        const char* text;
        const char* kind;
        const char* number;
    };
    const Case cases[] = {
        {"CN=NGUYỄN VĂN A,UID=CCCD:001099012345,C=VN", "CCCD", "001099012345"},
        {"UID=CMND:123456789", "CMND", "123456789"},
        {"UID=CMND:001099012345", "CMND", "001099012345"}, // 12-digit CMND exists too
        {"UID=MST:0101234567", "MST", "0101234567"},
        {"UID=MST:0101234567-001", "MST", "0101234567-001"},
        {"CN=CÔNG TY ABC,UID=MST:0101234567,UID=CCCD:001099012345", "CCCD", "001099012345"},
        {"CN=NGUYỄN VĂN A CMND:123456789", "CMND", "123456789"},
        {"serialNumber=CCCD:001099012345", "CCCD", "001099012345"},
        {"cccd: 001099012345", "CCCD", "001099012345"},
        {"CCCD-001099012345", "CCCD", "001099012345"},
        {"UID=CMND/CCCD:001099012345", "CMND/CCCD", "001099012345"},
        {"UID=001099012345,CN=X", "CCCD", "001099012345"},
        {"UID=123456789", "CMND", "123456789"},
        {"CCCD:12345", "", ""},
        {"CCCD:0010990123456", "", ""},
        {"XCCCD:001099012345", "", ""},
        {"CCCD001099012345", "", ""},
        {"MST:01012345678", "", ""},
        {"UID=0010990123", "", ""},
        {"CN=A,O=B", "", ""},
        {"", "", ""},
    };
    for (const Case& c : cases) {
        Identity id = identity_from_text(c.text);
        EXPECT_EQ(id.kind, c.kind) << c.text;
        EXPECT_EQ(id.number, c.number) << c.text;
    }
}

TEST(CryptoCertificate, IdentityFromCertificateAttributes) {
    TempDir dir;
    struct Case {
        const char* subj;
        const char* kind;
        const char* number;
    };
    const Case cases[] = {
        {"/C=VN/UID=CCCD:079188004321/CN=TRẦN THỊ B", "CCCD", "079188004321"},
        {"/C=VN/CN=LÊ VĂN C CMND:123456789", "CMND", "123456789"},
        {"/C=VN/serialNumber=CCCD:001099012345/CN=X", "CCCD", "001099012345"},
        {"/C=VN/UID=001099012345/CN=X", "CCCD", "001099012345"},
        {"/C=VN/O=CÔNG TY/UID=MST:0101234567/CN=CÔNG TY", "MST", "0101234567"},
        {"/C=VN/CN=NO IDENTITY", "", ""},
    };
    for (const Case& c : cases) {
        Identity id = make_cert(dir, c.subj).identity();
        EXPECT_EQ(id.kind, c.kind) << c.subj;
        EXPECT_EQ(id.number, c.number) << c.subj;
    }
    EXPECT_EQ(load_one("signer-revoked.pem").identity().kind, "CMND");
    EXPECT_EQ(load_one("signer-other.pem").identity().number, "079188004321");
}
