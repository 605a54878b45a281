// What every subcommand file gets from main.cpp: the global options, the console, the home folder,
// and a slot for the action to run once the command line has been parsed.
#pragma once

#include "neac/util/console.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace neac::cli {

struct Context {
    ConsoleOptions console_options;
    std::string home_flag;
    // Set by the chosen subcommand's parse callback; run by main() inside the error boundary.
    std::function<int()> action;

    const Console& console() const;
    // The neac home folder (--home, NEAC_HOME, XDG_CONFIG_HOME/neac, ~/.config/neac).
    std::filesystem::path home() const;
    // --trust arguments as paths: "sandbox" names the embedded sandbox CA's root certificate.
    std::vector<std::filesystem::path> trust_anchors(const std::vector<std::string>& args) const;

private:
    mutable std::unique_ptr<Console> console_;
};

// One entry per subcommand; main.cpp lists them in its command table.
void add_profile_command(CLI::App& app, Context& ctx);
void add_sign_command(CLI::App& app, Context& ctx);
void add_locate_command(CLI::App& app, Context& ctx);
void add_verify_command(CLI::App& app, Context& ctx);
void add_history_command(CLI::App& app, Context& ctx);
void add_submit_command(CLI::App& app, Context& ctx);
void add_extend_command(CLI::App& app, Context& ctx);

} // namespace neac::cli
