#include "neac/place/preview.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace neac::place {
namespace {

struct Rgb {
    std::uint8_t r, g, b;
};

constexpr Rgb kHighlight{255, 221, 0};
constexpr Rgb kKeywordLine{230, 120, 0};
constexpr Rgb kBox{25, 90, 200};
constexpr Rgb kGrey{130, 130, 130};

// A displayed-page box in pixel coordinates: [x0, x1) x [y0, y1), rows from the top.
struct PixelBox {
    int x0, y0, x1, y1;
};

class Canvas {
public:
    Canvas(Picture& pic, const PageGeometry& page)
        : pic_(pic), sx_(pic.width / page.width), sy_(pic.height / page.height),
          page_h_(page.height) {}

    PixelBox map(const Rect& r) const {
        auto clampx = [&](double v) {
            return std::clamp(static_cast<int>(std::lround(v)), 0, pic_.width);
        };
        auto clampy = [&](double v) {
            return std::clamp(static_cast<int>(std::lround(v)), 0, pic_.height);
        };
        return PixelBox{clampx(r.x * sx_), clampy((page_h_ - r.y - r.h) * sy_),
                        clampx((r.x + r.w) * sx_), clampy((page_h_ - r.y) * sy_)};
    }

    void blend(int x, int y, Rgb c, double alpha) {
        if (x < 0 || y < 0 || x >= pic_.width || y >= pic_.height)
            return;
        std::uint8_t* p = &pic_.rgba[(static_cast<std::size_t>(y) * pic_.width + x) * 4];
        p[0] = static_cast<std::uint8_t>(std::lround(p[0] * (1 - alpha) + c.r * alpha));
        p[1] = static_cast<std::uint8_t>(std::lround(p[1] * (1 - alpha) + c.g * alpha));
        p[2] = static_cast<std::uint8_t>(std::lround(p[2] * (1 - alpha) + c.b * alpha));
    }

    void fill(const Rect& r, Rgb c, double alpha) {
        PixelBox b = map(r);
        for (int y = b.y0; y < b.y1; ++y)
            for (int x = b.x0; x < b.x1; ++x)
                blend(x, y, c, alpha);
    }

    // An outline `t` pixels thick drawn inside the box; dashed draws 6 on, 4 off.
    void outline(const Rect& r, Rgb c, int t, bool dashed = false) {
        PixelBox b = map(r);
        auto on = [&](int i) { return !dashed || (i % 10) < 6; };
        for (int k = 0; k < t; ++k) {
            for (int x = b.x0; x < b.x1; ++x) {
                if (on(x)) {
                    blend(x, b.y0 + k, c, 1);
                    blend(x, b.y1 - 1 - k, c, 1);
                }
            }
            for (int y = b.y0; y < b.y1; ++y) {
                if (on(y)) {
                    blend(b.x0 + k, y, c, 1);
                    blend(b.x1 - 1 - k, y, c, 1);
                }
            }
        }
    }

private:
    Picture& pic_;
    double sx_, sy_, page_h_;
};

bool same_box(const Rect& a, const Rect& b) {
    return std::fabs(a.x - b.x) < 0.01 && std::fabs(a.y - b.y) < 0.01 &&
           std::fabs(a.w - b.w) < 0.01 && std::fabs(a.h - b.h) < 0.01;
}

} // namespace

void draw_placement(Picture& picture, double dpi, const PageGeometry& page,
                    const LocateResult& result) {
    Canvas canvas(picture, page);
    const int thick = std::max(1, static_cast<int>(std::lround(dpi / 50)));
    for (const KeywordMatch& m : result.others)
        if (m.page == page.number)
            canvas.outline(m.box, kGrey, thick);
    for (const LocatedMatch& lm : result.matches) {
        if (lm.page.number != page.number)
            continue;
        for (const Rect& line : lm.match.lines) {
            canvas.fill(line, kHighlight, 0.45);
            canvas.outline(line, kKeywordLine, thick);
        }
        if (!same_box(lm.proposal.requested, lm.proposal.box))
            canvas.outline(lm.proposal.requested, kGrey, 1, true);
        canvas.fill(lm.proposal.box, kBox, 0.12);
        canvas.outline(lm.proposal.box, kBox, thick + 1);
    }
}

std::vector<std::filesystem::path> write_previews(const PageSource& source,
                                                  const LocateResult& result,
                                                  const std::filesystem::path& out, double dpi) {
    if (result.matches.empty())
        throw usage_error("nothing to preview: no match");
    if (!(dpi >= 10 && dpi <= 600))
        throw usage_error("--preview-dpi must be between 10 and 600");
    std::map<int, PageGeometry> pages;
    for (const LocatedMatch& m : result.matches)
        pages.emplace(m.page.number, m.page);
    std::vector<std::filesystem::path> written;
    for (const auto& [number, geometry] : pages) {
        std::filesystem::path file = out;
        if (pages.size() > 1)
            file.replace_filename(out.stem().string() + "-p" + std::to_string(number) +
                                  out.extension().string());
        Picture pic = source.render(number, dpi);
        draw_placement(pic, dpi, geometry, result);
        write_file_atomically(file, pdf::encode_png(pic));
        written.push_back(file);
    }
    return written;
}

} // namespace neac::place
