// Validators for the values a signature profile holds. Each is a pure function: it either returns
// the normalised value or throws neac::Error of kind BadInput (input_error) whose message says
// what was expected and whose hint says what to do. None of them echoes a value that might be a
// secret.
#pragma once

#include "neac/util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace neac::profile {

// A Vietnamese mobile number in any usual form ("0912345678", "+84 912 345 678", "84912345678",
// "091.234.5678", "(+84) 912-345-678") normalised to E.164: "+84912345678". The national form must
// have 10 digits and a mobile prefix (03[2-9], 05[2689], 07[06-9], 08[1-9], 09x). Landlines, short
// numbers, foreign numbers and letters are refused.
std::string normalize_phone(std::string_view input);

// A citizen identity number: CCCD (12 digits) or CMND (9 digits).
struct AccountId {
    std::string kind;   // "CCCD" or "CMND"
    std::string number; // digits only
};

// Accepts the digits with optional spaces, dots or dashes between them. A CCCD must start with one
// of the 63 province codes, its 4th digit (century and sex) must be 0-3 and the birth year it
// encodes (digits 5-6) must not be in the future. `current_year` 0 means the system clock's year
// (tests pass a fixed year).
AccountId parse_account(std::string_view input, int current_year = 0);

// True for the 63 CCCD province codes ("001" Hà Nội ... "096" Cà Mau).
bool is_province_code(std::string_view three_digits);

// "0010******45": the first 4 and last 2 digits, the rest starred (for tables on screen).
std::string mask_account(std::string_view digits);

// What a PNG signature image holds, from its IHDR chunk.
struct PngInfo {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bit_depth = 0;
    int color_type = 0;
};

// Checks the 8-byte PNG signature, the IHDR chunk (length 13, CRC, width and height > 0, a valid
// bit-depth/colour-type pair, compression/filter/interlace methods), then walks every following
// chunk (length within the file, CRC) up to IEND with at least one IDAT. Anything else (JPEG, GIF,
// text, truncated or corrupted files) throws BadInput naming `name` and, where it helps, the byte
// offset of the problem.
PngInfo inspect_png(std::string_view data, const std::string& name);
// Reads `path` (at most 16 MiB) and inspects it.
PngInfo read_png(const std::filesystem::path& path);

// True for an environment variable name: [A-Z_][A-Z0-9_]*.
bool is_env_var_name(std::string_view value);

// Refuses anything that is not an environment variable name, for the setting or flag `what`
// ("sp-password-env", "--token-env"). The message says the value "looks like a secret value"
// and never contains it.
void check_env_var_name(std::string_view value, std::string_view what);

// True for keys that would hold a secret in clear ("password", "sp-password", "client-secret",
// "token", "pin", ...): profiles refuse them.
bool is_secret_key(std::string_view key);
// The error for such a key: "secrets are never stored in profiles; use password-env or
// password-file" (with the right replacement for the key). `shown` is how the key is named in
// the message (e.g. "signatures[1].password"); empty means `key`.
Error secret_key_error(std::string_view key, std::string_view shown = {});

// A profile name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. It is also the file name under profiles/.
void check_profile_name(std::string_view name);
bool is_profile_name(std::string_view name);

// An endpoint URL: https://host[:port][/path], or http:// to 127.0.0.1, localhost or [::1] (for
// simulators in tests). `allow_http` lifts the loopback restriction (RFC 3161 TSAs are often
// plain HTTP; their answers are signed).
void check_url(std::string_view url, std::string_view what, bool allow_http = false);

// A certificate serial number in hex, optionally with ':' or ' ' separators; returns upper-case hex
// without separators.
std::string normalize_serial(std::string_view hex, std::string_view what = "serial");

// A finite decimal number >= `min`; `what` names the setting in the error.
double parse_number(std::string_view text, std::string_view what, double min);

} // namespace neac::profile
