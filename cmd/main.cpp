// The neac binary: global options, the command table, and the one place where typed errors become
// exit codes.
#include "command.hpp"

#include "neac/providers/sandbox.hpp"

#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/paths.hpp"

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
        std::cerr << j.dump() << "\n";
    } else {
        ctx.console().end_progress();
        std::cerr << "neac: error: " << (detail ? detail->describe() : message) << "\n";
    }
    return static_cast<int>(code);
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
                std::cout << app.help();
                return 0;
            }
            for (CLI::App* sub : app.get_subcommands({})) {
                if (sub->get_name() == help_topic) {
                    std::cout << sub->help();
                    return 0;
                }
            }
            throw usage_error("unknown command '" + help_topic + "'")
                .hint("run 'neac --help' for the list of commands");
        };
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        ctx.console_options.json = argv_wants_json(argc, argv);
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
