// parse_profile: reading the YAML form of a profile (neac-profile(5)), and the placement,
// occurrence and default-signature helpers of the profile model. Writing it (to_yaml) is in
// profile_yaml_write.cpp.
#include "neac/profile/profile.hpp"
#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"
#include "util/yaml_reader.hpp"

#include <algorithm>
#include <yaml-cpp/yaml.h>

namespace neac::profile {
namespace {

namespace fs = std::filesystem;

using yaml::boolean;
using yaml::checked;
using yaml::Field;
using yaml::join;
using yaml::located;
using yaml::Missing;
using yaml::node_kind;
using yaml::text;

// yaml::MapReader with the profile's rules: literal secrets refused, provider settings allowed
// where `extra_key` says so.
class MapReader : public yaml::MapReader {
public:
    MapReader(const YAML::Node& node, std::string where, std::vector<std::string> allowed,
              const std::string& file, bool (*extra_key)(std::string_view) = nullptr)
        : yaml::MapReader(node, std::move(where), rules(std::move(allowed), extra_key), file,
                          "the profile") {}

private:
    static yaml::KeyRules rules(std::vector<std::string> allowed,
                                bool (*extra_key)(std::string_view)) {
        yaml::KeyRules r;
        r.allowed = std::move(allowed);
        r.extra_key = extra_key;
        r.is_secret = is_secret_key;
        r.secret_error = [](std::string_view key, std::string_view path) {
            return secret_key_error(key, path);
        };
        if (extra_key)
            r.extra_hint = "the provider settings of neac-profile(5)";
        return r;
    }
};

double number(const Field& f, const std::string& what, const std::string& file, double min) {
    std::string s = text(f, what, file);
    try {
        return parse_number(s, what, min);
    } catch (Error& e) {
        throw located(std::move(e), file, f.value);
    }
}

fs::path resolve_path(const std::string& value, const fs::path& base) {
    fs::path p(value);
    if (p.is_absolute() || base.empty())
        return p.lexically_normal();
    return (base / p).lexically_normal();
}

Locator parse_locator(const YAML::Node& node, const std::string& file, Missing& missing) {
    MapReader m(node, "locator",
                {"keyword", "placement", "offset", "width", "height", "occurrence",
                 "ignore-diacritics", "avoid-text"},
                file);
    Locator loc;
    if (auto f = m.get("keyword")) {
        // One keyword, or a list in order of preference.
        std::vector<Field> items;
        if (f->value.IsSequence()) {
            if (f->value.size() == 0 || f->value.size() > limits::kKeywordsPerLocator)
                throw located(input_error("locator.keyword: expected a text or a list of 1 to " +
                                          std::to_string(limits::kKeywordsPerLocator) + " texts"),
                              file, f->value)
                    .hint("e.g.\n    keyword:\n      - \"Người làm đơn\"\n      - \"Người "
                          "khai\"");
            for (std::size_t i = 0; i < f->value.size(); ++i)
                items.push_back(Field{f->value[i], f->value[i]});
        } else {
            items.push_back(*f);
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            std::string what = "locator.keyword";
            if (f->value.IsSequence())
                what += "[" + std::to_string(i + 1) + "]";
            std::string keyword = trim(text(items[i], what, file));
            if (keyword.empty())
                throw located(input_error(what + ": must not be blank"), file, items[i].value);
            loc.keywords.push_back(keyword);
        }
    } else {
        missing.add("locator.keyword", node);
    }
    if (auto f = m.get("placement"))
        loc.placement =
            checked(*f, file, [&] { return parse_placement(text(*f, "locator.placement", file)); });
    if (auto f = m.get("offset"))
        loc.offset = number(*f, "locator.offset", file, 0);
    if (auto f = m.get("width"))
        loc.width = number(*f, "locator.width", file, 1);
    if (auto f = m.get("height"))
        loc.height = number(*f, "locator.height", file, 1);
    if (auto f = m.get("occurrence")) {
        loc.occurrence = text(*f, "locator.occurrence", file);
        checked(*f, file, [&] { check_occurrence(loc.occurrence); });
    }
    if (auto f = m.get("ignore-diacritics"))
        loc.ignore_diacritics = boolean(*f, "locator.ignore-diacritics", file);
    if (auto f = m.get("avoid-text"))
        loc.avoid_text = boolean(*f, "locator.avoid-text", file);
    return loc;
}

pdf::AppearanceStyle parse_appearance(const YAML::Node& node, const fs::path& base,
                                      const std::string& file) {
    MapReader m(node, "appearance", {"layout", "lines", "font", "font-size", "border", "color"},
                file);
    pdf::AppearanceStyle a;
    if (auto f = m.get("layout"))
        a.layout = checked(*f, file,
                           [&] { return pdf::parse_layout(text(*f, "appearance.layout", file)); });
    if (auto f = m.get("lines")) {
        if (!f->value.IsSequence() || f->value.size() == 0 || f->value.size() > 12)
            throw located(input_error("appearance.lines: expected a list of 1 to 12 text lines"),
                          file, f->value)
                .hint("e.g.\n    lines:\n      - \"Ký bởi: {name}\"\n      - \"Ngày ký: "
                      "{time:%d/%m/%Y %H:%M:%S}\"\n  (leave lines out for the default lines)");
        for (std::size_t i = 0; i < f->value.size(); ++i) {
            Field item{f->value[i], f->value[i]};
            std::string what = "appearance.lines[" + std::to_string(i + 1) + "]";
            std::string line = text(item, what, file);
            checked(item, file, [&] { pdf::check_template(line); });
            a.lines.push_back(line);
        }
    }
    if (auto f = m.get("font")) {
        std::string font = text(*f, "appearance.font", file);
        if (font.empty())
            throw located(input_error("appearance.font: expected a font file path"), file,
                          f->value);
        a.font = resolve_path(font, base);
    }
    if (auto f = m.get("font-size")) {
        a.font_size = number(*f, "appearance.font-size", file, 4);
        if (a.font_size > 72)
            throw located(input_error("appearance.font-size: at most 72 points"), file, f->value);
    }
    if (auto f = m.get("border"))
        a.border = boolean(*f, "appearance.border", file);
    if (auto f = m.get("color")) {
        a.color = text(*f, "appearance.color", file);
        checked(*f, file, [&] { pdf::check_color(a.color); });
    }
    return a;
}

SigningOptions parse_signing(const YAML::Node& node, const std::string& file) {
    MapReader m(node, "signing", {"reason", "location", "contact-info", "tsa", "digest", "level"},
                file);
    SigningOptions s;
    if (auto f = m.get("reason"))
        s.reason = text(*f, "signing.reason", file);
    if (auto f = m.get("location"))
        s.location = text(*f, "signing.location", file);
    if (auto f = m.get("contact-info"))
        s.contact_info = text(*f, "signing.contact-info", file);
    if (auto f = m.get("tsa")) {
        s.tsa = text(*f, "signing.tsa", file);
        checked(*f, file, [&] { check_url(s.tsa, "signing.tsa", true); });
    }
    if (auto f = m.get("digest")) {
        s.digest = text(*f, "signing.digest", file);
        if (s.digest != "sha256" && s.digest != "sha384" && s.digest != "sha512")
            throw located(input_error("signing.digest: expected sha256, sha384 or sha512"), file,
                          f->value);
    }
    if (auto f = m.get("level")) {
        s.level = text(*f, "signing.level", file);
        if (s.level != "B-B" && s.level != "B-T" && s.level != "B-LT" && s.level != "B-LTA")
            throw located(input_error("signing.level: expected B-B, B-T, B-LT or B-LTA"), file,
                          f->value);
        if (s.level != "B-B" && s.tsa.empty())
            throw located(input_error("signing.level " + s.level +
                                      " needs signing.tsa (a time-stamp authority)"),
                          file, f->value);
    }
    return s;
}

bool is_setting_key(std::string_view key) {
    return find_setting(key) != nullptr;
}

SignatureEntry parse_entry(const YAML::Node& node, std::size_t index, const fs::path& base,
                           const std::string& file, Missing& missing) {
    std::string where = "signatures[" + std::to_string(index + 1) + "]";
    MapReader m(node, where, {"type", "account", "provider", "default"}, file, &is_setting_key);
    SignatureEntry e;
    if (auto f = m.get("type")) {
        e.type = text(*f, m.path("type"), file);
        if (e.type != "neac")
            throw located(input_error(m.path("type") + ": the only signature type is 'neac'"), file,
                          f->value);
    }
    if (auto f = m.get("account")) {
        AccountId id =
            checked(*f, file, [&] { return parse_account(text(*f, m.path("account"), file)); });
        e.account = id.number;
        e.account_kind = id.kind;
    } else {
        missing.add(m.path("account"), node);
    }
    if (auto f = m.get("default"))
        e.is_default = boolean(*f, m.path("default"), file);
    const Field* provider = m.get("provider");
    if (!provider) {
        missing.add(m.path("provider"), node);
        return e;
    }
    e.provider = text(*provider, m.path("provider"), file);
    checked(*provider, file, [&] { check_provider(e.provider); });
    for (const auto& key : m.keys_in_order()) {
        const Field* f = m.get(key);
        if (!f || !is_setting_key(key))
            continue;
        std::string value = text(*f, m.path(key), file);
        value = checked(*f, file, [&] { return check_setting(e.provider, key, value); });
        if (find_setting(key)->kind == SettingKind::File)
            value = resolve_path(value, base).string();
        e.settings[key] = value;
    }
    for (const auto& key : missing_settings(e.provider, e.settings))
        missing.add(m.path(key), node);
    return e;
}

void check_utf8(const std::string& yaml_text, const std::string& file) {
    if (is_valid_utf8(yaml_text))
        return;
    int line = 1;
    std::size_t start = 0;
    while (start <= yaml_text.size()) {
        std::size_t end = yaml_text.find('\n', start);
        std::string_view l(yaml_text.data() + start,
                           (end == std::string::npos ? yaml_text.size() : end) - start);
        if (!is_valid_utf8(l))
            break;
        if (end == std::string::npos)
            break;
        start = end + 1;
        ++line;
    }
    Error e = input_error("the profile is not UTF-8 text");
    if (!file.empty())
        e.file(file);
    e.line(line);
    throw e.hint("save the file as UTF-8 (Vietnamese text in other encodings is not supported)");
}

std::vector<YAML::Node> load_documents(const std::string& yaml_text, const std::string& file) {
    yaml::check_plain(yaml_text, file);
    try {
        return YAML::LoadAll(yaml_text);
    } catch (const YAML::Exception& e) {
        throw located(input_error("YAML syntax error: " + e.msg), file, e.mark)
            .hint("check indentation, quotes and ':' around this position");
    }
}

} // namespace

const char* placement_name(Placement p) {
    switch (p) {
    case Placement::Below:
        return "below";
    case Placement::Above:
        return "above";
    case Placement::Left:
        return "left";
    case Placement::Right:
        return "right";
    case Placement::Over:
        return "over";
    }
    return "below";
}

Placement parse_placement(std::string_view text) {
    for (Placement p :
         {Placement::Below, Placement::Above, Placement::Left, Placement::Right, Placement::Over})
        if (text == placement_name(p))
            return p;
    throw input_error("placement must be one of below, above, left, right, over")
        .hint("'below' puts the signature under the keyword (e.g. under \"Người làm đơn\")");
}

void check_occurrence(std::string_view text) {
    if (text == "first" || text == "last" || text == "all")
        return;
    bool digits =
        !text.empty() && text.size() <= 6 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || text.find_first_not_of('0') == std::string_view::npos)
        throw input_error("occurrence must be first, last, all or a match number (1, 2, ...)");
}

const SignatureEntry& Profile::default_signature() const {
    if (signatures.empty())
        throw input_error("profile '" + name + "' has no signature entry")
            .hint("add one with 'neac profile add " + name +
                  " --add-signature --account ... "
                  "--provider ...'");
    for (const auto& s : signatures)
        if (s.is_default)
            return s;
    return signatures.front();
}

Profile parse_profile(const std::string& yaml_text, const std::string& file_name) {
    check_utf8(yaml_text, file_name);
    std::vector<YAML::Node> docs = load_documents(yaml_text, file_name);
    if (docs.empty() || docs[0].IsNull()) {
        Error e = input_error("the profile is empty");
        if (!file_name.empty())
            e.file(file_name);
        throw e.hint("see neac-profile(5) or 'neac profile add --help' to create one");
    }
    if (docs.size() > 1)
        throw located(input_error("a profile file holds one YAML document, found " +
                                  std::to_string(docs.size())),
                      file_name, docs[1])
            .hint("remove the second '---' document or put it in its own file");
    const YAML::Node& root = docs[0];
    fs::path base;
    if (!file_name.empty())
        base = fs::absolute(fs::path(file_name)).parent_path();

    MapReader m(root, "",
                {"version", "name", "display-name", "image", "phone", "locator", "appearance",
                 "signing", "signatures"},
                file_name);
    Missing missing;
    Profile p;
    if (!file_name.empty())
        p.source = fs::absolute(fs::path(file_name)).lexically_normal();
    if (auto f = m.get("version")) {
        if (text(*f, "version", file_name) != "1")
            throw located(input_error("version: this neac reads profile version 1"), file_name,
                          f->value)
                .hint("upgrade neac, or write 'version: 1'");
    }
    if (auto f = m.get("name")) {
        p.name = text(*f, "name", file_name);
        checked(*f, file_name, [&] { check_profile_name(p.name); });
    } else {
        missing.add("name", root);
    }
    if (auto f = m.get("display-name")) {
        p.display_name = trim(text(*f, "display-name", file_name));
        if (p.display_name.empty())
            throw located(input_error("display-name: must not be blank"), file_name, f->value);
    } else {
        missing.add("display-name", root);
    }
    if (auto f = m.get("image")) {
        std::string image = text(*f, "image", file_name);
        if (image.empty())
            throw located(input_error("image: expected a file path"), file_name, f->value);
        p.image = resolve_path(image, base);
    }
    if (auto f = m.get("phone"))
        p.phone =
            checked(*f, file_name, [&] { return normalize_phone(text(*f, "phone", file_name)); });
    else
        missing.add("phone", root);
    if (auto f = m.get("locator"))
        p.locator = parse_locator(f->value, file_name, missing);
    if (auto f = m.get("appearance"))
        p.appearance = parse_appearance(f->value, base, file_name);
    if (auto f = m.get("signing"))
        p.signing = parse_signing(f->value, file_name);
    if (auto f = m.get("signatures")) {
        if (!f->value.IsSequence() || f->value.size() == 0)
            throw located(
                input_error("signatures: expected a list of at least one signature entry"),
                file_name, f->value)
                .hint("e.g.\n    signatures:\n      - account: \"001099012345\"\n        "
                      "provider: sandbox");
        const YAML::Node* first_default = nullptr;
        for (std::size_t i = 0; i < f->value.size(); ++i) {
            YAML::Node item = f->value[i];
            p.signatures.push_back(parse_entry(item, i, base, file_name, missing));
            if (p.signatures.back().is_default) {
                if (first_default)
                    throw located(input_error("signatures[" + std::to_string(i + 1) +
                                              "]: only one entry may be the default"),
                                  file_name, item["default"])
                        .hint("set 'default: true' on one entry only");
                first_default = &f->value;
            }
        }
    } else {
        missing.add("signatures", root);
    }
    if (!missing.keys.empty())
        throw located(input_error(std::string("missing required key") +
                                  (missing.keys.size() > 1 ? "s" : "") + ": " +
                                  join(missing.keys, ", ")),
                      file_name, missing.first)
            .hint("see neac-profile(5) for every key; 'neac profile check' explains each one");
    return p;
}

} // namespace neac::profile
