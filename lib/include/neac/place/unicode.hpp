// Unicode rules for finding a keyword in page text, with ICU (libicu, already required by
// HarfBuzz) rather than a hand-made table: PDF text layers spell the same Vietnamese letter in
// several ways (precomposed "ệ", decomposed "e" + U+0323 + U+0302 from Chromium, ligatures
// "ﬁ", no-break spaces, soft hyphens), and only the Unicode data itself covers all of them.
//
// Matching compares "search keys": NFKC with full case folding (NFKC_Casefold), so composed and
// decomposed forms, upper and lower case (NGƯỜI = người, Đ = đ), compatibility forms and
// ligatures compare equal and default-ignorable characters vanish. With ignore_diacritics the
// marks are removed too and the stroked letters đ, ø, ł, ħ, ŧ become d, o, l, h, t.
#pragma once

#include <string>
#include <string_view>

namespace neac::place {

// The search key of one cluster (a base character followed by its combining marks). May be
// empty (ignorable characters) or longer than the input (ligatures).
std::u32string search_key(std::u32string_view cluster, bool ignore_diacritics);

// The search key of a whole text, with every white-space character removed: the keyword side.
std::u32string search_key_of_text(std::string_view utf8, bool ignore_diacritics);

// True for combining marks (general categories Mn, Mc, Me): they belong to the cluster of the
// character before them.
bool is_mark(char32_t c);
// Letters, digits and marks: characters that make up words (for word-boundary checks).
bool is_word_char(char32_t c);
bool is_space(char32_t c);

// Canonical composition (NFC) of UTF-8 text; invalid UTF-8 comes back with U+FFFD.
std::string to_nfc(std::string_view utf8);

} // namespace neac::place
