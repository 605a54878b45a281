// The keyword locator's command-line flags, shared by `neac locate` and `neac sign`. Merging them
// over a profile's `locator:` section is sign::make_locator_spec (neac/sign/locator.hpp): place/
// does not know about profiles.
#pragma once

#include "neac/place/locate.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neac::place {

struct LocatorFlags {
    std::vector<std::string> keywords;     // --keyword, repeatable; empty = not given
    std::optional<std::string> placement;  // below|above|left|right|over
    std::optional<std::string> occurrence; // first|last|all|N
    std::optional<std::string> box;        // WxH
    std::optional<double> offset;
    bool ignore_diacritics = false;
    bool no_avoid_text = false;
    int page = 0;

    // True when a flag other than --keyword and --page is given.
    bool any_policy_flag() const;
};

// "x,y,width,height" in points; Error(Usage) naming `flag` otherwise.
Rect parse_rect(std::string_view text, std::string_view flag);

} // namespace neac::place
