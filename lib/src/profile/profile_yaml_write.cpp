// to_yaml: writing a profile in its YAML form (neac-profile(5)), so that parse_profile reads
// back the same profile.
#include "neac/profile/profile.hpp"
#include "neac/profile/settings.hpp"

#include <algorithm>
#include <charconv>

namespace neac::profile {
namespace {

namespace fs = std::filesystem;

// YAML double-quoted scalar: always safe, keeps UTF-8 as is.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Identifiers (profile names, providers, "last") stay plain when YAML cannot read them as
// anything but the same string; everything else is quoted.
std::string word(std::string_view s) {
    static constexpr std::string_view kSpecial[] = {"true", "false", "yes", "no", "on",
                                                    "off",  "null",  "y",   "n"};
    bool plain = !s.empty() && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
                 std::all_of(s.begin(), s.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                 });
    std::string lower;
    for (char c : s)
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (auto special : kSpecial)
        plain = plain && lower != special;
    return plain ? std::string(s) : quote(s);
}

std::string num(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// `p` relative to `folder` when it lies inside it, else as is.
std::string path_text(const fs::path& p, const fs::path& folder) {
    if (!folder.empty() && p.is_absolute()) {
        fs::path rel = p.lexically_normal().lexically_relative(folder.lexically_normal());
        if (!rel.empty() && *rel.begin() != "..")
            return rel.string();
    }
    return p.string();
}

} // namespace

std::string to_yaml(const Profile& p) {
    fs::path folder = p.source.empty() ? fs::path() : p.source.parent_path();
    std::string y = "# neac signature profile, see neac-profile(5)\n";
    y += "version: 1\n";
    y += "name: " + word(p.name) + "\n";
    y += "display-name: " + quote(p.display_name) + "\n";
    if (!p.image.empty())
        y += "image: " + quote(path_text(p.image, folder)) + "\n";
    y += "phone: " + quote(p.phone) + "\n";
    if (p.locator) {
        const Locator& l = *p.locator;
        y += "locator:\n";
        if (l.keywords.size() == 1) {
            y += "  keyword: " + quote(l.keywords.front()) + "\n";
        } else {
            y += "  keyword:\n";
            for (const std::string& k : l.keywords)
                y += "    - " + quote(k) + "\n";
        }
        y += std::string("  placement: ") + placement_name(l.placement) + "\n";
        y += "  offset: " + num(l.offset) + "\n";
        y += "  width: " + num(l.width) + "\n";
        y += "  height: " + num(l.height) + "\n";
        y += "  occurrence: " + word(l.occurrence) + "\n";
        if (l.ignore_diacritics)
            y += "  ignore-diacritics: true\n";
        if (!l.avoid_text)
            y += "  avoid-text: false\n";
    }
    if (p.appearance) {
        const pdf::AppearanceStyle& a = *p.appearance;
        y += "appearance:\n";
        y += std::string("  layout: ") + pdf::layout_name(a.layout) + "\n";
        if (!a.lines.empty()) {
            y += "  lines:\n";
            for (const auto& line : a.lines)
                y += "    - " + quote(line) + "\n";
        }
        if (!a.font.empty())
            y += "  font: " + quote(path_text(a.font, folder)) + "\n";
        if (a.font_size > 0)
            y += "  font-size: " + num(a.font_size) + "\n";
        y += std::string("  border: ") + (a.border ? "true" : "false") + "\n";
        y += "  color: " + quote(a.color) + "\n";
    }
    const SigningOptions& s = p.signing;
    if (s != SigningOptions{}) {
        y += "signing:\n";
        if (!s.reason.empty())
            y += "  reason: " + quote(s.reason) + "\n";
        if (!s.location.empty())
            y += "  location: " + quote(s.location) + "\n";
        if (!s.contact_info.empty())
            y += "  contact-info: " + quote(s.contact_info) + "\n";
        if (!s.tsa.empty())
            y += "  tsa: " + quote(s.tsa) + "\n";
        y += "  digest: " + s.digest + "\n";
        if (!s.level.empty())
            y += "  level: " + s.level + "\n";
    }
    y += "signatures:\n";
    for (const auto& e : p.signatures) {
        y += "  - type: " + word(e.type) + "\n";
        y += "    account: " + quote(e.account) + "\n";
        y += "    provider: " + word(e.provider) + "\n";
        if (e.is_default)
            y += "    default: true\n";
        // Settings in catalogue order, so files diff cleanly.
        for (const auto& spec : setting_specs()) {
            auto it = e.settings.find(std::string(spec.key));
            if (it == e.settings.end())
                continue;
            std::string value = it->second;
            if (spec.kind == SettingKind::Number)
                y += "    " + std::string(spec.key) + ": " + value + "\n";
            else if (spec.kind == SettingKind::Choice || spec.kind == SettingKind::EnvVar)
                y += "    " + std::string(spec.key) + ": " + word(value) + "\n";
            else if (spec.kind == SettingKind::File)
                y += "    " + std::string(spec.key) + ": " + quote(path_text(value, folder)) + "\n";
            else
                y += "    " + std::string(spec.key) + ": " + quote(value) + "\n";
        }
    }
    return y;
}

} // namespace neac::profile
