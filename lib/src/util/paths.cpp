#include "neac/util/paths.hpp"

#include "neac/util/error.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace neac {

std::filesystem::path resolve_home(const std::string& flag) {
    if (!flag.empty())
        return flag;
    if (const char* env = std::getenv("NEAC_HOME"); env && *env)
        return env;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "neac";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".config" / "neac";
    throw usage_error("cannot find a home folder for neac")
        .hint("set NEAC_HOME or pass --home DIR");
}

void ensure_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw input_error("cannot create folder: " + ec.message()).file(dir.string());
    if (::chmod(dir.c_str(), 0700) != 0)
        throw input_error("cannot set folder mode 0700").file(dir.string());
}

} // namespace neac
