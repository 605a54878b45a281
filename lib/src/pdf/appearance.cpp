// The signature appearance writer: layout, text set with an embedded font subset, the image with
// its soft mask, and the Form XObject that draws them.
#include "neac/pdf/appearance.hpp"

#include "neac/pdf/png_image.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"
#include "neac/util/unicode.hpp"
#include "pdf/appearance_font.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <spdlog/spdlog.h>
#include <zlib.h>

namespace neac::pdf {
namespace {

using detail::ShapedGlyph;
using detail::TrueTypeFont;

constexpr double kLineSpacing = 1.2; // baseline to baseline, in font sizes
constexpr double kMinFontSize = 4;   // below this nobody reads it; text is clipped instead
constexpr double kDefaultMaxSize = 11;
constexpr double kImageDpi = 300; // images larger than this at their drawn size are reduced

std::string deflate(const std::string& data) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string out(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                  reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                  Z_BEST_COMPRESSION) != Z_OK)
        throw Error(ErrorKind::Internal, "zlib could not compress a stream");
    out.resize(size);
    return out;
}

std::string hex4(std::uint32_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFF);
    return buf;
}

std::string utf16be_hex(const std::string& utf8) {
    std::string out;
    for (char32_t c : utf8_decode(utf8)) {
        if (c >= 0x10000) {
            c -= 0x10000;
            out += hex4(0xD800 + (c >> 10));
            out += hex4(0xDC00 + (c & 0x3FF));
        } else {
            out += hex4(c);
        }
    }
    return out;
}

struct Color {
    double r = 0, g = 0, b = 0;
};

Color parse_color(const std::string& text) {
    check_color(text);
    auto byte = [&](std::size_t at) { return std::stoi(text.substr(at, 2), nullptr, 16) / 255.0; };
    return Color{byte(1), byte(3), byte(5)};
}

std::string color_ops(const Color& c, const char* op) {
    return number(c.r) + " " + number(c.g) + " " + number(c.b) + " " + op;
}

// A quarter-turn rotation as the 2x2 part of a PDF matrix [a b c d] (row vectors:
// x' = a x + c y, y' = b x + d y).
struct Turn {
    int a, b, c, d;
};

// Turning counter-clockwise by `quarters`: what /Rotate needs (the form is upright on the
// displayed page, which the viewer turns clockwise).
Turn ccw(int quarters) {
    switch (quarters & 3) {
    case 1:
        return Turn{0, 1, -1, 0};
    case 2:
        return Turn{-1, 0, 0, -1};
    case 3:
        return Turn{0, -1, 1, 0};
    default:
        return Turn{1, 0, 0, 1};
    }
}

// The form's /Matrix: first the text's own turn (clockwise on the displayed page), then the
// page's /Rotate, so that the box reads upright on the displayed page.
std::string appearance_matrix(int rotate, int text_rotation) {
    Turn t = ccw(-text_rotation), p = ccw(rotate / 90);
    Turn m{t.a * p.a + t.b * p.c, t.a * p.b + t.b * p.d, t.c * p.a + t.d * p.c,
           t.c * p.b + t.d * p.d};
    if (m.a == 1 && m.b == 0 && m.c == 0 && m.d == 1)
        return "";
    return " /Matrix [" + std::to_string(m.a) + " " + std::to_string(m.b) + " " +
           std::to_string(m.c) + " " + std::to_string(m.d) + " 0 0]";
}

// An image drawn at (x, y) with size w x h, in the form's space.
struct Placed {
    double x = 0, y = 0, w = 0, h = 0;
};

Placed fit(const RgbaImage& img, const Rect& area) {
    if (area.w <= 0 || area.h <= 0)
        return Placed{};
    double s = std::min(area.w / img.width, area.h / img.height);
    double w = img.width * s, h = img.height * s;
    return Placed{area.x + (area.w - w) / 2, area.y + (area.h - h) / 2, w, h};
}

// Area-average reduction to at most `max_w` pixels wide, in premultiplied alpha so that
// transparent pixels do not darken the edges of the strokes.
RgbaImage reduce(const RgbaImage& in, int max_w) {
    if (in.width <= max_w * 3 / 2 || max_w < 1)
        return in;
    int ow = max_w;
    int oh =
        std::max(1, static_cast<int>(std::lround(static_cast<double>(in.height) * ow / in.width)));
    RgbaImage out;
    out.width = ow;
    out.height = oh;
    out.rgba.resize(static_cast<std::size_t>(ow) * oh * 4);
    for (int oy = 0; oy < oh; ++oy) {
        int y0 = static_cast<int>(static_cast<long long>(oy) * in.height / oh);
        int y1 =
            std::max(y0 + 1, static_cast<int>(static_cast<long long>(oy + 1) * in.height / oh));
        for (int ox = 0; ox < ow; ++ox) {
            int x0 = static_cast<int>(static_cast<long long>(ox) * in.width / ow);
            int x1 =
                std::max(x0 + 1, static_cast<int>(static_cast<long long>(ox + 1) * in.width / ow));
            double r = 0, g = 0, b = 0, a = 0;
            int n = 0;
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) {
                    const std::uint8_t* p =
                        &in.rgba[(static_cast<std::size_t>(y) * in.width + x) * 4];
                    double al = p[3] / 255.0;
                    r += p[0] * al;
                    g += p[1] * al;
                    b += p[2] * al;
                    a += al;
                    ++n;
                }
            std::uint8_t* q = &out.rgba[(static_cast<std::size_t>(oy) * ow + ox) * 4];
            q[0] = static_cast<std::uint8_t>(a > 0 ? std::lround(r / a) : 255);
            q[1] = static_cast<std::uint8_t>(a > 0 ? std::lround(g / a) : 255);
            q[2] = static_cast<std::uint8_t>(a > 0 ? std::lround(b / a) : 255);
            q[3] = static_cast<std::uint8_t>(std::lround(a / n * 255));
        }
    }
    return out;
}

// Writes the image (and its soft mask when it has transparency); returns the image's number.
int put_image(IncrementalUpdate& update, const RgbaImage& img) {
    std::string rgb, alpha;
    rgb.reserve(static_cast<std::size_t>(img.width) * img.height * 3);
    alpha.reserve(static_cast<std::size_t>(img.width) * img.height);
    for (std::size_t i = 0; i < img.rgba.size(); i += 4) {
        rgb.append(reinterpret_cast<const char*>(&img.rgba[i]), 3);
        alpha.push_back(static_cast<char>(img.rgba[i + 3]));
    }
    std::string dims = " /Width " + std::to_string(img.width) + " /Height " +
                       std::to_string(img.height) + " /BitsPerComponent 8";
    std::string smask;
    if (!img.opaque()) {
        int mask = update.reserve();
        update.put_stream(mask,
                          " /Type /XObject /Subtype /Image" + dims +
                              " /ColorSpace /DeviceGray /Filter /FlateDecode",
                          deflate(alpha));
        smask = " /SMask " + ref(mask);
    }
    int number_ = update.reserve();
    update.put_stream(number_,
                      " /Type /XObject /Subtype /Image" + dims +
                          " /ColorSpace /DeviceRGB /Filter /FlateDecode" + smask,
                      deflate(rgb));
    return number_;
}

// One line of text as set: its glyphs from HarfBuzz, in font units.
struct SetLine {
    std::string text;
    std::vector<ShapedGlyph> glyphs;
    long width = 0;
    int top = 0, bottom = 0; // ink extent, font units (bottom negative)
};

class TextSetter {
public:
    explicit TextSetter(const TrueTypeFont& font) : font_(font) {}

    SetLine set(const std::string& text) const {
        SetLine l;
        l.text = text;
        l.glyphs = font_.shape(text);
        const detail::FontMetrics& m = font_.metrics();
        l.top = m.ascender;
        l.bottom = m.descender;
        for (const ShapedGlyph& g : l.glyphs) {
            l.width += g.x_advance;
            int top = 0, bottom = 0;
            font_.ink(g.gid, top, bottom);
            l.top = std::max(l.top, top + g.y_offset);
            l.bottom = std::min(l.bottom, bottom + g.y_offset);
        }
        return l;
    }

    // Breaks `text` at spaces into lines no wider than `limit` font units; false when a single
    // word is wider (the lines are all there anyway, the long one sticking out). With
    // keep_numbers, a date and its time ("26/11/2026 19:06:41") stay on one line.
    bool wrap(const std::string& text, double limit, std::vector<SetLine>& out,
              bool keep_numbers = true) const {
        std::vector<std::string> words;
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t sp = text.find(' ', start);
            std::string w =
                text.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
            if (!w.empty())
                words.push_back(w);
            if (sp == std::string::npos)
                break;
            start = sp + 1;
        }
        if (words.empty()) {
            out.push_back(set(text));
            return true;
        }
        auto digit = [](char c) { return c >= '0' && c <= '9'; };
        bool fits = true;
        std::string current = words[0];
        for (std::size_t i = 1; i < words.size(); ++i) {
            std::string longer = current + " " + words[i];
            // A date and a time ("26/11/2026 19:06:41") stay on one line.
            bool numbers = keep_numbers && digit(current.back()) && digit(words[i].front());
            if (numbers || set(longer).width <= limit) {
                current = longer;
                continue;
            }
            SetLine l = set(current);
            fits = fits && l.width <= limit;
            out.push_back(std::move(l));
            current = words[i];
        }
        SetLine l = set(current);
        out.push_back(l);
        return fits && l.width <= limit;
    }

private:
    const TrueTypeFont& font_;
};

struct TextBlock {
    double size = 0;
    std::vector<SetLine> lines;
};

// The block's height at `size` points: baselines kLineSpacing apart, plus the ink above the
// first and below the last.
double block_height(const std::vector<SetLine>& lines, double size, int upem) {
    if (lines.empty())
        return 0;
    return (static_cast<double>(lines.size()) - 1) * kLineSpacing * size +
           (lines.front().top - lines.back().bottom) * size / upem;
}

// The largest size up to `max_size` at which the lines fit `area` (in 1/4 pt steps), unwrapped
// or wrapped at spaces; wrapping is chosen only when it allows a size a quarter larger.
TextBlock fit_text(const TextSetter& setter, const std::vector<std::string>& lines,
                   const Rect& area, double max_size, int upem) {
    std::vector<SetLine> plain;
    long widest = 0;
    for (const std::string& l : lines) {
        plain.push_back(setter.set(l));
        widest = std::max(widest, plain.back().width);
    }
    auto fits_plain = [&](double s) {
        return widest * s / upem <= area.w + 1e-6 && block_height(plain, s, upem) <= area.h + 1e-6;
    };
    auto wrapped_at = [&](double s, std::vector<SetLine>& out, bool keep_numbers = true) {
        out.clear();
        double limit = area.w * upem / s;
        bool fits = true;
        for (const std::string& l : lines)
            fits = setter.wrap(l, limit, out, keep_numbers) && fits;
        return fits && block_height(out, s, upem) <= area.h + 1e-6;
    };
    double plain_size = 0;
    for (double s = max_size; s >= kMinFontSize - 1e-9; s -= 0.25)
        if (fits_plain(s)) {
            plain_size = s;
            break;
        }
    std::vector<SetLine> wrapped;
    for (double s = max_size; s >= kMinFontSize - 1e-9 && s > plain_size * 1.25; s -= 0.25) {
        if (wrapped_at(s, wrapped))
            return TextBlock{s, wrapped};
    }
    if (plain_size > 0)
        return TextBlock{plain_size, plain};
    // A box too small for the text: break anywhere between words, then give up on fitting and
    // let the box edge clip what sticks out (all the text is still there for copy-paste).
    for (double s = max_size; s >= kMinFontSize - 1e-9; s -= 0.25)
        if (wrapped_at(s, wrapped, false))
            return TextBlock{s, wrapped};
    wrapped_at(kMinFontSize, wrapped, false);
    spdlog::warn("the signature box is too small for its text even at {} pt: what does not fit "
                 "is cut off (a larger --box, or fewer appearance lines)",
                 kMinFontSize);
    return TextBlock{kMinFontSize, wrapped};
}

struct FontUse {
    std::set<std::uint32_t> gids;
    std::map<std::uint32_t, std::string> unicode; // old gid -> text it stands for
    std::set<char32_t> chars;
};

// Records which text each glyph stands for, from HarfBuzz's clusters: a cluster of one glyph
// maps to all of its characters; a cluster of as many glyphs as characters maps one to one.
void record(const SetLine& line, FontUse& use) {
    const auto& g = line.glyphs;
    for (char32_t c : utf8_decode(line.text))
        use.chars.insert(c);
    std::size_t i = 0;
    while (i < g.size()) {
        std::size_t j = i;
        while (j < g.size() && g[j].cluster == g[i].cluster)
            ++j;
        std::size_t end = j < g.size() ? g[j].cluster : line.text.size();
        std::size_t begin = std::min<std::size_t>(g[i].cluster, line.text.size());
        std::string text = line.text.substr(begin, std::max(end, begin) - begin);
        std::u32string cps = utf8_decode(text);
        for (std::size_t k = i; k < j; ++k) {
            use.gids.insert(g[k].gid);
            std::string mapped;
            if (j - i == 1)
                mapped = text;
            else if (cps.size() == j - i)
                mapped = utf8_encode(std::u32string(1, cps[k - i]));
            else if (k == i)
                mapped = text;
            if (!mapped.empty())
                use.unicode.emplace(g[k].gid, mapped); // the first use of a glyph wins
        }
        i = j;
    }
}

std::string subset_tag(const std::string& name, const std::set<std::uint32_t>& gids) {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&](std::uint64_t v) {
        h ^= v;
        h *= 1099511628211ULL;
    };
    for (char c : name)
        mix(static_cast<unsigned char>(c));
    for (std::uint32_t g : gids)
        mix(g);
    std::string tag;
    for (int i = 0; i < 6; ++i) {
        tag += static_cast<char>('A' + h % 26);
        h /= 26;
    }
    return tag;
}

std::string to_unicode_cmap(const std::map<std::uint32_t, std::string>& cid_text) {
    std::string s = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    std::vector<std::pair<std::uint32_t, std::string>> items(cid_text.begin(), cid_text.end());
    for (std::size_t i = 0; i < items.size(); i += 100) {
        std::size_t n = std::min<std::size_t>(100, items.size() - i);
        s += std::to_string(n) + " beginbfchar\n";
        for (std::size_t k = i; k < i + n; ++k)
            s += "<" + hex4(items[k].first) + "> <" + utf16be_hex(items[k].second) + ">\n";
        s += "endbfchar\n";
    }
    s += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    return s;
}

// Writes the Type0 font with its CIDFontType2 descendant, descriptor, subset font program and
// ToUnicode map. Returns the Type0 font's number; `new_gid` maps the shaped glyph ids to the
// CIDs the content stream must use.
int put_font(IncrementalUpdate& update, const TrueTypeFont& font, const FontUse& use,
             std::map<std::uint32_t, std::uint32_t>& new_gid) {
    TrueTypeFont::Subset sub = font.subset(use.gids, use.chars);
    new_gid = sub.new_gid;
    const detail::FontMetrics& m = font.metrics();
    const double k = 1000.0 / m.units_per_em;
    const std::string name =
        subset_tag(font.postscript_name(), use.gids) + "+" + font.postscript_name();

    int file = update.reserve();
    update.put_stream(file,
                      " /Length1 " + std::to_string(sub.data.size()) + " /Filter /FlateDecode",
                      deflate(sub.data));
    int descriptor = update.reserve();
    update.put(descriptor, "<< /Type /FontDescriptor /FontName /" + name + " /Flags 4 /FontBBox [" +
                               number(m.bbox[0] * k) + " " + number(m.bbox[1] * k) + " " +
                               number(m.bbox[2] * k) + " " + number(m.bbox[3] * k) +
                               "] /ItalicAngle " + number(m.italic_angle) + " /Ascent " +
                               number(m.ascender * k) + " /Descent " + number(m.descender * k) +
                               " /CapHeight " + number(m.cap_height * k) +
                               " /StemV 80 /FontFile2 " + ref(file) + " >>");

    // /W: runs of consecutive CIDs with their widths.
    std::map<std::uint32_t, double> widths;
    std::map<std::uint32_t, std::string> cid_text;
    for (std::uint32_t g : use.gids) {
        widths[new_gid.at(g)] = font.advance(g) * k;
        auto t = use.unicode.find(g);
        if (t != use.unicode.end())
            cid_text.emplace(new_gid.at(g), t->second);
    }
    std::string w = "[";
    for (auto it = widths.begin(); it != widths.end();) {
        std::uint32_t first = it->first;
        w += std::to_string(first) + " [";
        std::uint32_t expect = first;
        bool lead = true;
        while (it != widths.end() && it->first == expect) {
            w += (lead ? "" : " ") + number(it->second);
            lead = false;
            ++it;
            ++expect;
        }
        w += "] ";
    }
    w += "]";

    int cid_font = update.reserve();
    update.put(cid_font, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + name +
                             " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
                             "/Supplement 0 >> /FontDescriptor " +
                             ref(descriptor) + " /DW 1000 /W " + w + " /CIDToGIDMap /Identity >>");
    int to_unicode = update.reserve();
    update.put_stream(to_unicode, " /Filter /FlateDecode", deflate(to_unicode_cmap(cid_text)));
    int type0 = update.reserve();
    update.put(type0, "<< /Type /Font /Subtype /Type0 /BaseFont /" + name +
                          " /Encoding /Identity-H /DescendantFonts [" + ref(cid_font) +
                          "] /ToUnicode " + ref(to_unicode) + " >>");
    return type0;
}

// The text operators for one line with its baseline starting at (x, y). Glyphs go into TJ
// arrays whose adjustments carry HarfBuzz's kerning; a glyph HarfBuzz offsets (a mark placed by
// GPOS) gets its own exact position.
std::string line_ops(const SetLine& line, double x, double y, double size, const TrueTypeFont& font,
                     const std::map<std::uint32_t, std::uint32_t>& new_gid) {
    const double upem = font.metrics().units_per_em;
    const double to_pt = size / upem;
    std::string out;
    std::string tj;     // open TJ array content
    double pdf_pen = 0; // where the PDF would put the next glyph of the open array, font units
    long pen = 0;       // HarfBuzz's pen, font units
    auto close = [&] {
        if (!tj.empty())
            out += "[" + tj + "] TJ\n";
        tj.clear();
    };
    auto start_at = [&](double gx, double gy) {
        close();
        out += "1 0 0 1 " + number(x + gx * to_pt) + " " + number(y + gy * to_pt) + " Tm\n";
        pdf_pen = gx;
    };
    bool open = false;
    for (const ShapedGlyph& g : line.glyphs) {
        double gx = static_cast<double>(pen + g.x_offset);
        std::string code = "<" + hex4(new_gid.at(g.gid)) + ">";
        if (g.x_offset != 0 || g.y_offset != 0) {
            start_at(gx, g.y_offset);
            tj = code;
            close();
            open = false;
        } else {
            if (!open) {
                start_at(gx, 0);
                open = true;
            }
            double adjust = (pdf_pen - gx) * 1000.0 / upem;
            if (std::fabs(adjust) >= 0.001)
                tj += " " + number(adjust) + " ";
            tj += code;
            pdf_pen = gx + font.advance(g.gid);
        }
        pen += g.x_advance;
    }
    close();
    return out;
}

} // namespace

AppearanceWriter signature_appearance(AppearanceStyle style, std::vector<std::string> lines,
                                      std::filesystem::path image, int text_rotation) {
    for (std::string& l : lines)
        l = trim(to_nfc(l));
    lines.erase(std::remove(lines.begin(), lines.end(), std::string()), lines.end());
    Color color = parse_color(style.color);
    const int turn = text_rotation & 3;
    return [style = std::move(style), lines = std::move(lines), image = std::move(image), color,
            turn](IncrementalUpdate& update, double box_w, double box_h, int rotate) -> int {
        // Laid out upright in the text's frame: a quarter turn swaps width and height.
        const double w = turn % 2 ? box_h : box_w, h = turn % 2 ? box_w : box_h;
        std::optional<RgbaImage> picture;
        if (!image.empty())
            picture = read_png_file(image);

        AppearanceLayout layout = style.layout;
        if (layout == AppearanceLayout::Auto)
            layout = !picture        ? AppearanceLayout::TextOnly
                     : lines.empty() ? AppearanceLayout::ImageOnly
                     : w >= 2.0 * h  ? AppearanceLayout::ImageLeft
                                     : AppearanceLayout::ImageAbove;
        if (!picture && layout != AppearanceLayout::TextOnly)
            layout = AppearanceLayout::TextOnly;
        if (lines.empty() && picture)
            layout = AppearanceLayout::ImageOnly;

        const double pad = std::clamp(std::min(w, h) * 0.05, 1.5, 4.0);
        const Rect inner{pad, pad, std::max(0.0, w - 2 * pad), std::max(0.0, h - 2 * pad)};
        Rect text_area = inner;
        Placed drawn;
        switch (layout) {
        case AppearanceLayout::ImageLeft:
            drawn = fit(*picture, Rect{inner.x, inner.y, inner.w * 0.36, inner.h});
            text_area = Rect{drawn.x + drawn.w + pad, inner.y,
                             inner.x + inner.w - (drawn.x + drawn.w + pad), inner.h};
            break;
        case AppearanceLayout::ImageAbove:
            drawn = fit(*picture, Rect{inner.x, inner.y + inner.h * 0.45, inner.w, inner.h * 0.55});
            text_area = Rect{inner.x, inner.y, inner.w, std::max(0.0, drawn.y - pad - inner.y)};
            break;
        case AppearanceLayout::ImageOnly:
            drawn = fit(*picture, inner);
            break;
        default:
            break;
        }

        std::string content = "q 0 0 " + number(w) + " " + number(h) + " re W n\n";
        std::string resources;
        if (style.border)
            content += "q 0.8 w " + color_ops(color, "RG") + " 0.4 0.4 " + number(w - 0.8) + " " +
                       number(h - 0.8) + " re S Q\n";
        if (picture && drawn.w > 0 && drawn.h > 0) {
            int max_px = static_cast<int>(std::ceil(drawn.w / 72.0 * kImageDpi));
            int img = put_image(update, reduce(*picture, max_px));
            content += "q " + number(drawn.w) + " 0 0 " + number(drawn.h) + " " + number(drawn.x) +
                       " " + number(drawn.y) + " cm /Im1 Do Q\n";
            resources += " /XObject << /Im1 " + ref(img) + " >>";
        }
        if (layout != AppearanceLayout::ImageOnly && !lines.empty() && text_area.w > 0 &&
            text_area.h > 0) {
            std::unique_ptr<TrueTypeFont> font = detail::choose_font(style.font, lines);
            const int upem = font->metrics().units_per_em;
            TextSetter setter(*font);
            double max_size = style.font_size > 0 ? style.font_size : kDefaultMaxSize;
            TextBlock block = fit_text(setter, lines, text_area, max_size, upem);
            FontUse use;
            for (const SetLine& l : block.lines)
                record(l, use);
            std::map<std::uint32_t, std::uint32_t> new_gid;
            int f = put_font(update, *font, use, new_gid);
            resources += " /Font << /F1 " + ref(f) + " >>";

            const double s = block.size;
            double height = block_height(block.lines, s, upem);
            double top = text_area.y + (text_area.h + height) / 2;
            top = std::min(top, text_area.y + text_area.h);
            double baseline = top - block.lines.front().top * s / upem;
            content += "BT /F1 " + number(s) + " Tf " + color_ops(color, "rg") + "\n";
            for (const SetLine& l : block.lines) {
                content += line_ops(l, text_area.x, baseline, s, *font, new_gid);
                baseline -= kLineSpacing * s;
            }
            content += "ET\n";
        }
        content += "Q\n";

        int form = update.reserve();
        update.put_stream(form,
                          " /Type /XObject /Subtype /Form /BBox [0 0 " + number(w) + " " +
                              number(h) + "]" + appearance_matrix(rotate, turn) + " /Resources <<" +
                              resources + " >> /Filter /FlateDecode",
                          deflate(content));
        return form;
    };
}

} // namespace neac::pdf
