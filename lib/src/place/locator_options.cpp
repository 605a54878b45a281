#include "neac/place/locator_options.hpp"

#include "neac/util/error.hpp"

#include <cstdio>

namespace neac::place {

bool LocatorFlags::any_policy_flag() const {
    return placement || occurrence || box || offset || ignore_diacritics || no_avoid_text;
}

Rect parse_rect(std::string_view text, std::string_view flag) {
    double v[4];
    char tail = 0;
    std::string s(text);
    if (std::sscanf(s.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
        throw usage_error(std::string(flag) +
                          " takes x,y,width,height in points, e.g. 350,80,180,60");
    if (!(v[2] > 0) || !(v[3] > 0))
        throw usage_error(std::string(flag) + ": the width and height must be positive");
    return Rect{v[0], v[1], v[2], v[3]};
}

} // namespace neac::place
