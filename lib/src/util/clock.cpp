#include "neac/util/clock.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace neac {

std::string utc_text(std::chrono::system_clock::time_point t, const char* format) {
    return utc_text(std::chrono::system_clock::to_time_t(t), format);
}

std::string utc_text(std::time_t tt, const char* format) {
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

std::chrono::system_clock::time_point clamped_time_point(std::time_t t) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    using std::chrono::system_clock;
    // Whole seconds inside the clock's range (duration_cast truncates towards zero).
    constexpr long long lo =
        duration_cast<seconds>(system_clock::time_point::min().time_since_epoch()).count();
    constexpr long long hi =
        duration_cast<seconds>(system_clock::time_point::max().time_since_epoch()).count();
    return system_clock::time_point(
        duration_cast<system_clock::duration>(seconds(std::clamp<long long>(t, lo, hi))));
}

std::optional<std::chrono::system_clock::time_point> parse_utc_text(const std::string& text) {
    std::tm tm{};
    int n = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        static_cast<std::size_t>(n) != text.size() || tm.tm_mon < 1 || tm.tm_mon > 12 ||
        tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return clamped_time_point(timegm(&tm));
}

std::chrono::system_clock::time_point current_time() {
    if (const char* fixed = std::getenv("NEAC_TEST_NOW"); fixed && *fixed)
        if (auto t = parse_utc_text(fixed))
            return *t;
    return std::chrono::system_clock::now();
}

} // namespace neac
