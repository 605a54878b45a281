#include "neac/place/page_source.hpp"

#include "place/page_budget.hpp"

#include "neac/util/error.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <spdlog/spdlog.h>

namespace neac::place {

Rect unite(const Rect& a, const Rect& b) {
    if (is_empty(a))
        return b;
    if (is_empty(b))
        return a;
    double x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
    double x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
    return Rect{x0, y0, x1 - x0, y1 - y0};
}

bool is_empty(const Rect& r) {
    return r.w <= 0 && r.h <= 0;
}

double overlap_area(const Rect& a, const Rect& b) {
    double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
    double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
    return (w > 0 && h > 0) ? w * h : 0;
}

Rect PageGeometry::to_user(const Rect& v) const {
    const double W = crop.w, H = crop.h;
    switch (rotate) {
    case 90:
        return Rect{crop.x + W - v.y - v.h, crop.y + v.x, v.h, v.w};
    case 180:
        return Rect{crop.x + W - v.x - v.w, crop.y + H - v.y - v.h, v.w, v.h};
    case 270:
        return Rect{crop.x + v.y, crop.y + H - v.x - v.w, v.h, v.w};
    default:
        return Rect{crop.x + v.x, crop.y + v.y, v.w, v.h};
    }
}

Rect PageGeometry::to_displayed(const Rect& u) const {
    const double W = crop.w, H = crop.h;
    const double dx = u.x - crop.x, dy = u.y - crop.y;
    switch (rotate) {
    case 90:
        return Rect{dy, W - dx - u.w, u.h, u.w};
    case 180:
        return Rect{W - dx - u.w, H - dy - u.h, u.w, u.h};
    case 270:
        return Rect{H - dy - u.h, dx, u.h, u.w};
    default:
        return Rect{dx, dy, u.w, u.h};
    }
}

namespace {

// poppler reports damage in a file through this hook; it is not neac's output, so it goes to the
// debug log rather than to the user's terminal.
void poppler_message(const std::string& message, void*) {
    spdlog::debug("poppler: {}", message);
}

void install_poppler_hook() {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(poppler_message, nullptr); });
}

Rect to_rect(const poppler::rectf& r) {
    return Rect{r.x(), r.y(), r.width(), r.height()};
}

std::u32string to_u32(const poppler::ustring& s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
            s[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            ++i;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        out.push_back(c);
    }
    return out;
}

} // namespace

struct PageSource::Impl {
    explicit Impl(const std::filesystem::path& file) : budget(file) {}

    std::unique_ptr<poppler::document> doc;
    mutable PageBudget budget; // checked before poppler decodes a page

    std::unique_ptr<poppler::page> page(int number, const std::filesystem::path& file) const {
        if (number < 1 || number > doc->pages())
            throw usage_error("page " + std::to_string(number) + " does not exist: " +
                              file.string() + " has " + std::to_string(doc->pages()) + " pages");
        std::unique_ptr<poppler::page> p(doc->create_page(number - 1));
        if (!p)
            throw input_error("page " + std::to_string(number) + " cannot be read")
                .file(file.string());
        return p;
    }
};

PageSource::PageSource(const std::filesystem::path& file)
    : path_(file), impl_(std::make_unique<Impl>(file)) {
    install_poppler_hook();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw input_error(std::filesystem::exists(file, ec) ? "not a regular file" : "no such file")
            .file(file.string());
    impl_->budget.open(); // before poppler inflates anything
    impl_->doc.reset(poppler::document::load_from_file(file.string()));
    if (!impl_->doc)
        throw input_error("not a readable PDF (poppler cannot open it)")
            .file(file.string())
            .hint("check the file with 'qpdf --check'");
    if (impl_->doc->is_locked())
        throw input_error("the PDF is encrypted and needs a password").file(file.string());
    if (impl_->doc->pages() < 1)
        throw input_error("the document has no pages").file(file.string());
}

PageSource::~PageSource() = default;

int PageSource::page_count() const {
    return impl_->doc->pages();
}

PageGeometry PageSource::geometry(int number) const {
    std::unique_ptr<poppler::page> p = impl_->page(number, path_);
    PageGeometry g;
    g.number = number;
    g.media = to_rect(p->page_rect(poppler::media_box));
    g.crop = to_rect(p->page_rect(poppler::crop_box));
    // page::orientation() is the only way poppler-cpp exposes /Rotate.
    switch (p->orientation()) {
    case poppler::page::landscape:
        g.rotate = 90;
        break;
    case poppler::page::upside_down:
        g.rotate = 180;
        break;
    case poppler::page::seascape:
        g.rotate = 270;
        break;
    default:
        g.rotate = 0;
    }
    g.width = g.rotate % 180 == 0 ? g.crop.w : g.crop.h;
    g.height = g.rotate % 180 == 0 ? g.crop.h : g.crop.w;
    return g;
}

PageText PageSource::text(int number) const {
    PageText out;
    out.geometry = geometry(number);
    std::unique_ptr<poppler::page> p = impl_->page(number, path_);
    impl_->budget.check(number);
    const double H = out.geometry.height;
    // poppler gives boxes with the origin at the top-left corner of the displayed CropBox, y down.
    auto flip = [H](const poppler::rectf& r) {
        return Rect{r.x(), H - r.y() - r.height(), r.width(), r.height()};
    };
    std::vector<poppler::text_box> boxes = p->text_list(0);
    out.words.reserve(boxes.size());
    for (const poppler::text_box& tb : boxes) {
        Word w;
        w.text = to_u32(tb.text());
        if (w.text.empty())
            continue;
        w.box = flip(tb.bbox());
        w.rotation = tb.rotation() & 3;
        w.space_after = tb.has_space_after();
        w.char_boxes.reserve(w.text.size());
        for (std::size_t i = 0; i < w.text.size(); ++i) {
            poppler::rectf r = tb.char_bbox(i);
            // poppler returns an empty box for an index past its glyph count (a glyph that
            // maps to several characters): fall back to the word's box.
            bool empty = r.width() == 0 && r.height() == 0 && r.x() == 0 && r.y() == 0;
            w.char_boxes.push_back(empty ? w.box : flip(r));
        }
        out.words.push_back(std::move(w));
    }
    return out;
}

QPDFObjectHandle PageSource::page_object(int number) const {
    return impl_->budget.page_object(number);
}

Picture PageSource::render(int number, double dpi) const {
    std::unique_ptr<poppler::page> p = impl_->page(number, path_);
    impl_->budget.check(number);
    PageGeometry g = geometry(number);
    double px = g.width * dpi / 72.0 * g.height * dpi / 72.0;
    if (!(px > 0) || px > 200e6)
        throw input_error("page " + std::to_string(number) + " is too large to preview at " +
                          std::to_string(static_cast<int>(dpi)) + " dpi")
            .file(path_.string())
            .hint("use a lower --preview-dpi");
    poppler::page_renderer renderer;
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_hinting, false);
    renderer.set_image_format(poppler::image::format_rgb24);
    renderer.set_paper_color(0xffffffff);
    poppler::image img = renderer.render_page(p.get(), dpi, dpi);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0)
        throw input_error("page " + std::to_string(number) + " cannot be rendered")
            .file(path_.string());
    Picture pic;
    pic.width = img.width();
    pic.height = img.height();
    pic.rgba.resize(static_cast<std::size_t>(pic.width) * pic.height * 4);
    const char* data = img.const_data();
    for (int y = 0; y < pic.height; ++y) {
        const auto* row = reinterpret_cast<const std::uint8_t*>(
            data + static_cast<std::ptrdiff_t>(y) * img.bytes_per_row());
        std::uint8_t* out = pic.rgba.data() + static_cast<std::size_t>(y) * pic.width * 4;
        for (int x = 0; x < pic.width; ++x) {
            out[4 * x + 0] = row[3 * x + 0];
            out[4 * x + 1] = row[3 * x + 1];
            out[4 * x + 2] = row[3 * x + 2];
            out[4 * x + 3] = 255;
        }
    }
    return pic;
}

} // namespace neac::place
