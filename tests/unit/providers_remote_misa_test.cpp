// MISA eSign: login with two-factor, the remote-signing token, the /webdev vs root paths, and
// the "2xx but HTML" trap.
#include "neac/providers/misa_esign.hpp"
#include "providers_remote_fake.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
using nlohmann::json;

namespace {

json login_ok() {
    return {{"status", {{"type", 0}, {"code", 200}}},
            {"data",
             {{"accessToken", "AT-plain"},
              {"remoteSigningAccessToken", "RS-token"},
              {"tokenType", "Bearer"},
              {"expiresIn", 3600},
              {"refreshToken", "RT"},
              {"user", {{"id", "user-guid-1"}}}}}};
}

json cert_entry(const std::string& signer, const std::string& alias) {
    return {
        {"userId", "user-guid-1"},
        {"keyAlias", alias},
        {"keyStatus", "ACTIVE"},
        {"certificate", b64_cert(signer)},
        {"certiticateChain", {b64_cert(signer), b64_cert("intermediate-ca"), b64_cert("root-ca")}}};
}

ProviderConfig misa_config() {
    ::setenv("NEAC_T_MISA_USER", "nguyenvana@example.vn", 1);
    ::setenv("NEAC_T_MISA_PW", "misa-Pa55-word", 1);
    ProviderConfig c;
    c.provider = "misa-esign";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://esign.example/"},
                  {"username-env", "NEAC_T_MISA_USER"},
                  {"password-env", "NEAC_T_MISA_PW"}};
    return c;
}

std::string header(const net::HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name)
            return v;
    return "";
}

} // namespace

TEST(MisaParse, LoginTwoFactorAndErrors) {
    auto a = misa::parse_login(login_ok());
    EXPECT_FALSE(a.needs_otp);
    EXPECT_EQ(a.session.remote_signing_token, "RS-token");
    EXPECT_EQ(a.session.user_id, "user-guid-1");
    EXPECT_TRUE(
        misa::parse_login(json{{"status", {{"errorCode", "122"}}}, {"data", nullptr}}).needs_otp);
    EXPECT_TRUE(misa::parse_login(json{{"errorCode", 122}}).needs_otp);
    Error e = expect_error([] {
        misa::parse_login(json{{"status", {{"errorCode", "e1001"}, {"userMsg", "Sai mật khẩu"}}}});
    });
    EXPECT_NE(std::string(e.what()).find("Sai mật khẩu"), std::string::npos);
}

TEST(MisaParse, CertificatesSkipTheSignerInTheChainAndMisspelledKey) {
    auto cs = misa::parse_certificates(json::array({cert_entry("signer-rsa", "alias-1")}));
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].key, "alias-1");
    EXPECT_EQ(cs[0].cert.chain.size(), 2u);
    json inactive = cert_entry("signer-rsa", "alias-2");
    inactive["keyStatus"] = "INACTIVE";
    EXPECT_FALSE(misa::parse_certificates(json::array({inactive}))[0].usable);
}

TEST(MisaParse, StatusOutcomesInRequestOrder) {
    std::vector<std::string> ids{"d-1", "d-2"};
    EXPECT_EQ(misa::parse_status_response(json{{"status", "PENDING"}}, ids).state,
              TransactionState::Pending);
    PollResult ok = misa::parse_status_response(
        json{{"status", "SUCCESS"},
             {"signatures",
              {{{"documentId", "d-2"}, {"signature", base64_encode(to_bytes("two"))}},
               {{"documentId", "d-1"}, {"signature", base64_encode(to_bytes("one"))}}}}},
        ids);
    ASSERT_EQ(ok.signatures.size(), 2u);
    EXPECT_EQ(to_string(ok.signatures[0]), "one");
    EXPECT_EQ(misa::parse_status_response(json{{"status", "CANCELLED"}}, ids).state,
              TransactionState::Rejected);
    EXPECT_EQ(
        misa::parse_status_response(json{{"status", "FAILED"}, {"errorCode", "USER_REJECTED"}}, ids)
            .state,
        TransactionState::Rejected);
    EXPECT_EQ(misa::parse_status_response(
                  json{{"status", "FAILED"}, {"errorCode", "TRANSACTION_EXPIRED"}}, ids)
                  .state,
              TransactionState::Expired);
    PollResult failed = misa::parse_status_response(
        json{{"status", "FAILED"}, {"errorCode", "E500"}, {"errorDescription", "HSM lỗi"}}, ids);
    EXPECT_EQ(failed.state, TransactionState::Failed);
    EXPECT_NE(failed.detail.find("HSM lỗi"), std::string::npos);
}

TEST(MisaProvider, TwoFactorCodeFromOtpAndRemoteSigningTokenOnEsrm) {
    auto http = std::make_shared<FakeTransport>();
    SignBatch batch = test_batch(2);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    http->handler = [&](const net::HttpRequest& req) {
        json b = req.body.empty() ? json() : json::parse(req.body);
        if (req.url == "https://esign.example/webdev/api/auth/api/v1/auth/login-api")
            return json_answer(200, {{"status", {{"errorCode", "122"}}}, {"data", nullptr}});
        if (req.url.ends_with("/auth/two-factor-auth")) {
            EXPECT_EQ(b["code"], "654321");
            return json_answer(200, login_ok());
        }
        EXPECT_EQ(req.url.find("/webdev/external"), std::string::npos) << "ESRM is at the root";
        EXPECT_EQ(header(req, "AuthorizationRM"), "Bearer RS-token");
        if (req.url.ends_with("/general/api/v1/Certificates/by-userId")) {
            EXPECT_EQ(req.method, "GET");
            return json_answer(200, json::array({cert_entry("signer-rsa", "alias-1")}));
        }
        if (req.url.ends_with("/signing/api/v1/Signing/hash")) {
            EXPECT_EQ(b["UserId"], "user-guid-1");
            EXPECT_EQ(b["CertAlias"], "alias-1");
            for (const auto& d : b["Documents"])
                EXPECT_LE(d["DocumentId"].get<std::string>().size(), 36u);
            return json_answer(200, {{"transactionId", "m-1"}});
        }
        json list = json::array();
        for (const Bytes& s : sigs)
            list.push_back({{"signature", base64_encode(s)}});
        return json_answer(200, {{"status", "SUCCESS"}, {"signatures", list}});
    };
    ProviderConfig c = misa_config();
    c.otp = "654321";
    MisaESignProvider p(c, http);
    p.signing_certificate();
    Transaction txn = p.submit(batch);
    EXPECT_EQ(txn.id, "m-1");
    PollResult r = p.poll(txn);
    ASSERT_EQ(r.state, TransactionState::Approved);
    EXPECT_EQ(r.signatures, sigs);
    for (const char* s : {"misa-Pa55-word", "RS-token", "AT-plain", "654321"})
        EXPECT_NE(std::find(http->secrets.begin(), http->secrets.end(), s), http->secrets.end())
            << s;
}

TEST(MisaProvider, TwoFactorWithoutCodeOrTerminalIsAUsageError) {
    auto http = std::make_shared<FakeTransport>();
    http->handler = [](const net::HttpRequest&) {
        return json_answer(200, {{"status", {{"errorCode", "122"}}}});
    };
    MisaESignProvider p(misa_config(), http);
    Error e = expect_error([&] { p.signing_certificate(); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.hint().find("--otp"), std::string::npos);

    // On a terminal the code is asked for.
    ProviderConfig c = misa_config();
    std::string asked;
    c.ask = [&](const std::string& prompt) {
        asked = prompt;
        return std::string("111222");
    };
    http->handler = [](const net::HttpRequest& req) {
        if (req.url.ends_with("/two-factor-auth"))
            return json_answer(200, login_ok());
        if (req.url.ends_with("/login-api"))
            return json_answer(200, {{"status", {{"errorCode", "122"}}}});
        return json_answer(200, json::array({cert_entry("signer-rsa", "a")}));
    };
    MisaESignProvider q(c, http);
    EXPECT_NO_THROW(q.signing_certificate());
    EXPECT_NE(asked.find("two-factor"), std::string::npos);
}

TEST(MisaProvider, AWebPageForTheCertificateListIsAnErrorNotNoCertificates) {
    auto http = std::make_shared<FakeTransport>();
    http->handler = [](const net::HttpRequest& req) {
        if (req.url.ends_with("/login-api"))
            return json_answer(200, login_ok());
        return text_answer(200, "<!doctype html><html><div id=app></div></html>", "text/html");
    };
    MisaESignProvider p(misa_config(), http);
    Error e = expect_error([&] { p.list_certificates(); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_NE(std::string(e.what()).find("text/html instead of JSON"), std::string::npos);
}
