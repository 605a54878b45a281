// neac profile: placeholder registration, replaced by the profile command implementation.
#include "command.hpp"

namespace neac::cli {

void add_profile_command(CLI::App& app, Context& ctx) {
    CLI::App* profile = app.add_subcommand("profile", "Manage signature profiles");
    profile->require_subcommand(1);
    CLI::App* list = profile->add_subcommand("list", "List profiles");
    list->callback([&ctx] { ctx.action = [] { return 0; }; });
}

} // namespace neac::cli
