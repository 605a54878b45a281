// The provider catalogue: which signing providers exist, which settings each one takes, which of
// those are required, and the default endpoint of each remote CA. The profile loader, `neac profile
// add` (one flag per setting) and the man page all follow this one table.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace neac::profile {

// How a setting's value is checked.
enum class SettingKind {
    Url,    // https URL (http only to loopback)
    File,   // a path; relative paths are relative to the profile's folder
    EnvVar, // the NAME of an environment variable that holds a secret at signing time
    Text,   // free text without control characters
    Hex,    // hex digits (certificate serial)
    Choice, // one of `choices`
    Number, // a decimal number >= 0
};

struct SettingSpec {
    std::string_view key;                    // kebab-case YAML key, also the add flag (--key)
    SettingKind kind;                        //
    std::vector<std::string_view> providers; // providers that use it; any other refuses it
    std::string_view help;                   // one line, for --help and messages
    std::vector<std::string_view> choices;   // for SettingKind::Choice
};

// Every provider setting, in the order the man page and `--help` list them.
const std::vector<SettingSpec>& setting_specs();
// The spec for `key`, or nullptr when no provider uses such a key.
const SettingSpec* find_setting(std::string_view key);

// "vnpt-smartca", "viettel-mysign", "misa-esign", "csc", "pkcs12", "sandbox".
const std::vector<std::string>& provider_ids();
bool is_known_provider(std::string_view id);
// True for providers reached over the network (every one but pkcs12 and sandbox).
bool is_remote_provider(std::string_view id);
// The endpoint used when a remote entry sets none; "" when there is no default (csc, local).
std::string default_endpoint(std::string_view provider);

// Refuses an unknown provider (BadInput naming the known ones).
void check_provider(std::string_view id);

// Checks one setting for `provider`: the key must be known and used by that provider, and the
// value must fit its kind. Returns the normalised value (e.g. upper-case serial). BadInput
// otherwise; the message names the key and, for *-env keys, never contains the value.
std::string check_setting(std::string_view provider, std::string_view key, std::string_view value);

// The required settings `provider` lacks in `settings`, as they should be shown to the user
// ("sp-id-env", "password-env (or password-file)"). Empty when complete.
std::vector<std::string> missing_settings(std::string_view provider,
                                          const std::map<std::string, std::string>& settings);

} // namespace neac::profile
