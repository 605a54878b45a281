// The keyword locator as `neac locate` and `neac sign` take it: a profile's `locator:` section,
// overridden flag by flag by the command line. It lives above both place/ (the locator itself)
// and profile/ (its stored settings), so that neither of those depends on the other.
#pragma once

#include "neac/place/locate.hpp"
#include "neac/place/locator_options.hpp"
#include "neac/profile/profile.hpp"

#include <optional>

namespace neac::sign {

// The spec from `profile_locator` (may be null) with the flags applied over it. Empty when
// neither gives a keyword; Error(Usage) when policy flags are given without any keyword, or a
// flag's value is invalid.
std::optional<place::LocatorSpec> make_locator_spec(const profile::Locator* profile_locator,
                                                    const place::LocatorFlags& flags);

} // namespace neac::sign
