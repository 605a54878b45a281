// neac::net::perform (libcurl) against tests/sim/tsa_sim used as a plain HTTP(S) server with
// fault injection. (Suite named CryptoHttp so the crypto/net test filter picks it up.)
#include "neac/net/http.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::testing;

namespace {

std::unique_ptr<BackgroundProcess> start(std::vector<std::string> extra) {
    std::vector<std::string> args{"--port", "0",
                                  "--cert", pki_file("tsa.pem").string(),
                                  "--key",  pki_file("tsa.key").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<BackgroundProcess>(build_tests_dir() / "tsa_sim", args);
}

net::HttpRequest post(const std::string& url) {
    net::HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.body = "hello";
    r.headers = {{"Content-Type", "application/octet-stream"},
                 {"Authorization", "Bearer SECRET-TOKEN-123"}};
    r.total_timeout = std::chrono::milliseconds(5000);
    return r;
}

} // namespace

TEST(CryptoHttp, ReturnsStatusBodyAndLowerCaseHeaders) {
    auto sim = start({"--big", "100"});
    net::HttpResponse r = net::perform(post(sim->url("/x")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, std::string(100, 'x'));
    EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
}

TEST(CryptoHttp, HttpErrorStatusesAreReturnedNotThrown) {
    auto sim = start({"--fail", "503"});
    net::HttpResponse r = net::perform(post(sim->url("/")));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "simulated failure\n");
}

TEST(CryptoHttp, OversizedResponseIsRefused) {
    auto sim = start({"--big", std::to_string(3 << 20)});
    net::HttpRequest req = post(sim->url("/"));
    req.max_response_size = 1 << 20;
    Error e = expect_error([&] { net::perform(req); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_NE(std::string(e.what()).find("exceeds"), std::string::npos) << e.what();
}

TEST(CryptoHttp, TransportFailuresNameTheUrlButNeverHeaderValues) {
    net::HttpRequest req = post("http://127.0.0.1:1/api?access_token=QUERYSECRET");
    Error e = expect_error([&] { net::perform(req); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    std::string msg = e.describe();
    EXPECT_NE(msg.find("http://127.0.0.1:1/api"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("SECRET-TOKEN-123"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("QUERYSECRET"), std::string::npos) << msg;
}

TEST(CryptoHttp, TimeoutIsARemoteError) {
    auto sim = start({"--delay", "3000", "--big", "1"});
    net::HttpRequest req = post(sim->url("/"));
    req.total_timeout = std::chrono::milliseconds(300);
    auto t0 = std::chrono::steady_clock::now();
    Error e = expect_error([&] { net::perform(req); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_FALSE(e.hint().empty());
}

TEST(CryptoHttp, TlsIsAlwaysVerified) {
    auto sim = start({"--tls-cert", pki_file("server.pem").string(), "--tls-key",
                      pki_file("server.key").string(), "--big", "3"});
    ASSERT_EQ(sim->url("/").rfind("https://", 0), 0u);
    // The test CA is not in the system store: refused.
    Error e = expect_error([&] { net::perform(post(sim->url("/"))); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    // With the private CA bundle: accepted, for the IP and the DNS name in the certificate.
    net::HttpRequest req = post(sim->url("/"));
    req.ca_bundle = pki_file("chain.pem").string();
    EXPECT_EQ(net::perform(req).body, "xxx");
    req.url = "https://localhost:" + std::to_string(sim->port()) + "/";
    EXPECT_EQ(net::perform(req).status, 200);
    // A bundle that does not hold the server's issuer: refused.
    req.ca_bundle = pki_file("root-ca.pem").string() + ".missing";
    EXPECT_EQ(expect_error([&] { net::perform(req); }).kind(), ErrorKind::BadInput);
    req.ca_bundle = pki_file("signer-rsa.pem").string();
    EXPECT_EQ(expect_error([&] { net::perform(req); }).kind(), ErrorKind::Remote);
}

TEST(CryptoHttp, RedirectsOnlyWithinTheSameOrigin) {
    {
        auto sim = start({"--redirect", "/final", "--big", "5"});
        net::HttpResponse r = net::perform(post(sim->url("/start")));
        EXPECT_EQ(r.status, 200); // 307 to /final on the same host and port: followed
        EXPECT_EQ(r.body, "xxxxx");
    }
    {
        auto sim = start({"--redirect", "http://localhost:1/elsewhere", "--big", "5"});
        net::HttpResponse r = net::perform(post(sim->url("/start")));
        EXPECT_EQ(r.status, 307); // another host: returned as is, never followed
        EXPECT_EQ(r.headers.at("location"), "http://localhost:1/elsewhere");
    }
}

TEST(CryptoHttp, OnlyHttpAndHttpsUrls) {
    net::HttpRequest req = post("file:///etc/passwd");
    EXPECT_EQ(expect_error([&] { net::perform(req); }).kind(), ErrorKind::BadInput);
    req.url = "ftp://127.0.0.1/x";
    EXPECT_EQ(expect_error([&] { net::perform(req); }).kind(), ErrorKind::BadInput);
}
