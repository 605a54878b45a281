// Shared parts of the remote adapters: retries and redaction, JSON answers, certificate choice,
// signature checks.
#include "neac/net/retry.hpp"
#include "neac/providers/remote_common.hpp"
#include "providers_remote_fake.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;

TEST(Redactor, MasksSecretKeysAndRegisteredValues) {
    net::Redactor r;
    r.add("S3cr3t-client-value");
    std::string body = nlohmann::json{
        {"sp_id", "4184-63712"},
        {"sp_password", "NGNhMzdmOGE"},
        {"user_id", "001099012345"},
        {"note", "echo S3cr3t-client-value"},
        {"data", {{"remoteSigningAccessToken", "eyJ.abc"}}},
        {"tokenType",
         "Bearer"}}.dump();
    std::string logged = r.redact_body(body);
    EXPECT_EQ(logged.find("NGNhMzdmOGE"), std::string::npos);
    EXPECT_EQ(logged.find("4184-63712"), std::string::npos);
    EXPECT_EQ(logged.find("eyJ.abc"), std::string::npos);
    EXPECT_EQ(logged.find("S3cr3t-client-value"), std::string::npos);
    EXPECT_NE(logged.find("001099012345"), std::string::npos); // not a credential
    EXPECT_NE(logged.find("Bearer"), std::string::npos);
    EXPECT_EQ(r.scrub("form password=S3cr3t-client-value&x=1"), "form password=***&x=1");
}

TEST(Redactor, ShowsBinaryBodiesAsTheirSize) {
    net::Redactor r;
    std::string chunk = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
    EXPECT_EQ(r.redact_body(chunk), "(" + std::to_string(chunk.size()) + " bytes of binary data)");
    EXPECT_EQ(r.redact_body("plain text answer"), "plain text answer");
}

TEST(Retry, BackoffGrowsWithJitterAndHonoursRetryAfter) {
    net::RetryPolicy p;
    p.base_delay = std::chrono::milliseconds(400);
    p.max_delay = std::chrono::milliseconds(5000);
    for (int i = 0; i < 50; ++i) {
        auto d1 = net::backoff_delay(1, p);
        auto d3 = net::backoff_delay(3, p);
        EXPECT_GE(d1.count(), 200);
        EXPECT_LE(d1.count(), 400);
        EXPECT_GE(d3.count(), 800);
        EXPECT_LE(d3.count(), 1600);
        EXPECT_LE(net::backoff_delay(10, p).count(), 5000);
    }
    EXPECT_EQ(net::backoff_delay(1, p, "2").count(), 2000);
    EXPECT_LE(net::backoff_delay(1, p, "999").count(), 400); // longer than allowed: ignored
    EXPECT_TRUE(net::is_transient_status(503));
    EXPECT_TRUE(net::is_transient_status(429));
    EXPECT_FALSE(net::is_transient_status(500));
    EXPECT_FALSE(net::is_transient_status(401));
}

TEST(Retry, RetriesRefusedConnectionsButNeverResendsAnAnsweredSignRequest) {
    // Port 1 on loopback refuses: nothing is ever sent, so even a signing request may retry.
    int sleeps = 0;
    net::RetryPolicy p;
    p.max_attempts = 3;
    p.sleep = [&](std::chrono::milliseconds) { ++sleeps; };
    net::HttpRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:1/signatures/sign";
    req.connect_timeout = std::chrono::milliseconds(500);
    Error e = expect_error([&] { net::perform_with_retry(req, net::Repeat::Safe, p, {}); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_EQ(sleeps, 2);
    sleeps = 0;
    expect_error([&] { net::perform_with_retry(req, net::Repeat::Once, p, {}); });
    EXPECT_EQ(sleeps, 2);
}

TEST(Retry, TimeoutComesFromTheEnvironmentAndIsChecked) {
    ::setenv("NEAC_HTTP_TIMEOUT", "soon", 1);
    net::HttpRequest req;
    req.url = "http://127.0.0.1:1/";
    Error e = expect_error([&] { net::perform_with_retry(req, net::Repeat::Safe, {}, {}); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    ::unsetenv("NEAC_HTTP_TIMEOUT");
}

TEST(RemoteJson, A2xxWebPageIsAnErrorNotAnEmptyList) {
    Error e = expect_error([] {
        remote::parse_json(text_answer(200, "<!doctype html><html></html>", "text/html"),
                           "MISA eSign Certificates/by-userId",
                           "https://esignapp.misa.vn/webdev/external/esrm/x?token=abc");
    });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    std::string msg = e.what();
    EXPECT_NE(msg.find("text/html"), std::string::npos);
    EXPECT_EQ(msg.find("token=abc"), std::string::npos) << "query strings may carry tokens";
    EXPECT_NE(e.hint().find("endpoint"), std::string::npos);

    e = expect_error(
        [] { remote::parse_json(text_answer(200, "{\"a\":", "application/json"), "x", "u"); });
    EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos);
    e = expect_error([] { remote::parse_json(text_answer(200, "", ""), "x", "u"); });
    EXPECT_NE(std::string(e.what()).find("empty body"), std::string::npos);
    // No content type but a JSON body is accepted (some gateways omit it).
    EXPECT_EQ(remote::parse_json(text_answer(200, "[1]", ""), "x", "u").size(), 1u);
}

TEST(RemoteText, Base64NamesStayUnderTheLimitOnCharacterBoundaries) {
    std::string name;
    for (int i = 0; i < 40; ++i)
        name += "Đơn đề nghị ";
    std::string b64 = remote::base64_name(name, 100);
    EXPECT_LT(b64.size(), 100u);
    std::string decoded = to_string(base64_decode(b64));
    EXPECT_EQ(name.compare(0, decoded.size(), decoded), 0);
    // Valid UTF-8: the last byte is not a lead byte and no sequence is cut.
    unsigned char last = static_cast<unsigned char>(decoded.back());
    EXPECT_TRUE(last < 0x80 || (last & 0xC0) == 0x80);
    EXPECT_EQ(remote::base64_name("don.pdf", 100), base64_encode(to_bytes("don.pdf")));
}

namespace {

remote::Candidate candidate(const std::string& name, const std::string& type = "",
                            bool usable = true) {
    remote::Candidate c;
    c.cert.certificate = pki_cert(name);
    c.service_type = type;
    c.usable = usable;
    c.key = name;
    return c;
}

ProviderConfig account(const std::map<std::string, std::string>& settings = {}) {
    ProviderConfig c;
    c.provider = "vnpt-smartca";
    c.account = "001099012345";
    c.settings = settings;
    return c;
}

} // namespace

TEST(SelectCertificate, PicksByServiceTypeOrSerialWhenTheAccountHasSeveral) {
    std::vector<remote::Candidate> cs{candidate("signer-rsa", "SMARTCA"),
                                      candidate("signer-p256", "ESEAL")};
    Error e = expect_error([&] { remote::select_certificate(cs, account(), "vnpt-smartca"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("2 usable certificates"), std::string::npos);
    EXPECT_NE(e.hint().find("service-type"), std::string::npos);

    auto eseal = remote::select_certificate(cs, account({{"service-type", "ESEAL"}}), "x");
    EXPECT_EQ(eseal.key, "signer-p256");
    std::string serial = pki_cert("signer-rsa").serial_hex();
    auto by_serial = remote::select_certificate(cs, account({{"serial", "00" + serial}}), "x");
    EXPECT_EQ(by_serial.key, "signer-rsa");
    e = expect_error([&] { remote::select_certificate(cs, account({{"serial", "ABCDEF"}}), "x"); });
    EXPECT_NE(std::string(e.what()).find("no certificate with serial ABCDEF"), std::string::npos);
}

TEST(SelectCertificate, RefusesAnotherPersonsCertificateAndDisabledOnes) {
    Error e = expect_error(
        [&] { remote::select_certificate({candidate("signer-other")}, account(), "csc"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("0791******21"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not to the profile's account"), std::string::npos);

    std::vector<remote::Candidate> cs{candidate("signer-rsa", "", false), candidate("signer-p256")};
    EXPECT_EQ(remote::select_certificate(cs, account(), "x").key, "signer-p256");
    e = expect_error([&] { remote::select_certificate({}, account(), "x"); });
    EXPECT_NE(std::string(e.what()).find("no certificate for account"), std::string::npos);
}

TEST(VerifySignatures, ChecksCountAndEverySignatureAgainstTheCertificate) {
    SignBatch batch = test_batch(3);
    SigningCertificate cert{pki_cert("signer-rsa"), {}, ""};
    Transaction txn;
    txn.id = "T1";
    txn.state = remote::batch_state(batch, cert);
    std::vector<Bytes> sigs = sign_batch_with("signer-rsa", batch);
    std::vector<Bytes> ok = sigs;
    EXPECT_NO_THROW(remote::verify_signatures(txn, ok, "x"));

    std::vector<Bytes> fewer(sigs.begin(), sigs.begin() + 2);
    Error e = expect_error([&] { remote::verify_signatures(txn, fewer, "x"); });
    EXPECT_NE(std::string(e.what()).find("2 signature(s) for 3"), std::string::npos);

    std::vector<Bytes> swapped{sigs[1], sigs[0], sigs[2]};
    e = expect_error([&] { remote::verify_signatures(txn, swapped, "x"); });
    EXPECT_NE(std::string(e.what()).find("document 1"), std::string::npos);

    std::vector<Bytes> other = sign_batch_with("signer-other", batch);
    e = expect_error([&] { remote::verify_signatures(txn, other, "x"); });
    EXPECT_NE(std::string(e.what()).find("does not verify"), std::string::npos);
}
