// Creating and extending profiles from command-line values: what `neac profile add` does once its
// flags are parsed.
#pragma once

#include "neac/profile/profile.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace neac::profile {

// The values of `neac profile add`, as the user typed them (unset = not given). Every value is
// validated by add_profile().
struct AddRequest {
    std::string name;
    std::optional<std::string> display_name, phone, image;
    std::vector<std::string> keywords; // --keyword, repeatable, in order of preference
    std::optional<std::string> placement, occurrence, box; // box: "WxH" in points
    std::optional<double> offset, width, height;
    std::optional<std::string> reason, location, tsa, level;
    std::optional<std::string> account, provider;
    std::map<std::string, std::string> settings; // --<setting-key> VALUE, see setting_specs()
    bool make_default = false;                   // mark the new entry as the profile's default
    bool force = false;                          // replace an existing profile
    bool add_signature = false; // append an entry to an existing profile instead of creating one
    std::filesystem::path base_dir; // relative file paths are taken from here (empty: cwd)
};

// The flags a request still needs, in the order they should be asked for: "--display-name",
// "--phone", "--account", "--provider" (only --account and --provider with add_signature).
std::vector<std::string> missing_add_flags(const AddRequest& request);

struct AddResult {
    Profile profile;       // as saved (source and image set)
    bool created = false;  // a new profile (not --force over an old one, not --add-signature)
    std::size_t entry = 0; // index of the signature entry this request wrote
};

// Validates the request, copies the image into the store, and saves the profile atomically.
// A value that does not fit its flag (phone, account, provider, setting, box...) throws Usage
// naming the flag; an image that is missing or not a valid PNG throws BadInput. With
// add_signature the profile must exist and only entry flags (account, provider, settings,
// --default) may be given; an entry equal to an existing one (same provider, account and serial)
// is refused.
AddResult add_profile(ProfileStore& store, const AddRequest& request);

// The --keyword values in order, trimmed: Usage error for a blank one, one given twice, or more
// than limits::kKeywordsPerLocator.
std::vector<std::string> checked_keywords(const std::vector<std::string>& given);

// Parses "180x60" (also "180X60", "180*60") into width and height in points (> 0).
std::pair<double, double> parse_box(std::string_view text);

} // namespace neac::profile
