// PAdES levels by name, and the DSS writer: a second update keeps what the first stored (no item
// twice, no /VRI key twice), and each update leaves the earlier bytes as they were.
#include "neac/pdf/document.hpp"
#include "neac/pdf/dss.hpp"
#include "neac/sign/ltv.hpp"
#include "neac/util/error.hpp"
#include "support/pki.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <qpdf/QPDF.hh>

using namespace neac;
using neac::testing::TempDir;

namespace {

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Appends the DSS revision for `items` and `vri` to `file`.
pdf::DssRevision add_dss(const std::filesystem::path& file, const pdf::DssItems& items,
                         const std::vector<pdf::VriEntry>& vri) {
    auto doc = pdf::Document::open(file);
    pdf::DssRevision rev = pdf::dss_revision(*doc, items, vri);
    doc.reset();
    std::ofstream(file, std::ios::binary | std::ios::app) << rev.revision.bytes;
    return rev;
}

} // namespace

TEST(SignLevel, NamesAndSpellings) {
    EXPECT_EQ(sign::parse_level("B-LTA"), sign::Level::B_LTA);
    EXPECT_EQ(sign::parse_level("b-lt"), sign::Level::B_LT);
    EXPECT_EQ(sign::parse_level("PAdES-B-T"), sign::Level::B_T);
    EXPECT_EQ(sign::parse_level("LTA"), sign::Level::B_LTA);
    EXPECT_EQ(sign::parse_level("B-B"), sign::Level::B_B);
    EXPECT_STREQ(sign::level_name(sign::Level::B_LT), "B-LT");
    EXPECT_THROW(sign::parse_level("B-LTX"), Error);
    EXPECT_THROW(sign::parse_level("C"), Error);
    EXPECT_LT(sign::Level::B_T, sign::Level::B_LT);
}

TEST(PdfDss, ASecondUpdateKeepsTheFirstAndStoresNothingTwice) {
    TempDir dir;
    std::filesystem::path file = dir / "f.pdf";
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + neac::testing::shell_quote(file.string()));
    ASSERT_EQ(r.status, 0) << r.output;
    std::string original = read(file);

    pdf::DssItems first{{"cert-A", "cert-B"}, {"ocsp-A"}, {}};
    pdf::DssRevision one = add_dss(file, first, {{"AAAA", {{"cert-A"}, {"ocsp-A"}, {}}}});
    EXPECT_EQ(one.added_certificates, 2u);
    EXPECT_EQ(one.added_ocsp_responses, 1u);
    std::string after_one = read(file);
    EXPECT_EQ(after_one.compare(0, original.size(), original), 0) << "the original bytes changed";

    // cert-B again, a new CRL; the same /VRI key twice (one signature shown by two fields).
    pdf::DssItems second{{"cert-B", "cert-C"}, {}, {"crl-C"}};
    pdf::DssRevision two =
        add_dss(file, second,
                {{"BBBB", {{"cert-C"}, {}, {"crl-C"}}}, {"BBBB", {{"cert-C"}, {}, {"crl-C"}}}});
    EXPECT_EQ(two.added_certificates, 1u);
    EXPECT_EQ(two.added_crls, 1u);
    EXPECT_EQ(read(file).compare(0, after_one.size(), after_one), 0);

    auto doc = pdf::Document::open(file);
    pdf::DssItems all = pdf::read_dss(*doc);
    EXPECT_EQ(all.certificates, (std::vector<std::string>{"cert-A", "cert-B", "cert-C"}));
    EXPECT_EQ(all.ocsp_responses, (std::vector<std::string>{"ocsp-A"}));
    EXPECT_EQ(all.crls, (std::vector<std::string>{"crl-C"}));
    QPDFObjectHandle vri = doc->qpdf().getRoot().getKey("/DSS").getKey("/VRI");
    ASSERT_TRUE(vri.isDictionary());
    EXPECT_TRUE(vri.hasKey("/AAAA")) << "the first update's /VRI entry was lost";
    EXPECT_TRUE(vri.hasKey("/BBBB"));
    EXPECT_EQ(vri.getKey("/BBBB").getKey("/CRL").getArrayNItems(), 1);
    auto check =
        neac::testing::run_command("qpdf --check " + neac::testing::shell_quote(file.string()));
    EXPECT_EQ(check.status, 0) << check.output;
    EXPECT_EQ(check.output.find("WARNING"), std::string::npos) << check.output;
}
