// locate() on real documents: every keyword occurrence of the Vietnamese corpus against its
// ground truth (LibreOffice, Chromium and Ghostscript PDFs, NFD text, a /Rotate 90 page), the
// occurrence rules and early stop on long documents, no-match errors, previews, and placement
// for signing.
#include "neac/pdf/document.hpp"
#include "neac/pdf/png_image.hpp"
#include "neac/place/locate.hpp"
#include "neac/place/preview.hpp"
#include "neac/util/error.hpp"
#include "support/pki.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace neac;
using namespace neac::place;
using neac::testing::TempDir;

namespace {

const std::filesystem::path kCorpus = std::filesystem::path(NEAC_CORPUS_DIR) / "vi";

std::filesystem::path make_pdf(const TempDir& dir, const std::string& name,
                               const std::string& args) {
    std::filesystem::path out = dir / name;
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + neac::testing::shell_quote(out.string()) + " " + args);
    if (r.status != 0)
        throw std::runtime_error("make_pdf.py failed: " + r.output);
    return out;
}

LocatorSpec spec_for(const std::string& keyword, const std::string& occurrence = "last") {
    LocatorSpec s;
    s.keywords = {keyword};
    s.occurrence = Occurrence::parse(occurrence);
    return s;
}

} // namespace

TEST(PlaceLocateCorpus, EveryKeywordMatchesTheGroundTruth) {
    if (!std::filesystem::is_directory(kCorpus))
        GTEST_SKIP() << "no corpus at " << kCorpus;
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
        if (entry.path().extension() != ".json")
            continue;
        nlohmann::json truth = nlohmann::json::parse(std::ifstream(entry.path()));
        std::filesystem::path pdf = kCorpus / truth.at("file").get<std::string>();
        PageSource source(pdf);
        ASSERT_EQ(source.page_count(), truth.at("page_count").get<int>()) << pdf;
        for (const auto& kw : truth.at("keywords")) {
            std::string keyword = kw.at("keyword");
            SCOPED_TRACE(pdf.filename().string() + ": " + keyword);
            LocateResult all = locate(source, spec_for(keyword, "all"));
            const auto& occ = kw.at("occurrences");
            ASSERT_EQ(all.matches.size(), occ.size());
            ASSERT_TRUE(all.total.has_value());
            EXPECT_EQ(*all.total, kw.at("count_any_case").get<int>());
            for (std::size_t i = 0; i < occ.size(); ++i) {
                const LocatedMatch& m = all.matches[i];
                EXPECT_EQ(m.index, static_cast<int>(i) + 1);
                EXPECT_EQ(m.page.number, occ[i].at("page").get<int>());
                // Ground truth: user space [x1 y1 x2 y2]; display_bbox: rotated view, y down.
                Rect u = m.page.to_user(m.match.box);
                auto b = occ[i].at("bbox");
                EXPECT_NEAR(u.x, b[0].get<double>(), 2);
                EXPECT_NEAR(u.y, b[1].get<double>(), 2);
                EXPECT_NEAR(u.x + u.w, b[2].get<double>(), 2);
                EXPECT_NEAR(u.y + u.h, b[3].get<double>(), 2);
                auto d = occ[i].at("display_bbox");
                const Rect& v = m.match.box;
                EXPECT_NEAR(v.x, d[0].get<double>(), 2);
                EXPECT_NEAR(m.page.height - v.y - v.h, d[1].get<double>(), 2);
                EXPECT_NEAR(v.x + v.w, d[2].get<double>(), 2);
                EXPECT_NEAR(m.page.height - v.y, d[3].get<double>(), 2);
                ++checked;
            }
            // The default (last) picks the signature line wherever it is the last match.
            if (!occ.empty() && kw.at("signature_occurrence").is_number() &&
                kw.at("signature_occurrence").get<std::size_t>() == occ.size() - 1) {
                LocateResult last = locate(source, spec_for(keyword));
                ASSERT_EQ(last.matches.size(), 1u);
                EXPECT_EQ(last.matches[0].index, static_cast<int>(occ.size()));
            }
            if (occ.empty()) {
                Error e = no_match_error(all, spec_for(keyword));
                EXPECT_EQ(e.kind(), ErrorKind::BadInput);
                EXPECT_NE(std::string(e.what()).find("was not found"), std::string::npos);
            }
        }
    }
    EXPECT_GE(checked, 30);
}

TEST(PlaceLocateCorpus, RotatedPageProposalFollowsTheText) {
    std::filesystem::path pdf = kCorpus / "doi-giay-phep-lai-xe-xoay90.pdf";
    if (!std::filesystem::exists(pdf))
        GTEST_SKIP() << "no corpus";
    LocateResult r = locate(pdf, spec_for("Người đề nghị"));
    ASSERT_EQ(r.matches.size(), 1u);
    const LocatedMatch& m = r.matches[0];
    EXPECT_EQ(m.page.rotate, 90);
    EXPECT_EQ(m.match.rotation, 1); // the text runs down the displayed page
    // In user space (where the text is upright) the box is under the keyword, 180 wide.
    Rect k = m.page.to_user(m.match.box), s = m.page.to_user(m.proposal.box);
    EXPECT_LT(s.y + s.h, k.y);
    EXPECT_NEAR(s.w / s.h, 3, 1e-6);
    EXPECT_NEAR(s.x + s.w / 2, k.x + k.w / 2, 1);
}

TEST(PlaceLocate, OccurrencesAndEarlyStopOnLongDocuments) {
    TempDir dir("neac-locate");
    // make_pdf.py writes "Nguoi lam don" on every page.
    std::filesystem::path small = make_pdf(dir, "small.pdf", "--pages 5");
    LocateResult last = locate(small, spec_for("nguoi LAM don"));
    ASSERT_EQ(last.matches.size(), 1u);
    EXPECT_EQ(last.matches[0].page.number, 5);
    EXPECT_EQ(last.matches[0].index, 5);
    EXPECT_EQ(last.total, 5);
    EXPECT_EQ(last.others.size(), 4u);
    LocateResult second = locate(small, spec_for("Nguoi lam don", "2"));
    ASSERT_EQ(second.matches.size(), 1u);
    EXPECT_EQ(second.matches[0].page.number, 2);
    LocatorSpec on_page = spec_for("Nguoi lam don", "first");
    on_page.page = 3;
    LocateResult third = locate(small, on_page);
    ASSERT_EQ(third.matches.size(), 1u);
    EXPECT_EQ(third.matches[0].page.number, 3);
    EXPECT_EQ(third.pages_scanned, 1);

    LocateResult beyond = locate(small, spec_for("Nguoi lam don", "9"));
    EXPECT_TRUE(beyond.matches.empty());
    Error e = no_match_error(beyond, spec_for("Nguoi lam don", "9"));
    EXPECT_NE(std::string(e.what()).find("occurs 5 times"), std::string::npos) << e.what();

    std::filesystem::path big = make_pdf(dir, "big.pdf", "--pages 300");
    LocateResult fast = locate(big, spec_for("Nguoi lam don"));
    ASSERT_EQ(fast.matches.size(), 1u);
    EXPECT_EQ(fast.matches[0].page.number, 300);
    EXPECT_EQ(fast.pages_scanned, 1);     // read backwards, stopped at once
    EXPECT_FALSE(fast.total.has_value()); // so the total is unknown
    EXPECT_EQ(fast.matches[0].index, 0);
    LocateResult first = locate(big, spec_for("Nguoi lam don", "first"));
    EXPECT_EQ(first.pages_scanned, 1);
    EXPECT_EQ(first.matches[0].index, 1);
    LocateResult every = locate(big, spec_for("Nguoi lam don", "all"));
    EXPECT_EQ(every.pages_scanned, 300);
    EXPECT_EQ(every.total, 300);
}

TEST(PlaceLocate, BoxesKeepClearOfExistingWidgets) {
    TempDir dir("neac-locate");
    // An empty signature field's widget at [350 60 550 120] on the last page, where a wide box
    // under "Nguoi lam don" (at 72,160) would land.
    std::filesystem::path pdf = make_pdf(dir, "field.pdf", "--sig-field Sig1");
    LocatorSpec spec = spec_for("Nguoi lam don");
    spec.policy.width = 500;
    spec.policy.height = 60;
    LocateResult r = locate(pdf, spec);
    ASSERT_EQ(r.matches.size(), 1u);
    const Proposal& p = r.matches[0].proposal;
    EXPECT_FALSE(p.overlaps_text);
    EXPECT_FALSE(p.overlaps_annotation);
    EXPECT_TRUE(p.moved > 0 || p.aside != 0 || p.scale < 1); // it had to move
    EXPECT_DOUBLE_EQ(overlap_area(p.box, Rect{350, 60, 200, 60}), 0);
}

TEST(PlaceLocate, NoMatchListsTheClosestText) {
    TempDir dir("neac-locate");
    std::filesystem::path pdf = make_pdf(dir, "doc.pdf", "--pages 2");
    LocatorSpec spec = spec_for("Người làm đơn");
    LocateResult r = locate(pdf, spec);
    ASSERT_TRUE(r.matches.empty());
    ASSERT_FALSE(r.candidates.empty());
    EXPECT_TRUE(r.candidates[0].same_without_diacritics);
    Error e = no_match_error(r, spec);
    std::string text = e.describe();
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(text.find(pdf.string()), std::string::npos);
    EXPECT_NE(text.find("\"Nguoi lam don\""), std::string::npos) << text;
    EXPECT_NE(text.find("--ignore-diacritics"), std::string::npos) << text;
    spec.ignore_diacritics = true;
    EXPECT_EQ(locate(pdf, spec).matches.size(), 1u);
}

TEST(PlaceLocate, UnreadableFilesAreBadInput) {
    TempDir dir("neac-locate");
    neac::testing::write_file(dir / "not.pdf", "this is not a PDF\n");
    EXPECT_EQ(neac::testing::expect_error([&] { PageSource s(dir / "not.pdf"); }).kind(),
              ErrorKind::BadInput);
    EXPECT_EQ(neac::testing::expect_error([&] { PageSource s(dir / "missing.pdf"); }).kind(),
              ErrorKind::BadInput);
    std::filesystem::path pdf = make_pdf(dir, "doc.pdf", "");
    std::string bytes = neac::testing::read_file(pdf);
    neac::testing::write_file(dir / "cut.pdf", bytes.substr(0, bytes.size() / 3));
    // poppler may recover a truncated file or refuse it; either way no crash and no match.
    try {
        LocateResult r = locate(dir / "cut.pdf", spec_for("Nguoi lam don"));
        SUCCEED();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    }
}

TEST(PlaceLocate, PreviewDrawsTheKeywordAndTheBox) {
    TempDir dir("neac-locate");
    std::filesystem::path pdf = make_pdf(dir, "doc.pdf", "--pages 2");
    PageSource source(pdf);
    LocateResult r = locate(source, spec_for("Nguoi lam don", "all"));
    ASSERT_EQ(r.matches.size(), 2u);
    auto files = write_previews(source, r, dir / "p.png", 72);
    ASSERT_EQ(files.size(), 2u); // one per page, named -p1, -p2
    EXPECT_EQ(files[0].filename(), "p-p1.png");
    pdf::RgbaImage img = pdf::read_png_file(files[1]);
    EXPECT_EQ(img.width, 595);
    EXPECT_EQ(img.height, 842);
    auto pixel = [&](double x, double y) { // displayed points -> pixel
        int px = static_cast<int>(x), py = static_cast<int>(842 - y);
        return &img.rgba[(static_cast<std::size_t>(py) * img.width + px) * 4];
    };
    const LocatedMatch& m = r.matches[1];
    // A highlighted spot of the keyword box: yellow (red and green high, blue low).
    const std::uint8_t* k = pixel(m.match.box.x + 1.5, m.match.box.y + 1.5);
    EXPECT_GT(k[0], 200);
    EXPECT_GT(k[1], 150);
    EXPECT_LT(k[2], 150);
    // Inside the proposed box: light blue fill.
    const Rect& b = m.proposal.box;
    const std::uint8_t* in = pixel(b.x + b.w / 2, b.y + b.h / 2);
    EXPECT_GT(in[2], in[0]);
    // Far from both: white paper.
    const std::uint8_t* paper = pixel(500, 820);
    EXPECT_EQ(paper[0], 255);
    EXPECT_EQ(paper[2], 255);
}

TEST(PlaceLocate, SignaturePositionUsesTheSignersCoordinates) {
    TempDir dir("neac-locate");
    std::filesystem::path pdf = make_pdf(dir, "doc.pdf", "--pages 3 --rotate 90");
    auto doc = pdf::Document::open(pdf);
    LocatorSpec spec = spec_for("Nguoi lam don");
    SignaturePosition pos = resolve_signature_position(*doc, spec);
    EXPECT_EQ(pos.page, 3);
    EXPECT_FALSE(pos.fallback);
    ASSERT_TRUE(pos.match.has_value());
    EXPECT_EQ(pos.text_rotation, 1);
    // The rect is in displayed coordinates: it round-trips to the proposal's user-space box.
    Rect user = pos.match->page.to_user(pos.match->proposal.box);
    Rect again = pos.match->page.to_user(pos.rect);
    EXPECT_NEAR(user.x, again.x, 1e-6);
    EXPECT_NEAR(user.y, again.y, 1e-6);

    LocatorSpec absent = spec_for("Chữ ký của chủ hộ");
    EXPECT_EQ(neac::testing::expect_error([&] { resolve_signature_position(*doc, absent); }).kind(),
              ErrorKind::BadInput);
    absent.fallback = Rect{10, 10, 100, 40};
    SignaturePosition fb = resolve_signature_position(*doc, absent);
    EXPECT_TRUE(fb.fallback);
    EXPECT_EQ(fb.page, 3);
    EXPECT_DOUBLE_EQ(fb.rect.w, 100);
    EXPECT_EQ(neac::testing::expect_error([&] {
                  resolve_signature_position(*doc, spec_for("Nguoi lam don", "all"));
              }).kind(),
              ErrorKind::Usage);
}
