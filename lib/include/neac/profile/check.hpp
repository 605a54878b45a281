// `neac profile check`: validates a profile and explains every check it made, so that a user can
// see what is right as well as what is wrong before the first signing.
#pragma once

#include "neac/profile/profile.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace neac::profile {

enum class CheckStatus { Ok, Warn, Fail };
const char* check_status_name(CheckStatus status); // "ok", "warn", "fail"

struct CheckItem {
    std::string id; // stable: "file", "yaml", "image", "phone", "locator", "signing",
                    // "signatures[N].account", ".provider", ".settings", ".env", ".files"
    CheckStatus status = CheckStatus::Ok;
    std::string message; // one line for people; never contains a secret value
};

struct CheckReport {
    std::string target;         // what the user asked for (name or file)
    std::filesystem::path file; // the file checked, when it was found
    std::string name;           // the profile's name, when it parsed
    std::vector<CheckItem> items;

    bool ok() const; // no item failed (warnings allowed)
    std::size_t count(CheckStatus status) const;
};

// Answers whether an environment variable is set (and non-empty). Only presence is ever asked.
using EnvProbe = std::function<bool(const std::string& name)>;
// The process environment (getenv).
bool env_is_set(const std::string& name);

// Checks the profile `name_or_file` of `store`: the file exists and parses (YAML, keys, values;
// a parse error is one failed "yaml" item with its file:line:column), the image is a readable PNG,
// the phone, the locator, and per signature entry: account, provider, required settings,
// referenced environment variables (unset: warning) and files (missing or unreadable: failure;
// ca-bundle must hold a PEM certificate). Never throws for problems in the profile itself.
CheckReport check_profile(const ProfileStore& store, const std::string& name_or_file,
                          const EnvProbe& env = env_is_set);

// `neac profile check --online`: after the offline checks, asks each entry's provider for the
// account's certificates. Adds per entry a "signatures[N].online" item (reached the provider and
// how many certificates it holds, or why not), one "signatures[N].certificate" item per
// certificate, and a "signatures[N].selected" item naming the one signing would use (or failing
// when the choice is ambiguous or the certificate belongs to someone else).
struct OnlineCheck {
    bool enabled = false;
    // Builds the provider for an entry's configuration (normally providers::make_provider after
    // adding session inputs such as --ca-bundle).
    std::function<std::unique_ptr<providers::Provider>(providers::ProviderConfig)> make_provider;
};
CheckReport check_profile(const ProfileStore& store, const std::string& name_or_file,
                          const EnvProbe& env, const OnlineCheck& online);

} // namespace neac::profile
