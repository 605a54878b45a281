// The neac binary: global options, the command table, and the one place where typed errors become
// exit codes.
#include "command.hpp"

#include "neac/providers/sandbox.hpp"

#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/paths.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace neac::cli {

const Console& Context::console() const {
    if (!console_)
        console_ = std::make_unique<Console>(console_options);
    return *console_;
}

std::filesystem::path Context::home() const {
    return resolve_home(home_flag);
}

std::vector<std::filesystem::path>
Context::trust_anchors(const std::vector<std::string>& args) const {
    std::vector<std::filesystem::path> out;
    for (const std::string& a : args)
        out.push_back(a == "sandbox" ? providers::sandbox_root_certificate(home())
                                     : std::filesystem::path(a));
    return out;
}

namespace {

struct CommandEntry {
    const char* name;
    void (*add)(CLI::App&, Context&);
};

// Every subcommand, in the order `neac --help` lists them.
// One command per line, whatever their number:
// clang-format off
constexpr CommandEntry kCommands[] = {
    {"profile", add_profile_command},
    {"locate", add_locate_command},
    {"sign", add_sign_command},
    {"extend", add_extend_command},
    {"verify", add_verify_command},
    {"submit", add_submit_command},
    {"history", add_history_command},
};
// clang-format on

ExitCode exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage:
        return ExitCode::Usage;
    case ErrorKind::BadInput:
        return ExitCode::BadInput;
    case ErrorKind::Remote:
        return ExitCode::RemoteError;
    case ErrorKind::NotApproved:
        return ExitCode::NotApproved;
    case ErrorKind::Verification:
        return ExitCode::VerificationFailed;
    case ErrorKind::Indeterminate:
        return ExitCode::Indeterminate;
    case ErrorKind::Interrupted:
        return ExitCode::Interrupted;
    case ErrorKind::Internal:
        return ExitCode::BadInput;
    }
    return ExitCode::BadInput;
}

std::string exit_code_help() {
    std::string text = "Exit codes (the same for every command):\n";
    for (const auto& doc : kExitCodeDocs) {
        std::string code = std::to_string(static_cast<int>(doc.code));
        text += "  " + code + std::string(5 - code.size(), ' ') + doc.meaning + "\n";
    }
    text += "  Any other code is a bug.\n";
    return text;
}

int report_error(const Context& ctx, ErrorKind kind, const std::string& message,
                 const Error* detail) {
    ExitCode code = exit_code_for(kind);
    if (ctx.console_options.json) {
        nlohmann::json j{{"version", 1},
                         {"message_type", "exit_error"},
                         {"code", error_kind_name(kind)},
                         {"exit_code", static_cast<int>(code)},
                         {"message", message}};
        if (detail) {
            if (!detail->file().empty())
                j["file"] = detail->file();
            if (detail->line() > 0)
                j["line"] = detail->line();
            if (detail->column() > 0)
                j["column"] = detail->column();
            if (detail->offset())
                j["offset"] = *detail->offset();
            if (!detail->object().empty())
                j["object"] = detail->object();
            if (!detail->hint().empty())
                j["hint"] = detail->hint();
        }
        std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        ctx.console().end_progress();
        std::cerr << "neac: error: " << (detail ? detail->describe() : message) << "\n";
    }
    return static_cast<int>(code);
}

// Letters to change, insert or delete to turn `a` into `b` (for "did you mean").
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Error(Usage) for a command neac does not have, naming the closest one when it is close.
Error unknown_command_error(const CLI::App& app, const std::string& name) {
    std::string best;
    std::size_t best_distance = 3; // further than two letters away is no suggestion
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        std::size_t d = edit_distance(name, sub->get_name());
        if (d < best_distance) {
            best_distance = d;
            best = sub->get_name();
        }
    }
    Error e = usage_error("unknown command '" + name + "'" +
                          (best.empty() ? "" : "; did you mean '" + best + "'?"));
    e.hint("run 'neac --help' for the list of commands");
    return e;
}

// The first argument that stands where the command goes: not an option, nor the value of
// --home. Empty when there is none.
std::string command_word(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--")
            return i + 1 < argc ? argv[i + 1] : "";
        if (a == "--home") {
            ++i;
            continue;
        }
        if (!a.empty() && a[0] != '-')
            return a;
    }
    return "";
}

// The overview, also when a subcommand ("help") was parsed: CLI11's help() would show that one.
std::string overview(CLI::App& app) {
    return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
}

// True when --json appears before "--", so that even a parse error is reported as JSON.
bool argv_wants_json(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--")
            break;
        if (a == "--json")
            return true;
    }
    return false;
}

} // namespace
} // namespace neac::cli

int main(int argc, char** argv) {
    using namespace neac;
    using namespace neac::cli;

    Context ctx;
    CLI::App app{"neac: sign, place, verify and submit Vietnamese public-service dossiers with "
                 "remote digital signatures (NEAC model)",
                 "neac"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("-V,--version", std::string("neac ") + NEAC_VERSION);
    app.add_flag("--json", ctx.console_options.json,
                 "Write one JSON document (\"version\": 1) on stdout; errors as JSON on stderr");
    app.add_flag("-v,--verbose", ctx.console_options.verbosity,
                 "More log output on stderr (repeat: -vv debug, -vvv trace)");
    app.add_flag("-q,--quiet", ctx.console_options.quiet, "Only errors on stderr");
    app.add_option("--home", ctx.home_flag,
                   "State folder (default: $NEAC_HOME, else $XDG_CONFIG_HOME/neac, else "
                   "~/.config/neac)");
    app.add_flag("--no-color", ctx.console_options.no_color,
                 "No colour in human output (also when NO_COLOR is set)");
    app.footer(exit_code_help() + "\nRun 'neac help COMMAND' for the options of a command.");

    for (const auto& entry : kCommands)
        entry.add(app, ctx);

    std::string help_topic;
    CLI::App* help = app.add_subcommand("help", "Show the help of a command");
    help->add_option("command", help_topic, "Command name");
    help->callback([&] {
        ctx.action = [&]() {
            if (help_topic.empty()) {
                std::cout << overview(app);
                return 0;
            }
            for (CLI::App* sub : app.get_subcommands({})) {
                if (sub->get_name() == help_topic) {
                    std::cout << sub->help();
                    return 0;
                }
            }
            throw unknown_command_error(app, help_topic);
        };
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        ctx.console_options.json = argv_wants_json(argc, argv);
        std::string word = command_word(argc, argv);
        auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
        bool known = std::any_of(subcommands.begin(), subcommands.end(),
                                 [&](const CLI::App* sub) { return sub->check_name(word); });
        if (!word.empty() && !known && app.get_subcommands().empty()) {
            Error unknown = unknown_command_error(app, word);
            return report_error(ctx, ErrorKind::Usage, unknown.what(), &unknown);
        }
        std::string message = e.what();
        if (!ctx.console_options.json)
            message += "\n  hint: run 'neac --help' (or 'neac help COMMAND') for usage";
        return report_error(ctx, ErrorKind::Usage, message, nullptr);
    } catch (const Error& e) {
        return report_error(ctx, e.kind(), e.what(), &e);
    }

    configure_logging(ctx.console_options);
    try {
        if (!ctx.action)
            throw usage_error("no command given").hint("run 'neac --help'");
        return ctx.action();
    } catch (const Error& e) {
        return report_error(ctx, e.kind(), e.what(), &e);
    } catch (const std::bad_alloc&) {
        return report_error(ctx, ErrorKind::BadInput, "out of memory", nullptr);
    } catch (const std::exception& e) {
        // A library (QPDF, yaml-cpp, nlohmann) threw something we did not translate: still an
        // input problem from the user's side, reported with its text rather than a crash.
        return report_error(ctx, ErrorKind::BadInput, e.what(), nullptr);
    }
}
