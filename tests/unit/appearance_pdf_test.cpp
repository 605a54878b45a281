// The appearance writer on real revisions: the embedded font (Type0 / CIDFontType2, Identity-H,
// subset, /W, ToUnicode) gives back the exact Vietnamese text through poppler, the image keeps
// its alpha in an /SMask, the box and rotation are right, and the whole appearance is small.
#include "neac/pdf/appearance.hpp"
#include "neac/pdf/document.hpp"
#include "neac/pdf/png_image.hpp"
#include "neac/place/page_source.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"
#include "support/pki.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>

using namespace neac;
using neac::testing::TempDir;

namespace {

std::filesystem::path make_pdf(const TempDir& dir, const std::string& name,
                               const std::string& args = "") {
    std::filesystem::path out = dir / name;
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
        " " + neac::testing::shell_quote(out.string()) + " " + args);
    if (r.status != 0)
        throw std::runtime_error("make_pdf.py failed: " + r.output);
    return out;
}

std::filesystem::path make_png(const TempDir& dir, int w, int h) {
    std::filesystem::path out = dir / "sig.png";
    auto r = neac::testing::run_command(
        "python3 " +
        neac::testing::shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_png.py") +
        " " + neac::testing::shell_quote(out.string()) + " " + std::to_string(w) + " " +
        std::to_string(h));
    if (r.status != 0)
        throw std::runtime_error("make_png.py failed: " + r.output);
    return out;
}

struct Signed {
    std::filesystem::path file;
    pdf::PreparedRevision rev;
    std::size_t added = 0; // bytes of the appearance objects
};

// Appends a signature revision drawn by `writer` to `input`, into `out`.
Signed sign_with(const std::filesystem::path& input, const std::filesystem::path& out,
                 const pdf::Rect& rect, const pdf::AppearanceWriter& writer) {
    auto doc = pdf::Document::open(input);
    pdf::Placement placement;
    placement.rect = rect;
    pdf::SignatureDictionary sig;
    sig.contents_capacity = 64;
    sig.claimed_time = "D:20261126180509+07'00'";
    std::size_t before = 0;
    pdf::AppearanceWriter measured = [&](pdf::IncrementalUpdate& u, double w, double h, int r) {
        int n = writer(u, w, h, r);
        before = 1;
        return n;
    };
    Signed s;
    s.rev = pdf::prepare_signature_revision(*doc, placement, sig, measured);
    EXPECT_EQ(before, 1u);
    EXPECT_EQ(s.rev.revision.base, doc->file_size());
    neac::testing::write_file(out, neac::testing::read_file(input) + s.rev.revision.bytes);
    s.file = out;
    return s;
}

// The words poppler reads inside `box` (displayed coordinates), one string per text line.
std::vector<std::string> lines_in(const std::filesystem::path& file, int page, const pdf::Rect& box,
                                  int* rotation = nullptr) {
    place::PageSource src(file);
    place::PageText text = src.text(page);
    std::vector<std::string> lines;
    double last_key = 1e9;
    for (const place::Word& w : text.words) {
        double cx = w.box.x + w.box.w / 2, cy = w.box.y + w.box.h / 2;
        if (cx < box.x || cx > box.x + box.w || cy < box.y || cy > box.y + box.h)
            continue;
        if (rotation)
            *rotation = w.rotation;
        double key = w.rotation % 2 ? w.box.x : w.box.y; // the line's position across the text
        if (lines.empty() || std::fabs(key - last_key) > 2)
            lines.emplace_back();
        else
            lines.back() += " ";
        lines.back() += utf8_encode(w.text);
        last_key = key;
    }
    return lines;
}

QPDFObjectHandle appearance_stream(const std::filesystem::path& file) {
    static std::vector<std::unique_ptr<QPDF>> open; // kept alive for the handles
    open.push_back(std::make_unique<QPDF>());
    QPDF& q = *open.back();
    q.processFile(file.string().c_str());
    QPDFObjectHandle fields = q.getRoot().getKey("/AcroForm").getKey("/Fields");
    QPDFObjectHandle widget = fields.getArrayItem(fields.getArrayNItems() - 1);
    return widget.getKey("/AP").getKey("/N");
}

const std::vector<std::string> kLines{"Ký bởi: NGUYỄN VĂN ẶNG", "Tổ chức: Công ty Cổ phần Ữ Ở",
                                      "Ngày ký: 26/11/2026 18:05:09"};

} // namespace

TEST(AppearancePdf, TextComesBackExactlyThroughToUnicode) {
    TempDir dir("neac-appearance");
    std::filesystem::path in = make_pdf(dir, "in.pdf");
    pdf::Rect box{300, 80, 220, 70};
    Signed s = sign_with(in, dir / "out.pdf", box,
                         pdf::signature_appearance(pdf::AppearanceStyle{}, kLines, {}));
    EXPECT_EQ(lines_in(s.file, 1, box), kLines);

    QPDFObjectHandle ap = appearance_stream(s.file);
    QPDFObjectHandle dict = ap.getDict();
    EXPECT_EQ(dict.getKey("/Subtype").getName(), "/Form");
    auto bbox = dict.getKey("/BBox").getArrayAsRectangle();
    EXPECT_DOUBLE_EQ(bbox.urx, 220);
    EXPECT_DOUBLE_EQ(bbox.ury, 70);
    EXPECT_FALSE(dict.hasKey("/Matrix"));
    QPDFObjectHandle font = dict.getKey("/Resources").getKey("/Font").getKey("/F1");
    EXPECT_EQ(font.getKey("/Subtype").getName(), "/Type0");
    EXPECT_EQ(font.getKey("/Encoding").getName(), "/Identity-H");
    ASSERT_TRUE(font.getKey("/ToUnicode").isStream());
    QPDFObjectHandle cid = font.getKey("/DescendantFonts").getArrayItem(0);
    EXPECT_EQ(cid.getKey("/Subtype").getName(), "/CIDFontType2");
    EXPECT_EQ(cid.getKey("/CIDToGIDMap").getName(), "/Identity");
    EXPECT_TRUE(cid.getKey("/W").isArray());
    std::string base = cid.getKey("/BaseFont").getName();
    EXPECT_EQ(base.size(), 1 + 7 + std::string("DejaVuSans").size()) << base; // /ABCDEF+Name
    EXPECT_EQ(base[7], '+');
    QPDFObjectHandle file2 = cid.getKey("/FontDescriptor").getKey("/FontFile2");
    ASSERT_TRUE(file2.isStream());
    auto data = file2.getStreamData(qpdf_dl_all);
    EXPECT_EQ(static_cast<long long>(data->getSize()),
              file2.getDict().getKey("/Length1").getIntValue());
    EXPECT_LT(data->getSize(), 30000u); // a subset: DejaVuSans.ttf itself is 740 KB
    EXPECT_LT(s.rev.revision.bytes.size(), 60000u);
}

TEST(AppearancePdf, ImageWithAlphaAndLayouts) {
    TempDir dir("neac-appearance");
    std::filesystem::path in = make_pdf(dir, "in.pdf");
    std::filesystem::path png = make_png(dir, 240, 100);
    pdf::Rect box{300, 80, 240, 80};
    for (pdf::AppearanceLayout layout :
         {pdf::AppearanceLayout::ImageLeft, pdf::AppearanceLayout::ImageAbove,
          pdf::AppearanceLayout::ImageOnly}) {
        SCOPED_TRACE(pdf::layout_name(layout));
        pdf::AppearanceStyle style;
        style.layout = layout;
        std::filesystem::path out = dir / (std::string(pdf::layout_name(layout)) + ".pdf");
        Signed s = sign_with(in, out, box, pdf::signature_appearance(style, kLines, png));
        QPDFObjectHandle res = appearance_stream(s.file).getDict().getKey("/Resources");
        QPDFObjectHandle img = res.getKey("/XObject").getKey("/Im1");
        ASSERT_TRUE(img.isStream());
        EXPECT_EQ(img.getDict().getKey("/ColorSpace").getName(), "/DeviceRGB");
        QPDFObjectHandle mask = img.getDict().getKey("/SMask");
        ASSERT_TRUE(mask.isStream()); // make_png.py draws on a transparent background
        EXPECT_EQ(mask.getDict().getKey("/ColorSpace").getName(), "/DeviceGray");
        EXPECT_EQ(img.getDict().getKey("/Width").getIntValue(), 240);
        if (layout == pdf::AppearanceLayout::ImageOnly)
            EXPECT_FALSE(res.hasKey("/Font"));
        else
            EXPECT_EQ(lines_in(s.file, 1, box), kLines);
    }
}

TEST(AppearancePdf, LargeImagesAreReducedTo300Dpi) {
    TempDir dir("neac-appearance");
    std::filesystem::path in = make_pdf(dir, "in.pdf");
    std::filesystem::path png = make_png(dir, 1600, 667);
    pdf::AppearanceStyle style;
    style.layout = pdf::AppearanceLayout::ImageOnly;
    Signed s = sign_with(in, dir / "out.pdf", pdf::Rect{300, 80, 144, 60},
                         pdf::signature_appearance(style, {}, png));
    QPDFObjectHandle img =
        appearance_stream(s.file).getDict().getKey("/Resources").getKey("/XObject").getKey("/Im1");
    long long w = img.getDict().getKey("/Width").getIntValue();
    EXPECT_LE(w, 2 * 300 + 1); // drawn about 2 inches wide: at most 300 dpi
    EXPECT_GE(w, 500);
}

TEST(AppearancePdf, RotatedPagesReadUprightOrAlongTheText) {
    TempDir dir("neac-appearance");
    std::filesystem::path in = make_pdf(dir, "in.pdf", "--rotate 90");
    pdf::Rect box{300, 80, 220, 70}; // displayed coordinates
    int rotation = -1;
    Signed upright = sign_with(in, dir / "upright.pdf", box,
                               pdf::signature_appearance(pdf::AppearanceStyle{}, kLines, {}));
    EXPECT_EQ(lines_in(upright.file, 1, box, &rotation), kLines);
    EXPECT_EQ(rotation, 0); // reads normally on the displayed page
    auto m = appearance_stream(upright.file).getDict().getKey("/Matrix");
    ASSERT_TRUE(m.isArray());
    EXPECT_EQ(m.getArrayItem(1).getNumericValue(), 1);

    Signed along = sign_with(in, dir / "along.pdf", box,
                             pdf::signature_appearance(pdf::AppearanceStyle{}, kLines, {}, 1));
    EXPECT_EQ(lines_in(along.file, 1, box, &rotation), kLines);
    EXPECT_EQ(rotation, 1); // runs down the displayed page like the page's own text
    QPDFObjectHandle dict = appearance_stream(along.file).getDict();
    EXPECT_DOUBLE_EQ(dict.getKey("/BBox").getArrayAsRectangle().urx, 70); // laid out 70 wide
    EXPECT_FALSE(dict.hasKey("/Matrix")); // upright in user space, like the content
}

TEST(AppearancePdf, FontProblemsAreBadInput) {
    TempDir dir("neac-appearance");
    std::filesystem::path in = make_pdf(dir, "in.pdf");
    auto doc = pdf::Document::open(in);
    pdf::Placement placement;
    placement.rect = pdf::Rect{300, 80, 200, 60};
    pdf::SignatureDictionary sig;
    sig.contents_capacity = 64;
    auto attempt = [&](pdf::AppearanceStyle style, std::vector<std::string> lines) {
        return neac::testing::expect_error([&] {
            pdf::prepare_signature_revision(*doc, placement, sig,
                                            pdf::signature_appearance(style, lines, {}));
        });
    };
    Error cjk = attempt(pdf::AppearanceStyle{}, {"Ký bởi: 中文"});
    EXPECT_EQ(cjk.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(cjk.what()).find("every character"), std::string::npos) << cjk.what();
    pdf::AppearanceStyle missing;
    missing.font = dir / "nope.ttf";
    EXPECT_EQ(attempt(missing, {"a"}).kind(), ErrorKind::BadInput);
    neac::testing::write_file(dir / "bad.ttf", "not a font");
    pdf::AppearanceStyle bad;
    bad.font = dir / "bad.ttf";
    EXPECT_EQ(attempt(bad, {"a"}).kind(), ErrorKind::BadInput);
    neac::testing::write_file(dir / "bad.png", "\x89PNG\r\n\x1a\nbroken");
    EXPECT_EQ(neac::testing::expect_error([&] {
                  pdf::prepare_signature_revision(
                      *doc, placement, sig,
                      pdf::signature_appearance(pdf::AppearanceStyle{}, {"a"}, dir / "bad.png"));
              }).kind(),
              ErrorKind::BadInput);
}

TEST(AppearancePdf, PngDecoding) {
    TempDir dir("neac-appearance");
    pdf::RgbaImage img = pdf::read_png_file(make_png(dir, 30, 20));
    EXPECT_EQ(img.width, 30);
    EXPECT_EQ(img.height, 20);
    EXPECT_FALSE(img.opaque());
    std::string encoded = pdf::encode_png(img);
    pdf::RgbaImage back = pdf::decode_png(encoded, "memory");
    EXPECT_EQ(back.rgba, img.rgba);
    EXPECT_THROW(pdf::decode_png("GIF89a", "x.gif"), Error);
    EXPECT_THROW(pdf::decode_png(encoded.substr(0, 40), "cut.png"), Error);
}
