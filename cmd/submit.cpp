// neac submit: check every component of a dossier manifest (type, size, signatures), then create
// the dossier on the portal, upload the components (resuming) and submit.
#include "command.hpp"

#include "neac/portal/manifest.hpp"
#include "neac/portal/records.hpp"
#include "neac/portal/render.hpp"
#include "neac/portal/submit.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"

#include <chrono>

namespace neac::cli {
namespace {

struct SubmitArgs {
    std::string manifest;
    bool dry_run = false;
    std::string portal_url, token_file, ca_bundle;
    std::vector<std::string> trust;
};

int run_submit(const SubmitArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    portal::Manifest m = portal::load_manifest(a.manifest);
    if (!a.portal_url.empty())
        m.portal_url = a.portal_url;
    if (!a.token_file.empty())
        m.token_file = a.token_file;
    if (!a.ca_bundle.empty())
        m.ca_bundle = a.ca_bundle;

    std::vector<std::string> trust = m.policy.trust;
    trust.insert(trust.end(), a.trust.begin(), a.trust.end());
    verify::Policy policy = portal::verify_policy(m.policy, ctx.trust_anchors(trust));
    std::size_t checked = 0;
    portal::DossierCheck check =
        portal::check_dossier(m, policy, [&](const portal::ComponentCheck&) {
            console.progress("checking components: " + std::to_string(++checked) + "/" +
                             std::to_string(m.components.size()));
        });
    console.end_progress();
    nlohmann::json doc = {{"version", 1}, {"dry_run", a.dry_run}};
    doc["check"] = portal::check_to_json(m, check);
    if (!console.json())
        console.out(portal::render_check_text(m, check));
    if (!check.ok()) {
        if (console.json())
            console.print_json(doc);
        throw check.first_error();
    }

    if (a.dry_run) {
        doc["request"] = portal::request_to_json(check.request);
        if (console.json()) {
            console.print_json(doc);
        } else {
            console.out("\nDry run: nothing was sent. Would send to " + m.portal_url + ":\n" +
                        doc["request"].dump(2) + "\nidempotency key " + check.idempotency_key +
                        "\n");
        }
        return 0;
    }

    portal::PortalConnection connection{m.portal_url, portal::load_token(m.token_file),
                                        m.ca_bundle};
    auto client = portal::make_http_client(connection);
    portal::SubmitProgress progress;
    progress.note = [&](const std::string& text) { console.note(text); };
    progress.upload = [&](const std::string& code, std::int64_t sent, std::int64_t size) {
        console.progress("uploading " + code + ": " +
                         std::to_string(sent * 100 / std::max<std::int64_t>(size, 1)) + "%");
    };
    portal::SubmitResult result = portal::submit_dossier(check, *client, progress);
    console.end_progress();

    portal::SubmissionRecord record;
    record.dossier_code = result.dossier.receipt.dossier_code;
    record.dossier_id = result.dossier.id;
    record.portal_url = m.portal_url;
    record.ca_bundle = m.ca_bundle;
    record.token_file = m.token_file;
    record.manifest = m.file.string();
    record.idempotency_key = check.idempotency_key;
    record.submitted_at = utc_text(std::chrono::system_clock::now());
    record.receipt = result.dossier.receipt;
    portal::save_submission(ctx.home(), record);

    if (console.json()) {
        doc["submission"] = portal::result_to_json(result);
        console.print_json(doc);
    } else {
        console.out("\n" + portal::render_result_text(result));
    }
    return 0;
}

} // namespace

void add_submit_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<SubmitArgs>();
    CLI::App* cmd = app.add_subcommand(
        "submit", "Check every component of a dossier (type, size, signatures), then submit it to "
                  "the portal");
    cmd->add_option("manifest", args->manifest, "Dossier manifest (YAML, see neac-dossier(5))")
        ->required();
    cmd->add_flag("--dry-run", args->dry_run,
                  "Check everything and print what would be sent; send nothing");
    cmd->add_option("--portal", args->portal_url, "Portal API base URL instead of portal.url");
    cmd->add_option("--token-file", args->token_file,
                    "File holding the portal token (mode 0600); NEAC_PORTAL_TOKEN wins");
    cmd->add_option("--ca-bundle", args->ca_bundle, "PEM bundle to verify the portal's TLS with");
    cmd->add_option("--trust", args->trust,
                    "More trust anchors for the signatures, besides policy.trust ('sandbox' "
                    "accepted; repeatable)")
        ->allow_extra_args(false);
    cmd->footer("Exit: 0 submitted (or dry run passed), 1 a component's signature is missing, "
                "invalid, by someone else or not established (trust), 4 a component or the "
                "manifest is bad, 5 portal error (run again: it resumes and never creates a "
                "second dossier).");
    cmd->callback([args, &ctx] { ctx.action = [args, &ctx] { return run_submit(*args, ctx); }; });
}

} // namespace neac::cli
