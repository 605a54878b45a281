#include "neac/util/text.hpp"

#include <algorithm>
#include <cstdio>

namespace neac {
namespace {

bool is_combining(char32_t c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF;
}

bool is_wide(char32_t c) {
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

} // namespace

std::u32string utf8_decode(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        char32_t cp;
        int extra;
        if (c < 0x80) {
            cp = c;
            extra = 0;
        } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
            cp = c & 0x1F;
            extra = 1;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F;
            extra = 2;
        } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
            cp = c & 0x07;
            extra = 3;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
            if (i + static_cast<std::size_t>(k) >= text.size()) {
                ok = false;
                break;
            }
            unsigned char cc = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) {
                ok = false;
                break;
            }
            cp = cp << 6 | (cc & 0x3F);
        }
        bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
        if (!ok || overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

std::string utf8_encode(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | c >> 6);
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | c >> 12);
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | c >> 18);
            out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    std::u32string decoded = utf8_decode(text);
    if (std::find(decoded.begin(), decoded.end(), U'\uFFFD') == decoded.end())
        return true;
    // U+FFFD may be genuine; compare round trip.
    return utf8_encode(decoded) == text;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (char32_t c : utf8_decode(text)) {
        if (c < 0x20 || is_combining(c))
            continue;
        width += is_wide(c) ? 2 : 1;
    }
    return width;
}

std::string pad_right(std::string_view text, std::size_t width) {
    std::string out(text);
    std::size_t w = display_width(text);
    if (w < width)
        out.append(width - w, ' ');
    return out;
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.push_back(0);
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i + 1 == row.size())
                line += row[i];
            else
                line += pad_right(row[i], widths[i]) + "  ";
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string trim(std::string_view text) {
    std::size_t b = 0, e = text.size();
    while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\n' || text[b] == '\r'))
        ++b;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n' ||
                     text[e - 1] == '\r'))
        --e;
    return std::string(text.substr(b, e - b));
}

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : utf8_decode(text)) {
        bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
                    c == 0x200F || c == 0x061C;
        char buf[16];
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) {
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
            out += buf;
        } else if (bidi) {
            std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += utf8_encode(std::u32string(1, c));
        }
    }
    return out;
}

std::string quoted_list(const std::vector<std::string>& texts, std::string_view separator) {
    std::string out;
    for (const std::string& t : texts) {
        if (!out.empty())
            out += separator;
        out += "\"" + t + "\"";
    }
    return out;
}

} // namespace neac

namespace neac {
namespace {

// Each group: the ASCII base letter followed by every precomposed letter that folds to it.
constexpr const char* kFoldGroups[] = {
    "aàáảãạăằắẳẵặâầấẩẫậäåāą",
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÄÅĀĄ",
    "eèéẻẽẹêềếểễệëēę",
    "EÈÉẺẼẸÊỀẾỂỄỆËĒĘ",
    "iìíỉĩịïī",
    "IÌÍỈĨỊÏĪ",
    "oòóỏõọôồốổỗộơờớởỡợöøō",
    "OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÖØŌ",
    "uùúủũụưừứửữựüū",
    "UÙÚỦŨỤƯỪỨỬỮỰÜŪ",
    "yỳýỷỹỵÿ",
    "YỲÝỶỸỴŸ",
    "dđ",
    "DĐ",
    "cç",
    "CÇ",
    "nñ",
    "NÑ",
};

char32_t fold_char(char32_t c) {
    static const std::u32string* table = [] {
        auto* t = new std::u32string[std::size(kFoldGroups)];
        for (std::size_t i = 0; i < std::size(kFoldGroups); ++i)
            t[i] = utf8_decode(kFoldGroups[i]);
        return t;
    }();
    for (std::size_t i = 0; i < std::size(kFoldGroups); ++i)
        if (table[i].find(c, 1) != std::u32string::npos)
            return table[i][0];
    return c;
}

} // namespace

std::string fold_diacritics(std::string_view utf8) {
    std::u32string out;
    for (char32_t c : utf8_decode(utf8)) {
        if (c >= 0x0300 && c <= 0x036F)
            continue; // combining mark of decomposed input
        out.push_back(c < 0x80 ? c : fold_char(c));
    }
    return utf8_encode(out);
}

} // namespace neac
