// UTF-8 text helpers for terminal output: Vietnamese names mix precomposed letters (ệ) and
// combining marks (e + U+0323 + U+0302), so byte length and code-point count both misalign columns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace neac {

// Decodes UTF-8; invalid sequences become U+FFFD. Never throws.
std::u32string utf8_decode(std::string_view text);
std::string utf8_encode(std::u32string_view text);
bool is_valid_utf8(std::string_view text);

// Columns the text occupies in a terminal: combining marks take 0, East Asian wide and emoji 2.
std::size_t display_width(std::string_view text);

// Pads with spaces on the right up to `width` display columns (never truncates).
std::string pad_right(std::string_view text, std::size_t width);

// Renders rows as aligned columns separated by two spaces; the last column is not padded.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

// Trims ASCII white space at both ends.
std::string trim(std::string_view text);

// Untrusted text (from a file, a certificate, a server) made safe to print on a terminal: control
// characters (line breaks and escape sequences included), C1 controls and the bidirectional
// overrides that reorder what is shown become visible escapes such as \x1B or \u202E, and bytes
// that are not UTF-8 become U+FFFD. Everything else, Vietnamese included, is kept.
std::string terminal_safe(std::string_view text);

// Each text in double quotes, joined by `separator`: "A", "B" (for lists in messages).
std::string quoted_list(const std::vector<std::string>& texts, std::string_view separator = ", ");

} // namespace neac

namespace neac {

// Removes Vietnamese (and other Latin) diacritics: "Nguyễn Văn Đức" -> "Nguyen Van Duc".
// Works on precomposed and decomposed input alike.
std::string fold_diacritics(std::string_view utf8);

} // namespace neac
