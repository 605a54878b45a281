// VNPT SmartCA (NEAC 769): request builders and parsers on canned JSON shaped like VNPT's
// integration guide, and the adapter over a fake transport.
#include "neac/providers/vnpt_smartca.hpp"
#include "providers_remote_fake.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
using nlohmann::json;

namespace {

json cert_item(const std::string& signer, const std::string& type, const json& root) {
    return {{"service_type", type},
            {"service_name", type == "ESEAL" ? "ESEAL" : "SMARTCA PERSONAL PRO"},
            {"cert_id", "c-" + signer},
            {"cert_status", "Đang hoạt động"},
            {"serial_number", pki_cert(signer).serial_hex()},
            {"cert_subject", pki_cert(signer).subject()},
            {"cert_data", b64_cert(signer)},
            {"chain_data", {{"ca_cert", b64_cert("intermediate-ca")}, {"root_cert", root}}},
            {"transaction_id", "SP_CA_09940"}};
}

ProviderConfig vnpt_config(const std::map<std::string, std::string>& extra = {}) {
    ::setenv("NEAC_T_VNPT_ID", "4184-637127995547330633.apps.signserviceapi.com", 1);
    ::setenv("NEAC_T_VNPT_PW", "NGNhMzdmOGE-OGM2Mi00MTg0", 1);
    ProviderConfig c;
    c.provider = "vnpt-smartca";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://gwsca.example/sca/sp769"},
                  {"sp-id-env", "NEAC_T_VNPT_ID"},
                  {"sp-password-env", "NEAC_T_VNPT_PW"}};
    for (const auto& [k, v] : extra)
        c.settings[k] = v;
    return c;
}

} // namespace

TEST(VnptParse, CertificatesWithObjectOrArrayChainAndNullRoot) {
    json answer{{"status_code", 200},
                {"message", "Success"},
                {"data",
                 {{"user_certificates",
                   {cert_item("signer-rsa", "SMARTCA", nullptr),
                    cert_item("signer-p256", "ESEAL", b64_cert("root-ca"))}}}}};
    auto cs = vnpt::parse_certificates(answer);
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].service_type, "SMARTCA");
    EXPECT_EQ(cs[0].cert.chain.size(), 1u) << "root_cert null is skipped";
    EXPECT_EQ(cs[1].cert.chain.size(), 2u);
    EXPECT_EQ(cs[0].key, pki_cert("signer-rsa").serial_hex());
    EXPECT_TRUE(cs[0].usable);

    // The generic 769 shape (Methics client): data is the list, chain_data an array.
    json generic{{"status_code", 200},
                 {"data",
                  {{{"cert_id", "x"},
                    {"cert_data", b64_cert("signer-rsa")},
                    {"chain_data", {b64_cert("intermediate-ca"), b64_cert("root-ca")}},
                    {"serial_number", "1000"}}}}};
    auto g = vnpt::parse_certificates(generic);
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0].cert.chain.size(), 2u);
}

TEST(VnptParse, ErrorCodesAreExplained) {
    Error e = expect_error([] {
        vnpt::parse_certificates(json{{"status_code", 401}, {"message", "SP_CREDENTIAL_INVALID"}});
    });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_NE(std::string(e.what()).find("SP_CREDENTIAL_INVALID"), std::string::npos);
    EXPECT_NE(e.hint().find("sp-id-env"), std::string::npos);
    e = expect_error([] {
        vnpt::parse_certificates(
            json{{"status_code", 200},
                 {"data", {{"user_certificates", {{{"cert_data", "bm90IGEgY2VydA=="}}}}}}});
    });
    EXPECT_NE(std::string(e.what()).find("not a valid base64 DER certificate"), std::string::npos);
}

TEST(VnptBuild, SignRequestCarriesOneHexItemPerDocument) {
    SignBatch b = test_batch(2);
    b.items[1].document_name = b.items[0].document_name; // duplicate names stay distinct
    std::vector<std::string> ids = vnpt::document_ids(b);
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_NE(ids[0], ids[1]);
    auto now = std::chrono::system_clock::from_time_t(1700000000);
    json r = vnpt::sign_request({"sp", "pw"}, "001099012345", "5401AB", "NEAC-1", b, ids, now);
    EXPECT_EQ(r["sp_id"], "sp");
    EXPECT_EQ(r["sp_password"], "pw");
    EXPECT_EQ(r["user_id"], "001099012345");
    EXPECT_EQ(r["serial_number"], "5401AB");
    EXPECT_EQ(r["transaction_id"], "NEAC-1");
    EXPECT_EQ(r["transaction_desc"], b.message);
    EXPECT_EQ(r["time_stamp"], "20231114221320Z");
    ASSERT_EQ(r["sign_files"].size(), 2u);
    EXPECT_EQ(r["sign_files"][0]["data_to_be_signed"], hex_encode(b.items[0].digest));
    EXPECT_EQ(r["sign_files"][0]["sign_type"], "hash");
    EXPECT_EQ(r["sign_files"][0]["file_type"], "pdf");
    EXPECT_EQ(r["sign_files"][1]["doc_id"], ids[1]);
}

TEST(VnptParse, StatusPendingApprovedRejectedExpired) {
    std::vector<std::string> ids{"a.pdf", "b.pdf"};
    json pending{{"status_code", 200},
                 {"message", "sig_wait_for_user_confirm"},
                 {"data", {{"transaction_id", "T"}, {"signatures", nullptr}}}};
    EXPECT_EQ(vnpt::parse_status_response(pending, ids).state, TransactionState::Pending);

    // Keyed by doc_id, in another order than requested.
    json ok{{"status_code", 200},
            {"message", "SUCCESS"},
            {"data",
             {{"transaction_id", "T"},
              {"signatures",
               {{{"doc_id", "b.pdf"}, {"signature_value", base64_encode(to_bytes("B"))}},
                {{"doc_id", "a.pdf"}, {"signature_value", base64_encode(to_bytes("A"))}}}}}}};
    PollResult r = vnpt::parse_status_response(ok, ids);
    ASSERT_EQ(r.state, TransactionState::Approved);
    ASSERT_EQ(r.signatures.size(), 2u);
    EXPECT_EQ(to_string(r.signatures[0]), "A");
    EXPECT_EQ(to_string(r.signatures[1]), "B");

    json rejected{{"status_code", 200}, {"message", "USER_REJECTED"}, {"data", nullptr}};
    EXPECT_EQ(vnpt::parse_status_response(rejected, ids).state, TransactionState::Rejected);
    json vi{{"status_code", 400}, {"message", "Người dùng từ chối ký"}};
    EXPECT_EQ(vnpt::parse_status_response(vi, ids).state, TransactionState::Rejected);
    json expired{{"status_code", 200}, {"message", "TRANSACTION_EXPIRED"}};
    EXPECT_EQ(vnpt::parse_status_response(expired, ids).state, TransactionState::Expired);
    json revoked{{"status_code", 403}, {"message", "CREDENTIAL_STATUS_INVALID"}};
    EXPECT_EQ(vnpt::parse_status_response(revoked, ids).state, TransactionState::Failed);
    // A server error says nothing about the transaction: the caller may ask again.
    json broken{{"status_code", 500}, {"message", "SERVAR_INTERNAL_ERROR"}};
    EXPECT_EQ(expect_error([&] { vnpt::parse_status_response(broken, ids); }).kind(),
              ErrorKind::Remote);
}

TEST(VnptProvider, OneSignRequestForTheBatchThenPollsUntilSigned) {
    auto http = std::make_shared<FakeTransport>();
    SignBatch batch = test_batch(3);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    int status_polls = 0;
    http->handler = [&](const net::HttpRequest& req) {
        json b = json::parse(req.body);
        if (req.url.ends_with("/v1/credentials/get_certificate"))
            return json_answer(200, {{"status_code", 200},
                                     {"data",
                                      {{"user_certificates",
                                        {cert_item("signer-rsa", "SMARTCA", nullptr),
                                         cert_item("signer-p256", "ESEAL", nullptr)}}}}});
        if (req.url.ends_with("/v1/signatures/sign"))
            return json_answer(
                200,
                {{"status_code", 200},
                 {"message", "sig_wait_for_user_confirm"},
                 {"data", {{"transaction_id", b["transaction_id"]}, {"tran_code", "acd9be84"}}}});
        if (++status_polls < 2)
            return json_answer(200, {{"status_code", 200}, {"message", "PENDING"}});
        json list = json::array();
        for (std::size_t i = 0; i < sigs.size(); ++i)
            list.push_back({{"signature_value", base64_encode(sigs[i])}});
        return json_answer(
            200, {{"status_code", 200}, {"message", "SUCCESS"}, {"data", {{"signatures", list}}}});
    };
    VnptSmartCaProvider p(vnpt_config({{"service-type", "SMARTCA"}}), http);
    EXPECT_EQ(p.signing_certificate().certificate, pki_cert("signer-rsa"));
    Transaction txn = p.submit(batch);
    EXPECT_EQ(txn.id.rfind("NEAC-", 0), 0u);
    EXPECT_EQ(p.poll(txn).state, TransactionState::Pending);
    PollResult done = p.poll(txn);
    ASSERT_EQ(done.state, TransactionState::Approved);
    EXPECT_EQ(done.signatures, sigs);

    auto signs = http->to("/v1/signatures/sign");
    ASSERT_EQ(signs.size(), 1u);
    EXPECT_EQ(signs[0]->repeat, net::Repeat::Once);
    EXPECT_EQ(signs[0]->body()["serial_number"], pki_cert("signer-rsa").serial_hex());
    EXPECT_EQ(signs[0]->body()["sign_files"].size(), 3u);
    auto polls = http->to("/v1/signatures/sign/" + txn.id + "/status");
    ASSERT_EQ(polls.size(), 2u);
    EXPECT_EQ(polls[0]->repeat, net::Repeat::Safe);
    EXPECT_EQ(polls[0]->request.body, "{}");
    // The SP credentials were registered for redaction.
    EXPECT_NE(std::find(http->secrets.begin(), http->secrets.end(), "NGNhMzdmOGE-OGM2Mi00MTg0"),
              http->secrets.end());
}

TEST(VnptProvider, FallsBackToTranCodeWhenTheIdIsUnknown) {
    auto http = std::make_shared<FakeTransport>();
    http->handler = [&](const net::HttpRequest& req) {
        if (req.url.find("/acd9be84/status") != std::string::npos)
            return json_answer(200, {{"status_code", 200}, {"message", "USER_REJECTED"}});
        return json_answer(404, {{"status_code", 404}, {"message", "TRANSACTION_NOT_FOUND"}});
    };
    VnptSmartCaProvider p(vnpt_config(), http);
    Transaction txn;
    txn.id = "NEAC-x";
    txn.state = {{"tran_code", "acd9be84"}, {"status_id", "NEAC-x"}, {"doc_ids", {"a"}}};
    PollResult r = p.poll(txn);
    EXPECT_EQ(r.state, TransactionState::Rejected);
    EXPECT_EQ(r.new_state["status_id"], "acd9be84") << "later polls use the id that worked";
}

TEST(VnptProvider, MissingCredentialVariableNamesTheVariableNotAValue) {
    ProviderConfig c = vnpt_config();
    c.settings["sp-password-env"] = "NEAC_T_VNPT_UNSET_PW";
    ::unsetenv("NEAC_T_VNPT_UNSET_PW");
    Error e = expect_error([&] { VnptSmartCaProvider p(c, std::make_shared<FakeTransport>()); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("NEAC_T_VNPT_UNSET_PW"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("4184-637127995547330633"), std::string::npos);
}
