// Private to the appearance writer: a TrueType font loaded once for shaping (HarfBuzz), metrics
// (FreeType) and subsetting (hb-subset).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace neac::pdf::detail {

struct ShapedGlyph {
    std::uint32_t gid = 0;
    std::uint32_t cluster = 0;                              // byte offset in the shaped UTF-8 text
    std::int32_t x_advance = 0, x_offset = 0, y_offset = 0; // font units
};

struct FontMetrics {
    int units_per_em = 1000;
    int ascender = 0, descender = 0, cap_height = 0; // font units, descender negative
    int bbox[4] = {0, 0, 0, 0};                      // xMin yMin xMax yMax
    double italic_angle = 0;
};

class TrueTypeFont {
public:
    // Reads and checks the file: an sfnt with TrueType outlines ('glyf') whose licence allows
    // embedding. Throws Error(BadInput) naming the file otherwise.
    static std::unique_ptr<TrueTypeFont> load(const std::filesystem::path& path);
    ~TrueTypeFont();
    TrueTypeFont(const TrueTypeFont&) = delete;
    TrueTypeFont& operator=(const TrueTypeFont&) = delete;

    const std::filesystem::path& path() const;
    const std::string& postscript_name() const; // e.g. "DejaVuSans"
    const FontMetrics& metrics() const;

    // Shapes one line (left to right, Vietnamese, no ligatures so that every glyph stands for
    // its own letters). Positions in font units.
    std::vector<ShapedGlyph> shape(std::string_view utf8) const;
    // The first character the font has no glyph for, or 0 when it covers all of `utf8`.
    char32_t first_missing(std::string_view utf8) const;
    // The glyph's advance width (hmtx) and vertical ink extent, in font units.
    int advance(std::uint32_t gid) const;
    void ink(std::uint32_t gid, int& top, int& bottom) const;

    struct Subset {
        std::string data;                               // the subset font program
        std::map<std::uint32_t, std::uint32_t> new_gid; // old glyph id -> glyph id in `data`
    };
    // A font holding only `gids` (plus .notdef and composite components), with glyph ids
    // renumbered; cmap keeps `unicodes`. Throws Error(Internal) when hb-subset fails.
    Subset subset(const std::set<std::uint32_t>& gids, const std::set<char32_t>& unicodes) const;

private:
    TrueTypeFont();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The font for `lines`: `wanted` when given (Error(BadInput) if it lacks a glyph), else the first
// of default_font_paths() that exists and covers every character.
std::unique_ptr<TrueTypeFont> choose_font(const std::filesystem::path& wanted,
                                          const std::vector<std::string>& lines);

} // namespace neac::pdf::detail
