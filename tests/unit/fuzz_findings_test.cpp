// What the fuzz targets (tests/fuzz, scripts/fuzz) found, kept as regressions. Each test builds
// the hostile answer it needs here. The original failures were undefined behaviour (signed
// overflow in std::chrono arithmetic), which only the sanitizers see (`scripts/test --sanitize`);
// in a normal build these tests check the bounded values the fixes produce.
#include "neac/crypto/cms_verify.hpp"
#include "neac/crypto/timestamp.hpp"
#include "neac/net/retry.hpp"
#include "neac/providers/misa_esign.hpp"
#include "neac/providers/viettel_mysign.hpp"
#include "neac/util/clock.hpp"
#include "providers_remote_fake.hpp"
#include "verify/verifier.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace neac;
using namespace neac::providers;
using namespace neac::testing;
using nlohmann::json;

namespace {

const char* kHuge = "9223372036854775807"; // 2^63 - 1: times 1000 or 10^9 overflows a long

// 9999-12-31T23:59:59Z, the largest time ASN.1 GeneralizedTime and PDF dates can write.
constexpr std::time_t kYear9999 = 253402300799;

// The latest time system_clock can hold, in whole seconds.
std::chrono::system_clock::time_point clock_limit() {
    using namespace std::chrono;
    return system_clock::time_point(
        duration_cast<seconds>(system_clock::time_point::max().time_since_epoch()));
}

template <class T, void (*F)(T*)> struct Free {
    void operator()(T* p) const { F(p); }
};
template <class T, void (*F)(T*)> using Owned = std::unique_ptr<T, Free<T, F>>;

Bytes der_of(const TS_RESP* resp) {
    unsigned char* buf = nullptr;
    int len = i2d_TS_RESP(resp, &buf);
    Bytes out(buf, buf + (len > 0 ? len : 0));
    OPENSSL_free(buf);
    return out;
}

} // namespace

// fuzz_portal: "Retry-After: 9223372036854775807" on a 503 overflowed while being compared with
// the policy's maximum delay in milliseconds.
TEST(FuzzFindings, HugeRetryAfterFallsBackToTheBackoff) {
    net::RetryPolicy policy;
    for (const char* value : {kHuge, "9223372036854775", "99999999999999999999999", "-5"}) {
        std::chrono::milliseconds d = net::backoff_delay(2, policy, value);
        EXPECT_GE(d.count(), 0) << value;
        EXPECT_LE(d, policy.max_delay) << value;
    }
    EXPECT_EQ(net::backoff_delay(1, policy, "3"), std::chrono::seconds(3)); // still honoured
}

// fuzz_provider_viettel and fuzz_provider_misa: a login answer whose token lifetime is 2^63 - 1
// (or its negation) seconds overflowed when the renewal time was computed on the steady clock.
TEST(FuzzFindings, TokenLifetimesAreClamped) {
    EXPECT_EQ(remote::token_lifetime(kHuge, std::chrono::seconds(3600)), remote::kMaxTokenLifetime);
    EXPECT_EQ(remote::token_lifetime("-9223372036854775807", std::chrono::seconds(3600)),
              std::chrono::seconds(0));
    EXPECT_EQ(remote::token_lifetime("1800", std::chrono::seconds(3600)),
              std::chrono::seconds(1800));
    EXPECT_EQ(remote::token_lifetime("soon", std::chrono::seconds(3600)),
              std::chrono::seconds(3600));

    auto vt = viettel::parse_login(json{{"access_token", "eyJ"}, {"expires_in", kHuge}});
    EXPECT_EQ(vt.expires_in, remote::kMaxTokenLifetime);
    auto misa = misa::parse_login(json{{"data",
                                        {{"accessToken", "a"},
                                         {"remoteSigningAccessToken", "rs"},
                                         {"expiresIn", -9223372036854775807LL}}}});
    EXPECT_EQ(misa.session.expires_in, std::chrono::seconds(0));
}

// The same through the adapter: the huge lifetime is taken as a long one, so the second call
// reuses the token instead of logging in again (and nothing overflows on the way).
TEST(FuzzFindings, ViettelHugeTokenLifetimeLogsInOnce) {
    ::setenv("NEAC_T_FZ_ID", "fuzz-client-id", 1);
    ::setenv("NEAC_T_FZ_SECRET", "fuzz-client-secret", 1);
    ProviderConfig c;
    c.provider = "viettel-mysign";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://remotesigning.example"},
                  {"client-id-env", "NEAC_T_FZ_ID"},
                  {"client-secret-env", "NEAC_T_FZ_SECRET"}};
    auto fake = std::make_shared<FakeTransport>();
    fake->handler = [](const net::HttpRequest& r) {
        if (r.url.find("/login") != std::string::npos)
            return json_answer(200, {{"access_token", "tok-1"}, {"expires_in", kHuge}});
        return json_answer(200, json::array()); // the account holds no credentials
    };
    ViettelMySignProvider p(c, fake);
    for (int i = 0; i < 2; ++i)
        EXPECT_TRUE(p.list_certificates().empty());
    EXPECT_EQ(fake->to("/login").size(), 1u);
    EXPECT_EQ(fake->to("/certificates/info").size(), 2u);
}

// fuzz_timestamp: a token whose genTime is in the year 9999 (valid GeneralizedTime, validly
// signed) overflowed when its time was made a system_clock time point; so did certificates that
// say "no expiry" with notAfter 9999-12-31 (RFC 5280 §4.1.2.5) and PDF dates of that year.
TEST(FuzzFindings, TimesBeyondTheClockAreClamped) {
    EXPECT_EQ(clamped_time_point(kYear9999), clock_limit());
    EXPECT_EQ(clamped_time_point(0), std::chrono::system_clock::time_point());
    EXPECT_EQ(verify::detail::pdf_date_iso("D:99991231235959Z"), "9999-12-31T23:59:59Z");

    // A certificate with notAfter 99991231235959Z, made here with the test PKI's signer key.
    crypto::Certificate signer = pki_cert("signer-rsa");
    const unsigned char* p = signer.der().data();
    Owned<X509, X509_free> x(d2i_X509(nullptr, &p, static_cast<long>(signer.der().size())));
    ASSERT_TRUE(x);
    ASSERT_EQ(ASN1_TIME_set_string(X509_getm_notAfter(x.get()), "99991231235959Z"), 1);
    std::FILE* kf = std::fopen(pki_file("signer-rsa.key").c_str(), "r");
    ASSERT_NE(kf, nullptr);
    Owned<EVP_PKEY, EVP_PKEY_free> pkey(PEM_read_PrivateKey(kf, nullptr, nullptr, nullptr));
    std::fclose(kf);
    ASSERT_TRUE(pkey);
    ASSERT_GT(X509_sign(x.get(), pkey.get(), EVP_sha256()), 0);
    unsigned char* out = nullptr;
    int len = i2d_X509(x.get(), &out);
    Bytes der(out, out + len);
    OPENSSL_free(out);
    EXPECT_EQ(crypto::Certificate::from_der(der).not_after(), clock_limit());

    // A time-stamp response and token from the test TSA whose clock says 9999-12-31.
    Bytes data = to_bytes(std::string("signature value"));
    Bytes request = crypto::make_timestamp_request(
        crypto::DigestAlgorithm::Sha256, crypto::digest(crypto::DigestAlgorithm::Sha256, data),
        Bytes{0x01, 0x02, 0x03, 0x04});
    Owned<TS_RESP_CTX, TS_RESP_CTX_free> ctx(TS_RESP_CTX_new());
    crypto::Certificate tsa = pki_cert("tsa");
    p = tsa.der().data();
    Owned<X509, X509_free> tsa_x(d2i_X509(nullptr, &p, static_cast<long>(tsa.der().size())));
    std::FILE* tf = std::fopen(pki_file("tsa.key").c_str(), "r");
    ASSERT_NE(tf, nullptr);
    Owned<EVP_PKEY, EVP_PKEY_free> tsa_key(PEM_read_PrivateKey(tf, nullptr, nullptr, nullptr));
    std::fclose(tf);
    ASSERT_TRUE(tsa_x && tsa_key);
    TS_RESP_CTX_set_signer_cert(ctx.get(), tsa_x.get());
    TS_RESP_CTX_set_signer_key(ctx.get(), tsa_key.get());
    Owned<ASN1_OBJECT, ASN1_OBJECT_free> policy(OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1));
    TS_RESP_CTX_set_def_policy(ctx.get(), policy.get());
    TS_RESP_CTX_add_md(ctx.get(), EVP_sha256());
    TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256());
    TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256());
    TS_RESP_CTX_set_time_cb(
        ctx.get(),
        [](TS_RESP_CTX*, void*, long* sec, long* usec) {
            *sec = kYear9999;
            *usec = 0;
            return 1;
        },
        nullptr);
    Owned<BIO, BIO_free_all> in(BIO_new_mem_buf(request.data(), static_cast<int>(request.size())));
    Owned<TS_RESP, TS_RESP_free> resp(TS_RESP_create_response(ctx.get(), in.get()));
    ASSERT_TRUE(resp);
    Bytes response = der_of(resp.get());

    crypto::TimestampToken token = crypto::check_timestamp_response(response, request);
    EXPECT_EQ(token.gen_time, clock_limit());
    crypto::TimestampCheck check = crypto::check_timestamp_token(token.der, &data, std::nullopt);
    EXPECT_TRUE(check.parsed) << check.error;
    EXPECT_TRUE(check.imprint_ok);
    EXPECT_EQ(check.gen_time, clock_limit());
}
