#include "neac/profile/check.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/limits.hpp"

#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

namespace neac::profile {
namespace {

namespace fs = std::filesystem;

// A file referenced by a setting: exists, is a regular file, and can be read.
std::string file_problem(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        return "does not exist";
    if (!fs::is_regular_file(path, ec))
        return "is not a regular file";
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::string("cannot be read: ") + std::strerror(errno);
    return "";
}

std::string fmt_number(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    return s;
}

void check_entry(CheckReport& report, const SignatureEntry& e, std::size_t index,
                 const EnvProbe& env) {
    std::string id = "signatures[" + std::to_string(index + 1) + "]";
    auto add = [&](const std::string& what, CheckStatus status, std::string message) {
        report.items.push_back({id + "." + what, status, std::move(message)});
    };
    add("account", CheckStatus::Ok,
        id + ": account " + mask_account(e.account) + " is a valid " + e.account_kind + " number");
    std::string provider_msg = id + ": provider " + e.provider + " is known";
    if (is_remote_provider(e.provider)) {
        auto it = e.settings.find("endpoint");
        provider_msg += it != e.settings.end()
                            ? " (endpoint " + it->second + ")"
                            : " (default endpoint " + default_endpoint(e.provider) + ")";
    } else {
        provider_msg += e.provider == "sandbox" ? " (in-process demo CA, no network)"
                                                : " (local key file, no network)";
    }
    add("provider", CheckStatus::Ok, provider_msg);

    std::vector<std::string> missing = missing_settings(e.provider, e.settings);
    if (missing.empty()) {
        std::string keys;
        for (const auto& [k, v] : e.settings)
            keys += (keys.empty() ? "" : ", ") + k;
        add("settings", CheckStatus::Ok,
            id + ": settings complete for " + e.provider +
                (keys.empty() ? " (none needed)" : " (" + keys + ")"));
    } else {
        std::string keys;
        for (const auto& k : missing)
            keys += (keys.empty() ? "" : ", ") + k;
        add("settings", CheckStatus::Fail, id + ": missing settings: " + keys);
    }

    for (const auto& [key, value] : e.settings) {
        const SettingSpec* spec = find_setting(key);
        if (!spec)
            continue;
        if (spec->kind == SettingKind::EnvVar) {
            if (env(value))
                add("env", CheckStatus::Ok,
                    id + ": " + key + ": environment variable " + value + " is set");
            else
                add("env", CheckStatus::Warn,
                    id + ": " + key + ": environment variable " + value +
                        " is not set (it must be set when signing)");
        } else if (spec->kind == SettingKind::File) {
            std::string problem = file_problem(value);
            if (!problem.empty()) {
                add("files", CheckStatus::Fail, id + ": " + key + ": " + value + " " + problem);
                continue;
            }
            if (key == "ca-bundle") {
                std::string pem;
                try {
                    pem = read_small_file(value, limits::kPemFileBytes);
                } catch (const Error& err) {
                    add("files", CheckStatus::Fail, id + ": " + key + ": " + err.what());
                    continue;
                }
                if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
                    add("files", CheckStatus::Fail,
                        id + ": " + key + ": " + value + " holds no PEM certificate");
                    continue;
                }
            }
            add("files", CheckStatus::Ok, id + ": " + key + ": " + value + " is readable");
        }
    }
}

} // namespace

const char* check_status_name(CheckStatus status) {
    switch (status) {
    case CheckStatus::Ok:
        return "ok";
    case CheckStatus::Warn:
        return "warn";
    case CheckStatus::Fail:
        return "fail";
    }
    return "fail";
}

bool CheckReport::ok() const {
    return count(CheckStatus::Fail) == 0;
}

std::size_t CheckReport::count(CheckStatus status) const {
    std::size_t n = 0;
    for (const auto& item : items)
        n += item.status == status;
    return n;
}

bool env_is_set(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return v && *v;
}

namespace {

std::string describe_certificate(const providers::SigningCertificate& c) {
    if (c.label.rfind("serial ", 0) == 0)
        return c.label;
    const crypto::Certificate& x = c.certificate;
    crypto::Identity id = x.identity();
    std::string until = utc_text(x.not_after(), "%Y-%m-%d");
    return "serial " + x.serial_hex() + ", " + x.common_name() +
           (id.empty() ? " (no CCCD/CMND)" : " (" + id.kind + " " + mask_account(id.number) + ")") +
           ", valid until " + until + (c.label.empty() ? "" : ", " + c.label);
}

// One line for a check item: the message, then the hint.
std::string one_line(const Error& e) {
    return std::string(e.what()) + (e.hint().empty() ? "" : " — " + e.hint());
}

void check_online(CheckReport& report, const ProfileStore& store, const Profile& p,
                  const OnlineCheck& online) {
    for (std::size_t i = 0; i < p.signatures.size(); ++i) {
        std::string id = "signatures[" + std::to_string(i + 1) + "]";
        auto add = [&](const std::string& what, CheckStatus status, std::string message) {
            report.items.push_back({id + "." + what, status, std::move(message)});
        };
        const SignatureEntry& e = p.signatures[i];
        std::unique_ptr<providers::Provider> provider;
        std::vector<providers::SigningCertificate> certs;
        try {
            provider = online.make_provider(to_provider_config(p, i, store.home()));
            certs = provider->list_certificates();
        } catch (const Error& err) {
            add("online", CheckStatus::Fail, id + ": " + e.provider + ": " + one_line(err));
            continue;
        }
        add("online", certs.empty() ? CheckStatus::Fail : CheckStatus::Ok,
            id + ": " + e.provider + " answered: " + std::to_string(certs.size()) +
                " certificate(s) for account " + mask_account(e.account));
        for (const auto& c : certs)
            add("certificate", CheckStatus::Ok, id + ": " + describe_certificate(c));
        if (certs.empty())
            continue;
        try {
            providers::SigningCertificate chosen = provider->signing_certificate();
            crypto::Identity who = chosen.certificate.identity();
            if (who.number != e.account)
                throw input_error("the certificate is issued to " +
                                  (who.empty() ? std::string("no CCCD/CMND")
                                               : who.kind + " " + mask_account(who.number)) +
                                  ", not to the profile's account " + mask_account(e.account));
            add("selected", CheckStatus::Ok,
                id + ": signing uses serial " + chosen.certificate.serial_hex());
        } catch (const Error& err) {
            add("selected", CheckStatus::Fail, id + ": " + one_line(err));
        }
    }
}

} // namespace

CheckReport check_profile(const ProfileStore& store, const std::string& name_or_file,
                          const EnvProbe& env) {
    return check_profile(store, name_or_file, env, OnlineCheck{});
}

CheckReport check_profile(const ProfileStore& store, const std::string& name_or_file,
                          const EnvProbe& env, const OnlineCheck& online) {
    CheckReport report;
    report.target = name_or_file;
    auto add = [&](std::string id, CheckStatus status, std::string message) {
        report.items.push_back({std::move(id), status, std::move(message)});
    };
    Profile p;
    try {
        report.file = store.resolve(name_or_file);
        add("file", CheckStatus::Ok, "profile file " + report.file.string() + " found");
        p = store.load(name_or_file);
    } catch (const Error& e) {
        add(report.file.empty() ? "file" : "yaml", CheckStatus::Fail, e.describe());
        return report;
    }
    report.name = p.name;
    add("yaml", CheckStatus::Ok,
        "YAML valid: every key known and every value well-formed (profile '" + p.name + "', " +
            std::to_string(p.signatures.size()) + " signature entr" +
            (p.signatures.size() == 1 ? "y" : "ies") + ")");

    if (p.image.empty()) {
        add("image", CheckStatus::Ok, "no signature image (the appearance shows text only)");
    } else {
        try {
            PngInfo png = read_png(p.image);
            add("image", CheckStatus::Ok,
                "image " + p.image.string() + ": readable PNG " + std::to_string(png.width) + "x" +
                    std::to_string(png.height));
        } catch (const Error& e) {
            add("image", CheckStatus::Fail, "image: " + e.describe());
        }
    }
    add("phone", CheckStatus::Ok, "phone " + p.phone + " is a Vietnamese mobile number");
    if (p.locator) {
        const Locator& l = *p.locator;
        add("locator", CheckStatus::Ok,
            "locator: sign " + std::string(placement_name(l.placement)) + " " +
                quoted_list(l.keywords, ", else ") + " (" + l.occurrence + " match), box " +
                fmt_number(l.width) + "x" + fmt_number(l.height) + " pt, offset " +
                fmt_number(l.offset) + " pt");
    } else {
        add("locator", CheckStatus::Ok,
            "no keyword locator (neac sign needs --keyword or a position)");
    }
    for (std::size_t i = 0; i < p.signatures.size(); ++i)
        check_entry(report, p.signatures[i], i, env);
    if (online.enabled && online.make_provider)
        check_online(report, store, p, online);
    return report;
}

} // namespace neac::profile
