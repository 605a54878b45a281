#include "neac/profile/settings.hpp"

#include "neac/profile/validate.hpp"
#include "neac/util/error.hpp"

#include <algorithm>

namespace neac::profile {
namespace {

constexpr std::string_view kVnpt = "vnpt-smartca";
constexpr std::string_view kViettel = "viettel-mysign";
constexpr std::string_view kMisa = "misa-esign";
constexpr std::string_view kCsc = "csc";
constexpr std::string_view kPkcs12 = "pkcs12";
constexpr std::string_view kSandbox = "sandbox";

std::string join(const std::vector<std::string_view>& items, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += sep;
        out += items[i];
    }
    return out;
}

bool has(const std::map<std::string, std::string>& settings, const char* key) {
    auto it = settings.find(key);
    return it != settings.end() && !it->second.empty();
}

} // namespace

const std::vector<SettingSpec>& setting_specs() {
    static const std::vector<SettingSpec> specs{
        {"endpoint",
         SettingKind::Url,
         {kVnpt, kViettel, kMisa, kCsc},
         "Base URL of the provider's API (https; default per provider, required for csc)",
         {}},
        {"ca-bundle",
         SettingKind::File,
         {kVnpt, kViettel, kMisa, kCsc},
         "PEM file of CA certificates trusted for the endpoint's TLS",
         {}},
        {"sp-id-env",
         SettingKind::EnvVar,
         {kVnpt},
         "Environment variable holding the VNPT SmartCA sp_id (client id)",
         {}},
        {"sp-password-env",
         SettingKind::EnvVar,
         {kVnpt},
         "Environment variable holding the VNPT SmartCA sp_password (client secret)",
         {}},
        {"service-type",
         SettingKind::Choice,
         {kVnpt},
         "VNPT certificate kind: SMARTCA (personal) or ESEAL (organisation)",
         {"SMARTCA", "ESEAL"}},
        {"client-id-env",
         SettingKind::EnvVar,
         {kViettel, kMisa},
         "Environment variable holding the client id (Viettel MySign; MISA x-clientId)",
         {}},
        {"client-secret-env",
         SettingKind::EnvVar,
         {kViettel, kMisa},
         "Environment variable holding the client secret (Viettel MySign; MISA x-clientKey)",
         {}},
        {"profile-id", SettingKind::Text, {kViettel}, "Viettel MySign profile_id", {}},
        {"username-env",
         SettingKind::EnvVar,
         {kMisa},
         "Environment variable holding the MISA ID user name",
         {}},
        {"password-env",
         SettingKind::EnvVar,
         {kMisa, kPkcs12},
         "Environment variable holding the MISA ID password or the PKCS#12 password",
         {}},
        {"password-file",
         SettingKind::File,
         {kMisa, kPkcs12},
         "File holding the MISA ID password or the PKCS#12 password (first line)",
         {}},
        {"token-env",
         SettingKind::EnvVar,
         {kCsc},
         "Environment variable holding the CSC OAuth2 access token",
         {}},
        {"credential", SettingKind::Text, {kCsc}, "CSC credentialID to sign with", {}},
        {"pkcs12",
         SettingKind::File,
         {kPkcs12},
         "PKCS#12 (.p12/.pfx) file with key and certificate",
         {}},
        {"serial",
         SettingKind::Hex,
         {kVnpt, kViettel, kMisa, kCsc},
         "Serial number (hex) of the certificate to use when the account has several",
         {}},
        {"approval-delay",
         SettingKind::Number,
         {kSandbox},
         "Seconds the sandbox waits before approving (simulates the phone)",
         {}},
    };
    return specs;
}

const SettingSpec* find_setting(std::string_view key) {
    for (const auto& spec : setting_specs())
        if (spec.key == key)
            return &spec;
    return nullptr;
}

const std::vector<std::string>& provider_ids() {
    static const std::vector<std::string> ids{std::string(kVnpt),   std::string(kViettel),
                                              std::string(kMisa),   std::string(kCsc),
                                              std::string(kPkcs12), std::string(kSandbox)};
    return ids;
}

bool is_known_provider(std::string_view id) {
    const auto& ids = provider_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool is_remote_provider(std::string_view id) {
    return is_known_provider(id) && id != kPkcs12 && id != kSandbox;
}

std::string default_endpoint(std::string_view provider) {
    // Production endpoints from the providers' integration guides (shared/reference/providers.md).
    if (provider == kVnpt)
        return "https://gwsca.vnpt.vn/sca/sp769";
    if (provider == kViettel)
        return "https://remotesigning.viettel.vn";
    if (provider == kMisa)
        return "https://esignapp.misa.vn";
    return "";
}

void check_provider(std::string_view id) {
    if (is_known_provider(id))
        return;
    std::string known;
    for (const auto& p : provider_ids())
        known += (known.empty() ? "" : ", ") + p;
    throw input_error("unknown provider '" + std::string(id) + "'")
        .hint("known providers: " + known);
}

std::string check_setting(std::string_view provider, std::string_view key, std::string_view value) {
    const SettingSpec* spec = find_setting(key);
    if (!spec)
        throw input_error("unknown setting '" + std::string(key) + "'")
            .hint("see neac-profile(5) for the settings of each provider");
    if (std::find(spec->providers.begin(), spec->providers.end(), provider) ==
        spec->providers.end())
        throw input_error("'" + std::string(key) + "' is not used by provider " +
                          std::string(provider) + " (only by " + join(spec->providers, ", ") + ")")
            .hint("remove it, or check the entry's provider");
    std::string what(key);
    switch (spec->kind) {
    case SettingKind::Url:
        check_url(value, what);
        return std::string(value);
    case SettingKind::EnvVar:
        check_env_var_name(value, what);
        return std::string(value);
    case SettingKind::File:
        if (value.empty())
            throw input_error(what + ": expected a file path");
        return std::string(value);
    case SettingKind::Text:
        if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
                return static_cast<unsigned char>(c) < 0x20;
            }))
            throw input_error(what + ": expected a non-empty single line of text");
        return std::string(value);
    case SettingKind::Hex:
        return normalize_serial(value, what);
    case SettingKind::Choice:
        for (auto choice : spec->choices)
            if (choice == value)
                return std::string(value);
        throw input_error(what + ": expected one of " + join(spec->choices, ", "));
    case SettingKind::Number:
        parse_number(value, what, 0);
        return std::string(value);
    }
    return std::string(value);
}

std::vector<std::string> missing_settings(std::string_view provider,
                                          const std::map<std::string, std::string>& s) {
    std::vector<std::string> missing;
    auto need = [&](const char* key) {
        if (!has(s, key))
            missing.emplace_back(key);
    };
    if (provider == kVnpt) {
        need("sp-id-env");
        need("sp-password-env");
    } else if (provider == kViettel) {
        need("client-id-env");
        need("client-secret-env");
    } else if (provider == kMisa) {
        need("username-env");
        if (!has(s, "password-env") && !has(s, "password-file"))
            missing.emplace_back("password-env (or password-file)");
    } else if (provider == kCsc) {
        need("endpoint");
        need("token-env");
    } else if (provider == kPkcs12) {
        need("pkcs12");
    }
    return missing;
}

} // namespace neac::profile
