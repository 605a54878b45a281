#include "neac/profile/render.hpp"

#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/text.hpp"

#include <charconv>

namespace neac::profile {
namespace {

std::string num(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string effective_endpoint(const SignatureEntry& e) {
    auto it = e.settings.find("endpoint");
    return it != e.settings.end() ? it->second : default_endpoint(e.provider);
}

} // namespace

nlohmann::json profile_to_json(const Profile& p) {
    nlohmann::json j;
    j["name"] = p.name;
    j["display_name"] = p.display_name;
    j["file"] = p.source.string();
    j["image"] = p.image.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.image.string());
    j["phone"] = p.phone;
    if (p.locator) {
        const Locator& l = *p.locator;
        j["locator"] = {{"keyword", l.keywords.front()}, // the first; kept for older scripts
                        {"keywords", l.keywords},
                        {"placement", placement_name(l.placement)},
                        {"offset", l.offset},
                        {"width", l.width},
                        {"height", l.height},
                        {"occurrence", l.occurrence},
                        {"ignore_diacritics", l.ignore_diacritics},
                        {"avoid_text", l.avoid_text}};
    } else {
        j["locator"] = nullptr;
    }
    if (p.appearance) {
        const pdf::AppearanceStyle& a = *p.appearance;
        j["appearance"] = {{"layout", pdf::layout_name(a.layout)},
                           {"lines", a.lines.empty() ? pdf::default_appearance_lines() : a.lines},
                           {"font", a.font.string()},
                           {"font_size", a.font_size},
                           {"border", a.border},
                           {"color", a.color}};
    } else {
        j["appearance"] = nullptr;
    }
    j["signing"] = {{"reason", p.signing.reason},
                    {"location", p.signing.location},
                    {"contact_info", p.signing.contact_info},
                    {"tsa", p.signing.tsa},
                    {"digest", p.signing.digest},
                    {"level", p.signing.level}};
    nlohmann::json entries = nlohmann::json::array();
    const SignatureEntry* def = p.signatures.empty() ? nullptr : &p.default_signature();
    for (const auto& e : p.signatures) {
        nlohmann::json je{{"type", e.type},
                          {"account", e.account},
                          {"account_kind", e.account_kind},
                          {"account_masked", mask_account(e.account)},
                          {"provider", e.provider},
                          {"default", &e == def},
                          {"settings", e.settings}};
        if (is_remote_provider(e.provider))
            je["endpoint"] = effective_endpoint(e);
        entries.push_back(std::move(je));
    }
    j["signatures"] = std::move(entries);
    return j;
}

nlohmann::json list_to_json(const std::vector<Profile>& profiles,
                            const std::vector<Error>& problems) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : profiles)
        list.push_back(profile_to_json(p));
    nlohmann::json j{{"version", 1}, {"profiles", std::move(list)}};
    if (!problems.empty()) {
        nlohmann::json errs = nlohmann::json::array();
        for (const auto& e : problems) {
            nlohmann::json je{{"file", e.file()}, {"message", e.what()}};
            if (e.line() > 0)
                je["line"] = e.line();
            if (e.column() > 0)
                je["column"] = e.column();
            errs.push_back(std::move(je));
        }
        j["problems"] = std::move(errs);
    }
    return j;
}

std::vector<std::vector<std::string>> list_rows(const std::vector<Profile>& profiles) {
    std::vector<std::vector<std::string>> rows{
        {"NAME", "DISPLAY NAME", "PHONE", "PROVIDER(S)", "ACCOUNT"}};
    for (const auto& p : profiles) {
        std::string providers;
        for (const auto& e : p.signatures)
            if (providers.find(e.provider) == std::string::npos)
                providers += (providers.empty() ? "" : ",") + e.provider;
        const SignatureEntry& def = p.default_signature();
        rows.push_back({p.name, p.display_name, p.phone, providers, mask_account(def.account)});
    }
    return rows;
}

std::string describe_profile(const Profile& p) {
    std::vector<std::vector<std::string>> rows;
    auto row = [&](const std::string& key, const std::string& value) {
        rows.push_back({key + ":", value});
    };
    row("name", p.name);
    row("display name", p.display_name);
    row("file", p.source.string());
    row("image", p.image.empty() ? "(none)" : p.image.string());
    row("phone", p.phone);
    if (p.locator) {
        const Locator& l = *p.locator;
        row(l.keywords.size() == 1 ? "keyword" : "keywords", quoted_list(l.keywords, ", else "));
        row("placement", std::string(placement_name(l.placement)) + ", offset " + num(l.offset) +
                             " pt, box " + num(l.width) + "x" + num(l.height) + " pt");
        row("occurrence", l.occurrence + (l.ignore_diacritics ? ", diacritics ignored" : "") +
                              (l.avoid_text ? "" : ", may cover text"));
    } else {
        row("keyword", "(none)");
    }
    if (p.appearance) {
        const pdf::AppearanceStyle& a = *p.appearance;
        row("appearance", std::string(pdf::layout_name(a.layout)) + ", colour " + a.color +
                              (a.border ? ", framed" : "") +
                              (a.font_size > 0 ? ", text up to " + num(a.font_size) + " pt" : ""));
        if (!a.font.empty())
            row("  font", a.font.string());
        for (const auto& line : a.lines)
            row("  line", "\"" + line + "\"");
    }
    if (!p.signing.reason.empty())
        row("reason", p.signing.reason);
    if (!p.signing.location.empty())
        row("location", p.signing.location);
    if (!p.signing.contact_info.empty())
        row("contact info", p.signing.contact_info);
    if (!p.signing.tsa.empty())
        row("tsa", p.signing.tsa);
    row("digest", p.signing.digest);
    if (!p.signing.level.empty())
        row("level", p.signing.level);
    const SignatureEntry* def = &p.default_signature();
    for (std::size_t i = 0; i < p.signatures.size(); ++i) {
        const SignatureEntry& e = p.signatures[i];
        std::string prefix = "signature " + std::to_string(i + 1);
        row(prefix, e.type + ", " + e.account_kind + " " + e.account + ", provider " + e.provider +
                        (&e == def ? " (default)" : ""));
        if (is_remote_provider(e.provider) && !e.settings.count("endpoint"))
            row("  endpoint", effective_endpoint(e) + " (default)");
        for (const auto& spec : setting_specs()) {
            auto it = e.settings.find(std::string(spec.key));
            if (it != e.settings.end())
                row("  " + std::string(spec.key), it->second);
        }
    }
    return format_table(rows);
}

nlohmann::json check_to_json(const CheckReport& report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& item : report.items)
        checks.push_back({{"id", item.id},
                          {"status", check_status_name(item.status)},
                          {"message", item.message}});
    return {{"version", 1},
            {"target", report.target},
            {"file", report.file.string()},
            {"name", report.name},
            {"ok", report.ok()},
            {"errors", report.count(CheckStatus::Fail)},
            {"warnings", report.count(CheckStatus::Warn)},
            {"checks", std::move(checks)}};
}

} // namespace neac::profile
