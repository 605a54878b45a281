// ProfileStore: profiles on disk under <home>/profiles, and the provider view of an entry.
#include "neac/profile/profile.hpp"
#include "neac/profile/settings.hpp"
#include "neac/profile/validate.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/paths.hpp"

#include <algorithm>

namespace neac::profile {
namespace {

namespace fs = std::filesystem;

bool looks_like_file(const std::string& arg) {
    return arg.find('/') != std::string::npos || arg.ends_with(".yaml") || arg.ends_with(".yml");
}

Profile load_file(const fs::path& path, const std::string& expected_name) {
    std::string text = read_small_file(path, limits::kProfileBytes);
    Profile p = parse_profile(text, path.string());
    if (!expected_name.empty() && p.name != expected_name)
        throw input_error("the profile in this file is named '" + p.name + "', but the file is " +
                          expected_name + ".yaml")
            .file(path.string())
            .hint("rename the file to " + p.name + ".yaml, or set 'name: " + expected_name + "'");
    return p;
}

} // namespace

ProfileStore::ProfileStore(std::filesystem::path home) : home_(std::move(home)) {}

fs::path ProfileStore::path_for(const std::string& name) const {
    check_profile_name(name);
    return folder() / (name + ".yaml");
}

fs::path ProfileStore::image_path_for(const std::string& name) const {
    check_profile_name(name);
    return folder() / (name + ".png");
}

fs::path ProfileStore::resolve(const std::string& name_or_file) const {
    if (looks_like_file(name_or_file)) {
        std::error_code ec;
        if (!fs::is_regular_file(name_or_file, ec))
            throw input_error("no such profile file")
                .file(name_or_file)
                .hint("give a profile name (see 'neac profile list') or the path of a .yaml file");
        return fs::absolute(name_or_file).lexically_normal();
    }
    fs::path path = path_for(name_or_file);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw input_error("no profile named '" + name_or_file + "' in " + folder().string())
            .hint("run 'neac profile list' to see the profiles, or create it with 'neac profile "
                  "add " +
                  name_or_file + " ...'");
    return fs::absolute(path).lexically_normal();
}

bool ProfileStore::exists(const std::string& name) const {
    std::error_code ec;
    return fs::exists(path_for(name), ec);
}

Profile ProfileStore::load(const std::string& name_or_file) const {
    fs::path path = resolve(name_or_file);
    return load_file(path, looks_like_file(name_or_file) ? "" : name_or_file);
}

Profile ProfileStore::save(Profile profile, bool overwrite, const std::optional<std::string>& png) {
    fs::path path = path_for(profile.name);
    fs::path image_copy = image_path_for(profile.name);
    std::error_code ec;
    if (!fs::exists(home_, ec))
        ensure_private_dir(home_);
    ensure_private_dir(folder());
    if (fs::exists(path, ec) && !overwrite)
        throw usage_error("profile '" + profile.name + "' already exists (" + path.string() + ")")
            .hint("use --force to replace it, or --add-signature to add a signature entry");

    // Both files are written completely before either replaces anything, so a failure (disk
    // full, file size limit, I/O error) leaves the previous profile and image as they were.
    std::optional<AtomicFile> image_file;
    if (png) {
        image_file.emplace(image_copy, 0600);
        image_file->write(*png);
        profile.image = image_copy;
    }
    profile.source = path;
    AtomicFile yaml_file(path, 0600);
    yaml_file.write(to_yaml(profile));
    if (image_file)
        image_file->commit();
    yaml_file.commit();

    // A replaced profile without an image no longer needs the old copy.
    if (profile.image != image_copy)
        fs::remove(image_copy, ec);
    return profile;
}

std::vector<Profile> ProfileStore::list(std::vector<Error>* problems) const {
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(folder(), ec))
        return {};
    for (const auto& entry : fs::directory_iterator(folder(), ec)) {
        const fs::path& p = entry.path();
        if (p.extension() == ".yaml" && entry.is_regular_file(ec))
            files.push_back(p);
    }
    if (ec)
        throw input_error("cannot read the profiles folder: " + ec.message())
            .file(folder().string());
    std::sort(files.begin(), files.end());
    std::vector<Profile> out;
    for (const auto& file : files) {
        try {
            out.push_back(load_file(file, file.stem().string()));
        } catch (Error& e) {
            if (!problems)
                throw;
            problems->push_back(std::move(e));
        }
    }
    return out;
}

void ProfileStore::remove(const std::string& name) {
    fs::path path = path_for(name);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw input_error("no profile named '" + name + "' in " + folder().string())
            .hint("run 'neac profile list' to see the profiles");
    if (!fs::remove(path, ec) || ec)
        throw input_error("cannot remove the profile: " + ec.message()).file(path.string());
    fs::remove(image_path_for(name), ec);
}

providers::ProviderConfig to_provider_config(const Profile& profile, std::size_t signature_index,
                                             const std::filesystem::path& home) {
    if (signature_index >= profile.signatures.size())
        throw input_error("profile '" + profile.name + "' has no signature entry " +
                          std::to_string(signature_index + 1) + " (it has " +
                          std::to_string(profile.signatures.size()) + ")");
    const SignatureEntry& entry = profile.signatures[signature_index];
    providers::ProviderConfig config;
    config.provider = entry.provider;
    config.account = entry.account;
    config.display_name = profile.display_name;
    config.home = home;
    fs::path base = profile.source.empty() ? fs::current_path() : profile.source.parent_path();
    for (const auto& [key, value] : entry.settings) {
        const SettingSpec* spec = find_setting(key);
        if (spec && spec->kind == SettingKind::File && fs::path(value).is_relative())
            config.settings[key] = (base / value).lexically_normal().string();
        else
            config.settings[key] = value;
    }
    if (is_remote_provider(entry.provider) && !config.settings.count("endpoint")) {
        std::string endpoint = default_endpoint(entry.provider);
        if (!endpoint.empty())
            config.settings["endpoint"] = endpoint;
    }
    return config;
}

} // namespace neac::profile
