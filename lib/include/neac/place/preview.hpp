// `neac locate --preview`: the page as a picture with the placement drawn on it, so that a
// person sees where the signature will go before signing.
//
// Drawn on each page that has a selected match: the keyword highlighted in yellow with an
// orange outline, the proposed signature box in blue (filled lightly), where the policy first
// put it as a thin grey outline when text made the box move, and other matches of the keyword
// outlined in grey.
#pragma once

#include "neac/place/locate.hpp"

#include <filesystem>
#include <vector>

namespace neac::place {

// Draws on `picture`, a render of `page` at `dpi`.
void draw_placement(Picture& picture, double dpi, const PageGeometry& page,
                    const LocateResult& result);

// Renders and writes one PNG per page with a selected match: `out` itself when there is one
// such page, else `out` with "-pN" before its extension for page N. Returns the files written.
// Throws Error(Usage) when `result` has no match, Error(BadInput) when a file cannot be written.
std::vector<std::filesystem::path> write_previews(const PageSource& source,
                                                  const LocateResult& result,
                                                  const std::filesystem::path& out, double dpi);

} // namespace neac::place
