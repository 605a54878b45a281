#include "neac/profile/validate.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <zlib.h>

namespace neac::profile {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The 63 province/city codes of the CCCD (Circular 59/2021/TT-BCA, appendix), sorted.
constexpr std::array<std::string_view, 63> kProvinceCodes{
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096"};

bool is_mobile_prefix(std::string_view national) {
    // national is "0" + 9 digits; the second and third digits select the network.
    char a = national[1], b = national[2];
    switch (a) {
    case '3':
        return b >= '2' && b <= '9';
    case '5':
        return b == '2' || b == '6' || b == '8' || b == '9';
    case '7':
        return b == '0' || (b >= '6' && b <= '9');
    case '8':
        return b >= '1' && b <= '9';
    case '9':
        return true;
    default:
        return false;
    }
}

int current_year_now() {
    using namespace std::chrono;
    year_month_day today{floor<days>(system_clock::now())};
    return static_cast<int>(today.year());
}

std::uint32_t be32(std::string_view data, std::size_t at) {
    auto b = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at + i]));
    };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

bool png_depth_ok(int color_type, int depth) {
    switch (color_type) {
    case 0: // greyscale
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: // palette
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2: // RGB
    case 4: // greyscale + alpha
    case 6: // RGBA
        return depth == 8 || depth == 16;
    default:
        return false;
    }
}

Error png_error(const std::string& name, const std::string& message, std::size_t offset) {
    Error e = input_error("not a usable PNG image: " + message);
    e.file(name).offset(static_cast<std::int64_t>(offset));
    e.hint("the signature image must be a PNG file (export it as .png, e.g. with a transparent "
           "background)");
    return e;
}

} // namespace

std::string normalize_phone(std::string_view input) {
    std::string digits;
    bool plus = false;
    for (std::size_t i = 0; i < input.size(); ++i) {
        char c = input[i];
        if (is_digit(c)) {
            digits += c;
        } else if (c == '+' && digits.empty() && !plus) {
            plus = true;
        } else if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '\t') {
            continue;
        } else {
            throw input_error("phone number contains '" + std::string(1, c) +
                              "': expected digits, optionally with +84, spaces, dots or dashes")
                .hint("give the mobile number registered for remote signing, e.g. 0912345678 "
                      "or +84 912 345 678");
        }
    }
    std::string national;
    if (plus || digits.starts_with("0084")) {
        std::string rest = plus ? digits : digits.substr(2);
        if (!rest.starts_with("84"))
            throw input_error("not a Vietnamese phone number (country code must be +84)")
                .hint("remote signing in Vietnam uses the Vietnamese mobile number registered "
                      "with the CA");
        rest = rest.substr(2);
        // "+84 (0) 912 ..." is a common way of writing it: drop the trunk 0.
        if (rest.size() == 10 && rest[0] == '0')
            rest = rest.substr(1);
        national = "0" + rest;
    } else if (digits.size() == 11 && digits.starts_with("84")) {
        national = "0" + digits.substr(2);
    } else {
        national = digits;
    }
    if (national.size() != 10 || national[0] != '0')
        throw input_error("not a Vietnamese mobile number: expected 10 digits starting with 0 "
                          "(or +84 and 9 digits), got " +
                          std::to_string(digits.size()) + " digits")
            .hint("give the mobile number registered for remote signing, e.g. 0912345678");
    if (!is_mobile_prefix(national))
        throw input_error("not a Vietnamese mobile number: prefix " + national.substr(0, 3) +
                          " is not a mobile network (landline or unassigned)")
            .hint("mobile numbers start with 03x, 05x, 07x, 08x or 09x; remote signing needs "
                  "the mobile number registered with the CA");
    return "+84" + national.substr(1);
}

bool is_province_code(std::string_view code) {
    return std::binary_search(kProvinceCodes.begin(), kProvinceCodes.end(), code);
}

AccountId parse_account(std::string_view input, int current_year) {
    std::string digits;
    for (char c : input) {
        if (is_digit(c))
            digits += c;
        else if (c == ' ' || c == '.' || c == '-')
            continue;
        else
            throw input_error("account must be a CCCD (12 digits) or CMND (9 digits) number; "
                              "found a '" +
                              std::string(1, c) + "'")
                .hint("use the citizen identity number printed on the card, e.g. 001099012345");
    }
    if (digits.size() == 9)
        return {"CMND", digits};
    if (digits.size() != 12)
        throw input_error("account must be a CCCD (12 digits) or CMND (9 digits) number; got " +
                          std::to_string(digits.size()) + " digits")
            .hint("use the citizen identity number printed on the card, e.g. 001099012345");
    std::string province = digits.substr(0, 3);
    if (!is_province_code(province))
        throw input_error("not a valid CCCD number: " + province +
                          " is not a province code (the first 3 digits name the province of "
                          "birth registration, 001-096)")
            .hint("check the number on the card");
    int century = digits[3] - '0';
    if (century > 3)
        throw input_error("not a valid CCCD number: the 4th digit (century and sex) must be 0-3 "
                          "for people born in 1900-2099, got " +
                          std::string(1, digits[3]))
            .hint("check the number on the card");
    int year = (century < 2 ? 1900 : 2000) + (digits[4] - '0') * 10 + (digits[5] - '0');
    int now = current_year > 0 ? current_year : current_year_now();
    if (year > now)
        throw input_error("not a valid CCCD number: digits 4-6 give the birth year " +
                          std::to_string(year) + ", which is in the future")
            .hint("check the number on the card");
    return {"CCCD", digits};
}

std::string mask_account(std::string_view digits) {
    if (digits.size() <= 6)
        return std::string(digits.size(), '*');
    std::string out(digits.substr(0, 4));
    out.append(digits.size() - 6, '*');
    out += digits.substr(digits.size() - 2);
    return out;
}

PngInfo inspect_png(std::string_view data, const std::string& name) {
    static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (data.size() < 8 || std::memcmp(data.data(), kSignature, 8) != 0) {
        std::string what = "no PNG signature";
        if (data.size() >= 3 && static_cast<unsigned char>(data[0]) == 0xFF &&
            static_cast<unsigned char>(data[1]) == 0xD8 &&
            static_cast<unsigned char>(data[2]) == 0xFF)
            what = "this is a JPEG image";
        else if (data.starts_with("GIF8"))
            what = "this is a GIF image";
        else if (data.starts_with("%PDF"))
            what = "this is a PDF file";
        else if (data.empty())
            what = "the file is empty";
        else if (data.size() < 8 && std::memcmp(data.data(), kSignature, data.size()) == 0)
            what = "the file is truncated inside the PNG signature";
        throw png_error(name, what, 0);
    }
    PngInfo info;
    std::size_t pos = 8;
    bool first = true, seen_idat = false;
    while (true) {
        if (data.size() - pos < 12)
            throw png_error(name,
                            first ? "truncated before the IHDR chunk"
                                  : "truncated: the file ends before the IEND chunk",
                            pos);
        std::uint32_t length = be32(data, pos);
        std::string_view type = data.substr(pos + 4, 4);
        if (length > 0x7fffffffu || data.size() - pos - 12 < length)
            throw png_error(name,
                            "truncated: chunk " + std::string(type) + " claims " +
                                std::to_string(length) + " bytes past the end of the file",
                            pos);
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + pos + 4), length + 4);
        if (crc != be32(data, pos + 8 + length))
            throw png_error(
                name, "CRC mismatch in chunk " + std::string(type) + " (corrupted file)", pos);
        std::string_view body = data.substr(pos + 8, length);
        if (first) {
            if (type != "IHDR")
                throw png_error(name, "the first chunk must be IHDR, found " + std::string(type),
                                pos);
            if (length != 13)
                throw png_error(
                    name, "IHDR chunk must be 13 bytes, found " + std::to_string(length), pos);
            info.width = be32(body, 0);
            info.height = be32(body, 4);
            info.bit_depth = static_cast<unsigned char>(body[8]);
            info.color_type = static_cast<unsigned char>(body[9]);
            if (info.width == 0 || info.height == 0 || info.width > 0x7fffffffu ||
                info.height > 0x7fffffffu)
                throw png_error(name,
                                "invalid size " + std::to_string(info.width) + "x" +
                                    std::to_string(info.height),
                                pos + 8);
            if (!png_depth_ok(info.color_type, info.bit_depth))
                throw png_error(name,
                                "invalid bit depth " + std::to_string(info.bit_depth) +
                                    " for colour type " + std::to_string(info.color_type),
                                pos + 16);
            if (body[10] != 0 || body[11] != 0 || (body[12] != 0 && body[12] != 1))
                throw png_error(name, "unknown compression, filter or interlace method", pos + 18);
            first = false;
        } else if (type == "IDAT") {
            seen_idat = true;
        } else if (type == "IEND") {
            if (!seen_idat)
                throw png_error(name, "no image data (IDAT chunk)", pos);
            return info;
        } else if (type == "IHDR") {
            throw png_error(name, "a second IHDR chunk", pos);
        }
        pos += 12 + length;
    }
}

PngInfo read_png(const std::filesystem::path& path) {
    return inspect_png(read_small_file(path, limits::kImageFileBytes), path.string());
}

bool is_env_var_name(std::string_view value) {
    if (value.empty() || value.size() > 128)
        return false;
    if (!(value[0] == '_' || (value[0] >= 'A' && value[0] <= 'Z')))
        return false;
    return std::all_of(value.begin(), value.end(), [](char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

void check_env_var_name(std::string_view value, std::string_view what) {
    if (is_env_var_name(value))
        return;
    // An example variable named after the setting: "--sp-password-env" -> NEAC_SP_PASSWORD.
    std::string example = "NEAC_";
    std::string_view base = what.substr(what.find_first_not_of('-'));
    if (base.ends_with("-env"))
        base.remove_suffix(4);
    for (char c : base)
        example += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // Never repeat the value: people paste the secret itself here.
    throw input_error("the value of " + std::string(what) +
                      " looks like a secret value, not an environment variable name "
                      "(expected [A-Z_][A-Z0-9_]*); it was not stored")
        .hint("put the secret in an environment variable (export " + example +
              "=...) and give the variable's name: " + std::string(what) + " " + example);
}

bool is_secret_key(std::string_view key) {
    static constexpr std::string_view kSecretKeys[] = {
        "password",     "sp-password", "client-secret", "secret",  "token",
        "access-token", "pin",         "otp",           "api-key", "private-key",
        "passphrase",   "sp-secret",   "client-key"};
    return std::find(std::begin(kSecretKeys), std::end(kSecretKeys), key) != std::end(kSecretKeys);
}

Error secret_key_error(std::string_view key, std::string_view shown) {
    std::string k(key);
    std::string use;
    if (k == "password" || k == "passphrase")
        use = "password-env or password-file";
    else if (k == "sp-password" || k == "sp-secret")
        use = "sp-password-env";
    else if (k == "client-secret" || k == "client-key")
        use = "client-secret-env";
    else if (k == "token" || k == "access-token")
        use = "token-env";
    else
        use = "a *-env setting naming an environment variable";
    Error e = input_error("'" + std::string(shown.empty() ? key : shown) +
                          "': secrets are never stored in profiles; use " + use);
    e.hint("remove the value from the file, put it in an environment variable and name that "
           "variable in the profile");
    return e;
}

bool is_profile_name(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    auto alnum = [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    if (!alnum(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

void check_profile_name(std::string_view name) {
    if (!is_profile_name(name))
        throw input_error("invalid profile name '" + std::string(name) +
                          "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                          "or digit")
            .hint("e.g. 'an' or 'nguyen-van-a'");
}

void check_url(std::string_view url, std::string_view what, bool allow_http) {
    auto bad = [&](const std::string& why) {
        return input_error(std::string(what) + ": " + why)
            .hint("give a full URL such as https://host.example.vn/path");
    };
    if (std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; }))
        throw bad("a URL cannot contain spaces or control characters");
    std::string_view rest;
    bool https = url.starts_with("https://");
    if (https)
        rest = url.substr(8);
    else if (url.starts_with("http://"))
        rest = url.substr(7);
    else
        throw bad("expected an https:// URL");
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos)
        throw bad("credentials in the URL are not allowed (they would be stored in the profile)");
    std::string_view host = authority;
    if (host.starts_with("[")) {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    if (host.empty() || host == "[")
        throw bad("the URL has no host");
    // A secret in the query would be stored in the profile (and logged with every request).
    if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
        std::string_view params = rest.substr(q + 1);
        params = params.substr(0, params.find('#'));
        for (std::size_t at = 0; at <= params.size();) {
            std::size_t end = std::min(params.find('&', at), params.size());
            std::string_view pair = params.substr(at, end - at);
            std::string name(pair.substr(0, pair.find('=')));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            for (const char* word : {"token", "secret", "password", "passwd", "pwd", "key",
                                     "signature", "sig", "auth", "credential", "session"})
                if (name.find(word) != std::string::npos)
                    throw bad("the URL's query carries a secret (" + name +
                              "=...), which would be stored in the profile")
                        .hint("remove it from the URL; secrets come from environment variables "
                              "or files named in the profile");
            at = end + 1;
        }
    }
    if (!https && !allow_http && host != "127.0.0.1" && host != "localhost" && host != "[::1]")
        throw bad("plain http:// is only allowed to 127.0.0.1 or localhost (test simulators); "
                  "use https://");
}

std::string normalize_serial(std::string_view hex, std::string_view what) {
    std::string out;
    for (char c : hex) {
        if (c == ':' || c == ' ')
            continue;
        if (is_digit(c) || (c >= 'A' && c <= 'F'))
            out += c;
        else if (c >= 'a' && c <= 'f')
            out += static_cast<char>(c - 'a' + 'A');
        else
            throw input_error(std::string(what) +
                              ": expected a certificate serial number in hex (0-9, A-F)")
                .hint("copy the serial from the CA's app or portal, e.g. 5401A2B3C4");
    }
    if (out.empty() || out.size() > 80)
        throw input_error(std::string(what) + ": expected 1-40 bytes of hex")
            .hint("copy the serial from the CA's app or portal, e.g. 5401A2B3C4");
    return out;
}

double parse_number(std::string_view text, std::string_view what, double min) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(value))
        throw input_error(std::string(what) + ": expected a number")
            .hint("e.g. " + std::string(what) + ": 2");
    if (value < min) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, min);
        throw input_error(std::string(what) + ": must be at least " + std::string(buf, r.ptr));
    }
    return value;
}

} // namespace neac::profile
