#include "neac/portal/records.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/paths.hpp"
#include "neac/util/text.hpp"
#include "portal/json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sys/stat.h>

namespace neac::portal {
namespace {

namespace fs = std::filesystem;
using fields::str;
using nlohmann::json;

// Dossier codes become file names: keep them to a safe alphabet.
fs::path record_path(const fs::path& home, const std::string& code) {
    bool safe =
        !code.empty() && code.size() <= 64 && code.front() != '.' &&
        std::all_of(code.begin(), code.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    if (!safe)
        throw usage_error("'" + code + "' is not a dossier code (letters, digits, '.', '-')");
    return home / "dossiers" / (code + ".json");
}

} // namespace

void save_submission(const fs::path& home, const SubmissionRecord& r) {
    fs::path path = record_path(home, r.dossier_code);
    ensure_private_dir(path.parent_path());
    json j = {{"version", 1},
              {"dossier_code", r.dossier_code},
              {"dossier_id", r.dossier_id},
              {"portal_url", r.portal_url},
              {"ca_bundle", r.ca_bundle},
              {"token_file", r.token_file},
              {"manifest", r.manifest},
              {"idempotency_key", r.idempotency_key},
              {"submitted_at", r.submitted_at},
              {"receipt", receipt_to_json(r.receipt)}};
    write_file_atomically(path, j.dump(2) + "\n", 0600);
}

std::optional<SubmissionRecord> find_submission(const fs::path& home, const std::string& code) {
    fs::path path = record_path(home, code);
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::nullopt;
    json j = parse_untrusted_json(read_small_file(path, 1 << 20));
    if (j.is_discarded() || !j.is_object() || str(j, "portal_url").empty())
        throw input_error("the record of dossier " + code + " is damaged")
            .file(path.string())
            .hint("remove it and pass --portal URL instead");
    SubmissionRecord r;
    r.dossier_code = str(j, "dossier_code");
    r.dossier_id = str(j, "dossier_id");
    r.portal_url = str(j, "portal_url");
    r.ca_bundle = str(j, "ca_bundle");
    r.token_file = str(j, "token_file");
    r.manifest = str(j, "manifest");
    r.idempotency_key = str(j, "idempotency_key");
    r.submitted_at = str(j, "submitted_at");
    if (auto it = j.find("receipt"); it != j.end() && it->is_object())
        r.receipt = receipt_from_json(*it);
    r.receipt.dossier_code = r.dossier_code;
    return r;
}

std::string load_token(const std::string& token_file) {
    if (const char* env = std::getenv("NEAC_PORTAL_TOKEN"); env && *env)
        return trim(env);
    if (token_file.empty())
        throw input_error("no portal token: NEAC_PORTAL_TOKEN is not set and no token file is "
                          "named")
            .hint("export NEAC_PORTAL_TOKEN=... or set portal.token-file in the manifest "
                  "(--token-file on the command line)");
    std::string token = trim(read_secret_file(token_file, "portal token"));
    if (token.empty())
        throw input_error("the portal token file is empty").file(token_file);
    return token;
}

} // namespace neac::portal
