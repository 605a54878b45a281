// Where neac keeps its state.
#pragma once

#include <filesystem>
#include <string>

namespace neac {

// The neac home folder: `flag` if given, else $NEAC_HOME, else $XDG_CONFIG_HOME/neac, else
// ~/.config/neac. Does not create it.
std::filesystem::path resolve_home(const std::string& flag);

// Creates `dir` (and parents) if missing and sets mode 0700 on it.
void ensure_private_dir(const std::filesystem::path& dir);

} // namespace neac
