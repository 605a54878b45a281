// The signature appearance writer: the layout of image and text in the box, the font size that
// fits, and the Form XObject that draws them (the objects themselves: appearance_objects.cpp).
#include "neac/pdf/appearance.hpp"

#include "neac/pdf/png_image.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"
#include "neac/util/unicode.hpp"
#include "pdf/appearance_font.hpp"
#include "pdf/appearance_objects.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <spdlog/spdlog.h>

namespace neac::pdf {
namespace {

using detail::deflate;
using detail::FontUse;
using detail::line_ops;
using detail::put_font;
using detail::put_image;
using detail::record;
using detail::reduce;
using detail::SetLine;
using detail::ShapedGlyph;
using detail::TrueTypeFont;

constexpr double kLineSpacing = 1.2; // baseline to baseline, in font sizes
constexpr double kMinFontSize = 4;   // below this nobody reads it; text is clipped instead
constexpr double kDefaultMaxSize = 11;
constexpr double kImageDpi = 300; // images larger than this at their drawn size are reduced

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
