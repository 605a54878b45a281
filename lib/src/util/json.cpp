#include "neac/util/json.hpp"

#include <stdexcept>

namespace neac {
namespace {

struct TooDeep : std::exception {};

} // namespace

nlohmann::json parse_untrusted_json(std::string_view text, int max_depth) {
    auto bounded = [max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if (depth >= max_depth && (event == nlohmann::json::parse_event_t::object_start ||
                                   event == nlohmann::json::parse_event_t::array_start))
            throw TooDeep();
        return true;
    };
    try {
        return nlohmann::json::parse(text, bounded, false);
    } catch (const TooDeep&) {
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
}

} // namespace neac
