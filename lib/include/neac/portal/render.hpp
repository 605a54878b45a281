// How `neac submit` shows a dossier check and a submission: aligned text for people, JSON
// ("version": 1, fields only ever added; schema in neac-submit(1)) for scripts.
#pragma once

#include "neac/portal/submit.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace neac::portal {

// One row per component: code, file, type, size, and the signature verdict or the problem.
std::string render_check_text(const Manifest& manifest, const DossierCheck& check);
// The receipt lines after a submission.
std::string render_result_text(const SubmitResult& result);

nlohmann::json check_to_json(const Manifest& manifest, const DossierCheck& check);
nlohmann::json result_to_json(const SubmitResult& result);

} // namespace neac::portal
