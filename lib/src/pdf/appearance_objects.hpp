// Private to the appearance writer (appearance.cpp lays the box out, appearance_objects.cpp
// writes what it draws): the set lines of text, and the PDF objects and content-stream operators
// made from them. The contract: glyph ids are the shaped font's own until put_font maps them to
// the subset's CIDs, and every stream written here is Flate-compressed.
#pragma once

#include "neac/pdf/incremental.hpp"
#include "neac/pdf/png_image.hpp"
#include "pdf/appearance_font.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace neac::pdf::detail {

// One line of text as set: its glyphs from HarfBuzz, in font units.
struct SetLine {
    std::string text;
    std::vector<ShapedGlyph> glyphs;
    long width = 0;
    int top = 0, bottom = 0; // ink extent, font units (bottom negative)
};

// The glyphs the text uses and the characters they stand for: what the font subset keeps.
struct FontUse {
    std::set<std::uint32_t> gids;
    std::map<std::uint32_t, std::string> unicode; // old gid -> text it stands for
    std::set<char32_t> chars;
};

// The zlib (FlateDecode) form of `data`; Error(Internal) when zlib fails.
std::string deflate(const std::string& data);

// Area-average reduction to at most `max_w` pixels wide, in premultiplied alpha so that
// transparent pixels do not darken the edges of the strokes.
RgbaImage reduce(const RgbaImage& in, int max_w);

// Writes the image (and its soft mask when it has transparency); returns the image's number.
int put_image(IncrementalUpdate& update, const RgbaImage& img);

// Records which text each glyph stands for, from HarfBuzz's clusters: a cluster of one glyph
// maps to all of its characters; a cluster of as many glyphs as characters maps one to one.
void record(const SetLine& line, FontUse& use);

// Writes the Type0 font with its CIDFontType2 descendant, descriptor, subset font program and
// ToUnicode map. Returns the Type0 font's number; `new_gid` maps the shaped glyph ids to the
// CIDs the content stream must use.
int put_font(IncrementalUpdate& update, const TrueTypeFont& font, const FontUse& use,
             std::map<std::uint32_t, std::uint32_t>& new_gid);

// The text operators for one line with its baseline starting at (x, y). Glyphs go into TJ
// arrays whose adjustments carry HarfBuzz's kerning; a glyph HarfBuzz offsets (a mark placed by
// GPOS) gets its own exact position.
std::string line_ops(const SetLine& line, double x, double y, double size, const TrueTypeFont& font,
                     const std::map<std::uint32_t, std::uint32_t>& new_gid);

} // namespace neac::pdf::detail
