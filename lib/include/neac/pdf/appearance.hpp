// The visible signature: the profile's signature image and lines of Vietnamese text, drawn in the
// signature widget's box.
//
// Text is set in a TrueType font with full Vietnamese coverage (DejaVu Sans by default), shaped
// with HarfBuzz so that stacked diacritics (ệ, ở, ữ, Ặ) sit where the font designer put them,
// subset with hb-subset to the glyphs used, and embedded as a CIDFontType2 font with Identity-H
// encoding, /W widths and a ToUnicode CMap, so that pdftotext and copy-paste give back the same
// Vietnamese text. The image keeps its transparency (an /SMask) and its aspect ratio, and is
// scaled down to 300 dpi at its drawn size when it is larger. Streams are Flate-compressed.
//
// Layouts: image left and text right, image above and text below, text only, image only; `auto`
// picks image-left for wide boxes, image-above for tall ones, text-only without an image. The
// font size is the largest (up to `font_size`) at which every line fits the text area, wrapping
// long lines at spaces when that allows a clearly larger size. Nothing is drawn outside the box.
#pragma once

#include "neac/pdf/signature_field.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace neac::pdf {

enum class AppearanceLayout { Auto, ImageLeft, ImageAbove, TextOnly, ImageOnly };
const char* layout_name(AppearanceLayout layout); // "auto", "image-left", ...
// Error(BadInput) listing the names for anything else.
AppearanceLayout parse_layout(std::string_view text);

// How the appearance looks; the profile's `appearance:` section (neac-profile(5)).
struct AppearanceStyle {
    AppearanceLayout layout = AppearanceLayout::Auto;
    // Line templates (see expand_lines); empty = default_appearance_lines().
    std::vector<std::string> lines;
    std::filesystem::path font;    // a TrueType font file; empty = the first system font found
    double font_size = 0;          // the largest font size in points; 0 = 11
    bool border = true;            // a thin frame around the box
    std::string color = "#1a3c8c"; // text and frame colour, #RRGGBB
    bool operator==(const AppearanceStyle&) const = default;
};

// Checks a "#RRGGBB" colour; Error(BadInput) otherwise.
void check_color(std::string_view text);

// "Ký bởi: {name}", "Tổ chức: {organization}", "Ngày ký: {time:%d/%m/%Y %H:%M:%S}",
// "Lý do: {reason}", "Nơi ký: {location}" (lines whose values are empty disappear).
const std::vector<std::string>& default_appearance_lines();

// The values placeholders stand for.
struct AppearanceValues {
    std::string name;         // {name}: the signer's name from the certificate (CN)
    std::string organization; // {organization}: the certificate's O
    std::string reason;       // {reason}
    std::string location;     // {location}
    std::string id_kind;      // {id_kind}: "CCCD", "CMND", "MST" or ""
    std::string id_number;    // {cccd}: shown masked, first 4 and last 2 digits
    std::chrono::system_clock::time_point time; // {time} or {time:STRFTIME}, local time
};

// Checks one template line: known placeholders ({name}, {organization}, {reason}, {location},
// {cccd}, {id_kind}, {time}, {time:FORMAT}), "{{" and "}}" for literal braces, a usable time
// format. Throws Error(BadInput) saying what is wrong.
void check_template(std::string_view line);

// Expands the templates. A line with placeholders that all expand to nothing is left out, so
// "Lý do: {reason}" disappears when there is no reason. {time} is "%d/%m/%Y %H:%M:%S".
std::vector<std::string> expand_lines(const std::vector<std::string>& templates,
                                      const AppearanceValues& values);

// The value of attribute `type` ("O", "CN", ...) in an RFC 2253 subject, or "".
std::string subject_attribute(std::string_view subject, std::string_view type);

// Fonts tried, in order, when the style names none: DejaVu Sans (fonts-dejavu-core), Noto Sans,
// Liberation Sans, FreeSans.
const std::vector<std::filesystem::path>& default_font_paths();

// The appearance writer for pdf::prepare_signature_revision. `lines` are final text (UTF-8,
// normalised to NFC here); `image` is a PNG file or empty. `text_rotation` turns the appearance
// by quarter turns clockwise on the displayed page, to read along with a document whose text
// runs down (1), upside down (2) or up (3) the displayed page; the box keeps its displayed size.
// The font and the image are read when the writer runs; Error(BadInput) then names a missing,
// unreadable or unsuitable font (not TrueType, no embedding allowed, or missing a glyph of the
// text) or image.
AppearanceWriter signature_appearance(AppearanceStyle style, std::vector<std::string> lines,
                                      std::filesystem::path image, int text_rotation = 0);

} // namespace neac::pdf
