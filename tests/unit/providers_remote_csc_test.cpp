// CSC API v2: credential info and multisign, authorize with 202 + authorizeCheck, signHash
// synchronous and asynchronous with signPolling (202 and the 400 "previous asynchronous signature
// request" both pending), and state that survives a restart.
#include "neac/providers/csc.hpp"
#include "providers_remote_fake.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
using nlohmann::json;

namespace {

json info_of(const std::string& signer, int multisign) {
    return {
        {"key", {{"status", "enabled"}, {"algo", {"1.2.840.113549.1.1.1"}}, {"len", 2048}}},
        {"cert",
         {{"status", "valid"}, {"certificates", {b64_cert(signer), b64_cert("intermediate-ca")}}}},
        {"SCAL", "2"},
        {"multisign", multisign}};
}

ProviderConfig csc_config() {
    ::setenv("NEAC_T_CSC_TOKEN", "csc-access-token-value", 1);
    ProviderConfig c;
    c.provider = "csc";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://rssp.example/prefix"},
                  {"token-env", "NEAC_T_CSC_TOKEN"},
                  {"credential", "cred-A"}};
    return c;
}

} // namespace

TEST(CscParse, CredentialInfoAndAlgorithms) {
    auto c = csc::parse_credential_info(info_of("signer-rsa", 20), "cred-A");
    EXPECT_EQ(c.multisign, 20u);
    EXPECT_EQ(c.cert.chain.size(), 1u);
    json no_multisign = info_of("signer-rsa", 1);
    no_multisign.erase("multisign");
    EXPECT_EQ(csc::parse_credential_info(no_multisign, "x").multisign, 1u) << "spec default";

    crypto::SignatureAlgorithm rsa{crypto::SignatureScheme::RsaPkcs1v15,
                                   crypto::DigestAlgorithm::Sha256};
    auto a = csc::choose_algorithms(rsa, {"1.2.840.113549.1.1.1"});
    EXPECT_EQ(a.sign_algo, "1.2.840.113549.1.1.1");
    EXPECT_EQ(a.hash_algo, "2.16.840.1.101.3.4.2.1");
    a = csc::choose_algorithms(rsa, {"1.2.840.113549.1.1.11"});
    EXPECT_EQ(a.sign_algo, "1.2.840.113549.1.1.11");
    EXPECT_EQ(a.hash_algo, "");
    crypto::SignatureAlgorithm ec{crypto::SignatureScheme::Ecdsa, crypto::DigestAlgorithm::Sha384};
    EXPECT_EQ(csc::choose_algorithms(ec, {}).sign_algo, "1.2.840.10045.4.3.3");
    EXPECT_EQ(expect_error([&] { csc::choose_algorithms(ec, {"1.2.840.113549.1.1.1"}); }).kind(),
              ErrorKind::BadInput);
}

TEST(CscParse, PendingFormsAndRefusals) {
    EXPECT_EQ(csc::classify_error(202, json::object()).state, TransactionState::Pending);
    EXPECT_EQ(csc::classify_error(
                  400, {{"error", "invalid_request"},
                        {"error_description", "A previous asynchronous signature request is still "
                                              "being processed"}})
                  .state,
              TransactionState::Pending);
    EXPECT_EQ(csc::classify_error(400, {{"error", "access_denied"}}).state,
              TransactionState::Rejected);
    EXPECT_EQ(csc::classify_error(
                  400, {{"error", "invalid_request"}, {"error_description", "SAD expired"}})
                  .state,
              TransactionState::Expired);
    EXPECT_EQ(csc::classify_error(400, {{"error", "invalid_otp"}}).state, TransactionState::Failed);
}

TEST(CscProvider, AuthorizeOnThePhoneThenAsynchronousSignHashSurvivesARestart) {
    SignBatch batch = test_batch(3);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    int checks = 0, pollings = 0;
    auto handler = [&](const net::HttpRequest& req) {
        json b = json::parse(req.body);
        if (req.url.ends_with("/csc/v2/info"))
            return json_answer(200, {{"asynchronousOperationMode", true}});
        if (req.url.ends_with("/credentials/info"))
            return json_answer(200, info_of("signer-rsa", 10));
        if (req.url.ends_with("/credentials/authorize")) {
            EXPECT_EQ(b["numSignatures"], 3);
            EXPECT_EQ(b["hashes"].size(), 3u);
            return json_answer(202, {{"handle", "h-1"}});
        }
        if (req.url.ends_with("/credentials/authorizeCheck"))
            return ++checks < 2 ? json_answer(202, json::object())
                                : json_answer(200, {{"SAD", "sad-secret"}, {"expiresIn", 300}});
        if (req.url.ends_with("/signatures/signHash")) {
            EXPECT_EQ(b["SAD"], "sad-secret");
            EXPECT_EQ(b["operationMode"], "A");
            EXPECT_EQ(b["hashAlgorithmOID"], "2.16.840.1.101.3.4.2.1");
            return json_answer(200, {{"responseID", "r-9"}});
        }
        EXPECT_TRUE(req.url.ends_with("/signatures/signPolling"));
        EXPECT_EQ(b["requestID"], "r-9");
        if (++pollings == 1)
            return json_answer(
                400, {{"error", "invalid_request"},
                      {"error_description", "previous asynchronous signature request is pending"}});
        json list = json::array();
        for (const Bytes& s : sigs)
            list.push_back(base64_encode(s));
        return json_answer(200, {{"signatures", list}});
    };
    auto http = std::make_shared<FakeTransport>();
    http->handler = handler;
    CscProvider p(csc_config(), http);
    p.signing_certificate();
    EXPECT_EQ(p.batch_cap(), 10u);
    Transaction txn = p.submit(batch);
    EXPECT_EQ(txn.id, "h-1");
    EXPECT_EQ(http->to("/credentials/authorize")[0]->repeat, net::Repeat::Once);
    EXPECT_EQ(p.poll(txn).state, TransactionState::Pending);
    PollResult authorised = p.poll(txn);
    EXPECT_EQ(authorised.state, TransactionState::Pending);
    ASSERT_FALSE(authorised.new_state.is_null());
    EXPECT_EQ(authorised.new_state["phase"], "sign");
    EXPECT_EQ(authorised.new_state.dump().find("sad-secret"), std::string::npos)
        << "the SAD is never part of the recorded state";

    // Another process continues from the recorded state, without a new authorisation.
    Transaction restored = txn;
    restored.state = json::parse(authorised.new_state.dump());
    auto http2 = std::make_shared<FakeTransport>();
    http2->handler = handler;
    CscProvider q(csc_config(), http2);
    EXPECT_EQ(q.poll(restored).state, TransactionState::Pending);
    PollResult done = q.poll(restored);
    ASSERT_EQ(done.state, TransactionState::Approved);
    EXPECT_EQ(done.signatures, sigs);
    EXPECT_TRUE(http2->to("/credentials/authorize").empty());
    EXPECT_EQ(http->to("/signatures/signHash").size(), 1u);
}

TEST(CscProvider, ImmediateAuthorizationSignsSynchronouslyAndRejectionIsReported) {
    SignBatch batch = test_batch(2);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    auto http = std::make_shared<FakeTransport>();
    bool reject = false;
    http->handler = [&](const net::HttpRequest& req) {
        if (req.url.ends_with("/info") && !req.url.ends_with("/credentials/info"))
            return json_answer(200, {{"asynchronousOperationMode", false}});
        if (req.url.ends_with("/credentials/info"))
            return json_answer(200, info_of("signer-rsa", 5));
        if (req.url.ends_with("/credentials/authorize"))
            return reject ? json_answer(202, {{"handle", "h-2"}})
                          : json_answer(200, {{"SAD", "s"}, {"expiresIn", 300}});
        if (req.url.ends_with("/credentials/authorizeCheck"))
            return json_answer(
                400, {{"error", "access_denied"}, {"error_description", "The user rejected"}});
        json list = json::array();
        for (const Bytes& s : sigs)
            list.push_back(base64_encode(s));
        return json_answer(200, {{"signatures", list}});
    };
    CscProvider p(csc_config(), http);
    p.signing_certificate();
    Transaction txn = p.submit(batch);
    PollResult r = p.poll(txn);
    ASSERT_EQ(r.state, TransactionState::Approved);
    EXPECT_EQ(r.signatures, sigs);

    reject = true;
    Transaction t2 = p.submit(batch);
    PollResult rejected = p.poll(t2);
    EXPECT_EQ(rejected.state, TransactionState::Rejected);
    EXPECT_NE(rejected.detail.find("access_denied"), std::string::npos);
}
