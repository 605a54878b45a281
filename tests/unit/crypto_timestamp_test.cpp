// RFC 3161 client against tests/sim/tsa_sim (a real TSA on loopback), with openssl ts as the
// independent judge of the tokens.
#include "crypto/der.hpp"
#include "neac/crypto/cms.hpp"
#include "neac/crypto/timestamp.hpp"
#include "support/pki.hpp"

#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/ts.h>

#include <gtest/gtest.h>

#include <random>

using namespace neac;
using namespace neac::crypto;
using namespace neac::testing;

namespace {

std::unique_ptr<BackgroundProcess> start_tsa(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--port",  "0",
                                  "--cert",  pki_file("tsa.pem").string(),
                                  "--key",   pki_file("tsa.key").string(),
                                  "--chain", pki_file("chain.pem").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<BackgroundProcess>(build_tests_dir() / "tsa_sim", args);
}

TimestampOptions options_for(const BackgroundProcess& tsa) {
    TimestampOptions o;
    o.url = tsa.url("/tsa");
    o.timeout = std::chrono::milliseconds(5000);
    return o;
}

Bytes token_imprint(const Bytes& token) {
    const unsigned char* p = token.data();
    PKCS7* p7 = d2i_PKCS7(nullptr, &p, static_cast<long>(token.size()));
    EXPECT_NE(p7, nullptr);
    if (!p7)
        return {};
    TS_TST_INFO* info = PKCS7_to_TS_TST_INFO(p7);
    Bytes out;
    if (info) {
        const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info));
        out.assign(ASN1_STRING_get0_data(msg),
                   ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
        TS_TST_INFO_free(info);
    }
    PKCS7_free(p7);
    return out;
}

// A TimeStampResp whose token is signed by `signer` with plain CMS (no ESS attribute), for the
// checks that a real TSA (and OpenSSL's TS_RESP_CTX) would never let us produce.
Bytes forged_response(const Bytes& request_der, const std::string& signer) {
    const unsigned char* rp = request_der.data();
    TS_REQ* req = d2i_TS_REQ(nullptr, &rp, static_cast<long>(request_der.size()));
    TS_TST_INFO* tst = TS_TST_INFO_new();
    TS_TST_INFO_set_version(tst, 1);
    ASN1_OBJECT* policy = OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1);
    TS_TST_INFO_set_policy_id(tst, policy);
    TS_TST_INFO_set_msg_imprint(tst, TS_REQ_get_msg_imprint(req));
    ASN1_INTEGER* serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, 7);
    TS_TST_INFO_set_serial(tst, serial);
    ASN1_GENERALIZEDTIME* now = ASN1_GENERALIZEDTIME_set(nullptr, time(nullptr));
    TS_TST_INFO_set_time(tst, now);
    TS_TST_INFO_set_nonce(tst, TS_REQ_get_nonce(req));
    unsigned char* tst_der = nullptr;
    int tst_len = i2d_TS_TST_INFO(tst, &tst_der);

    FILE* f = fopen(pki_file(signer + ".pem").c_str(), "r");
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    fclose(f);
    f = fopen(pki_file(signer + ".key").c_str(), "r");
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    fclose(f);
    CMS_ContentInfo* cms = CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_BINARY);
    CMS_set1_eContentType(cms, OBJ_nid2obj(NID_id_smime_ct_TSTInfo));
    CMS_add1_signer(cms, cert, key, EVP_sha256(), CMS_BINARY | CMS_NOSMIMECAP);
    BIO* in = BIO_new_mem_buf(tst_der, tst_len);
    EXPECT_EQ(CMS_final(cms, in, nullptr, CMS_BINARY), 1);
    unsigned char* cms_der = nullptr;
    int cms_len = i2d_CMS_ContentInfo(cms, &cms_der);
    Bytes token(cms_der, cms_der + cms_len);

    OPENSSL_free(cms_der);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    EVP_PKEY_free(key);
    X509_free(cert);
    OPENSSL_free(tst_der);
    ASN1_GENERALIZEDTIME_free(now);
    ASN1_INTEGER_free(serial);
    ASN1_OBJECT_free(policy);
    TS_TST_INFO_free(tst);
    TS_REQ_free(req);

    Bytes granted = der::integer(0);
    Bytes status = der::sequence({&granted});
    return der::sequence({&status, &token});
}

} // namespace

TEST(TsaClient, GetsAValidTokenFromARealTsaOverHttp) {
    auto tsa = start_tsa();
    Bytes signature_value = to_bytes("pretend this is a SignerInfo signature value");
    auto before = std::chrono::system_clock::now() - std::chrono::seconds(2);
    TimestampToken t =
        request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, signature_value);
    auto after = std::chrono::system_clock::now() + std::chrono::seconds(2);
    EXPECT_GE(t.gen_time, before);
    EXPECT_LE(t.gen_time, after);
    EXPECT_EQ(t.tsa_name, "CN=neac Test TSA,O=neac test,C=VN");
    EXPECT_EQ(t.policy_oid, "1.3.6.1.4.1.55555.1.1");
    EXPECT_FALSE(t.serial_hex.empty());
    ASSERT_EQ(t.certificates.size(), 3u); // TSA + chain, signer first
    EXPECT_EQ(t.certificates[0].common_name(), "neac Test TSA");
    EXPECT_EQ(token_imprint(t.der), digest(DigestAlgorithm::Sha256, signature_value));

    // Independent check: openssl ts -verify over the same data, chained to the test root.
    TempDir dir;
    write_file(dir / "token.der", to_string(t.der));
    write_file(dir / "data.bin", to_string(signature_value));
    CommandResult r = run_command(
        "openssl ts -verify -token_in -in " + shell_quote(dir / "token.der") + " -data " +
        shell_quote(dir / "data.bin") + " -CAfile " + shell_quote(pki_file("chain.pem")));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
    write_file(dir / "other.bin", "other data");
    CommandResult bad = run_command(
        "openssl ts -verify -token_in -in " + shell_quote(dir / "token.der") + " -data " +
        shell_quote(dir / "other.bin") + " -CAfile " + shell_quote(pki_file("chain.pem")));
    EXPECT_NE(bad.status, 0);
}

TEST(TsaClient, Sha384AndSha512Imprints) {
    auto tsa = start_tsa();
    for (auto alg : {DigestAlgorithm::Sha384, DigestAlgorithm::Sha512}) {
        Bytes data = to_bytes(std::string("data for ") + digest_name(alg));
        TimestampToken t = request_timestamp(options_for(*tsa), alg, data);
        EXPECT_EQ(token_imprint(t.der), digest(alg, data));
    }
}

TEST(TsaClient, TokenGoesIntoTheCmsAsSignatureTimeStamp) {
    auto tsa = start_tsa();
    Pkcs12Bundle b = load_pkcs12(pki_file("signer-rsa.p12"), kPkiPassword);
    SignatureAlgorithm alg{SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Sha256};
    Bytes content = to_bytes("nội dung tài liệu");
    Bytes attrs = build_signed_attributes(digest(alg.digest, content), alg.digest, b.certificate);
    Bytes sig = b.key.sign_digest(alg, digest(alg.digest, attrs));
    TimestampToken t = request_timestamp(options_for(*tsa), alg.digest, sig);
    std::vector<Certificate> chain{b.certificate};
    chain.insert(chain.end(), b.extra_certs.begin(), b.extra_certs.end());
    Bytes cms = build_signed_data(attrs, alg, sig, chain, t.der);

    TempDir dir;
    write_file(dir / "sig.der", to_string(cms));
    write_file(dir / "data.bin", to_string(content));
    CommandResult v =
        run_command("openssl cms -verify -binary -inform DER -in " + shell_quote(dir / "sig.der") +
                    " -content " + shell_quote(dir / "data.bin") + " -CAfile " +
                    shell_quote(pki_file("chain.pem")) + " -purpose any -out /dev/null");
    EXPECT_NE(v.output.find("Verification successful"), std::string::npos) << v.output;
    CommandResult print =
        run_command("openssl cms -cmsout -print -inform DER -in " + shell_quote(dir / "sig.der"));
    EXPECT_NE(print.output.find("id-smime-aa-timeStampToken"), std::string::npos) << print.output;
    // The token's imprint is the hash of the SignerInfo signature value (PAdES B-T).
    EXPECT_EQ(token_imprint(t.der), digest(alg.digest, sig));
}

TEST(TsaClient, WrongImprintOrNonceIsRejected) {
    {
        auto tsa = start_tsa({"--bad-imprint"});
        Error e = expect_error(
            [&] { request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, to_bytes("x")); });
        EXPECT_EQ(e.kind(), ErrorKind::Remote);
        EXPECT_NE(std::string(e.what()).find("imprint"), std::string::npos) << e.what();
    }
    {
        auto tsa = start_tsa({"--bad-nonce"});
        Error e = expect_error(
            [&] { request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, to_bytes("x")); });
        EXPECT_EQ(e.kind(), ErrorKind::Remote);
        EXPECT_NE(std::string(e.what()).find("nonce"), std::string::npos) << e.what();
    }
}

TEST(TsaClient, TamperedSignatureIsRejected) {
    auto tsa = start_tsa({"--tamper"});
    Error e = expect_error(
        [&] { request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, to_bytes("x")); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_NE(std::string(e.what()).find("signature"), std::string::npos) << e.what();
}

TEST(TsaClient, RefusalsAndHttpErrorsAreRemoteErrors) {
    {
        auto tsa = start_tsa({"--reject"});
        Error e = expect_error(
            [&] { request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, to_bytes("x")); });
        EXPECT_EQ(e.kind(), ErrorKind::Remote);
        EXPECT_NE(std::string(e.what()).find("rejection"), std::string::npos) << e.what();
    }
    {
        auto tsa = start_tsa({"--fail", "500"});
        Error e = expect_error(
            [&] { request_timestamp(options_for(*tsa), DigestAlgorithm::Sha256, to_bytes("x")); });
        EXPECT_EQ(e.kind(), ErrorKind::Remote);
        EXPECT_NE(std::string(e.what()).find("HTTP 500"), std::string::npos) << e.what();
    }
    {
        auto tsa = start_tsa({"--delay", "3000"});
        TimestampOptions o = options_for(*tsa);
        o.timeout = std::chrono::milliseconds(300);
        auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(expect_error([&] {
                      request_timestamp(o, DigestAlgorithm::Sha256, to_bytes("x"));
                  }).kind(),
                  ErrorKind::Remote);
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    }
    {
        TimestampOptions o;
        o.url = "http://127.0.0.1:1/tsa"; // nothing listens on port 1
        EXPECT_EQ(expect_error([&] {
                      request_timestamp(o, DigestAlgorithm::Sha256, to_bytes("x"));
                  }).kind(),
                  ErrorKind::Remote);
    }
}

TEST(TsaClient, TokenFromACertificateWithoutTimeStampingUsageIsRejected) {
    Bytes imprint = digest(DigestAlgorithm::Sha256, to_bytes("x"));
    Bytes request = make_timestamp_request(DigestAlgorithm::Sha256, imprint, {0x12, 0x34, 0x56});
    Error e = expect_error(
        [&] { check_timestamp_response(forged_response(request, "signer-rsa"), request); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_NE(std::string(e.what()).find("extended key usage"), std::string::npos) << e.what();
    // Signed by the real TSA key but without the ESS signing-certificate attribute.
    Error ess =
        expect_error([&] { check_timestamp_response(forged_response(request, "tsa"), request); });
    EXPECT_NE(std::string(ess.what()).find("signing-certificate"), std::string::npos) << ess.what();
}

TEST(TsaClient, GarbageAndDamagedResponsesNeverCrash) {
    // Without --chain the token carries only the TSA certificate, whose every byte is bound by
    // the ESS certHash: then every flipped byte matters.
    auto tsa = std::make_unique<BackgroundProcess>(
        build_tests_dir() / "tsa_sim",
        std::vector<std::string>{"--port", "0", "--cert", pki_file("tsa.pem").string(), "--key",
                                 pki_file("tsa.key").string()});
    Bytes imprint = digest(DigestAlgorithm::Sha256, to_bytes("fuzz"));
    Bytes request = make_timestamp_request(DigestAlgorithm::Sha256, imprint, {0x01, 0x02, 0x03});
    // Get one real response over HTTP with exactly this request.
    CommandResult r = run_command("printf '%s' " + shell_quote(hex_encode(request)) +
                                  " | xxd -r -p | curl -s -H 'Content-Type: "
                                  "application/timestamp-query' --data-binary @- " +
                                  shell_quote(tsa->url("/")) + " | xxd -p | tr -d '\\n'");
    ASSERT_EQ(r.status, 0) << r.output;
    Bytes response = hex_decode(r.output);
    TimestampToken ok = check_timestamp_response(response, request);
    EXPECT_EQ(token_imprint(ok.der), imprint);

    auto must_fail_cleanly = [&](const Bytes& b) {
        try {
            check_timestamp_response(b, request);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Remote) << e.what();
        }
    };
    EXPECT_EQ(expect_error([&] { check_timestamp_response({}, request); }).kind(),
              ErrorKind::Remote);
    EXPECT_EQ(expect_error([&] { check_timestamp_response(to_bytes("<html>"), request); }).kind(),
              ErrorKind::Remote);
    for (std::size_t cut = 1; cut < response.size(); cut += 13)
        must_fail_cleanly(Bytes(response.begin(), response.end() - static_cast<long>(cut)));
    std::mt19937 rng(7);
    int accepted = 0;
    for (std::size_t i = 0; i < response.size(); i += 3) {
        Bytes b = response;
        b[i] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        try {
            check_timestamp_response(b, request);
            ++accepted;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Remote) << e.what();
        }
    }
    // Only two values are outside every signature and hash: PKIStatus (granted may read
    // grantedWithMods) and the SignerInfo version number. Everything else must be caught.
    EXPECT_LE(accepted, 2);
}
