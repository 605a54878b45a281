#include "neac/crypto/cms.hpp"
#include "neac/providers/pkcs12.hpp"
#include "neac/providers/provider.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;

namespace {

ProviderConfig p12_config(const std::string& signer = "signer-rsa") {
    ::setenv("NEAC_TEST_P12_PASSWORD", kPkiPassword, 1);
    ProviderConfig c;
    c.provider = "pkcs12";
    c.account = "001099012345";
    c.settings = {{"pkcs12", pki_file(signer + ".p12").string()},
                  {"password-env", "NEAC_TEST_P12_PASSWORD"}};
    return c;
}

SignBatch batch_of(const std::vector<std::string>& docs, crypto::SignatureAlgorithm alg) {
    SignBatch b;
    b.algorithm = alg;
    b.message = "Ký " + std::to_string(docs.size()) + " tài liệu";
    for (const std::string& d : docs)
        b.items.push_back({d, crypto::digest(alg.digest, to_bytes(d))});
    return b;
}

} // namespace

TEST(Pkcs12Provider, SignsABatchThatVerifies) {
    auto provider = make_provider(p12_config());
    EXPECT_EQ(provider->id(), "pkcs12");
    EXPECT_EQ(provider->batch_cap(), 10000u);
    SigningCertificate cert = provider->signing_certificate();
    EXPECT_EQ(cert.certificate.identity().number, "001099012345");
    ASSERT_EQ(cert.chain.size(), 2u);
    EXPECT_EQ(cert.chain[0].common_name(), "neac Test Issuing CA");
    EXPECT_EQ(cert.chain[1].common_name(), "neac Test Root CA");

    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate),
                                   crypto::DigestAlgorithm::Sha256};
    SignBatch batch = batch_of({"don-de-nghi.pdf", "cccd.pdf", "ho-khau.pdf"}, alg);
    Transaction txn = provider->submit(batch);
    EXPECT_FALSE(txn.id.empty());
    EXPECT_GT(txn.expires, txn.created);
    PollResult poll = provider->poll(txn);
    ASSERT_EQ(poll.state, TransactionState::Approved);
    ASSERT_EQ(poll.signatures.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(crypto::verify_digest_signature(cert.certificate, alg, batch.items[i].digest,
                                                    poll.signatures[i]));

    // Another process resumes from the saved transaction (state as JSON text).
    Transaction saved = txn;
    saved.state = nlohmann::json::parse(txn.state.dump());
    PollResult again = make_provider(p12_config())->poll(saved);
    EXPECT_EQ(again.state, TransactionState::Approved);
    EXPECT_EQ(again.signatures, poll.signatures);
}

TEST(Pkcs12Provider, CmsFromItsSignatureVerifiesWithOpenSsl) {
    auto provider = make_provider(p12_config("signer-p384"));
    SigningCertificate cert = provider->signing_certificate();
    crypto::SignatureAlgorithm alg{crypto::SignatureScheme::Ecdsa, crypto::DigestAlgorithm::Sha384};
    Bytes content = to_bytes("tệp cần ký");
    Bytes attrs = crypto::build_signed_attributes(crypto::digest(alg.digest, content), alg.digest,
                                                  cert.certificate);
    SignBatch batch;
    batch.algorithm = alg;
    batch.items.push_back({"a.pdf", crypto::digest(alg.digest, attrs)});
    PollResult poll = provider->poll(provider->submit(batch));
    ASSERT_EQ(poll.state, TransactionState::Approved);
    Bytes cms = crypto::build_signed_data(attrs, alg, poll.signatures.at(0),
                                          crypto::order_chain(cert.certificate, cert.chain));
    TempDir dir;
    write_file(dir / "sig.der", to_string(cms));
    write_file(dir / "data.bin", to_string(content));
    CommandResult v =
        run_command("openssl cms -verify -binary -inform DER -in " + shell_quote(dir / "sig.der") +
                    " -content " + shell_quote(dir / "data.bin") + " -CAfile " +
                    shell_quote(pki_file("chain.pem")) + " -purpose any -out /dev/null");
    EXPECT_NE(v.output.find("Verification successful"), std::string::npos) << v.output;
}

TEST(Pkcs12Provider, PasswordFromAFile) {
    TempDir dir;
    write_file(dir / "pw.txt", std::string(kPkiPassword) + "\r\nsecond line ignored\n");
    ProviderConfig c = p12_config();
    c.settings.erase("password-env");
    c.settings["password-file"] = (dir / "pw.txt").string();
    // A password file other users can read is refused, with the fix.
    std::filesystem::permissions(dir / "pw.txt", std::filesystem::perms(0644));
    Error open = expect_error([&] { make_provider(c); });
    EXPECT_NE(std::string(open.what()).find("readable by other users"), std::string::npos);
    EXPECT_NE(open.hint().find("chmod 600"), std::string::npos);
    std::filesystem::permissions(dir / "pw.txt", std::filesystem::perms(0600));
    EXPECT_EQ(make_provider(c)->signing_certificate().certificate.common_name(), "NGUYỄN VĂN A");
}

TEST(Pkcs12Provider, WrongPasswordAndMissingSettingsAreBadInput) {
    ProviderConfig c = p12_config();
    ::setenv("NEAC_TEST_P12_PASSWORD", "nope", 1);
    Error wrong = expect_error([&] { Pkcs12Provider p(c); });
    EXPECT_EQ(wrong.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(wrong.what()).find("wrong password for PKCS#12 file"), std::string::npos);

    ProviderConfig no_path = p12_config();
    no_path.settings.erase("pkcs12");
    Error e1 = expect_error([&] { make_provider(no_path); });
    EXPECT_EQ(e1.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e1.what()).find("pkcs12 setting"), std::string::npos);

    ProviderConfig no_password = p12_config();
    no_password.settings.erase("password-env");
    EXPECT_NE(std::string(expect_error([&] { make_provider(no_password); }).what())
                  .find("password-env or password-file"),
              std::string::npos);

    ProviderConfig unset = p12_config();
    unset.settings["password-env"] = "NEAC_TEST_SURELY_UNSET_VARIABLE";
    ::unsetenv("NEAC_TEST_SURELY_UNSET_VARIABLE");
    EXPECT_NE(std::string(expect_error([&] { make_provider(unset); }).what())
                  .find("NEAC_TEST_SURELY_UNSET_VARIABLE"),
              std::string::npos);

    ProviderConfig both = p12_config();
    both.settings["password-file"] = "/dev/null";
    EXPECT_EQ(expect_error([&] { make_provider(both); }).kind(), ErrorKind::BadInput);
}

TEST(Pkcs12Provider, DamagedTransactionIsNotApproved) {
    auto provider = make_provider(p12_config());
    Transaction txn;
    txn.id = "x";
    EXPECT_EQ(provider->poll(txn).state, TransactionState::Failed);
    txn.state = {{"signatures", {"!!!not base64!!!"}}};
    EXPECT_EQ(expect_error([&] { provider->poll(txn); }).kind(), ErrorKind::BadInput);
}

TEST(ProviderFactory, UnknownProvidersAndStateNames) {
    ProviderConfig c;
    c.provider = "bkav";
    Error e = expect_error([&] { make_provider(c); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(e.hint().find("sandbox, pkcs12"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bkav"), std::string::npos);
    EXPECT_STREQ(transaction_state_name(TransactionState::Pending), "pending");
    EXPECT_STREQ(transaction_state_name(TransactionState::Approved), "approved");
    EXPECT_STREQ(transaction_state_name(TransactionState::Rejected), "rejected");
    EXPECT_STREQ(transaction_state_name(TransactionState::Expired), "expired");
    EXPECT_STREQ(transaction_state_name(TransactionState::Failed), "failed");
}
