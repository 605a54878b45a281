// `neac locate` output: the JSON document (version 1, fields only ever added) and the text for
// people. Boxes are [x, y, width, height] in points; "displayed" is the page as a viewer shows
// it, origin at its bottom-left corner (what `neac sign --rect` takes), "user" is default user
// space (the unrotated page, origin where the MediaBox puts it).
#pragma once

#include "neac/place/locate.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace neac::place {

nlohmann::json locate_to_json(const LocateResult& result, const LocatorSpec& spec,
                              const std::vector<std::filesystem::path>& previews);

std::string describe_locate(const LocateResult& result, const LocatorSpec& spec,
                            const std::vector<std::filesystem::path>& previews);

// "x,y,w,h" with at most 2 decimals, as --rect takes it.
std::string rect_text(const Rect& r);

// How the box was moved from where the policy alone puts it, in words ("moved 158 pt beside an
// earlier signature or annotation; shrunk to 70% ..."); "" when it was not. Shown by locate and
// reported by sign.
std::string adjustment_text(const Proposal& p, const PlacementPolicy& policy);

} // namespace neac::place
