// The incremental writer: the original bytes stay a prefix, new objects start at /Size, the
// trailer links back with /Prev and keeps /ID[0], and the xref section matches the file's kind.
#include "neac/pdf/incremental.hpp"
#include "support/pki.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <qpdf/QPDF.hh>

using namespace neac;
using neac::testing::TempDir;

namespace {

std::filesystem::path make_pdf(const TempDir& dir, const std::string& name,
                               const std::string& qpdf_args = "") {
    std::filesystem::path plain = dir / ("plain-" + name);
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + neac::testing::shell_quote(plain.string()));
    EXPECT_EQ(r.status, 0) << r.output;
    if (qpdf_args.empty())
        return plain;
    std::filesystem::path out = dir / name;
    r = neac::testing::run_command("qpdf " + qpdf_args + " " +
                                   neac::testing::shell_quote(plain.string()) + " " +
                                   neac::testing::shell_quote(out.string()));
    EXPECT_EQ(r.status, 0) << r.output;
    return out;
}

// Appends one revision that adds an object and rewrites the catalog, then re-reads the result.
void append_and_check(const std::filesystem::path& input, pdf::XrefKind expected_kind) {
    auto doc = pdf::Document::open(input);
    EXPECT_EQ(doc->xref_kind(), expected_kind);
    std::string original = neac::testing::read_file(input);
    std::string first_id = doc->qpdf().getTrailer().getKey("/ID").getArrayItem(0).getStringValue();
    int size = doc->next_object_number();

    pdf::IncrementalUpdate update(*doc);
    int added = update.reserve();
    EXPECT_EQ(added, size);
    update.put(added, "<< /Marker (neac) >>");
    QPDFObjectHandle root = doc->qpdf().getRoot();
    update.put(root.getObjectID(), root.getGeneration(),
               pdf::dict_with(root, {{"/NeacTest", pdf::ref(added)}}));
    auto rev = update.build();

    std::filesystem::path out = input.string() + ".out.pdf";
    {
        std::ofstream f(out, std::ios::binary);
        f << original << rev.bytes;
    }
    std::string written = neac::testing::read_file(out);
    ASSERT_EQ(written.compare(0, original.size(), original), 0) << "original bytes not kept";

    QPDF q;
    q.setAttemptRecovery(false);
    q.processFile(out.c_str());
    EXPECT_FALSE(q.anyWarnings());
    QPDFObjectHandle marker = q.getRoot().getKey("/NeacTest");
    ASSERT_TRUE(marker.isDictionary());
    EXPECT_EQ(marker.getKey("/Marker").getStringValue(), "neac");
    QPDFObjectHandle trailer = q.getTrailer();
    EXPECT_EQ(trailer.getKey("/ID").getArrayItem(0).getStringValue(), first_id);
    EXPECT_NE(trailer.getKey("/ID").getArrayItem(1).getStringValue(), first_id);
    EXPECT_EQ(trailer.getKey("/Prev").getIntValue(), static_cast<long long>(doc->startxref()));
    bool stream_xref = rev.bytes.find("/Type /XRef") != std::string::npos;
    EXPECT_EQ(stream_xref, expected_kind == pdf::XrefKind::Stream);
    auto check =
        neac::testing::run_command("qpdf --check " + neac::testing::shell_quote(out.string()));
    EXPECT_EQ(check.status, 0) << check.output;
}

} // namespace

TEST(PdfIncremental, TableFileGetsATableSection) {
    TempDir dir;
    append_and_check(make_pdf(dir, "t.pdf"), pdf::XrefKind::Table);
}

TEST(PdfIncremental, XrefStreamFileGetsAnXrefStream) {
    TempDir dir;
    append_and_check(make_pdf(dir, "s.pdf", "--object-streams=generate"), pdf::XrefKind::Stream);
}

TEST(PdfIncremental, HybridFileGetsATableSection) {
    std::filesystem::path hybrid =
        std::filesystem::path(NEAC_CORPUS_DIR) / "pyhanko/pdf/minimal-hybrid-xref.pdf";
    if (!std::filesystem::exists(hybrid))
        GTEST_SKIP() << "corpus not available";
    TempDir dir;
    std::filesystem::copy_file(hybrid, dir / "h.pdf");
    append_and_check(dir / "h.pdf", pdf::XrefKind::Hybrid);
}

TEST(PdfIncremental, StringsAndNumbersAreSerialisedForPdf) {
    EXPECT_EQ(pdf::literal_string("a(b)\\c"), "(a\\(b\\)\\\\c)");
    EXPECT_EQ(pdf::text_string("Ký"), "<feff004b00fd>");
    EXPECT_EQ(pdf::number(12.0), "12");
    EXPECT_EQ(pdf::number(-0.25), "-0.25");
    EXPECT_EQ(pdf::number(1.23456), "1.235");
}

TEST(PdfDocument, RefusesWhatItCannotAppendToSafely) {
    TempDir dir;
    neac::testing::write_file(dir / "not.pdf", "hello");
    EXPECT_EQ(neac::testing::expect_error([&] { pdf::Document::open(dir / "not.pdf"); }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(neac::testing::expect_error([&] { pdf::Document::open(dir / "missing.pdf"); }).kind(),
              ErrorKind::BadInput);
    std::filesystem::path aes =
        std::filesystem::path(NEAC_CORPUS_DIR) / "pyhanko/pdf/minimal-aes256.pdf";
    if (std::filesystem::exists(aes)) {
        Error e = neac::testing::expect_error([&] { pdf::Document::open(aes); });
        EXPECT_NE(std::string(e.what()).find("encrypted"), std::string::npos);
    }
}
