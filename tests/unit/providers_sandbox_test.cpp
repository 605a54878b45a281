#include "neac/crypto/cms.hpp"
#include "neac/providers/provider.hpp"
#include "neac/providers/sandbox.hpp"
#include "support/pki.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <sys/stat.h>
#include <thread>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
namespace fs = std::filesystem;

namespace {

// The DER SubjectPublicKeyInfo of a certificate.
Bytes public_key_der(const crypto::Certificate& c) {
    unsigned char* buf = nullptr;
    int len = i2d_PUBKEY(X509_get0_pubkey(c.get()), &buf);
    Bytes out(buf, buf + (len > 0 ? len : 0));
    OPENSSL_free(buf);
    return out;
}

class SandboxProviderTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("NEAC_SANDBOX_DELAY", "0", 1);
        ::unsetenv("NEAC_SANDBOX_OUTCOME");
    }
    void TearDown() override {
        ::unsetenv("NEAC_SANDBOX_DELAY");
        ::unsetenv("NEAC_SANDBOX_OUTCOME");
    }

    ProviderConfig config(const std::string& account = "001099012345",
                          const std::string& name = "NGUYỄN VĂN A") const {
        ProviderConfig c;
        c.provider = "sandbox";
        c.account = account;
        c.display_name = name;
        c.home = home_.path();
        return c;
    }

    SignBatch batch(const SigningCertificate& cert, int n = 2) const {
        SignBatch b;
        b.algorithm = {crypto::default_scheme_for(cert.certificate),
                       crypto::DigestAlgorithm::Sha256};
        for (int i = 0; i < n; ++i)
            b.items.push_back(
                {"doc" + std::to_string(i) + ".pdf",
                 crypto::digest(b.algorithm.digest, to_bytes("doc " + std::to_string(i)))});
        return b;
    }

    static mode_t mode_of(const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return st.st_mode & 0777;
    }

    TempDir home_{"neac-sandbox-test"};
};

} // namespace

// Suite name for ctest filtering: SandboxProviderTest.*
TEST_F(SandboxProviderTest, CreatesTheCaOnceAndReusesIt) {
    auto p = make_provider(config());
    EXPECT_EQ(p->id(), "sandbox");
    SigningCertificate first = p->signing_certificate();
    fs::path dir = home_.path() / "sandbox";
    EXPECT_EQ(mode_of(dir), 0700u);
    for (const char* key : {"root-ca.key", "issuing-ca.key", "signers/001099012345.key"})
        EXPECT_EQ(mode_of(dir / key), 0600u) << key;
    std::string root_pem = read_file(dir / "root-ca.pem");

    SigningCertificate again = make_provider(config())->signing_certificate();
    EXPECT_EQ(again.certificate, first.certificate);
    ASSERT_EQ(again.chain.size(), 2u);
    EXPECT_EQ(again.chain[0], first.chain[0]);
    EXPECT_EQ(again.chain[1], first.chain[1]);
    EXPECT_EQ(read_file(dir / "root-ca.pem"), root_pem);
    EXPECT_EQ(read_file(sandbox_root_certificate(home_.path())), root_pem);
}

TEST_F(SandboxProviderTest, CertificateCarriesTheVietnameseIdentity) {
    SigningCertificate c = make_provider(config())->signing_certificate();
    EXPECT_EQ(c.certificate.subject(), "CN=NGUYỄN VĂN A,UID=CCCD:001099012345,C=VN");
    crypto::Identity id = c.certificate.identity();
    EXPECT_EQ(id.kind, "CCCD");
    EXPECT_EQ(id.number, "001099012345");
    EXPECT_EQ(c.certificate.issuer_common_name(), "neac Sandbox Issuing CA");
    EXPECT_EQ(c.chain.at(0).common_name(), "neac Sandbox Issuing CA");
    EXPECT_EQ(c.chain.at(1).common_name(), "neac Sandbox Root CA");
    EXPECT_TRUE(c.chain.at(1).is_self_signed());

    X509* x = c.certificate.get();
    EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 2048);
    EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(x), "RSA"));
    EXPECT_EQ(X509_get_key_usage(x),
              static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    auto years = [](auto d) { return std::chrono::duration<double>(d).count() / (365.25 * 86400); };
    EXPECT_NEAR(years(c.certificate.not_after() - c.certificate.not_before()), 2.0, 0.02);
    EXPECT_NEAR(years(c.chain[1].not_after() - c.chain[1].not_before()), 10.0, 0.02);

    // The openssl CLI agrees that the chain is sound.
    TempDir dir;
    write_file(dir / "leaf.pem", c.certificate.to_pem());
    write_file(dir / "issuing.pem", c.chain[0].to_pem());
    CommandResult v = run_command(
        "openssl verify -CAfile " + shell_quote(sandbox_root_certificate(home_.path())) +
        " -untrusted " + shell_quote(dir / "issuing.pem") + " " + shell_quote(dir / "leaf.pem"));
    EXPECT_EQ(v.status, 0) << v.output;
    // UTF8String for CN and UID, PrintableString for C.
    CommandResult text = run_command("openssl asn1parse -in " + shell_quote(dir / "leaf.pem"));
    EXPECT_NE(text.output.find("UTF8STRING        :CCCD:001099012345"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("PRINTABLESTRING   :VN"), std::string::npos);
}

TEST_F(SandboxProviderTest, CmndAccountsAndDisplayNameChanges) {
    SigningCertificate cmnd = make_provider(config("123456789", "LÊ VĂN C"))->signing_certificate();
    EXPECT_EQ(cmnd.certificate.identity().kind, "CMND");
    EXPECT_NE(cmnd.certificate.subject().find("UID=CMND:123456789"), std::string::npos);

    SigningCertificate a = make_provider(config())->signing_certificate();
    SigningCertificate renamed =
        make_provider(config("001099012345", "NGUYỄN VĂN AN"))->signing_certificate();
    EXPECT_FALSE(renamed.certificate == a.certificate);
    EXPECT_EQ(renamed.certificate.common_name(), "NGUYỄN VĂN AN");
    // Same key: the signer's "device" did not change, only the name on the certificate.
    EXPECT_EQ(public_key_der(renamed.certificate), public_key_der(a.certificate));
}

TEST_F(SandboxProviderTest, InvalidAccountsAndSettingsAreBadInput) {
    for (const char* bad : {"", "abc", "12345", "../../etc", "0010990123456"})
        EXPECT_EQ(expect_error([&] { make_provider(config(bad)); }).kind(), ErrorKind::BadInput)
            << bad;
    ProviderConfig c = config();
    c.settings["outcome"] = "maybe";
    EXPECT_EQ(expect_error([&] { make_provider(c); }).kind(), ErrorKind::BadInput);
    c = config();
    c.settings["approval-delay"] = "soon";
    EXPECT_EQ(expect_error([&] { make_provider(c); }).kind(), ErrorKind::BadInput);
}

TEST_F(SandboxProviderTest, ApprovesWithSignaturesThatVerify) {
    auto p = make_provider(config());
    SigningCertificate cert = p->signing_certificate();
    SignBatch b = batch(cert, 3);
    Transaction txn = p->submit(b);
    EXPECT_EQ(txn.id.size(), 32u);
    EXPECT_EQ(txn.expires - txn.created, std::chrono::seconds(300));
    fs::path file = home_.path() / "sandbox" / "transactions" / (txn.id + ".json");
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(mode_of(file), 0600u);
    PollResult r = p->poll(txn);
    ASSERT_EQ(r.state, TransactionState::Approved) << r.detail;
    ASSERT_EQ(r.signatures.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(crypto::verify_digest_signature(cert.certificate, b.algorithm,
                                                    b.items[i].digest, r.signatures[i]));
    // Polling again gives the same answer.
    EXPECT_EQ(p->poll(txn).signatures, r.signatures);
}

TEST_F(SandboxProviderTest, PendingUntilTheDelayHasPassed) {
    ::unsetenv("NEAC_SANDBOX_DELAY");
    ProviderConfig c = config();
    c.settings["approval-delay"] = "1";
    auto p = make_provider(c);
    Transaction txn = p->submit(batch(p->signing_certificate()));
    EXPECT_EQ(p->poll(txn).state, TransactionState::Pending);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(p->poll(txn).state, TransactionState::Approved);

    // The environment overrides the setting.
    ::setenv("NEAC_SANDBOX_DELAY", "0", 1);
    c.settings["approval-delay"] = "60";
    auto q = make_provider(c);
    EXPECT_EQ(q->poll(q->submit(batch(q->signing_certificate()))).state,
              TransactionState::Approved);
}

TEST_F(SandboxProviderTest, RejectAndExpireOutcomes) {
    auto p = make_provider(config());
    SigningCertificate cert = p->signing_certificate();
    ::setenv("NEAC_SANDBOX_OUTCOME", "reject", 1);
    Transaction rejected = p->submit(batch(cert));
    PollResult r = p->poll(rejected);
    EXPECT_EQ(r.state, TransactionState::Rejected);
    EXPECT_NE(r.detail.find("Người ký đã từ chối"), std::string::npos) << r.detail;
    EXPECT_TRUE(r.signatures.empty());

    ::setenv("NEAC_SANDBOX_OUTCOME", "expire", 1);
    PollResult e = p->poll(p->submit(batch(cert)));
    EXPECT_EQ(e.state, TransactionState::Expired);

    // A decision is final: approving later does not resurrect the rejected request.
    ::setenv("NEAC_SANDBOX_OUTCOME", "approve", 1);
    EXPECT_EQ(p->poll(rejected).state, TransactionState::Rejected);

    // The setting works too, and the environment overrides it.
    ::unsetenv("NEAC_SANDBOX_OUTCOME");
    ProviderConfig c = config();
    c.settings["outcome"] = "reject";
    auto q = make_provider(c);
    EXPECT_EQ(q->poll(q->submit(batch(cert))).state, TransactionState::Rejected);
    ::setenv("NEAC_SANDBOX_OUTCOME", "approve", 1);
    EXPECT_EQ(q->poll(q->submit(batch(cert))).state, TransactionState::Approved);
}

TEST_F(SandboxProviderTest, ASecondProcessResumesTheTransaction) {
    ::setenv("NEAC_SANDBOX_DELAY", "600", 1); // the first process "crashes" while pending
    Transaction txn;
    SigningCertificate cert;
    SignBatch b;
    {
        auto first = make_provider(config());
        cert = first->signing_certificate();
        b = batch(cert, 2);
        txn = first->submit(b);
        EXPECT_EQ(first->poll(txn).state, TransactionState::Pending);
    }
    // Only what a journal would keep: id, times and state as JSON text.
    Transaction restored;
    restored.id = txn.id;
    restored.created = txn.created;
    restored.expires = txn.expires;
    restored.state = nlohmann::json::parse(txn.state.dump());
    ::setenv("NEAC_SANDBOX_DELAY", "0", 1);
    auto second = make_provider(config());
    PollResult r = second->poll(restored);
    ASSERT_EQ(r.state, TransactionState::Approved);
    for (std::size_t i = 0; i < b.items.size(); ++i)
        EXPECT_TRUE(crypto::verify_digest_signature(cert.certificate, b.algorithm,
                                                    b.items[i].digest, r.signatures[i]));
}

TEST_F(SandboxProviderTest, CancelUnknownAndForeignTransactions) {
    ::setenv("NEAC_SANDBOX_DELAY", "600", 1);
    auto p = make_provider(config());
    Transaction txn = p->submit(batch(p->signing_certificate()));
    p->cancel(txn);
    EXPECT_EQ(p->poll(txn).state, TransactionState::Failed);

    Transaction unknown = txn;
    unknown.id = std::string(32, 'a');
    EXPECT_EQ(expect_error([&] { p->poll(unknown); }).kind(), ErrorKind::BadInput);
    unknown.id = "../../../etc/passwd";
    EXPECT_EQ(expect_error([&] { p->poll(unknown); }).kind(), ErrorKind::BadInput);

    Transaction mine = p->submit(batch(p->signing_certificate()));
    auto other = make_provider(config("079188004321", "TRẦN THỊ BÍCH NGỌC"));
    EXPECT_EQ(expect_error([&] { other->poll(mine); }).kind(), ErrorKind::BadInput);

    // A damaged transaction file is a clean error.
    write_file(home_.path() / "sandbox" / "transactions" / (mine.id + ".json"), "{not json");
    EXPECT_EQ(expect_error([&] { p->poll(mine); }).kind(), ErrorKind::BadInput);
}

TEST_F(SandboxProviderTest, CmsWithSandboxSignatureVerifiesAgainstTheSandboxRoot) {
    auto p = make_provider(config());
    SigningCertificate cert = p->signing_certificate();
    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate),
                                   crypto::DigestAlgorithm::Sha256};
    Bytes content = to_bytes("hồ sơ demo");
    Bytes attrs = crypto::build_signed_attributes(crypto::digest(alg.digest, content), alg.digest,
                                                  cert.certificate);
    SignBatch b;
    b.algorithm = alg;
    b.items.push_back({"demo.pdf", crypto::digest(alg.digest, attrs)});
    PollResult r = p->poll(p->submit(b));
    ASSERT_EQ(r.state, TransactionState::Approved);
    Bytes cms = crypto::build_signed_data(attrs, alg, r.signatures.at(0),
                                          crypto::order_chain(cert.certificate, cert.chain));
    TempDir dir;
    write_file(dir / "sig.der", to_string(cms));
    write_file(dir / "data.bin", to_string(content));
    CommandResult v =
        run_command("openssl cms -verify -binary -inform DER -in " + shell_quote(dir / "sig.der") +
                    " -content " + shell_quote(dir / "data.bin") + " -CAfile " +
                    shell_quote(sandbox_root_certificate(home_.path())) +
                    " -purpose any -cades -out /dev/null");
    EXPECT_NE(v.output.find("Verification successful"), std::string::npos) << v.output;
}

TEST_F(SandboxProviderTest, ConcurrentFirstUseCreatesOneCa) {
    std::vector<std::thread> threads;
    std::vector<std::string> roots(4);
    for (int i = 0; i < 4; ++i)
        threads.emplace_back(
            [&, i] { roots[i] = read_file(sandbox_root_certificate(home_.path())); });
    for (auto& t : threads)
        t.join();
    for (int i = 1; i < 4; ++i)
        EXPECT_EQ(roots[i], roots[0]);
}
