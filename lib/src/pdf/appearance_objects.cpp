// The PDF objects of the signature appearance: the image with its soft mask, the embedded font
// subset (Type0, CIDFontType2, descriptor, widths, ToUnicode) and the text operators that draw
// set lines with it.
#include "pdf/appearance_objects.hpp"

#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <algorithm>
#include <cmath>
#include <zlib.h>

namespace neac::pdf::detail {
namespace {

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

} // namespace

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

} // namespace neac::pdf::detail
