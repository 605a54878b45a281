#include "neac/history/dossier.hpp"

#include "neac/portal/records.hpp"
#include "neac/util/error.hpp"

#include <algorithm>

namespace neac::history {

portal::PortalConnection resolve_portal(const std::filesystem::path& home,
                                        const std::string& dossier_code,
                                        const PortalOverrides& overrides) {
    if (dossier_code.empty())
        throw usage_error("--dossier needs a dossier code (mã hồ sơ)");
    std::optional<portal::SubmissionRecord> record = portal::find_submission(home, dossier_code);
    portal::PortalConnection c;
    std::string token_file;
    if (record) {
        c.base_url = record->portal_url;
        c.ca_bundle = record->ca_bundle;
        token_file = record->token_file;
    }
    if (!overrides.portal_url.empty())
        c.base_url = overrides.portal_url;
    if (!overrides.ca_bundle.empty())
        c.ca_bundle = overrides.ca_bundle;
    if (!overrides.token_file.empty())
        token_file = overrides.token_file;
    if (c.base_url.empty())
        throw usage_error("no portal is known for dossier " + dossier_code +
                          ": this machine did not submit it")
            .hint("give the portal's API address with --portal URL (and the token with "
                  "--token-file FILE or NEAC_PORTAL_TOKEN)");
    if (c.base_url.rfind("https://", 0) != 0 && c.base_url.rfind("http://", 0) != 0)
        throw usage_error("--portal must be an http:// or https:// URL, not '" + c.base_url + "'");
    c.token = portal::load_token(token_file);
    return c;
}

portal::DossierHistory fetch_dossier_history(portal::PortalClient& client,
                                             const std::string& dossier_code) {
    portal::DossierHistory h = client.history(dossier_code);
    // Shown under the portal's own code (the portal also accepts its internal id here).
    if (h.dossier_code.empty())
        h.dossier_code = dossier_code;
    for (portal::ComponentHistory& c : h.components)
        std::stable_sort(c.signatures.begin(), c.signatures.end(),
                         [](const portal::PortalSignature& a, const portal::PortalSignature& b) {
                             return a.index < b.index;
                         });
    return h;
}

} // namespace neac::history
