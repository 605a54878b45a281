// Validators of neac::profile: phone, account, PNG, secrets, names, settings.
#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/error.hpp"

#include <gtest/gtest.h>
#include <string>
#include <zlib.h>

using namespace neac;
using namespace neac::profile;

namespace {

// Runs `fn`, expects a neac::Error of `kind`, and returns its message.
template <typename Fn> std::string error_of(Fn&& fn, ErrorKind kind = ErrorKind::BadInput) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "expected an error";
    return "";
}

void put32(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v >> 24);
    out += static_cast<char>(v >> 16 & 0xff);
    out += static_cast<char>(v >> 8 & 0xff);
    out += static_cast<char>(v & 0xff);
}

std::string chunk(const std::string& type, const std::string& body, bool good_crc = true) {
    std::string c;
    put32(c, static_cast<std::uint32_t>(body.size()));
    std::string tb = type + body;
    c += tb;
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(tb.data()), static_cast<uInt>(tb.size()));
    put32(c, static_cast<std::uint32_t>(good_crc ? crc : crc ^ 1));
    return c;
}

std::string ihdr(std::uint32_t w, std::uint32_t h, int depth, int colour) {
    std::string b;
    put32(b, w);
    put32(b, h);
    b += static_cast<char>(depth);
    b += static_cast<char>(colour);
    b += std::string(3, '\0');
    return b;
}

const std::string kSig = "\x89PNG\r\n\x1a\n";

// A complete, valid PNG of w x h RGBA pixels (IDAT is real zlib data).
std::string make_png(std::uint32_t w, std::uint32_t h, int depth = 8, int colour = 6) {
    std::string raw;
    for (std::uint32_t y = 0; y < h; ++y)
        raw += '\0' + std::string(w * 4, '\x7f');
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string z(size, '\0');
    compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
             static_cast<uLong>(raw.size()));
    z.resize(size);
    return kSig + chunk("IHDR", ihdr(w, h, depth, colour)) + chunk("IDAT", z) + chunk("IEND", "");
}

} // namespace

TEST(ProfilePhone, AcceptsUsualFormsAndNormalises) {
    EXPECT_EQ(normalize_phone("0912345678"), "+84912345678");
    EXPECT_EQ(normalize_phone("+84 912 345 678"), "+84912345678");
    EXPECT_EQ(normalize_phone("84912345678"), "+84912345678");
    EXPECT_EQ(normalize_phone("0912.345.678"), "+84912345678");
    EXPECT_EQ(normalize_phone("091-234-5678"), "+84912345678");
    EXPECT_EQ(normalize_phone("(+84) 912-345-678"), "+84912345678");
    EXPECT_EQ(normalize_phone("+84 (0) 912 345 678"), "+84912345678");
    EXPECT_EQ(normalize_phone("0084912345678"), "+84912345678");
    // One of each mobile prefix group.
    EXPECT_EQ(normalize_phone("0321234567"), "+84321234567");
    EXPECT_EQ(normalize_phone("0521234567"), "+84521234567");
    EXPECT_EQ(normalize_phone("0591234567"), "+84591234567");
    EXPECT_EQ(normalize_phone("0701234567"), "+84701234567");
    EXPECT_EQ(normalize_phone("0761234567"), "+84761234567");
    EXPECT_EQ(normalize_phone("0891234567"), "+84891234567");
}

TEST(ProfilePhone, RefusesLandlinesShortForeignAndText) {
    EXPECT_NE(error_of([] { normalize_phone("02412345678"); }).find("digits"), std::string::npos);
    EXPECT_NE(error_of([] { normalize_phone("0241234567"); }).find("024"), std::string::npos);
    error_of([] { normalize_phone("0312345678"); }); // 031: no mobile network
    error_of([] { normalize_phone("0501234567"); });
    error_of([] { normalize_phone("0711234567"); });
    error_of([] { normalize_phone("0801234567"); });
    error_of([] { normalize_phone("1900123456"); });
    error_of([] { normalize_phone("113"); });
    error_of([] { normalize_phone("091234567"); });
    error_of([] { normalize_phone("09123456789"); });
    EXPECT_NE(error_of([] { normalize_phone("+1 415 555 0100"); }).find("+84"), std::string::npos);
    error_of([] { normalize_phone("0912abc678"); });
    error_of([] { normalize_phone("09123+45678"); });
    error_of([] { normalize_phone(""); });
}

TEST(ProfileAccount, AcceptsCccdAndCmnd) {
    AccountId a = parse_account("001099012345", 2025);
    EXPECT_EQ(a.kind, "CCCD");
    EXPECT_EQ(a.number, "001099012345");
    EXPECT_EQ(parse_account("079 203 012345", 2025).number, "079203012345"); // born 2003
    EXPECT_EQ(parse_account("096325000001", 2025).kind, "CCCD");             // 2025 itself
    AccountId c = parse_account("162952530", 2025);
    EXPECT_EQ(c.kind, "CMND");
    EXPECT_EQ(c.number, "162952530");
}

TEST(ProfileAccount, RefusesBadProvinceCenturyFutureYearAndLength) {
    EXPECT_NE(error_of([] { parse_account("003099012345", 2025); }).find("province"),
              std::string::npos);
    error_of([] { parse_account("097099012345", 2025); });
    error_of([] { parse_account("000099012345", 2025); });
    EXPECT_NE(error_of([] { parse_account("001499012345", 2025); }).find("4th digit"),
              std::string::npos);
    EXPECT_NE(error_of([] { parse_account("001230012345", 2025); }).find("2030"),
              std::string::npos);
    EXPECT_NE(error_of([] { parse_account("00109901234", 2025); }).find("11 digits"),
              std::string::npos);
    error_of([] { parse_account("0010990123456", 2025); });
    error_of([] { parse_account("00109901234x", 2025); });
    error_of([] { parse_account("", 2025); });
}

TEST(ProfileAccount, ProvinceTableHasTheSixtyThreeCodes) {
    int n = 0;
    for (int i = 0; i < 1000; ++i) {
        char buf[12]; // room for any int: GCC's -Wformat-truncation cannot see i < 1000
        std::snprintf(buf, sizeof buf, "%03d", i);
        n += is_province_code(buf);
    }
    EXPECT_EQ(n, 63);
    EXPECT_TRUE(is_province_code("001"));
    EXPECT_TRUE(is_province_code("096"));
    EXPECT_FALSE(is_province_code("003"));
}

TEST(ProfileAccount, Mask) {
    EXPECT_EQ(mask_account("001099012345"), "0010******45");
    EXPECT_EQ(mask_account("162952530"), "1629***30");
}

TEST(ProfilePng, ReadsSizeOfValidImages) {
    PngInfo info = inspect_png(make_png(120, 40), "sig.png");
    EXPECT_EQ(info.width, 120u);
    EXPECT_EQ(info.height, 40u);
    EXPECT_EQ(info.bit_depth, 8);
    EXPECT_EQ(info.color_type, 6);
    EXPECT_EQ(inspect_png(make_png(1, 1, 16, 6), "x").bit_depth, 16);
}

TEST(ProfilePng, RefusesOtherFormatsWithReason) {
    EXPECT_NE(error_of([] { inspect_png("\xFF\xD8\xFF\xE0\x00\x10JFIF", "a.jpg"); }).find("JPEG"),
              std::string::npos);
    EXPECT_NE(error_of([] { inspect_png("hello, this is text\n", "a.txt"); }).find("signature"),
              std::string::npos);
    EXPECT_NE(error_of([] { inspect_png("", "e.png"); }).find("empty"), std::string::npos);
    EXPECT_NE(error_of([] { inspect_png("GIF89a....", "g"); }).find("GIF"), std::string::npos);
}

TEST(ProfilePng, RefusesTruncatedFiles) {
    std::string png = make_png(10, 10);
    EXPECT_NE(error_of([&] { inspect_png(png.substr(0, 5), "t"); }).find("truncated"),
              std::string::npos);
    EXPECT_NE(error_of([&] { inspect_png(png.substr(0, 8), "t"); }).find("IHDR"),
              std::string::npos);
    EXPECT_NE(error_of([&] { inspect_png(png.substr(0, 20), "t"); }).find("truncated"),
              std::string::npos);
    // Cut inside IDAT, and just before IEND.
    EXPECT_NE(error_of([&] { inspect_png(png.substr(0, png.size() - 20), "t"); }).find("truncated"),
              std::string::npos);
    EXPECT_NE(error_of([&] { inspect_png(png.substr(0, png.size() - 12), "t"); }).find("IEND"),
              std::string::npos);
}

TEST(ProfilePng, RefusesBadCrcAndHeaders) {
    std::string bad_crc = kSig + chunk("IHDR", ihdr(4, 4, 8, 6), false) + chunk("IEND", "");
    EXPECT_NE(error_of([&] { inspect_png(bad_crc, "c"); }).find("CRC"), std::string::npos);
    std::string png = make_png(4, 4);
    png[png.size() - 20] ^= 0x55; // inside IDAT's data: its CRC no longer matches
    EXPECT_NE(error_of([&] { inspect_png(png, "c"); }).find("CRC"), std::string::npos);

    auto with_ihdr = [](const std::string& body) {
        return kSig + chunk("IHDR", body) + chunk("IDAT", "x") + chunk("IEND", "");
    };
    EXPECT_NE(error_of([&] { inspect_png(with_ihdr(ihdr(0, 4, 8, 6)), "z"); }).find("size"),
              std::string::npos);
    EXPECT_NE(error_of([&] { inspect_png(with_ihdr(ihdr(4, 0, 8, 6)), "z"); }).find("size"),
              std::string::npos);
    EXPECT_NE(error_of([&] { inspect_png(with_ihdr(ihdr(4, 4, 4, 2)), "d"); }).find("bit depth"),
              std::string::npos);
    error_of([&] { inspect_png(with_ihdr(ihdr(4, 4, 16, 3)), "d"); });
    error_of([&] { inspect_png(with_ihdr(ihdr(4, 4, 8, 5)), "d"); });
    EXPECT_NE(error_of([&] { inspect_png(with_ihdr(ihdr(4, 4, 8, 6) + "x"), "l"); }).find("13"),
              std::string::npos);
    std::string first_not_ihdr = kSig + chunk("IDAT", "x") + chunk("IEND", "");
    EXPECT_NE(error_of([&] { inspect_png(first_not_ihdr, "f"); }).find("IHDR"), std::string::npos);
    std::string no_idat = kSig + chunk("IHDR", ihdr(4, 4, 8, 6)) + chunk("IEND", "");
    EXPECT_NE(error_of([&] { inspect_png(no_idat, "n"); }).find("IDAT"), std::string::npos);
    // Every valid bit-depth / colour-type pair passes.
    for (auto [depth, colour] : std::vector<std::pair<int, int>>{{1, 0},
                                                                 {2, 0},
                                                                 {4, 0},
                                                                 {8, 0},
                                                                 {16, 0},
                                                                 {8, 2},
                                                                 {16, 2},
                                                                 {1, 3},
                                                                 {2, 3},
                                                                 {4, 3},
                                                                 {8, 3},
                                                                 {8, 4},
                                                                 {16, 4},
                                                                 {8, 6},
                                                                 {16, 6}})
        EXPECT_NO_THROW(inspect_png(with_ihdr(ihdr(4, 4, depth, colour)), "ok"));
}

TEST(ProfilePng, ErrorNamesFileAndOffset) {
    try {
        inspect_png(kSig + chunk("IHDR", ihdr(4, 4, 8, 6), false), "sig.png");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.file(), "sig.png");
        ASSERT_TRUE(e.offset());
        EXPECT_EQ(*e.offset(), 8);
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(ProfileSecrets, EnvVarNames) {
    EXPECT_TRUE(is_env_var_name("VNPT_SP_PASSWORD"));
    EXPECT_TRUE(is_env_var_name("_X1"));
    EXPECT_FALSE(is_env_var_name("1ABC"));
    EXPECT_FALSE(is_env_var_name("vnpt_password"));
    EXPECT_FALSE(is_env_var_name("NGNhMzdmOGE-OGM2Mi00MTg0"));
    EXPECT_FALSE(is_env_var_name(""));
    EXPECT_NO_THROW(check_env_var_name("MY_TOKEN", "token-env"));
}

TEST(ProfileSecrets, SecretLookingValueIsRefusedWithoutEcho) {
    const std::string secret = "NGNhMzdmOGE-OGM2Mi00MTg0";
    try {
        check_env_var_name(secret, "--sp-password-env");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        std::string all = e.describe();
        EXPECT_NE(all.find("looks like a secret value"), std::string::npos);
        EXPECT_EQ(all.find(secret), std::string::npos);
        EXPECT_EQ(all.find("NGNh"), std::string::npos);
    }
}

TEST(ProfileSecrets, LiteralSecretKeys) {
    for (const char* k : {"password", "sp-password", "client-secret", "token", "pin"}) {
        EXPECT_TRUE(is_secret_key(k)) << k;
        EXPECT_NE(std::string(secret_key_error(k).what()).find("never stored"), std::string::npos);
    }
    EXPECT_NE(
        std::string(secret_key_error("password").what()).find("password-env or password-file"),
        std::string::npos);
    EXPECT_FALSE(is_secret_key("password-env"));
    EXPECT_FALSE(is_secret_key("account"));
}

TEST(ProfileName, Identifiers) {
    EXPECT_TRUE(is_profile_name("an"));
    EXPECT_TRUE(is_profile_name("Nguyen.Van-A_2"));
    EXPECT_TRUE(is_profile_name(std::string(64, 'a')));
    EXPECT_FALSE(is_profile_name(std::string(65, 'a')));
    EXPECT_FALSE(is_profile_name(""));
    EXPECT_FALSE(is_profile_name("-an"));
    EXPECT_FALSE(is_profile_name(".hidden"));
    EXPECT_FALSE(is_profile_name("a/b"));
    EXPECT_FALSE(is_profile_name("an yaml"));
    EXPECT_FALSE(is_profile_name("nguyễn"));
    error_of([] { check_profile_name("../etc"); });
}

TEST(ProfileUrl, HttpsRequiredExceptLoopback) {
    EXPECT_NO_THROW(check_url("https://gwsca.vnpt.vn/sca/sp769", "endpoint"));
    EXPECT_NO_THROW(check_url("http://127.0.0.1:8080/api", "endpoint"));
    EXPECT_NO_THROW(check_url("http://localhost:9/", "endpoint"));
    EXPECT_NO_THROW(check_url("http://[::1]:9/", "endpoint"));
    error_of([] { check_url("http://example.vn/", "endpoint"); });
    error_of([] { check_url("ftp://example.vn/", "endpoint"); });
    error_of([] { check_url("https://", "endpoint"); });
    error_of([] { check_url("https://user:pw@host/", "endpoint"); });
    error_of([] { check_url("https://host/a b", "endpoint"); });
    EXPECT_NO_THROW(check_url("http://tsa.example.vn/tsr", "tsa", true));
    // A secret in the query would be stored in the profile.
    EXPECT_NO_THROW(check_url("https://host/api?version=2&lang=vi#x", "endpoint"));
    std::string q =
        error_of([] { check_url("https://host/api?v=2&Access_Token=abc", "endpoint"); });
    EXPECT_NE(q.find("access_token=..."), std::string::npos) << q;
    EXPECT_EQ(q.find("abc"), std::string::npos);
    error_of([] { check_url("https://host/csc/v2?apikey=1", "endpoint"); });
}

TEST(ProfileSettings, PerProviderRules) {
    EXPECT_EQ(check_setting("vnpt-smartca", "serial", "54:01:a2"), "5401A2");
    EXPECT_EQ(check_setting("vnpt-smartca", "service-type", "ESEAL"), "ESEAL");
    error_of([] { check_setting("vnpt-smartca", "service-type", "OTHER"); });
    EXPECT_NE(
        error_of([] { check_setting("sandbox", "client-id-env", "X"); }).find("viettel-mysign"),
        std::string::npos);
    error_of([] { check_setting("pkcs12", "serial", "01"); });
    error_of([] { check_setting("sandbox", "approval-delay", "-1"); });
    error_of([] { check_setting("sandbox", "approval-delay", "soon"); });
    EXPECT_EQ(check_setting("sandbox", "approval-delay", "0.5"), "0.5");
    EXPECT_NE(error_of([] { check_setting("csc", "colour", "x"); }).find("unknown"),
              std::string::npos);
    error_of([] { check_setting("csc", "endpoint", "http://csc.example.vn"); });
    error_of([] { check_provider("fpt-ca"); });
}

TEST(ProfileSettings, RequiredSettings) {
    EXPECT_EQ(missing_settings("vnpt-smartca", {}),
              (std::vector<std::string>{"sp-id-env", "sp-password-env"}));
    EXPECT_EQ(missing_settings("viettel-mysign", {{"client-id-env", "A"}}),
              (std::vector<std::string>{"client-secret-env"}));
    EXPECT_EQ(missing_settings("misa-esign", {{"username-env", "U"}, {"password-file", "/p"}}),
              (std::vector<std::string>{}));
    EXPECT_EQ(missing_settings("misa-esign", {}).size(), 2u);
    EXPECT_EQ(missing_settings("csc", {}), (std::vector<std::string>{"endpoint", "token-env"}));
    EXPECT_EQ(missing_settings("pkcs12", {}), (std::vector<std::string>{"pkcs12"}));
    EXPECT_TRUE(missing_settings("sandbox", {}).empty());
    EXPECT_EQ(default_endpoint("vnpt-smartca"), "https://gwsca.vnpt.vn/sca/sp769");
    EXPECT_EQ(default_endpoint("csc"), "");
    EXPECT_TRUE(is_remote_provider("misa-esign"));
    EXPECT_FALSE(is_remote_provider("sandbox"));
}
