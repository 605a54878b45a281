// Times as text. Everything neac shows or stores is UTC.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>

namespace neac {

inline constexpr const char* kIso8601Utc = "%Y-%m-%dT%H:%M:%SZ"; // 2026-11-26T21:10:00Z

// `t` in UTC formatted with strftime `format` (at most 63 characters of output).
std::string utc_text(std::chrono::system_clock::time_point t, const char* format = kIso8601Utc);
// The same for seconds since the epoch, for times a time point cannot hold (see below).
std::string utc_text(std::time_t t, const char* format = kIso8601Utc);

// A time read from a certificate, a timestamp token or a revocation answer as a time point,
// clamped to what system_clock holds (libstdc++ counts nanoseconds: about 1677 to 2262).
// Certificates say "no expiry" with 9999-12-31 (RFC 5280) and hostile data may claim any year up
// to 9999: converting those as they are overflowed. Nothing adds to these times, so the limits
// themselves are safe to compare with.
std::chrono::system_clock::time_point clamped_time_point(std::time_t t);

// "2026-11-26T18:00:00Z" as a time point; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_utc_text(const std::string& text);

// Now, as neac judges validity: the system clock, unless the environment variable NEAC_TEST_NOW
// holds a UTC time ("2031-12-06T00:00:00Z"). That variable exists for tests, which must see a
// certificate expire or an OCSP answer go stale years from now; it moves only the clock that
// validation data and certificates are judged by, never the time a signature claims or a
// server sees.
std::chrono::system_clock::time_point current_time();

} // namespace neac
