// neac history: the timeline of a component (every revision, every signature with its signer,
// certificate, times and verdict, and this machine's journaled attempts on the same content), or
// the portal's signing-history view of a submitted dossier. A report, not a verdict.
#include "command.hpp"

#include "neac/history/dossier.hpp"
#include "neac/history/history.hpp"
#include "neac/history/render.hpp"
#include "neac/sign/journal.hpp"
#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/verify/verify.hpp"

#include <memory>
#include <optional>

namespace neac::cli {
namespace {

struct HistoryArgs {
    std::vector<std::string> inputs;
    std::vector<std::string> trust;
    std::string dossier;
    history::PortalOverrides portal;
};

int run_dossier(const HistoryArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    portal::PortalConnection conn = history::resolve_portal(ctx.home(), a.dossier, a.portal);
    std::unique_ptr<portal::PortalClient> client = portal::make_http_client(conn);
    portal::DossierHistory d = history::fetch_dossier_history(*client, a.dossier);
    if (console.json())
        console.print_json(history::dossier_to_json(d, conn.base_url));
    else
        console.out(
            history::render_dossier_text(d, conn.base_url, {&console, console.verbosity() > 0}));
    return static_cast<int>(ExitCode::Ok);
}

int run_files(const HistoryArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    verify::Policy policy;
    policy.trust = ctx.trust_anchors(a.trust);
    // Read-only use of the journal; none on this machine is not an error.
    std::optional<sign::Journal> journal;
    std::filesystem::path jpath = sign::Journal::path_for(ctx.home());
    std::error_code ec;
    if (std::filesystem::exists(jpath, ec)) {
        try {
            journal.emplace(jpath);
        } catch (const Error& e) {
            console.warn("the signing journal cannot be read (" + e.describe() +
                         "); showing the files without it");
        }
    }
    std::vector<std::filesystem::path> inputs(a.inputs.begin(), a.inputs.end());
    std::vector<std::filesystem::path> files = verify::expand_inputs(inputs);
    if (files.empty())
        throw usage_error("no PDF files found in the given folders");
    std::vector<history::FileHistory> histories;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files.size() > 1)
            console.progress("history: " + std::to_string(i + 1) + "/" +
                             std::to_string(files.size()));
        histories.push_back(
            history::build_file_history(files[i], policy, journal ? &*journal : nullptr));
    }
    console.end_progress();
    bool bad = false;
    for (const auto& h : histories)
        bad = bad || !h.readable;
    if (console.json()) {
        console.print_json(history::to_json(histories));
    } else {
        for (std::size_t i = 0; i < histories.size(); ++i)
            console.out((i > 0 ? "\n" : "") +
                        history::render_text(histories[i], {&console, console.verbosity() > 0}));
    }
    // The histories are on stdout; the failure also goes to stderr (as JSON with --json).
    if (bad) {
        std::size_t unreadable = 0;
        for (const auto& h : histories)
            unreadable += h.readable ? 0 : 1;
        throw input_error(std::to_string(unreadable) + " of " + std::to_string(histories.size()) +
                          " file(s) could not be read (see the output)");
    }
    return 0;
}

} // namespace

void add_history_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<HistoryArgs>();
    CLI::App* cmd = app.add_subcommand(
        "history", "Signing history: every revision, signer, certificate and time, and the "
                   "journal's attempts on the same content; or a dossier's view on the portal");
    cmd->add_option("files", args->inputs, "PDF files or folders (searched for *.pdf)");
    cmd->add_option("--trust", args->trust,
                    "Trust anchors for the verdicts: a PEM/DER file, a folder, or 'sandbox' "
                    "(repeatable)")
        ->allow_extra_args(false); // one value per --trust: "--trust sandbox FILE" names a file
    cmd->add_option("--dossier", args->dossier,
                    "Show the portal's signing history of this submitted dossier (mã hồ sơ)");
    cmd->add_option("--portal", args->portal.portal_url,
                    "With --dossier: the portal API URL (default: where this machine submitted "
                    "it)");
    cmd->add_option("--token-file", args->portal.token_file,
                    "With --dossier: file holding the portal token (else NEAC_PORTAL_TOKEN)");
    cmd->add_option("--ca-bundle", args->portal.ca_bundle,
                    "With --dossier: PEM file of CAs for the portal's TLS certificate");
    cmd->footer("History is a report, not a verdict: exit 0 when it was shown (use neac verify for "
                "a verdict), 2 usage, 4 a file could not be read (the others are still shown), 5 "
                "the portal failed.");
    cmd->callback([args, &ctx] {
        ctx.action = [args, &ctx] {
            const HistoryArgs& a = *args;
            if (a.inputs.empty() == a.dossier.empty())
                throw usage_error(a.inputs.empty() ? "give PDF files, or --dossier CODE"
                                                   : "give either files or --dossier, not both")
                    .hint("neac history FILE...  or  neac history --dossier CODE");
            if (a.dossier.empty() && (!a.portal.portal_url.empty() ||
                                      !a.portal.token_file.empty() || !a.portal.ca_bundle.empty()))
                throw usage_error("--portal, --token-file and --ca-bundle go with --dossier");
            if (!a.dossier.empty() && !a.trust.empty())
                throw usage_error("--trust goes with files: the portal gives its own verdicts");
            return a.dossier.empty() ? run_files(a, ctx) : run_dossier(a, ctx);
        };
    });
}

} // namespace neac::cli
