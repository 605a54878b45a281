#include "neac/util/clock.hpp"

#include <algorithm>
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

} // namespace neac
