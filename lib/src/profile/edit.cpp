#include "neac/profile/edit.hpp"

#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"

#include <algorithm>

namespace neac::profile {
namespace {

namespace fs = std::filesystem;

// Runs a validator on a flag's value; its BadInput becomes a usage error naming the flag, since
// the value came from the command line.
template <typename Fn> auto flag(const std::string& name, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::BadInput)
            throw;
        Error u = usage_error("--" + name + ": " + e.what());
        if (!e.hint().empty())
            u.hint(e.hint());
        throw u;
    }
}

fs::path absolute_from(const fs::path& base, const std::string& value) {
    fs::path p(value);
    if (p.is_relative())
        p = (base.empty() ? fs::current_path() : base) / p;
    return p.lexically_normal();
}

SignatureEntry build_entry(const AddRequest& r) {
    SignatureEntry e;
    AccountId id = flag("account", [&] { return parse_account(*r.account); });
    e.account = id.number;
    e.account_kind = id.kind;
    e.provider = flag("provider", [&] {
        check_provider(*r.provider);
        return *r.provider;
    });
    e.is_default = r.make_default;
    for (const auto& [key, value] : r.settings) {
        const SettingSpec* spec = find_setting(key);
        if (spec && spec->kind == SettingKind::EnvVar && !is_env_var_name(value)) {
            // Named after the flag, and (like every message here) without the value.
            try {
                check_env_var_name(value, "--" + key);
            } catch (const Error& e) {
                throw usage_error(e.what()).hint(e.hint());
            }
        }
        std::string v = flag(key, [&] { return check_setting(e.provider, key, value); });
        if (find_setting(key)->kind == SettingKind::File)
            v = absolute_from(r.base_dir, v).string();
        e.settings[key] = v;
    }
    std::vector<std::string> missing = missing_settings(e.provider, e.settings);
    if (!missing.empty()) {
        std::string flags;
        for (const auto& m : missing)
            flags += (flags.empty() ? "--" : ", --") + m;
        throw usage_error("provider " + e.provider + " needs " + flags)
            .hint("secrets stay in environment variables: e.g. --sp-password-env "
                  "VNPT_SP_PASSWORD names the variable that holds the password");
    }
    return e;
}

bool same_entry(const SignatureEntry& a, const SignatureEntry& b) {
    auto serial = [](const SignatureEntry& e) {
        auto it = e.settings.find("serial");
        return it == e.settings.end() ? std::string() : it->second;
    };
    return a.provider == b.provider && a.account == b.account && serial(a) == serial(b);
}

void refuse_profile_flags_with_add_signature(const AddRequest& r) {
    std::vector<std::string> given;
    auto note = [&](bool set, const char* name) {
        if (set)
            given.emplace_back(name);
    };
    note(r.display_name.has_value(), "--display-name");
    note(r.phone.has_value(), "--phone");
    note(r.image.has_value(), "--image");
    note(!r.keywords.empty(), "--keyword");
    note(r.placement || r.occurrence || r.box || r.offset || r.width || r.height,
         "placement flags");
    note(r.reason || r.location || r.tsa || r.level, "signing flags");
    note(r.force, "--force");
    if (given.empty())
        return;
    std::string list;
    for (const auto& g : given)
        list += (list.empty() ? "" : ", ") + g;
    throw usage_error("--add-signature only adds a signature entry; it cannot be combined with " +
                      list)
        .hint("to change the rest of the profile, run 'neac profile add " + r.name +
              " --force ...' with every value");
}

std::optional<Locator> build_locator(const AddRequest& r) {
    bool any = r.placement || r.occurrence || r.box || r.offset || r.width || r.height;
    if (r.keywords.empty()) {
        if (any)
            throw usage_error("placement flags need --keyword (the text to sign next to)")
                .hint("e.g. --keyword \"Người làm đơn\" --placement below");
        return std::nullopt;
    }
    Locator loc;
    loc.keywords = checked_keywords(r.keywords);
    if (r.placement)
        loc.placement = flag("placement", [&] { return parse_placement(*r.placement); });
    if (r.offset) {
        if (!(*r.offset >= 0))
            throw usage_error("--offset: must be at least 0 points");
        loc.offset = *r.offset;
    }
    if (r.box) {
        if (r.width || r.height)
            throw usage_error("give either --box WxH or --width/--height, not both");
        std::tie(loc.width, loc.height) = flag("box", [&] { return parse_box(*r.box); });
    }
    if (r.width) {
        if (!(*r.width >= 1))
            throw usage_error("--width: must be at least 1 point");
        loc.width = *r.width;
    }
    if (r.height) {
        if (!(*r.height >= 1))
            throw usage_error("--height: must be at least 1 point");
        loc.height = *r.height;
    }
    if (r.occurrence) {
        flag("occurrence", [&] { check_occurrence(*r.occurrence); });
        loc.occurrence = *r.occurrence;
    }
    return loc;
}

} // namespace

std::vector<std::string> checked_keywords(const std::vector<std::string>& given) {
    if (given.size() > limits::kKeywordsPerLocator)
        throw usage_error("--keyword: at most " + std::to_string(limits::kKeywordsPerLocator) +
                          " keywords, in order of preference");
    std::vector<std::string> out;
    for (const std::string& g : given) {
        std::string keyword = trim(g);
        if (keyword.empty())
            throw usage_error("--keyword: must not be blank");
        if (std::find(out.begin(), out.end(), keyword) != out.end())
            throw usage_error("--keyword \"" + keyword + "\" is given twice");
        out.push_back(std::move(keyword));
    }
    return out;
}

std::pair<double, double> parse_box(std::string_view text) {
    std::size_t x = text.find_first_of("xX*");
    if (x == std::string_view::npos)
        throw input_error("expected WIDTHxHEIGHT in points, e.g. 180x60");
    double w = parse_number(trim(text.substr(0, x)), "box width", 1);
    double h = parse_number(trim(text.substr(x + 1)), "box height", 1);
    return {w, h};
}

std::vector<std::string> missing_add_flags(const AddRequest& r) {
    std::vector<std::string> missing;
    if (!r.add_signature) {
        if (!r.display_name || trim(*r.display_name).empty())
            missing.emplace_back("--display-name");
        if (!r.phone || r.phone->empty())
            missing.emplace_back("--phone");
    }
    if (!r.account || r.account->empty())
        missing.emplace_back("--account");
    if (!r.provider || r.provider->empty())
        missing.emplace_back("--provider");
    return missing;
}

AddResult add_profile(ProfileStore& store, const AddRequest& r) {
    flag("name", [&] { check_profile_name(r.name); });
    std::vector<std::string> missing = missing_add_flags(r);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        throw usage_error("missing " + list).hint("run 'neac profile add --help'");
    }

    if (r.add_signature) {
        refuse_profile_flags_with_add_signature(r);
        Profile p = store.load(r.name);
        SignatureEntry entry = build_entry(r);
        for (const auto& existing : p.signatures)
            if (same_entry(existing, entry))
                throw usage_error("profile '" + r.name + "' already has a " + entry.provider +
                                  " entry for account " + mask_account(entry.account))
                    .hint("use --serial to add another certificate of the same account");
        if (entry.is_default)
            for (auto& existing : p.signatures)
                existing.is_default = false;
        p.signatures.push_back(std::move(entry));
        std::size_t index = p.signatures.size() - 1;
        return {store.save(std::move(p), true), false, index};
    }

    Profile p;
    p.name = r.name;
    p.display_name = trim(*r.display_name);
    if (!is_valid_utf8(p.display_name) ||
        std::any_of(p.display_name.begin(), p.display_name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        throw usage_error("--display-name: must be UTF-8 text on one line");
    p.phone = flag("phone", [&] { return normalize_phone(*r.phone); });
    p.locator = build_locator(r);
    if (r.reason)
        p.signing.reason = *r.reason;
    if (r.location)
        p.signing.location = *r.location;
    if (r.tsa) {
        flag("tsa", [&] { check_url(*r.tsa, "TSA URL", true); });
        p.signing.tsa = *r.tsa;
    }
    if (r.level) {
        flag("level", [&] {
            if (*r.level != "B-B" && *r.level != "B-T" && *r.level != "B-LT" && *r.level != "B-LTA")
                throw usage_error("--level: expected B-B, B-T, B-LT or B-LTA");
            if (*r.level != "B-B" && p.signing.tsa.empty())
                throw usage_error("--level " + *r.level + " needs --tsa (a time-stamp authority)");
        });
        p.signing.level = *r.level;
    }
    p.signatures.push_back(build_entry(r));
    p.signatures.back().is_default = r.make_default;

    std::optional<std::string> png;
    if (r.image) {
        fs::path image = absolute_from(r.base_dir, *r.image);
        std::string bytes = read_small_file(image, limits::kImageFileBytes);
        inspect_png(bytes, image.string()); // BadInput (exit 4): the file, not the flag, is wrong
        png = std::move(bytes);
    }
    bool existed = store.exists(r.name);
    Profile saved = store.save(std::move(p), r.force, png);
    return {std::move(saved), !existed, 0};
}

} // namespace neac::profile
