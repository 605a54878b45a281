// JSON from outside neac (providers, the portal, manifests): parsed with a bound on nesting, so
// that a hostile answer nested thousands of levels deep is refused while it is read, before any
// deep structure exists for later code (logging, redaction, lookups) to recurse into.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace neac {

// Deeper nesting than any API neac talks to uses (they stay under 10 levels).
inline constexpr int kMaxJsonDepth = 64;

// The parsed value, or a discarded value (is_discarded()) when `text` is not JSON or nests deeper
// than `max_depth`. Never throws for bad input.
nlohmann::json parse_untrusted_json(std::string_view text, int max_depth = kMaxJsonDepth);

} // namespace neac
