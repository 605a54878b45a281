// Signature profiles: the portal's "Cập nhật chữ ký" as a YAML file. A profile names the signer
// (display name, phone registered for remote signing, signature image), where to sign (a keyword
// locator), default signing options, and one or more signature entries (account = CCCD/CMND, and
// the provider that holds the certificate). Secrets are never stored: entries name the
// environment variables or files that hold them. The file format is documented in
// neac-profile(5).
#pragma once

#include "neac/pdf/appearance.hpp"
#include "neac/providers/provider.hpp"
#include "neac/util/error.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace neac::profile {

// Where the signature box goes relative to the keyword's box.
enum class Placement { Below, Above, Left, Right, Over };
const char* placement_name(Placement p); // "below", ...
// Accepts the names above; BadInput listing them otherwise.
Placement parse_placement(std::string_view text);

struct Locator {
    // Texts to find ("Người làm đơn"), in order of preference: the first one present in a file
    // places its signature. At least one; none blank.
    std::vector<std::string> keywords;
    Placement placement = Placement::Below; //
    double offset = 4;                      // points between keyword box and signature box
    double width = 180, height = 60;        // signature box, points, > 0
    std::string occurrence = "last";        // "first" | "last" | "all" | "N" (1-based)
    bool ignore_diacritics = false;         // "Nguoi lam don" finds "Người làm đơn"
    bool avoid_text = true;                 // slide the box past printed text (neac-locate(1))
    bool operator==(const Locator&) const = default;
};

// Checks an occurrence value ("first", "last", "all" or a positive integer).
void check_occurrence(std::string_view text);

struct SignatureEntry {
    std::string type = "neac"; // the portal's signature type; only "neac" exists
    std::string account;       // CCCD (12 digits) or CMND (9 digits), digits only
    std::string account_kind;  // "CCCD" or "CMND", derived from account
    std::string provider;      // see provider_ids() in neac/profile/settings.hpp
    // Provider settings by kebab-case key ("sp-id-env", "pkcs12", ...), validated for the
    // provider. File settings hold absolute paths once loaded.
    std::map<std::string, std::string> settings;
    bool is_default = false;
    bool operator==(const SignatureEntry&) const = default;
};

struct SigningOptions {
    std::string reason, location, contact_info, tsa; // empty when not set
    std::string digest = "sha256";                   // sha256 | sha384 | sha512
    // PAdES level: B-B | B-T | B-LT | B-LTA; empty = B-T when tsa is set, else B-B.
    std::string level;
    bool operator==(const SigningOptions&) const = default;
};

struct Profile {
    std::string name;            // [A-Za-z0-9][A-Za-z0-9._-]{0,63}
    std::string display_name;    // UTF-8, shown in the signature appearance
    std::filesystem::path image; // absolute when loaded; empty if none
    std::string phone;           // normalised, "+84912345678"
    std::optional<Locator> locator;
    std::optional<pdf::AppearanceStyle> appearance; // the visible signature; empty = defaults
    SigningOptions signing;
    std::vector<SignatureEntry> signatures; // at least one
    std::filesystem::path source;           // file it was loaded from (absolute); empty if new

    // The entry marked default, else the first. Throws BadInput when there is none.
    const SignatureEntry& default_signature() const;
    bool operator==(const Profile&) const = default;
};

// Parses and fully validates a profile. `file_name` is used in error messages and as the base of
// relative paths (image, pkcs12, ca-bundle, password-file), which come back absolute; it may be
// empty (paths then stay relative to the current folder). Unknown keys, wrong types, invalid
// values and YAML syntax errors throw BadInput with file, line and column (1-based). All missing
// required keys are reported together in one error. Literal secrets (password:, token:, ...) are
// refused.
Profile parse_profile(const std::string& yaml_text, const std::string& file_name);

// The YAML text of a profile, in the documented key order. Paths inside the folder of
// `profile.source` are written relative to it. parse_profile(to_yaml(p), p.source) == p.
std::string to_yaml(const Profile& profile);

// The profiles folder of a neac home: <home>/profiles/<name>.yaml (mode 0600) and the copied
// signature images <home>/profiles/<name>.png, in a folder of mode 0700.
class ProfileStore {
public:
    explicit ProfileStore(std::filesystem::path home);

    const std::filesystem::path& home() const noexcept { return home_; }
    std::filesystem::path folder() const { return home_ / "profiles"; }
    std::filesystem::path path_for(const std::string& name) const;       // <folder>/<name>.yaml
    std::filesystem::path image_path_for(const std::string& name) const; // <folder>/<name>.png

    // A path to a profile file for `name_or_file`: an argument with a '/' or a .yaml/.yml suffix
    // that names an existing file is that file; anything else must be a profile name.
    std::filesystem::path resolve(const std::string& name_or_file) const;
    bool exists(const std::string& name) const;

    // Loads by name or file. BadInput when it does not exist (hint: neac profile list) or is
    // invalid; a stored profile whose `name:` differs from its file name is refused.
    Profile load(const std::string& name_or_file) const;

    // Writes <folder>/<profile.name>.yaml atomically (the old file stays intact on any failure).
    // When `png` is given, the image is written to image_path_for(name) in the same way and
    // profile.image is pointed at it; both temporary files are complete before either is renamed
    // into place. Refuses (Usage) to replace an existing profile unless `overwrite`. Returns the
    // saved profile (source and image set).
    Profile save(Profile profile, bool overwrite, const std::optional<std::string>& png = {});

    // Every loadable profile, sorted by name. Files that fail to load are skipped and their
    // errors appended to `problems` when given; without it the first error is thrown.
    std::vector<Profile> list(std::vector<Error>* problems = nullptr) const;

    // Removes the profile's YAML and its copied image. BadInput when there is no such profile.
    void remove(const std::string& name);

private:
    std::filesystem::path home_;
};

// What a provider needs from entry `signature_index` of `profile`: provider, account, display
// name, the entry's settings (with the provider's default endpoint filled in when the entry sets
// none, file paths absolute), and the neac home. BadInput for an index out of range.
providers::ProviderConfig to_provider_config(const Profile& profile, std::size_t signature_index,
                                             const std::filesystem::path& home);

} // namespace neac::profile
