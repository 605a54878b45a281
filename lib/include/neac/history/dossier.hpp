// `neac history --dossier CODE`: the portal's signing-history view ("Xem lịch sử ký số") of a
// submitted dossier, read through the portal contract (neac/portal/client.hpp).
#pragma once

#include "neac/portal/client.hpp"

#include <filesystem>
#include <string>

namespace neac::history {

// What the command line says about the portal; empty = not given.
struct PortalOverrides {
    std::string portal_url; // --portal URL
    std::string token_file; // --token-file FILE
    std::string ca_bundle;  // --ca-bundle PEM
};

// Where to ask about `dossier_code`: the portal this machine submitted it to
// (portal::find_submission under `home`), with the overrides applied; the token from
// portal::load_token (NEAC_PORTAL_TOKEN, else the token file). Error(Usage) when no portal is
// known for the code and none is given, or the URL is not http(s); Error(BadInput) for a damaged
// submission record or a missing/unsafe token file.
portal::PortalConnection resolve_portal(const std::filesystem::path& home,
                                        const std::string& dossier_code,
                                        const PortalOverrides& overrides);

// Asks the portal for the history (Error(Remote) as PortalClient::history). Signatures come back
// sorted by index, components in the portal's order; an answer without a code keeps the one asked.
portal::DossierHistory fetch_dossier_history(portal::PortalClient& client,
                                             const std::string& dossier_code);

} // namespace neac::history
