// A PDF's pages as text with positions and as pictures, read with poppler (QPDF has no text
// extraction). Every box here is in the page AS DISPLAYED, the system `neac sign --rect` takes:
// points, origin at the bottom-left corner of the CropBox after the page's /Rotate is applied,
// x to the right, y up (see pdf::Placement::rect). PageGeometry converts to default user space
// (the unrotated page of the content stream, origin where the MediaBox puts it).
#pragma once

#include "neac/pdf/png_image.hpp"
#include "neac/pdf/signature_field.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <qpdf/QPDFObjectHandle.hh>
#include <string>
#include <vector>

namespace neac::place {

using pdf::Rect;

// The smallest box holding both; an empty box (w = h = 0 at 0,0) is the neutral element.
Rect unite(const Rect& a, const Rect& b);
bool is_empty(const Rect& r);
// Area of the intersection (0 when they do not overlap).
double overlap_area(const Rect& a, const Rect& b);

struct PageGeometry {
    int number = 0; // 1-based
    int rotate = 0; // the page's /Rotate, normalised to 0, 90, 180 or 270
    Rect media;     // MediaBox, default user space
    Rect crop;      // CropBox as viewers use it (clipped to the MediaBox), default user space
    double width = 0, height = 0; // the displayed page, in points

    // Displayed coordinates -> default user space, and back.
    Rect to_user(const Rect& displayed) const;
    Rect to_displayed(const Rect& user) const;
};

// One word of the text layer, as poppler groups characters.
struct Word {
    std::u32string text;          // as extracted (not normalised)
    std::vector<Rect> char_boxes; // one per code point of `text`, displayed coordinates
    Rect box;                     // the whole word
    int rotation = 0;             // writing direction: 0 left-to-right, 1 top-down, 2, 3
    bool space_after = false;     // poppler saw a space after it on the same line
};

struct PageText {
    PageGeometry geometry;
    std::vector<Word> words; // in reading order
};

using Picture = pdf::RgbaImage;

class PageSource {
public:
    // Opens a PDF. Throws Error(BadInput) naming the file when poppler cannot read it or it
    // needs a password.
    explicit PageSource(const std::filesystem::path& file);
    ~PageSource();
    PageSource(const PageSource&) = delete;
    PageSource& operator=(const PageSource&) = delete;

    const std::filesystem::path& path() const { return path_; }
    int page_count() const;
    PageGeometry geometry(int page) const; // 1-based
    PageText text(int page) const;
    // The displayed page at `dpi` dots per inch, on white. Throws Error(BadInput) when the page
    // cannot be rendered or would be larger than 200 megapixels.
    Picture render(int page, double dpi) const;
    // The page's dictionary as QPDF reads the file (for what poppler-cpp does not expose, such
    // as annotations); null when QPDF cannot read the file or has no such page.
    QPDFObjectHandle page_object(int page) const;

private:
    struct Impl;
    std::filesystem::path path_;
    std::unique_ptr<Impl> impl_;
};

} // namespace neac::place
