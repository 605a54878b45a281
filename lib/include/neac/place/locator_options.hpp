// The keyword locator as `neac locate` and `neac sign` take it: a profile's `locator:` section,
// overridden flag by flag by the command line.
#pragma once

#include "neac/place/locate.hpp"
#include "neac/profile/profile.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace neac::place {

struct LocatorFlags {
    std::optional<std::string> keyword;
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

// The spec from `profile_locator` (may be null) with the flags applied over it. Empty when
// neither gives a keyword; Error(Usage) when policy flags are given without any keyword, or a
// flag's value is invalid.
std::optional<LocatorSpec> make_locator_spec(const profile::Locator* profile_locator,
                                             const LocatorFlags& flags);

// "x,y,width,height" in points; Error(Usage) naming `flag` otherwise.
Rect parse_rect(std::string_view text, std::string_view flag);

} // namespace neac::place
