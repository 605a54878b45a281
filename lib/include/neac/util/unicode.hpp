// Unicode normalisation and character classes, with ICU (libicu, already required by HarfBuzz)
// rather than a hand-made table: PDF text and profile values spell the same Vietnamese letter in
// several ways (precomposed "ệ", decomposed "e" + U+0323 + U+0302 from Chromium, ligatures "ﬁ",
// no-break spaces, soft hyphens), and only the Unicode data itself covers all of them.
#pragma once

#include <string>
#include <string_view>

namespace neac {

// Canonical composition (NFC) of UTF-8 text; invalid UTF-8 comes back with U+FFFD.
std::string to_nfc(std::string_view utf8);
// Canonical decomposition (NFD): base characters followed by their combining marks.
std::u32string to_nfd(std::u32string_view text);
// NFKC with full case folding (NFKC_Casefold): composed and decomposed forms, upper and lower
// case, compatibility forms and ligatures become one form; default-ignorable characters vanish.
std::u32string to_nfkc_casefold(std::u32string_view text);

// True for combining marks (general categories Mn, Mc, Me): they belong to the cluster of the
// character before them.
bool is_mark(char32_t c);
// Letters, digits and marks: characters that make up words (for word-boundary checks).
bool is_word_char(char32_t c);
// ASCII white space and every Unicode White_Space character (no-break space, ideographic space).
bool is_space(char32_t c);

} // namespace neac
