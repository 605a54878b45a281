#include "neac/util/unicode.hpp"

#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

namespace neac {
namespace {

const UNormalizer2* normalizer(const UNormalizer2* (*get)(UErrorCode*), const char* name) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* n = get(&status);
    if (U_FAILURE(status) || !n)
        throw Error(ErrorKind::Internal,
                    std::string("ICU has no ") + name + " normaliser: " + u_errorName(status));
    return n;
}

const UNormalizer2* nfkc_casefold() {
    static const UNormalizer2* n = normalizer(unorm2_getNFKCCasefoldInstance, "NFKC_Casefold");
    return n;
}

const UNormalizer2* nfd() {
    static const UNormalizer2* n = normalizer(unorm2_getNFDInstance, "NFD");
    return n;
}

const UNormalizer2* nfc() {
    static const UNormalizer2* n = normalizer(unorm2_getNFCInstance, "NFC");
    return n;
}

std::u16string to_utf16(std::u32string_view text) {
    std::u16string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            c = 0xFFFD;
        if (c >= 0x10000) {
            out.push_back(static_cast<char16_t>(U16_LEAD(c)));
            out.push_back(static_cast<char16_t>(U16_TRAIL(c)));
        } else {
            out.push_back(static_cast<char16_t>(c));
        }
    }
    return out;
}

std::u32string to_utf32(const std::u16string& text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        UChar32 c;
        U16_NEXT(text.data(), i, text.size(), c);
        out.push_back(static_cast<char32_t>(c));
    }
    return out;
}

std::u16string normalize_with(const UNormalizer2* n, const std::u16string& in) {
    std::u16string out(in.size() * 3 + 8, u'\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        int32_t len = unorm2_normalize(
            n, reinterpret_cast<const UChar*>(in.data()), static_cast<int32_t>(in.size()),
            reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()), &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.resize(static_cast<std::size_t>(len));
            continue;
        }
        if (U_FAILURE(status))
            throw Error(ErrorKind::Internal,
                        std::string("Unicode normalisation failed: ") + u_errorName(status));
        out.resize(static_cast<std::size_t>(len));
        return out;
    }
    throw Error(ErrorKind::Internal, "Unicode normalisation did not converge");
}

} // namespace

bool is_mark(char32_t c) {
    int8_t t = u_charType(static_cast<UChar32>(c));
    return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

bool is_word_char(char32_t c) {
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return u_isalnum(static_cast<UChar32>(c)) || is_mark(c);
}

bool is_space(char32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           (c >= 0x80 && u_isUWhiteSpace(static_cast<UChar32>(c)));
}

std::u32string to_nfd(std::u32string_view text) {
    return to_utf32(normalize_with(nfd(), to_utf16(text)));
}

std::u32string to_nfkc_casefold(std::u32string_view text) {
    return to_utf32(normalize_with(nfkc_casefold(), to_utf16(text)));
}

std::string to_nfc(std::string_view utf8) {
    std::u16string composed = normalize_with(nfc(), to_utf16(utf8_decode(utf8)));
    return utf8_encode(to_utf32(composed));
}

} // namespace neac
