// The signing pipeline as a library: the prepared state survives a JSON round trip and can be
// finished by another "process" (a fresh provider object); an undersized placeholder is a clear
// error; failures never touch the input or leave temporary files.
#include "neac/crypto/keys.hpp"
#include "neac/sign/pipeline.hpp"
#include "support/pki.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

using namespace neac;
using neac::testing::TempDir;

namespace {

providers::ProviderConfig pkcs12_config(const std::filesystem::path& home) {
    ::setenv("NEAC_TEST_P12_PASSWORD", neac::testing::kPkiPassword, 1);
    providers::ProviderConfig config;
    config.provider = "pkcs12";
    config.account = "001099012345";
    config.display_name = "NGUYỄN VĂN A";
    config.settings = {{"pkcs12", neac::testing::pki_file("signer-rsa.p12").string()},
                       {"password-env", "NEAC_TEST_P12_PASSWORD"}};
    config.home = home;
    return config;
}

std::filesystem::path make_pdf(const TempDir& dir, const std::string& name) {
    std::filesystem::path out = dir / name;
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + neac::testing::shell_quote(out.string()) + " --pages 2");
    EXPECT_EQ(r.status, 0) << r.output;
    return out;
}

std::size_t temp_files(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().find(".pdf.") != std::string::npos)
            ++n;
    return n;
}

} // namespace

TEST(SignPipeline, PreparedStateSurvivesJsonAndFinishesInAnotherSession) {
    TempDir dir;
    std::filesystem::path input = make_pdf(dir, "in.pdf");
    std::string original = neac::testing::read_file(input);
    sign::SignOptions options;
    options.digest = crypto::DigestAlgorithm::Sha384;
    options.reason = "Nộp hồ sơ";

    nlohmann::json saved;
    {
        auto provider = providers::make_provider(pkcs12_config(dir.path()));
        providers::SigningCertificate cert = provider->signing_certificate();
        sign::PreparedFile prepared = sign::prepare_file({input, dir / "out.pdf"}, options, cert,
                                                         sign::placeholder_size(cert, false));
        EXPECT_EQ(prepared.byte_range[0], 0u);
        EXPECT_EQ(prepared.byte_range[1], prepared.contents_offset);
        EXPECT_EQ(prepared.to_be_signed.size(), 48u); // SHA-384 of the signed attributes
        saved = prepared;                             // what a journal would keep
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf")); // nothing visible before finish

    // A later session: new provider object, state read back from JSON.
    sign::PreparedFile restored = saved.get<sign::PreparedFile>();
    auto provider = providers::make_provider(pkcs12_config(dir.path()));
    providers::SigningCertificate cert = provider->signing_certificate();
    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate), restored.digest};
    providers::SignBatch batch{alg, {{"in.pdf", restored.to_be_signed}}, "test"};
    providers::Transaction txn = provider->submit(batch);
    providers::PollResult poll = provider->poll(txn);
    ASSERT_EQ(poll.state, providers::TransactionState::Approved);
    sign::SignedFile done = sign::finish_file(restored, alg, poll.signatures.at(0), cert, options);
    EXPECT_GT(done.signature_size, 1000u);

    auto check = neac::testing::run_command("pdfsig " +
                                            neac::testing::shell_quote((dir / "out.pdf").string()));
    EXPECT_NE(check.output.find("Signature is Valid."), std::string::npos) << check.output;
    EXPECT_NE(check.output.find("Total document signed"), std::string::npos) << check.output;
    EXPECT_EQ(neac::testing::read_file(input), original);
    EXPECT_EQ(temp_files(dir.path()), 0u);
}

TEST(SignPipeline, SignatureThatDoesNotVerifyIsNeverEmbedded) {
    TempDir dir;
    std::filesystem::path input = make_pdf(dir, "in.pdf");
    auto provider = providers::make_provider(pkcs12_config(dir.path()));
    providers::SigningCertificate cert = provider->signing_certificate();
    sign::SignOptions options;
    sign::PreparedFile prepared = sign::prepare_file({input, dir / "out.pdf"}, options, cert,
                                                     sign::placeholder_size(cert, false));
    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate), options.digest};
    Bytes bogus(256, 0x42);
    Error e = neac::testing::expect_error(
        [&] { sign::finish_file(prepared, alg, bogus, cert, options); });
    EXPECT_EQ(e.kind(), ErrorKind::Remote);
    EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
    sign::abandon(prepared);
    EXPECT_EQ(temp_files(dir.path()), 0u);
}

TEST(SignPipeline, UndersizedPlaceholderIsAClearError) {
    TempDir dir;
    std::filesystem::path input = make_pdf(dir, "in.pdf");
    auto provider = providers::make_provider(pkcs12_config(dir.path()));
    providers::SigningCertificate cert = provider->signing_certificate();
    sign::SignOptions options;
    sign::PreparedFile prepared = sign::prepare_file({input, dir / "out.pdf"}, options, cert, 64);
    crypto::SignatureAlgorithm alg{crypto::default_scheme_for(cert.certificate), options.digest};
    providers::Transaction txn = provider->submit({alg, {{"in.pdf", prepared.to_be_signed}}, ""});
    providers::PollResult poll = provider->poll(txn);
    Error e = neac::testing::expect_error(
        [&] { sign::finish_file(prepared, alg, poll.signatures.at(0), cert, options); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
    sign::abandon(prepared);
}

TEST(SignPipeline, PdfDateCarriesTheLocalOffset) {
    std::string d = sign::pdf_date(std::chrono::system_clock::from_time_t(0));
    ASSERT_EQ(d.size(), 23u) << d; // D:YYYYMMDDHHmmSS+HH'mm'
    EXPECT_EQ(d.substr(0, 2), "D:");
    EXPECT_TRUE(d[16] == '+' || d[16] == '-');
}
