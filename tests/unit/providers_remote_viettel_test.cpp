// Viettel MySign: builders and parsers on canned JSON, and the adapter over a fake transport
// (per-user token renewed on 401, CR/LF in signatures, status codes).
#include "neac/providers/viettel_mysign.hpp"
#include "providers_remote_fake.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
using nlohmann::json;

namespace {

json credential(const std::string& signer, const std::string& id) {
    return {
        {"description", "x"},
        {"key", {{"status", "enabled"}, {"algo", {"1.2.840.113549.1.1.1"}}, {"len", "2048"}}},
        {"cert",
         {{"status", "valid"},
          {"certificates", {b64_cert(signer), b64_cert("intermediate-ca"), b64_cert("root-ca")}},
          {"issuerDN", "CN=Viettel-CA"},
          {"serialNumber", pki_cert(signer).serial_hex()},
          {"subjectDN", pki_cert(signer).subject()},
          {"validFrom", "20221017043150+0000"}}},
        {"authMode", "implicit"},
        {"multisign", "50"},
        {"credential_id", id},
        {"scal", "2"}};
}

ProviderConfig viettel_config() {
    ::setenv("NEAC_T_VT_ID", "samples_test_client", 1);
    ::setenv("NEAC_T_VT_SECRET", "205640fd6ea8c7d80bb91c630b52d286d21ee511", 1);
    ProviderConfig c;
    c.provider = "viettel-mysign";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://remotesigning.example"},
                  {"client-id-env", "NEAC_T_VT_ID"},
                  {"client-secret-env", "NEAC_T_VT_SECRET"}};
    return c;
}

std::string wrap_crlf(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 64)
        out += s.substr(i, 64) + "\r\n";
    return out;
}

} // namespace

TEST(ViettelParse, LoginAndErrorObjects) {
    auto t = viettel::parse_login(
        json{{"access_token", "eyJ"}, {"refresh_token", ""}, {"expires_in", "1800"}});
    EXPECT_EQ(t.access_token, "eyJ");
    EXPECT_EQ(t.expires_in.count(), 1800);
    Error e = expect_error([] {
        viettel::parse_login(json{{"error", 58007}, {"error_description", "client id not found"}});
    });
    EXPECT_NE(std::string(e.what()).find("58007"), std::string::npos);
    EXPECT_NE(e.hint().find("client id or secret"), std::string::npos);
}

TEST(ViettelParse, CertificatesListAndMultisign) {
    auto cs = viettel::parse_certificates(json::array({credential("signer-rsa", "cred-1")}));
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].key, "cred-1");
    EXPECT_EQ(cs[0].multisign, 50u);
    EXPECT_EQ(cs[0].cert.chain.size(), 2u);
    EXPECT_TRUE(cs[0].usable);
    json revoked = credential("signer-rsa", "cred-2");
    revoked["cert"]["status"] = "revoked";
    EXPECT_FALSE(viettel::parse_certificates(json::array({revoked}))[0].usable);
    // An object instead of the list is an error answer.
    EXPECT_EQ(expect_error([] {
                  viettel::parse_certificates(
                      json{{"error", 58008}, {"error_description", "user id not found"}});
              }).kind(),
              ErrorKind::Remote);
}

TEST(ViettelBuild, SignHashRequestFollowsTheTraps) {
    SignBatch b = test_batch(2);
    b.items[0].document_name = std::string(150, 'x') + ".pdf";
    json r = viettel::sign_request({"cid", "csecret", "adss:ras:profile:001"}, "cred-1", b,
                                   {"d1", "d2"});
    EXPECT_TRUE(r.contains("credentialID")) << "capital D";
    EXPECT_FALSE(r.contains("credentialId"));
    EXPECT_EQ(r["numSignatures"], 2);
    EXPECT_EQ(r["hash"].size(), 2u);
    EXPECT_EQ(r["documents"].size(), 2u);
    EXPECT_EQ(r["hash"][0], base64_encode(b.items[0].digest));
    EXPECT_EQ(r["hashAlgo"], "2.16.840.1.101.3.4.2.1");
    EXPECT_EQ(r["signAlgo"], "1.2.840.113549.1.1.1");
    EXPECT_EQ(r["async"], 1);
    for (const auto& d : r["documents"])
        EXPECT_LT(d["document_name"].get<std::string>().size(), 100u);
    EXPECT_LT(r["description"].get<std::string>().size(), 100u);
    EXPECT_EQ(to_string(base64_decode(r["description"].get<std::string>())), b.message);
}

TEST(ViettelParse, StatusCodes) {
    auto st = [](const std::string& code) {
        return viettel::parse_status_response(json{{"status", code}}).state;
    };
    EXPECT_EQ(st("4000"), TransactionState::Pending);
    EXPECT_EQ(st("6000"), TransactionState::Pending);
    EXPECT_EQ(st("4001"), TransactionState::Expired);
    EXPECT_EQ(st("4002"), TransactionState::Rejected);
    EXPECT_EQ(st("4004"), TransactionState::Failed);
    EXPECT_EQ(st("4005"), TransactionState::Failed);
    EXPECT_EQ(st("13004"), TransactionState::Failed);
    EXPECT_EQ(st("50000"), TransactionState::Failed);
    EXPECT_NE(viettel::parse_status_response(json{{"status", "4005"}}).detail.find("quota"),
              std::string::npos);
    // CR/LF inside the base64 are stripped.
    std::string sig = base64_encode(Bytes(256, 0x42));
    PollResult ok =
        viettel::parse_status_response(json{{"status", "1"}, {"signatures", {wrap_crlf(sig)}}});
    ASSERT_EQ(ok.state, TransactionState::Approved);
    EXPECT_EQ(ok.signatures.at(0), Bytes(256, 0x42));
}

TEST(ViettelProvider, LogsInAgainWhenTheTokenIsRefused) {
    auto http = std::make_shared<FakeTransport>();
    SignBatch batch = test_batch(2);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    int logins = 0;
    bool refuse_once = true;
    http->handler = [&](const net::HttpRequest& req) {
        if (req.url.ends_with("/ras/v1/login")) {
            json b = json::parse(req.body);
            EXPECT_EQ(b["user_id"], "001099012345");
            EXPECT_EQ(b["profile_id"], "adss:ras:profile:001");
            ++logins;
            return json_answer(
                200, {{"access_token", "tok-" + std::to_string(logins)}, {"expires_in", "3600"}});
        }
        std::string auth;
        for (const auto& [k, v] : req.headers)
            if (k == "Authorization")
                auth = v;
        if (req.url.ends_with("/requests/status") && refuse_once) {
            refuse_once = false;
            return json_answer(401, {{"error", 401}, {"error_description", "token expired"}});
        }
        EXPECT_EQ(auth, "Bearer tok-" + std::to_string(logins));
        if (req.url.ends_with("/certificates/info"))
            return json_answer(200, json::array({credential("signer-rsa", "cred-1")}));
        if (req.url.ends_with("/signHash"))
            return json_answer(200, {{"transactionId", "vt-123"}});
        json list = json::array();
        for (const Bytes& s : sigs)
            list.push_back(wrap_crlf(base64_encode(s)));
        return json_answer(200, {{"status", "1"}, {"signatures", list}});
    };
    ViettelMySignProvider p(viettel_config(), http);
    p.signing_certificate();
    EXPECT_EQ(p.batch_cap(), 50u) << "multisign caps the batch";
    Transaction txn = p.submit(batch);
    EXPECT_EQ(txn.id, "vt-123");
    PollResult r = p.poll(txn);
    ASSERT_EQ(r.state, TransactionState::Approved);
    EXPECT_EQ(r.signatures, sigs);
    EXPECT_EQ(logins, 2);
    EXPECT_EQ(http->to("/signHash").size(), 1u);
    EXPECT_EQ(http->to("/signHash")[0]->repeat, net::Repeat::Once);
    EXPECT_NE(std::find(http->secrets.begin(), http->secrets.end(), "tok-1"), http->secrets.end());
}
