// Reading the portal's JSON (answers and the submission records): a missing or mistyped member
// reads as empty, and the caller decides whether empty is acceptable. Internal to lib/portal.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace neac::portal::fields {

// The string member `key`, "" when absent or not a string.
inline std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The integer member `key`, 0 when absent or not an integer.
inline std::int64_t integer(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

} // namespace neac::portal::fields
