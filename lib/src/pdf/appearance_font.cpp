#include "pdf/appearance_font.hpp"

#include "neac/pdf/appearance.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H
#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>

namespace neac::pdf::detail {
namespace {

template <typename T, void (*F)(T*)> struct Deleter {
    void operator()(T* p) const {
        if (p)
            F(p);
    }
};
template <typename T, void (*F)(T*)> using Handle = std::unique_ptr<T, Deleter<T, F>>;

using BlobPtr = Handle<hb_blob_t, hb_blob_destroy>;
using FacePtr = Handle<hb_face_t, hb_face_destroy>;
using FontPtr = Handle<hb_font_t, hb_font_destroy>;
using BufferPtr = Handle<hb_buffer_t, hb_buffer_destroy>;
using SubsetInputPtr = Handle<hb_subset_input_t, hb_subset_input_destroy>;
using SubsetPlanPtr = Handle<hb_subset_plan_t, hb_subset_plan_destroy>;

void done_library(FT_LibraryRec_* lib) {
    FT_Done_FreeType(lib);
}
void done_face(FT_FaceRec_* face) {
    FT_Done_Face(face);
}
using FtLibraryPtr = Handle<FT_LibraryRec_, done_library>;
using FtFacePtr = Handle<FT_FaceRec_, done_face>;

constexpr std::size_t kMaxFontFile = 64 << 20;

} // namespace

struct TrueTypeFont::Impl {
    std::filesystem::path path;
    std::string bytes; // the font file; the HarfBuzz blob and the FreeType face point into it
    FtLibraryPtr ft_library;
    FtFacePtr ft_face;
    BlobPtr blob;
    FacePtr face;
    FontPtr font;
    std::string ps_name;
    FontMetrics metrics;
};

TrueTypeFont::TrueTypeFont() : impl_(std::make_unique<Impl>()) {}
TrueTypeFont::~TrueTypeFont() = default;

std::unique_ptr<TrueTypeFont> TrueTypeFont::load(const std::filesystem::path& path) {
    std::unique_ptr<TrueTypeFont> f(new TrueTypeFont());
    Impl& d = *f->impl_;
    d.path = path;
    d.bytes = read_small_file(path, kMaxFontFile);
    const std::string name = path.string();

    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib) != 0)
        throw Error(ErrorKind::Internal, "FreeType cannot start");
    d.ft_library.reset(lib);
    FT_Face face = nullptr;
    if (FT_New_Memory_Face(lib, reinterpret_cast<const FT_Byte*>(d.bytes.data()),
                           static_cast<FT_Long>(d.bytes.size()), 0, &face) != 0)
        throw input_error("not a font file FreeType can read").file(name);
    d.ft_face.reset(face);
    FT_ULong glyf_length = 0;
    if (!FT_IS_SFNT(face) || FT_Load_Sfnt_Table(face, TTAG_glyf, 0, nullptr, &glyf_length) != 0 ||
        glyf_length == 0)
        throw input_error("the font has no TrueType outlines (glyf table); a CFF-based OpenType "
                          "or bitmap font cannot be embedded as CIDFontType2")
            .file(name)
            .hint("use a .ttf font such as DejaVuSans.ttf (fonts-dejavu-core)");
    FT_UShort fs_type = FT_Get_FSType_Flags(face);
    if (fs_type & (FT_FSTYPE_RESTRICTED_LICENSE_EMBEDDING | FT_FSTYPE_BITMAP_EMBEDDING_ONLY))
        throw input_error("the font's licence does not allow embedding it in a document")
            .file(name)
            .hint("use a freely embeddable font such as DejaVu Sans or Noto Sans");
    const char* ps = FT_Get_Postscript_Name(face);
    for (const char* p = ps ? ps : ""; *p; ++p) // PDF name characters only
        if (*p > 0x20 && *p < 0x7f &&
            std::string_view("()<>[]{}/%#").find(*p) == std::string_view::npos)
            d.ps_name += *p;
    if (d.ps_name.empty())
        d.ps_name = "Font";

    FontMetrics& m = d.metrics;
    m.units_per_em = face->units_per_EM > 0 ? face->units_per_EM : 1000;
    m.ascender = face->ascender;
    m.descender = face->descender;
    m.bbox[0] = static_cast<int>(face->bbox.xMin);
    m.bbox[1] = static_cast<int>(face->bbox.yMin);
    m.bbox[2] = static_cast<int>(face->bbox.xMax);
    m.bbox[3] = static_cast<int>(face->bbox.yMax);
    auto* os2 = static_cast<TT_OS2*>(FT_Get_Sfnt_Table(face, FT_SFNT_OS2));
    m.cap_height =
        (os2 && os2->version >= 2 && os2->sCapHeight > 0) ? os2->sCapHeight : m.ascender * 7 / 10;
    auto* post = static_cast<TT_Postscript*>(FT_Get_Sfnt_Table(face, FT_SFNT_POST));
    if (post)
        m.italic_angle = static_cast<double>(post->italicAngle) / 65536.0;

    d.blob.reset(hb_blob_create(d.bytes.data(), static_cast<unsigned>(d.bytes.size()),
                                HB_MEMORY_MODE_READONLY, nullptr, nullptr));
    d.face.reset(hb_face_create(d.blob.get(), 0));
    if (hb_face_get_glyph_count(d.face.get()) == 0)
        throw input_error("HarfBuzz finds no glyphs in the font").file(name);
    d.font.reset(hb_font_create(d.face.get()));
    hb_font_set_scale(d.font.get(), m.units_per_em, m.units_per_em);
    return f;
}

const std::filesystem::path& TrueTypeFont::path() const {
    return impl_->path;
}
const std::string& TrueTypeFont::postscript_name() const {
    return impl_->ps_name;
}
const FontMetrics& TrueTypeFont::metrics() const {
    return impl_->metrics;
}

std::vector<ShapedGlyph> TrueTypeFont::shape(std::string_view utf8) const {
    BufferPtr buf(hb_buffer_create());
    hb_buffer_add_utf8(buf.get(), utf8.data(), static_cast<int>(utf8.size()), 0,
                       static_cast<int>(utf8.size()));
    hb_buffer_set_direction(buf.get(), HB_DIRECTION_LTR);
    hb_buffer_set_script(buf.get(), HB_SCRIPT_LATIN);
    hb_buffer_set_language(buf.get(), hb_language_from_string("vi", -1));
    hb_buffer_set_cluster_level(buf.get(), HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    // No ligatures: with one glyph per letter the ToUnicode map is exact for copy-paste.
    static const hb_feature_t kFeatures[] = {
        {HB_TAG('l', 'i', 'g', 'a'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('c', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
        {HB_TAG('d', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    };
    hb_shape(impl_->font.get(), buf.get(), kFeatures, 3);
    unsigned n = 0;
    hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf.get(), &n);
    hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf.get(), &n);
    std::vector<ShapedGlyph> out(n);
    for (unsigned i = 0; i < n; ++i)
        out[i] = ShapedGlyph{info[i].codepoint, info[i].cluster, pos[i].x_advance, pos[i].x_offset,
                             pos[i].y_offset};
    return out;
}

char32_t TrueTypeFont::first_missing(std::string_view utf8) const {
    std::vector<ShapedGlyph> glyphs = shape(utf8);
    for (const ShapedGlyph& g : glyphs) {
        if (g.gid != 0)
            continue;
        std::u32string text = utf8_decode(utf8.substr(g.cluster));
        return text.empty() ? U'\uFFFD' : text.front();
    }
    return 0;
}

int TrueTypeFont::advance(std::uint32_t gid) const {
    return hb_font_get_glyph_h_advance(impl_->font.get(), gid);
}

void TrueTypeFont::ink(std::uint32_t gid, int& top, int& bottom) const {
    hb_glyph_extents_t e{};
    if (!hb_font_get_glyph_extents(impl_->font.get(), gid, &e)) {
        top = bottom = 0;
        return;
    }
    top = e.y_bearing;
    bottom = e.y_bearing + e.height; // height is negative in HarfBuzz's y-up convention
}

TrueTypeFont::Subset TrueTypeFont::subset(const std::set<std::uint32_t>& gids,
                                          const std::set<char32_t>& unicodes) const {
    SubsetInputPtr input(hb_subset_input_create_or_fail());
    if (!input)
        throw Error(ErrorKind::Internal, "hb-subset: out of memory");
    hb_set_t* glyphs = hb_subset_input_glyph_set(input.get());
    for (std::uint32_t g : gids)
        hb_set_add(glyphs, g);
    hb_set_t* cps = hb_subset_input_unicode_set(input.get());
    for (char32_t c : unicodes)
        hb_set_add(cps, c);
    // A PDF viewer draws glyphs by id: shaping and layout tables are dead weight.
    hb_set_t* drop = hb_subset_input_set(input.get(), HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (hb_tag_t t :
         {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
          HB_TAG('k', 'e', 'r', 'n'), HB_TAG('F', 'F', 'T', 'M')})
        hb_set_add(drop, t);
    SubsetPlanPtr plan(hb_subset_plan_create_or_fail(impl_->face.get(), input.get()));
    if (!plan)
        throw Error(ErrorKind::Internal,
                    "hb-subset could not plan a subset of " + impl_->path.string());
    FacePtr result(hb_subset_plan_execute_or_fail(plan.get()));
    if (!result)
        throw Error(ErrorKind::Internal, "hb-subset could not subset " + impl_->path.string());
    BlobPtr blob(hb_face_reference_blob(result.get()));
    unsigned length = 0;
    const char* data = hb_blob_get_data(blob.get(), &length);
    Subset out;
    out.data.assign(data ? data : "", length);
    if (out.data.empty())
        throw Error(ErrorKind::Internal, "hb-subset produced an empty font");
    const hb_map_t* map = hb_subset_plan_old_to_new_glyph_mapping(plan.get());
    for (std::uint32_t g : gids) {
        hb_codepoint_t n = hb_map_get(map, g);
        if (n == HB_MAP_VALUE_INVALID)
            throw Error(ErrorKind::Internal, "hb-subset dropped glyph " + std::to_string(g));
        out.new_gid[g] = n;
    }
    return out;
}

std::unique_ptr<TrueTypeFont> choose_font(const std::filesystem::path& wanted,
                                          const std::vector<std::string>& lines) {
    auto missing_in = [&](const TrueTypeFont& f) -> char32_t {
        for (const std::string& l : lines)
            if (char32_t c = f.first_missing(l))
                return c;
        return 0;
    };
    auto describe = [](char32_t c) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
        return "'" + utf8_encode(std::u32string(1, c)) + "' (" + buf + ")";
    };
    if (!wanted.empty()) {
        std::unique_ptr<TrueTypeFont> f = TrueTypeFont::load(wanted);
        if (char32_t c = missing_in(*f))
            throw input_error("the font has no glyph for " + describe(c))
                .file(wanted.string())
                .hint("choose a font with Vietnamese coverage, e.g. DejaVuSans.ttf");
        return f;
    }
    std::string tried;
    for (const std::filesystem::path& p : default_font_paths()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec))
            continue;
        tried += (tried.empty() ? "" : ", ") + p.string();
        std::unique_ptr<TrueTypeFont> f = TrueTypeFont::load(p);
        if (!missing_in(*f))
            return f;
    }
    if (tried.empty())
        throw input_error("no font for the signature text: none of the usual TrueType fonts is "
                          "installed")
            .hint("install fonts-dejavu-core, or set appearance.font in the profile");
    throw input_error("no installed font has every character of the signature text (tried " +
                      tried + ")")
        .hint("set appearance.font in the profile to a font that has them");
}

} // namespace neac::pdf::detail
