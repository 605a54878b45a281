// neac profile add/list/show/remove/check: the portal's "Cập nhật chữ ký" from the shell. Flags
// are parsed here; validation, storage and rendering live in neac::profile.
#include "command.hpp"

#include "neac/profile/check.hpp"
#include "neac/profile/edit.hpp"
#include "neac/profile/render.hpp"
#include "neac/profile/settings.hpp"
#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/text.hpp"

#include <iostream>
#include <memory>
#include <unistd.h>

namespace neac::cli {
namespace {

namespace np = neac::profile;

struct ProfileState {
    np::AddRequest add;
    std::string target;  // NAME or FILE of show/remove/check
    bool online = false; // check --online
    std::string ca_bundle, otp;
};

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

// Asks for missing required values on a terminal; elsewhere they are a usage error naming every
// missing flag at once.
void ask_missing(np::AddRequest& r) {
    std::vector<std::string> missing = np::missing_add_flags(r);
    if (missing.empty())
        return;
    if (!::isatty(STDIN_FILENO))
        throw usage_error("missing " + join(missing))
            .hint("give them as flags (see 'neac profile add --help'), or run in a terminal to be "
                  "asked for them");
    for (const auto& flag : missing) {
        std::optional<std::string>* slot = nullptr;
        std::string label;
        if (flag == "--display-name") {
            slot = &r.display_name;
            label = "Display name (tên hiển thị), e.g. NGUYỄN VĂN A";
        } else if (flag == "--phone") {
            slot = &r.phone;
            label = "Mobile number registered for remote signing (số điện thoại)";
        } else if (flag == "--account") {
            slot = &r.account;
            label = "Account: CCCD (12 digits) or CMND (9 digits)";
        } else {
            slot = &r.provider;
            label = "Provider (" + join(np::provider_ids()) + ")";
        }
        std::cerr << label << ": " << std::flush;
        std::string line;
        if (!std::getline(std::cin, line))
            throw usage_error("no value for " + flag + " (end of input)");
        *slot = trim(line);
    }
}

void add_add(CLI::App& profile, Context& ctx, std::shared_ptr<ProfileState> st) {
    np::AddRequest& r = st->add;
    CLI::App* add = profile.add_subcommand(
        "add", "Create a profile, or add a signature entry to one (--add-signature)");
    add->add_option("name", r.name, "Profile name ([A-Za-z0-9][A-Za-z0-9._-]*)")
        ->required()
        ->type_name("NAME");
    std::string group = "Profile";
    auto text = [&](const char* name, std::optional<std::string>& slot, const char* type,
                    const char* help) {
        add->add_option_function<std::string>(
               name, [&slot](const std::string& v) { slot = v; }, help)
            ->type_name(type)
            ->group(group);
    };
    auto number = [&](const char* name, std::optional<double>& slot, const char* help) {
        add->add_option_function<double>(
               name, [&slot](double v) { slot = v; }, help)
            ->type_name("PT")
            ->group(group);
    };
    text("--display-name", r.display_name, "TEXT", "Signer name shown in the signature (UTF-8)");
    text("--phone", r.phone, "NUMBER", "Mobile number registered for remote signing");
    text("--image", r.image, "PNG", "Signature image (copied into the profile folder)");
    group = "Placement";
    add->add_option("--keyword", r.keywords,
                    "Text that locates where to sign (\"Người làm đơn\"); repeat it to list "
                    "keywords in order of preference")
        ->type_name("TEXT")
        ->allow_extra_args(false)
        ->group(group);
    text("--placement", r.placement, "WHERE", "below|above|left|right|over (default below)");
    number("--offset", r.offset, "Gap between keyword and signature box (default 4)");
    text("--box", r.box, "WxH", "Signature box size in points (default 180x60)");
    number("--width", r.width, "Signature box width");
    number("--height", r.height, "Signature box height");
    text("--occurrence", r.occurrence, "WHICH", "Keyword match: first|last|all|N (default last)");
    group = "Signing defaults";
    text("--reason", r.reason, "TEXT", "Signing reason");
    text("--location", r.location, "TEXT", "Signing location");
    text("--tsa", r.tsa, "URL", "RFC 3161 timestamp authority");
    text("--level", r.level, "LEVEL", "PAdES level: B-B|B-T|B-LT|B-LTA (B-T and up need --tsa)");
    group = "Signature entry";
    text("--account", r.account, "CCCD", "Signer's CCCD (12 digits) or CMND (9 digits)");
    text("--provider", r.provider, "ID",
         "vnpt-smartca|viettel-mysign|misa-esign|csc|pkcs12|sandbox");
    for (const auto& spec : np::setting_specs()) {
        std::string key(spec.key);
        const char* type = spec.kind == np::SettingKind::EnvVar ? "VAR"
                           : spec.kind == np::SettingKind::File ? "FILE"
                           : spec.kind == np::SettingKind::Url  ? "URL"
                                                                : "VALUE";
        add->add_option_function<std::string>(
               "--" + key, [&r, key](const std::string& v) { r.settings[key] = v; },
               std::string(spec.help))
            ->type_name(type)
            ->group("Provider settings (see neac-profile(5))");
    }
    add->add_flag("--default", r.make_default, "Make this signature entry the default")
        ->group("Signature entry");
    add->add_flag("--force", r.force, "Replace an existing profile");
    add->add_flag("--add-signature", r.add_signature,
                  "Append a signature entry to an existing profile");
    add->callback([&ctx, st] {
        ctx.action = [&ctx, st] {
            np::ProfileStore store(ctx.home());
            ask_missing(st->add);
            np::AddResult res = np::add_profile(store, st->add);
            const Console& out = ctx.console();
            if (out.json()) {
                out.print_json(nlohmann::json{{"version", 1},
                                              {"created", res.created},
                                              {"entry", res.entry + 1},
                                              {"profile", np::profile_to_json(res.profile)}});
            } else {
                std::string what =
                    st->add.add_signature
                        ? "added signature entry " + std::to_string(res.entry + 1) + " to profile '"
                        : "saved profile '";
                out.out(what + res.profile.name + "' (" + res.profile.source.string() + ")\n");
                out.note("next: neac profile check " + res.profile.name);
            }
            return 0;
        };
    });
}

void add_named(CLI::App& profile, Context& ctx, std::shared_ptr<ProfileState> st, const char* name,
               const char* help, const char* arg_help, int (*run)(Context&, const std::string&)) {
    CLI::App* sub = profile.add_subcommand(name, help);
    sub->add_option("profile", st->target, arg_help)->required();
    sub->callback(
        [&ctx, st, run] { ctx.action = [&ctx, st, run] { return run(ctx, st->target); }; });
}

int run_list(Context& ctx) {
    np::ProfileStore store(ctx.home());
    std::vector<Error> problems;
    std::vector<np::Profile> profiles = store.list(&problems);
    const Console& out = ctx.console();
    for (const auto& e : problems)
        out.warn("skipped: " + e.describe());
    if (out.json()) {
        out.print_json(np::list_to_json(profiles, problems));
    } else if (profiles.empty()) {
        out.note("no profiles in " + store.folder().string() +
                 "; create one with 'neac profile add NAME ...'");
    } else {
        out.out(format_table(np::list_rows(profiles)));
    }
    return 0;
}

int run_show(Context& ctx, const std::string& target) {
    np::Profile p = np::ProfileStore(ctx.home()).load(target);
    const Console& out = ctx.console();
    if (out.json())
        out.print_json(nlohmann::json{{"version", 1}, {"profile", np::profile_to_json(p)}});
    else
        out.out(np::describe_profile(p));
    return 0;
}

int run_remove(Context& ctx, const std::string& target) {
    np::ProfileStore store(ctx.home());
    store.remove(target);
    const Console& out = ctx.console();
    if (out.json())
        out.print_json(nlohmann::json{{"version", 1}, {"removed", target}});
    else
        out.out("removed profile '" + target + "'\n");
    return 0;
}

int run_check(Context& ctx, const ProfileState& st) {
    np::OnlineCheck online;
    online.enabled = st.online;
    online.make_provider = [&st, &ctx](providers::ProviderConfig config) {
        config.home = ctx.home();
        if (!st.ca_bundle.empty())
            config.settings["ca-bundle"] = std::filesystem::absolute(st.ca_bundle).string();
        config.otp = st.otp;
        return providers::make_provider(config);
    };
    np::CheckReport report =
        np::check_profile(np::ProfileStore(ctx.home()), st.target, np::env_is_set, online);
    const Console& out = ctx.console();
    if (out.json()) {
        out.print_json(np::check_to_json(report));
    } else {
        for (const auto& item : report.items) {
            std::string tag = item.status == np::CheckStatus::Ok     ? out.green("ok  ")
                              : item.status == np::CheckStatus::Warn ? out.yellow("warn")
                                                                     : out.red("FAIL");
            out.out(tag + "  " + item.message + "\n");
        }
        std::size_t fails = report.count(np::CheckStatus::Fail);
        std::size_t warns = report.count(np::CheckStatus::Warn);
        if (fails == 0)
            out.out("profile " + report.name + " is OK" +
                    (warns ? " (" + std::to_string(warns) + " warning(s))" : "") + "\n");
    }
    // The report is on stdout; the failure also goes to stderr (as JSON with --json), as for
    // every other command.
    if (!report.ok())
        throw input_error("profile check found " +
                          std::to_string(report.count(np::CheckStatus::Fail)) + " problem(s)");
    return 0;
}

} // namespace

void add_profile_command(CLI::App& app, Context& ctx) {
    auto st = std::make_shared<ProfileState>();
    CLI::App* profile = app.add_subcommand(
        "profile", "Manage signature profiles (the portal's \"Cập nhật chữ ký\")");
    profile->require_subcommand(1);
    add_add(*profile, ctx, st);
    CLI::App* list = profile->add_subcommand("list", "List profiles");
    list->callback([&ctx] { ctx.action = [&ctx] { return run_list(ctx); }; });
    add_named(*profile, ctx, st, "show", "Show every field of a profile", "Profile name or file",
              run_show);
    add_named(*profile, ctx, st, "remove", "Remove a profile and its copied image", "Profile name",
              run_remove);
    CLI::App* check = profile->add_subcommand("check", "Validate a profile and explain each check");
    check->add_option("profile", st->target, "Profile name or file")->required();
    check->add_flag("--online", st->online,
                    "Also ask each entry's provider for the account's certificates (network)");
    check->add_option("--ca-bundle", st->ca_bundle,
                      "PEM file of CA certificates for the providers' TLS (with --online)");
    check->add_option("--otp", st->otp, "Two-factor code when a provider login asks (--online)");
    check->callback([&ctx, st] { ctx.action = [&ctx, st] { return run_check(ctx, *st); }; });
}

} // namespace neac::cli
