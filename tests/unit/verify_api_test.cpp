// The verify library as `submit` and `history` will use it: verify_file() with a Policy, the
// per-revision information, exit codes, rendering; and the decoding guard that bounds hostile
// streams.
#include "neac/pdf/decode_guard.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/verify/render.hpp"
#include "neac/verify/verify.hpp"
#include "support/pki.hpp"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>

#include <gtest/gtest.h>

#include <zlib.h>

using namespace neac;
using namespace neac::verify;
using namespace neac::testing;

namespace {

std::filesystem::path corpus(const std::string& name) {
    return std::filesystem::path(NEAC_CORPUS_DIR) / "pyhanko" / name;
}

bool have_corpus() {
    return std::filesystem::is_directory(corpus("pdf"));
}

std::chrono::system_clock::time_point utc(int y, int m, int d) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

} // namespace

TEST(VerifyApi, LtaFileWithDocumentTimestampPasses) {
    if (!have_corpus())
        GTEST_SKIP() << "no corpus";
    Policy p;
    p.trust.push_back(corpus("testing-ca/root/root.cert.pem"));
    VerifyReport r = verify_file(corpus("pdf/pades-lta-dss-indirect-arrs-test-2.pdf"), p);
    ASSERT_EQ(r.status, FileStatus::Checked) << r.error;
    EXPECT_EQ(r.indication, Indication::Passed) << r.summary;
    ASSERT_EQ(r.signatures.size(), 3u);
    EXPECT_EQ(r.signatures[1].kind, "document_timestamp");
    EXPECT_EQ(r.signatures[0].revocation, "good");
    EXPECT_FALSE(r.signatures[0].timestamp_time.empty());
    // Every revision is listed, and the signatures say which revision they signed.
    EXPECT_GE(r.revisions.size(), 4u);
    EXPECT_EQ(r.revisions[static_cast<std::size_t>(r.signatures[0].revision - 1)].signatures,
              std::vector<std::string>{"Sig1"});
    EXPECT_EQ(exit_code_for({r}), 0);
}

TEST(VerifyApi, ExpectedSignerAndMinimumSignatures) {
    if (!have_corpus())
        GTEST_SKIP() << "no corpus";
    Policy p;
    p.trust.push_back(corpus("testing-ca/root/root.cert.pem"));
    p.at = utc(2021, 8, 19);
    auto file = corpus("pdf/pades-with-old-style-signing-cert-attr.pdf");
    EXPECT_EQ(verify_file(file, p).indication, Indication::Passed);
    p.expect_signer = "^CN=Bob";
    VerifyReport bob = verify_file(file, p);
    EXPECT_EQ(bob.indication, Indication::Failed);
    ASSERT_EQ(bob.problems.size(), 1u);
    EXPECT_NE(bob.problems[0].find("expected signer"), std::string::npos);
    p.expect_signer = "Alice";
    EXPECT_EQ(verify_file(file, p).indication, Indication::Passed);
    p.min_signatures = 2;
    EXPECT_EQ(verify_file(file, p).indication, Indication::Failed);
    // Validated when the certificate had expired, the same signature is indeterminate.
    p.min_signatures = 1;
    p.at = utc(2026, 1, 1);
    VerifyReport late = verify_file(file, p);
    EXPECT_EQ(late.indication, Indication::Indeterminate);
    EXPECT_EQ(late.signatures[0].sub_indication, SubIndication::OutOfBoundsNoPoe);
    EXPECT_EQ(exit_code_for({late}), 3);
}

TEST(VerifyApi, UnreadableAndMissingFilesAreBadInputNotExceptions) {
    TempDir dir;
    write_file(dir / "x.pdf", "%PDF-1.7\nnothing here\n");
    VerifyReport r = verify_file(dir / "x.pdf", Policy{});
    EXPECT_EQ(r.status, FileStatus::BadInput);
    EXPECT_FALSE(r.error.empty());
    VerifyReport missing = verify_file(dir / "missing.pdf", Policy{});
    EXPECT_EQ(missing.status, FileStatus::BadInput);
    EXPECT_EQ(exit_code_for({r, missing}), 4);
    Policy bad;
    bad.expect_signer = "([";
    EXPECT_THROW(verify_file(dir / "x.pdf", bad), Error);
}

TEST(VerifyApi, FoldersExpandInNameOrderAndResultsKeepInputOrder) {
    TempDir dir;
    std::filesystem::create_directories(dir / "d" / "sub");
    write_file(dir / "d" / "b.pdf", "x");
    write_file(dir / "d" / "a.PDF", "x");
    write_file(dir / "d" / "sub" / "c.pdf", "x");
    write_file(dir / "d" / "notes.txt", "x");
    auto files = expand_inputs({dir / "z.pdf", dir / "d"});
    ASSERT_EQ(files.size(), 4u);
    EXPECT_EQ(files[0].filename(), "z.pdf");
    EXPECT_EQ(files[1].filename(), "a.PDF");
    EXPECT_EQ(files[2].filename(), "b.pdf");
    EXPECT_EQ(files[3].filename(), "c.pdf");
    auto reports = verify_files({dir / "z.pdf", dir / "d"}, Policy{}, 2);
    ASSERT_EQ(reports.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(reports[i].file, files[i]);
}

TEST(VerifyRender, JunitEscapesAndCountsAndJsonHasVersion) {
    VerifyReport bad;
    bad.file = "a<b>&\"c\".pdf";
    bad.status = FileStatus::BadInput;
    bad.error = "damaged <xref>";
    VerifyReport failed;
    failed.file = "f.pdf";
    failed.indication = Indication::Failed;
    SignatureReport s;
    s.field = "Sig1";
    s.indication = Indication::Failed;
    s.sub_indication = SubIndication::HashFailure;
    s.reason_text = "altered";
    failed.signatures.push_back(s);
    std::string xml = render_junit({bad, failed});
    EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&quot;.pdf"), std::string::npos);
    EXPECT_NE(xml.find("failures=\"1\" errors=\"1\""), std::string::npos);
    EXPECT_NE(xml.find("FAILED/HASH_FAILURE"), std::string::npos);
    EXPECT_EQ(xml.find("<xref>"), std::string::npos);
    nlohmann::json j = to_json(std::vector<VerifyReport>{bad, failed}, 1);
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["files"][1]["signatures"][0]["sub_indication"], "HASH_FAILURE");
    EXPECT_EQ(exit_code_for({bad, failed}), 1);
}

TEST(VerifyStreamGuard, FlateWithPngPredictorDecodesAndBombsTrip) {
    pdf::install_stream_filters();
    // qpdf writes xref streams with the PNG Up predictor: a file rewritten with object streams
    // must read back identically through our /FlateDecode.
    TempDir dir;
    CommandResult mk = run_command(
        "python3 " + shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + shell_quote((dir / "in.pdf").string()) + " --pages 3");
    ASSERT_EQ(mk.status, 0) << mk.output;
    CommandResult q =
        run_command("qpdf --object-streams=generate " + shell_quote((dir / "in.pdf").string()) +
                    " " + shell_quote((dir / "os.pdf").string()));
    ASSERT_EQ(q.status, 0) << q.output;
    ASSERT_NE(read_file(dir / "os.pdf").find("/Predictor"), std::string::npos);
    {
        QPDF pdf;
        pdf.setSuppressWarnings(true);
        pdf.processFile((dir / "os.pdf").c_str());
        EXPECT_EQ(pdf.getRoot().getKey("/Pages").getKey("/Count").getIntValue(), 3);
        EXPECT_FALSE(pdf.anyWarnings());
    }

    // 64 MiB of zeros in a small Flate stream, decoded under a 1 MiB guard.
    std::string zeros(64u << 20, '\0');
    uLongf len = compressBound(static_cast<uLong>(zeros.size()));
    std::string packed(len, '\0');
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(packed.data()), &len,
                        reinterpret_cast<const Bytef*>(zeros.data()),
                        static_cast<uLong>(zeros.size()), 9),
              Z_OK);
    packed.resize(len);
    QPDF pdf;
    pdf.emptyPDF();
    pdf.setSuppressWarnings(true);
    QPDFObjectHandle s = QPDFObjectHandle::newStream(&pdf, packed);
    s.getDict().replaceKey("/Filter", QPDFObjectHandle::newName("/FlateDecode"));
    auto decodes = [&] {
        try {
            s.getStreamData(qpdf_dl_generalized);
            return true;
        } catch (const std::exception&) {
            return false;
        }
    };
    pdf::DecodeGuard guard(1u << 20, 8u << 20);
    {
        // An inner guard replaces the outer one while it lives (locate inside sign)...
        pdf::DecodeGuard roomy(128u << 20, 256u << 20);
        EXPECT_TRUE(decodes());
        EXPECT_FALSE(roomy.tripped());
    }
    // ...and the outer one holds again once it ends.
    EXPECT_FALSE(decodes());
    EXPECT_TRUE(guard.tripped());
    EXPECT_NE(guard.reason().find("decompression bomb"), std::string::npos);
}

TEST(VerifyFieldMdp, LockedFieldsMatchWholeNamesNotPrefixes) {
    std::vector<std::string> all{"Signature1", "Signature10", "a", "a.b", "ab"};
    auto lock = [](const std::string& text) { return QPDFObjectHandle::parse(text); };
    using pdf::locked_fields;
    EXPECT_EQ(locked_fields(lock("<< /Action /All >>"), all), all);
    EXPECT_EQ(locked_fields(lock("<< /Action /Include /Fields [(Signature1) (a)] >>"), all),
              (std::vector<std::string>{"Signature1", "a", "a.b"}));
    EXPECT_EQ(locked_fields(lock("<< /Action /Exclude /Fields [(Signature1) (a)] >>"), all),
              (std::vector<std::string>{"Signature10", "ab"}));
    EXPECT_TRUE(locked_fields(lock("<< /Action /Bogus >>"), all).empty());
    EXPECT_TRUE(locked_fields(QPDFObjectHandle::newNull(), all).empty());
}
