// JSON from outside neac (providers, the portal, manifests): parsed with a bound on nesting, so
// that a hostile answer nested thousands of levels deep is refused while it is read, before any
// deep structure exists for later code (logging, redaction, lookups) to recurse into.
#pragma once

#include "neac/util/limits.hpp"
#include <nlohmann/json.hpp>
#include <string_view>

namespace neac {

// The parsed value, or a discarded value (is_discarded()) when `text` is not JSON or nests deeper
// than `max_depth`. Never throws for bad input.
nlohmann::json parse_untrusted_json(std::string_view text, int max_depth = limits::kJsonDepth);

} // namespace neac
