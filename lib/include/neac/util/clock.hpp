// Times as text. Everything neac shows or stores is UTC.
#pragma once

#include <chrono>
#include <string>

namespace neac {

inline constexpr const char* kIso8601Utc = "%Y-%m-%dT%H:%M:%SZ"; // 2026-11-26T21:10:00Z

// `t` in UTC formatted with strftime `format` (at most 63 characters of output).
std::string utc_text(std::chrono::system_clock::time_point t, const char* format = kIso8601Utc);

} // namespace neac
