#include "neac/sign/locator.hpp"

#include "neac/profile/edit.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <string>
#include <tuple>

namespace neac::sign {

std::optional<place::LocatorSpec> make_locator_spec(const profile::Locator* profile_locator,
                                                    const place::LocatorFlags& flags) {
    if (flags.keywords.empty() && !profile_locator) {
        if (flags.any_policy_flag())
            throw usage_error("placement flags need a keyword")
                .hint("give --keyword \"Người làm đơn\", or a profile with a locator");
        return std::nullopt;
    }
    place::LocatorSpec spec;
    if (profile_locator) {
        const profile::Locator& l = *profile_locator;
        spec.keywords = l.keywords;
        spec.policy.side = place::parse_side(profile::placement_name(l.placement));
        spec.policy.offset = l.offset;
        spec.policy.width = l.width;
        spec.policy.height = l.height;
        spec.policy.avoid_text = l.avoid_text;
        spec.occurrence = place::Occurrence::parse(l.occurrence);
        spec.ignore_diacritics = l.ignore_diacritics;
    }
    // The command line's keywords replace the profile's list as a whole.
    if (!flags.keywords.empty())
        spec.keywords = profile::checked_keywords(flags.keywords);
    if (flags.placement)
        spec.policy.side = place::parse_side(*flags.placement);
    if (flags.occurrence)
        spec.occurrence = place::Occurrence::parse(*flags.occurrence);
    if (flags.offset) {
        if (!(*flags.offset >= 0) || *flags.offset > 1000)
            throw usage_error("--offset: must be 0 to 1000 points");
        spec.policy.offset = *flags.offset;
    }
    if (flags.box) {
        try {
            std::tie(spec.policy.width, spec.policy.height) = profile::parse_box(*flags.box);
        } catch (const Error& e) {
            throw usage_error(std::string("--box: ") + e.what());
        }
    }
    if (flags.ignore_diacritics)
        spec.ignore_diacritics = true;
    if (flags.no_avoid_text)
        spec.policy.avoid_text = false;
    if (flags.page < 0)
        throw usage_error("--page: pages are numbered from 1");
    spec.page = flags.page;
    return spec;
}

} // namespace neac::sign
