// Byte strings and their text encodings (hex for PDF /Contents and digests, base64 for the
// remote-signing APIs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace neac {

using Bytes = std::vector<std::uint8_t>;

inline Bytes to_bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}
inline std::string to_string(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

// Lower-case hex by default; PDF hex strings accept either case.
std::string hex_encode(const std::uint8_t* data, std::size_t size, bool upper = false);
inline std::string hex_encode(const Bytes& b, bool upper = false) {
    return hex_encode(b.data(), b.size(), upper);
}
// Ignores ASCII white space; throws Error(BadInput) on any other non-hex character or an odd count.
Bytes hex_decode(std::string_view hex);

std::string base64_encode(const std::uint8_t* data, std::size_t size);
inline std::string base64_encode(const Bytes& b) {
    return base64_encode(b.data(), b.size());
}
// Accepts standard and URL-safe alphabets, missing padding and embedded CR/LF (some providers wrap
// their base64 every 76 characters). Throws Error(BadInput) on anything else.
Bytes base64_decode(std::string_view text);

} // namespace neac
