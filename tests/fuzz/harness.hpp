// What every fuzz target (tests/fuzz/fuzz_*.cpp) shares: the rule for exceptions, a private
// scratch folder for the inputs that the library reads from files, and the small input formats
// the targets use.
//
// The rule: neac::Error is the library refusing a hostile input with a clear message, which is
// the correct outcome. Anything else (another exception type, a crash, a sanitizer report, a
// hang) escapes the harness and is a finding.
#pragma once

#include "neac/net/http.hpp"
#include "neac/util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace neac::fuzz {

// Runs `f`; neac::Error is swallowed, everything else propagates (and ends the run).
template <class F> void refused_ok(F&& f) {
    try {
        f();
    } catch (const neac::Error&) {
    }
}

// The fuzzer's bytes as a string.
inline std::string bytes_of(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// A folder private to this process under $TMPDIR (or /tmp), made on first use and removed at a
// normal exit. libFuzzer ends timed runs with _Exit, which skips that: scripts/fuzz gives each run
// its own TMPDIR and removes it.
const std::filesystem::path& scratch();

// Writes `content` to scratch()/name (replacing it) and returns the path.
std::filesystem::path write_scratch(const std::string& name, std::string_view content);

// An HTTP answer as the provider and portal targets read their input: an optional first line
// "NNN" (the status, 100-599; 200 without it), then optional header lines "Name: value" (names
// of letters, digits and '-', stored in lower case), then the body. The content type is JSON
// unless a Content-Type line says otherwise or the body starts with '<' (an HTML error page).
net::HttpResponse http_answer(std::string_view input);

// What net::perform_with_retry reads of an answer before any parser sees it: whether the status
// is worth another attempt and, if so, how long its Retry-After header makes the wait.
void retry_handling(const net::HttpResponse& answer);

// Lenient UTF-8 decoding: every byte that does not start a valid sequence becomes U+FFFD, so any
// input gives code points in 0..0x10FFFF without surrogates, as poppler's text layer does.
std::u32string decode_utf8(std::string_view text);

} // namespace neac::fuzz
