// The change rules of `neac verify`, one test per rule: each test appends to a small hand-made
// PDF exactly the revision the rule is about and checks that the revision diff names that rule
// (and only allowed rules where the change is an ordinary one). The last tests check the table
// itself: every rule has a test here and a line in man neac-verify.
#include "neac/pdf/revisions.hpp"
#include "support/pdf_builder.hpp"
#include "support/pki.hpp"
#include "verify/change_rules.hpp"
#include "verify/diff.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace neac;
using namespace neac::verify;
using namespace neac::verify::detail;
using neac::testing::PdfBuilder;
using neac::testing::TempDir;

namespace {

// A tagged one-page document with an empty signature field (Sig1, merged widget), a text field
// (Name) with an appearance, a text annotation, a form XObject the page draws, and a structure
// tree. Page /Annots is an indirect array, as many producers write it.
PdfBuilder::Objects base_objects() {
    return {
        {1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
            "/MarkInfo << /Marked true >> >>"},
        {2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"},
        {3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> /XObject << /X1 11 0 R >> >> /Annots 10 0 R "
            "/StructParents 0 >>"},
        {4, PdfBuilder::stream("", "BT /F1 12 Tf 72 720 Td (Hello) Tj ET /X1 Do")},
        {5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"},
        {6, "<< /Fields [7 0 R 8 0 R] >>"},
        {7, "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R "
            "/F 132 >>"},
        {8, "<< /FT /Tx /T (Name) /V (An) /Type /Annot /Subtype /Widget /Rect [100 100 200 120] "
            "/P 3 0 R /AP << /N 9 0 R >> >>"},
        {9, PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 100 20]",
                               "BT /F1 10 Tf 2 5 Td (An) Tj ET")},
        {10, "[7 0 R 8 0 R 12 0 R]"},
        {11,
         PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 50 50]", "0 0 50 50 re S")},
        {12, "<< /Type /Annot /Subtype /Text /Rect [300 300 320 320] /Contents (note) >>"},
        {20, "<< /Type /StructTreeRoot /K 21 0 R /ParentTree 22 0 R /ParentTreeNextKey 1 >>"},
        {21, "<< /Type /StructElem /S /Document /P 20 0 R /K [23 0 R] >>"},
        {22, "<< /Nums [0 [23 0 R]] >>"},
        {23, "<< /Type /StructElem /S /P /P 21 0 R /Pg 3 0 R /K 0 >>"},
    };
}

const std::string kSigDict = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter "
                             "/ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <0102> >>";

// Rev 2 signs Sig1 (value 30, appearance 31): the signed revision for the tests that change a
// signed field afterwards.
void sign_sig1(PdfBuilder& b) {
    b.update({{7, "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [400 50 550 100] "
                  "/P 3 0 R /F 132 /V 30 0 R /AP << /N 31 0 R >> >>"},
              {30, kSigDict},
              {31, PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 150 50]",
                                      "0 0 150 50 re S")}});
}

// A new signature field Sig2 with its widget (object 40) on page 1, as a second signer adds it.
PdfBuilder::Objects add_sig2(const std::string& value = "",
                             const std::string& appearance = "41 0 R") {
    PdfBuilder::Objects o = {
        {6, "<< /Fields [7 0 R 8 0 R 40 0 R] >>"},
        {10, "[7 0 R 8 0 R 12 0 R 40 0 R]"},
        {40, "<< /FT /Sig /T (Sig2) /Type /Annot /Subtype /Widget /Rect [400 120 550 170] "
             "/P 3 0 R /F 132 /AP << /N " +
                 appearance + " >>" + value + " >>"},
    };
    if (appearance == "41 0 R")
        o[41] = PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 150 50]", "q Q");
    return o;
}

class RulesTest : public ::testing::Test {
protected:
    // The changes between revision `older` and `newer` (1-based) of `b`.
    std::vector<FoundChange> diff(const PdfBuilder& b, int older = 1, int newer = 2) {
        auto path = dir_ / ("t" + std::to_string(++files_) + ".pdf");
        b.write(path);
        auto file = std::make_shared<pdf::FileHandle>(path);
        auto open = [&](int n) {
            pdf::RevisionView v;
            v.info.number = n;
            v.info.end = b.ends().at(static_cast<std::size_t>(n - 1));
            v.qpdf = pdf::open_revision(file, v.info.end);
            v.xref = v.qpdf->getXRefTable();
            return v;
        };
        pdf::RevisionView a = open(older);
        pdf::RevisionView z = open(newer);
        RoleMap ra = build_roles(*a.qpdf);
        RoleMap rz = build_roles(*z.qpdf);
        return diff_revisions(a, ra, z, rz);
    }

    static std::set<std::string> rules(const std::vector<FoundChange>& changes) {
        std::set<std::string> out;
        for (const FoundChange& c : changes)
            out.insert(c.change.rule);
        return out;
    }

    static std::string dump(const std::vector<FoundChange>& changes) {
        std::string s;
        for (const FoundChange& c : changes)
            s += c.change.rule + " " + c.change.object + " (" + c.change.what +
                 "): " + c.change.description + "\n";
        return s;
    }

    // Fails unless the diff names `rule`; with `only`, every change must be `rule` or one of
    // `also`.
    void expect_rule(const std::vector<FoundChange>& changes, const std::string& rule,
                     std::set<std::string> also = {}) {
        EXPECT_TRUE(rules(changes).count(rule)) << "expected " << rule << " in\n" << dump(changes);
        if (!also.empty()) {
            also.insert(rule);
            for (const FoundChange& c : changes)
                EXPECT_TRUE(also.count(c.change.rule)) << "unexpected " << dump({c});
        }
    }

    TempDir dir_{"neac-rules"};
    int files_ = 0;
};

const std::set<std::string> kSecondSigner = {"signature-field-added", "signature-widget-added",
                                             "acroform-updated", "struct-tree-updated"};

} // namespace

TEST_F(RulesTest, NoChangeNoRule) {
    PdfBuilder b(base_objects(), 1);
    b.update({{5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}});
    EXPECT_TRUE(diff(b).empty()) << dump(diff(b));
}

TEST_F(RulesTest, SignatureFieldAddedWithIndirectAnnots) {
    PdfBuilder b(base_objects(), 1);
    b.update(add_sig2());
    auto c = diff(b);
    expect_rule(c, "signature-field-added", kSecondSigner);
    expect_rule(c, "signature-widget-added", kSecondSigner);
}

TEST_F(RulesTest, SignatureWidgetAddedToDirectAnnots) {
    auto o = base_objects();
    o[3] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           "/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 8 0 R] >>";
    PdfBuilder b(o, 1);
    auto u = add_sig2();
    u.erase(10);
    u[3] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           "/Resources << /Font << /F1 5 0 R >> >> /Annots [7 0 R 8 0 R 40 0 R] >>";
    b.update(u);
    expect_rule(diff(b), "signature-widget-added", kSecondSigner);
}

TEST_F(RulesTest, SignatureFieldSigned) {
    PdfBuilder b(base_objects(), 1);
    sign_sig1(b);
    expect_rule(diff(b), "signature-field-signed", {"acroform-updated"});
}

TEST_F(RulesTest, AcroFormUpdated) {
    PdfBuilder b(base_objects(), 1);
    auto u = add_sig2();
    u[6] = "<< /Fields [7 0 R 8 0 R 40 0 R] /SigFlags 3 /DA (/Helv 0 Tf 0 g) "
           "/DR << /Font << /Helv 5 0 R >> >> >>";
    b.update(u);
    expect_rule(diff(b), "acroform-updated", kSecondSigner);
}

TEST_F(RulesTest, StructTreeUpdated) {
    PdfBuilder b(base_objects(), 1);
    auto u = add_sig2(" /StructParent 1");
    u[20] = "<< /Type /StructTreeRoot /K 21 0 R /ParentTree 22 0 R /ParentTreeNextKey 2 >>";
    u[21] = "<< /Type /StructElem /S /Document /P 20 0 R /K [23 0 R 42 0 R] >>";
    u[22] = "<< /Nums [0 [23 0 R] 1 42 0 R] >>";
    u[42] = "<< /Type /StructElem /S /Form /P 21 0 R /Pg 3 0 R "
            "/K << /Type /OBJR /Obj 40 0 R >> >>";
    b.update(u);
    expect_rule(diff(b), "struct-tree-updated", kSecondSigner);
}

TEST_F(RulesTest, StructTreeTextAlternativeIsNotBookkeeping) {
    PdfBuilder b(base_objects(), 1);
    b.update({{23, "<< /Type /StructElem /S /P /P 21 0 R /Pg 3 0 R /K 0 "
                   "/ActualText (Something else) >>"}});
    expect_rule(diff(b), "catalog-changed", {});
}

TEST_F(RulesTest, DssUpdated) {
    auto o = base_objects();
    PdfBuilder b(o, 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked true >> /DSS 50 0 R >>"},
              {50, "<< /Certs [51 0 R] /VRI << /ABCD << /Cert [51 0 R] >> >> >>"},
              {51, PdfBuilder::stream("", "certificate")}});
    expect_rule(diff(b), "dss-updated", {});
}

TEST_F(RulesTest, DocumentTimestampAdded) {
    PdfBuilder b(base_objects(), 1);
    auto u = add_sig2(" /V 43 0 R");
    u[43] =
        "<< /Type /DocTimeStamp /SubFilter /ETSI.RFC3161 /ByteRange [0 1 2 3] /Contents <01> >>";
    b.update(u);
    expect_rule(diff(b), "document-timestamp-added",
                {"signature-widget-added", "acroform-updated"});
}

TEST_F(RulesTest, MetadataUpdated) {
    PdfBuilder b(base_objects(), 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked true >> /Metadata 52 0 R /Version /1.7 >>"},
              {52, PdfBuilder::stream("/Type /Metadata /Subtype /XML", "<x:xmpmeta/>")}});
    expect_rule(diff(b), "metadata-updated", {});
}

TEST_F(RulesTest, ProducerPrivateKeyOnThePageTree) {
    PdfBuilder b(base_objects(), 1);
    b.update({{2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /ITXT (7.1.2) >>"}});
    expect_rule(diff(b), "metadata-updated", {});
}

TEST_F(RulesTest, InfoUpdated) {
    PdfBuilder b(base_objects(), 1);
    b.update({{53, "<< /Producer (another) >>"}}, {}, "/Info 53 0 R");
    expect_rule(diff(b), "info-updated", {});
}

TEST_F(RulesTest, FormFilled) {
    PdfBuilder b(base_objects(), 1);
    b.update({{8, "<< /FT /Tx /T (Name) /V (Binh) /Type /Annot /Subtype /Widget "
                  "/Rect [100 100 200 120] /P 3 0 R /AP << /N 9 0 R >> >>"},
              {9, PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 100 20]",
                                     "BT /F1 10 Tf 2 5 Td (Binh) Tj ET")}});
    expect_rule(diff(b), "form-filled", {});
}

TEST_F(RulesTest, AnnotationChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{12, "<< /Type /Annot /Subtype /Text /Rect [300 300 320 320] /Contents (edited) >>"},
              {10, "[7 0 R 8 0 R 12 0 R 54 0 R]"},
              {54, "<< /Type /Annot /Subtype /Square /Rect [10 10 20 20] >>"}});
    expect_rule(diff(b), "annotation-changed", {});
}

TEST_F(RulesTest, PageContentChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{4, PdfBuilder::stream("", "BT /F1 12 Tf 72 720 Td (Goodbye) Tj ET")}});
    expect_rule(diff(b), "page-content-changed", {});
}

TEST_F(RulesTest, PageResourcesChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{5, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}});
    expect_rule(diff(b), "page-resources-changed", {});
}

TEST_F(RulesTest, PageTreeChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{2, "<< /Type /Pages /Kids [3 0 R 55 0 R] /Count 2 >>"},
              {55, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"}});
    expect_rule(diff(b), "page-tree-changed");
}

TEST_F(RulesTest, PageChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R "
                  "/Resources << /Font << /F1 5 0 R >> /XObject << /X1 11 0 R >> >> "
                  "/Annots 10 0 R /StructParents 0 >>"}});
    expect_rule(diff(b), "page-changed", {});
}

TEST_F(RulesTest, SignedFieldChanged) {
    PdfBuilder b(base_objects(), 1);
    sign_sig1(b);
    b.update({{31, PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 150 50]",
                                      "0 0 150 50 re f")}});
    expect_rule(diff(b, 2, 3), "signed-field-changed", {});
}

TEST_F(RulesTest, SignatureDictionaryChanged) {
    PdfBuilder b(base_objects(), 1);
    sign_sig1(b);
    b.update({{30, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
                   "/ByteRange [0 10 20 30] /Contents <0102> /Reason (changed) >>"}});
    expect_rule(diff(b, 2, 3), "signature-dictionary-changed", {});
}

TEST_F(RulesTest, ObjectReusedWhenASharedAppearanceIsRedefined) {
    // The text field's appearance stream 9 is also the empty signature field's appearance;
    // signing Sig1 redefines 9, which changes what the text field shows too.
    auto o = base_objects();
    o[7] = "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R "
           "/F 132 /AP << /N 9 0 R >> >>";
    PdfBuilder b(o, 1);
    b.update({{7, "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [400 50 550 100] "
                  "/P 3 0 R /F 132 /V 30 0 R /AP << /N 9 0 R >> >>"},
              {30, kSigDict},
              {9, PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 100 20]",
                                     "BT /F1 10 Tf 2 5 Td (Forged) Tj ET")}});
    expect_rule(diff(b), "object-reused");
}

TEST_F(RulesTest, ObjectReusedWhenAnOldObjectJoinsTheAnnots) {
    PdfBuilder b(base_objects(), 1);
    b.update({{10, "[7 0 R 8 0 R 12 0 R 11 0 R]"}});
    expect_rule(diff(b), "object-reused");
}

TEST_F(RulesTest, ObjectReusedWhenANewWidgetTakesThePagesXObject) {
    PdfBuilder b(base_objects(), 1);
    auto u = add_sig2("", "11 0 R");
    u[11] = PdfBuilder::stream("/Type /XObject /Subtype /Form /BBox [0 0 50 50]", "");
    b.update(u);
    auto c = diff(b);
    expect_rule(c, "page-resources-changed");
}

TEST_F(RulesTest, OptionalContentChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked true >> /OCProperties << /OCGs [] /D << /ON [] >> >> >>"}});
    expect_rule(diff(b), "optional-content-changed", {});
}

TEST_F(RulesTest, CatalogActionChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked true >> /OpenAction << /S /JavaScript /JS (app.alert(1)) "
                  ">> >>"}});
    expect_rule(diff(b), "catalog-action-changed", {});
}

TEST_F(RulesTest, CatalogChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked false >> >>"}});
    expect_rule(diff(b), "catalog-changed", {});
}

TEST_F(RulesTest, PermissionsChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /StructTreeRoot 20 0 R "
                  "/MarkInfo << /Marked true >> /Perms << /DocMDP 30 0 R >> >>"},
              {30, kSigDict}});
    expect_rule(diff(b), "permissions-changed");
}

TEST_F(RulesTest, AcroFormChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{6, "<< /Fields [7 0 R 8 0 R] /XFA 56 0 R >>"},
              {56, PdfBuilder::stream("", "<xdp:xdp/>")}});
    expect_rule(diff(b), "acroform-changed", {});
}

TEST_F(RulesTest, FormFieldAdded) {
    PdfBuilder b(base_objects(), 1);
    b.update({{6, "<< /Fields [7 0 R 8 0 R 57 0 R] >>"},
              {10, "[7 0 R 8 0 R 12 0 R 57 0 R]"},
              {57, "<< /FT /Tx /T (Extra) /Type /Annot /Subtype /Widget /Rect [10 10 50 30] "
                   "/P 3 0 R >>"}});
    expect_rule(diff(b), "form-field-added", {});
}

TEST_F(RulesTest, FormFieldChanged) {
    // Made read-only (/Ff 1) and moved: more than filling it in.
    PdfBuilder b(base_objects(), 1);
    b.update({{8, "<< /FT /Tx /T (Name) /V (An) /Ff 1 /Type /Annot /Subtype /Widget "
                  "/Rect [300 500 400 520] /P 3 0 R /AP << /N 9 0 R >> >>"}});
    expect_rule(diff(b), "form-field-changed", {});
}

TEST_F(RulesTest, FieldRemoved) {
    PdfBuilder b(base_objects(), 1);
    b.update({{6, "<< /Fields [7 0 R] >>"}, {10, "[7 0 R 12 0 R]"}});
    expect_rule(diff(b), "field-removed", {});
}

TEST_F(RulesTest, ObjectDeleted) {
    PdfBuilder b(base_objects(), 1);
    b.update({}, {5});
    expect_rule(diff(b), "object-deleted");
}

TEST_F(RulesTest, TrailerChanged) {
    PdfBuilder b(base_objects(), 1);
    b.update({{60, "<< /Type /Catalog /Pages 2 0 R >>"}}, {}, "/Root 60 0 R");
    expect_rule(diff(b), "trailer-changed");
}

std::string source_file(const std::string& relative) {
    std::ifstream in(std::string(NEAC_SOURCE_DIR) + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The table itself: in enum order, unique ids, each documented in man neac-verify and asserted
// by an expect_rule() in this file (the tests run in separate processes, so this reads the
// source rather than counting at run time).
TEST(ChangeRuleTable, EveryRuleOrderedDocumentedAndTested) {
    std::string page =
        std::regex_replace(source_file("man/neac-verify.1"), std::regex(R"(\\-)"), "-");
    std::string tests = source_file("tests/unit/verify_rules_test.cpp");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < all_rules().size(); ++i) {
        const RuleInfo& r = all_rules()[i];
        EXPECT_EQ(static_cast<std::size_t>(r.rule), i) << r.id;
        EXPECT_TRUE(ids.insert(std::string(r.id)).second) << "duplicate " << r.id;
        EXPECT_NE(page.find(std::string(r.id)), std::string::npos)
            << r.id << " is not in man/neac-verify.1";
        EXPECT_TRUE(std::regex_search(
            tests, std::regex("expect_rule\\([^;]*\"" + std::string(r.id) + "\"")))
            << r.id << " has no test";
    }
}
