// The keys that keyword matching compares. PDF text layers spell the same Vietnamese letter in
// several ways (precomposed "ệ", decomposed "e" + U+0323 + U+0302 from Chromium, ligatures "ﬁ",
// no-break spaces, soft hyphens); both the keyword and the page text are reduced to search keys
// so that all of them compare equal.
//
// A search key is NFKC with full case folding (NFKC_Casefold, neac/util/unicode.hpp), so composed
// and decomposed forms, upper and lower case (NGƯỜI = người, Đ = đ), compatibility forms and
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

} // namespace neac::place
