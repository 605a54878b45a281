// How profiles and check reports look on screen and in --json. The JSON shapes are a contract
// (documented in neac-profile(1)): fields are only ever added. Nothing rendered here can hold a
// secret: profiles store only environment variable names and file paths.
#pragma once

#include "neac/profile/check.hpp"
#include "neac/profile/profile.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace neac::profile {

// {"name", "display_name", "file", "image" (or null), "phone", "locator" (or null), "signing",
//  "signatures": [{"type", "account", "account_kind", "account_masked", "provider", "default",
//  "endpoint" (effective, remote providers), "settings": {...}}]}
nlohmann::json profile_to_json(const Profile& profile);

// `neac profile list --json`: {"version": 1, "profiles": [profile_to_json...]} plus "problems"
// ([{"file", "line", "column", "message"}]) for files that did not load.
nlohmann::json list_to_json(const std::vector<Profile>& profiles,
                            const std::vector<Error>& problems);

// Rows for format_table: a header (NAME, DISPLAY NAME, PHONE, PROVIDER(S), ACCOUNT) and one row
// per profile; the account is the default entry's, masked ("0010******45").
std::vector<std::vector<std::string>> list_rows(const std::vector<Profile>& profiles);

// `neac profile show`: aligned "key: value" lines with every field.
std::string describe_profile(const Profile& profile);

// `neac profile check --json`: {"version": 1, "target", "file", "name", "ok", "errors",
// "warnings", "checks": [{"id", "status", "message"}]}.
nlohmann::json check_to_json(const CheckReport& report);

} // namespace neac::profile
