// Reading the portal's answers (docs/portal-api.yaml) into the client's types, apart from the
// HTTP client so that tests and the fuzz targets (tests/fuzz/fuzz_portal.cpp) reach them without
// a server. Every answer is untrusted: anything that is not the contract is Error(Remote), never
// another exception. Internal to lib/portal.
#pragma once

#include "neac/net/http.hpp"
#include "neac/net/retry.hpp"
#include "neac/portal/client.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace neac::portal::answers {

// The JSON object of an answer with `response.status`: 401/403 (the token), other statuses
// outside 2xx (with the portal's own error and message, scrubbed of secrets by `redactor`) and a
// 2xx answer that is not a JSON object are Error(Remote) naming `what`. A 409 that carries an
// upload state is returned as such when `conflict_is_state`.
nlohmann::json checked_answer(const net::HttpResponse& response, const std::string& what,
                              bool conflict_is_state, const net::Redactor& redactor);

PortalInfo info_from(const nlohmann::json& j);
// `status` 201 means the call created the dossier.
Dossier dossier_from(const nlohmann::json& j, long status);
UploadState upload_from(const nlohmann::json& j);
DossierHistory history_from(const nlohmann::json& j);

} // namespace neac::portal::answers
