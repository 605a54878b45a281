// neac sign: PAdES signatures through the profile's provider; many files, one approval.
#include "command.hpp"

#include "neac/sign/journal.hpp"
#include "neac/sign/pipeline.hpp"
#include "neac/sign/plan.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/text.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <unistd.h>

namespace neac::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
    g_interrupted = true;
}

// Restores the previous SIGINT/SIGTERM handlers when the wait is over.
class InterruptGuard {
public:
    InterruptGuard() {
        old_int_ = std::signal(SIGINT, on_interrupt);
        old_term_ = std::signal(SIGTERM, on_interrupt);
    }
    ~InterruptGuard() {
        std::signal(SIGINT, old_int_);
        std::signal(SIGTERM, old_term_);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*old_int_)(int);
    void (*old_term_)(int);
};

std::string format_remaining(std::chrono::seconds s) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s.count() / 60),
                  static_cast<long long>(s.count() % 60));
    return buf;
}

// The wait on the phone, shown on stderr: a one-line note when stderr is not a terminal, an
// updating countdown line when it is.
sign::BatchCallbacks wait_callbacks(const Console& console) {
    sign::BatchCallbacks callbacks;
    callbacks.interrupted = &g_interrupted;
    callbacks.submitted = [&console](const sign::WaitStatus& s) {
        if (console.stderr_is_tty())
            return;
        console.note("waiting for approval on the phone: " + s.provider + ", transaction " +
                     s.transaction + ", " + std::to_string(s.documents) +
                     " document(s), expires in " + format_remaining(s.remaining) +
                     " — Mở ứng dụng ký số trên điện thoại để xác nhận");
    };
    callbacks.waiting = [&console](const sign::WaitStatus& s) {
        console.progress("⏳ " + s.provider + " " + s.transaction.substr(0, 12) + ": \"" +
                         s.message + "\" — còn " + format_remaining(s.remaining) +
                         " — Mở ứng dụng ký số trên điện thoại để xác nhận");
    };
    return callbacks;
}

// On a terminal, a provider that needs a code it was not given (--otp) asks for it.
void add_prompt(providers::ProviderConfig& config) {
    if (::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO))
        config.ask = [](const std::string& prompt) {
            std::cerr << prompt << ": " << std::flush;
            std::string line;
            std::getline(std::cin, line);
            return trim(line);
        };
}

int report_result(Context& ctx, const sign::BatchResult& result, const std::string& profile_name,
                  bool dry_run = false);

// Every journaled run first removes what runs killed while preparing left beside their outputs
// (the journal names those files before they exist; see Journal::sweep_temporaries).
void sweep_temporaries(sign::Journal& journal, const Console& console) {
    std::vector<std::string> removed = journal.sweep_temporaries();
    if (!removed.empty())
        console.note("removed " + std::to_string(removed.size()) +
                     " temporary file(s) left by a neac run that stopped before its request was "
                     "sent (e.g. " +
                     removed.front() + ")");
}

// --resume [TXN] and --abandon TXN: the journal, not the profile, says what to finish.
int run_resume(const sign::SignFlags& a, Context& ctx) {
    std::string selector = sign::resume_selector(a);
    const Console& console = ctx.console();
    std::filesystem::path home = ctx.home();
    sign::Journal journal(sign::Journal::path_for(home));
    sweep_temporaries(journal, console);
    if (a.abandon) {
        std::size_t n = sign::abandon_transactions(journal, selector);
        if (console.json())
            console.print_json(nlohmann::json{{"version", 1}, {"abandoned", n}});
        else
            console.out("abandoned " + std::to_string(n) +
                        " transaction(s); their prepared files were removed\n");
        return 0;
    }
    sign::BatchCallbacks callbacks = wait_callbacks(console);
    sign::BatchResult result;
    {
        InterruptGuard guard;
        result = sign::resume_transactions(
            journal, selector,
            [&](providers::ProviderConfig config) {
                config.home = home;
                sign::add_session_inputs(a, config);
                add_prompt(config);
                return providers::make_provider(config);
            },
            callbacks);
    }
    if (result.files.empty()) {
        console.end_progress();
        if (console.json())
            console.print_json(nlohmann::json{{"version", 1},
                                              {"transactions", nlohmann::json::array()},
                                              {"signed", 0},
                                              {"failed", 0},
                                              {"files", nlohmann::json::array()}});
        else
            console.note("nothing to resume: the journal has no open transaction");
        return 0;
    }
    return report_result(ctx, result, "");
}

int run_sign(const sign::SignFlags& a, Context& ctx) {
    if (a.resume || a.abandon)
        return run_resume(a, ctx);
    std::filesystem::path home = ctx.home();
    sign::SignPlan plan = sign::plan_sign(a, home);
    add_prompt(plan.provider);
    auto provider = providers::make_provider(plan.provider);

    // Every transaction is journaled before its request is sent (neac sign --resume). A dry run
    // sends none, and leaves the journal alone.
    std::optional<sign::Journal> journal;
    if (!a.dry_run) {
        journal.emplace(sign::Journal::path_for(home));
        sweep_temporaries(*journal, ctx.console());
    }
    sign::JournalLink link{journal ? &*journal : nullptr, plan.provider, plan.profile.name};
    sign::BatchCallbacks callbacks = wait_callbacks(ctx.console());
    if (journal)
        callbacks.journal = &link;

    sign::BatchResult result;
    {
        InterruptGuard guard;
        result = sign::sign_batch(plan.jobs, plan.options, *provider, callbacks);
    }
    return report_result(ctx, result, plan.profile.name, a.dry_run);
}

// What the output says about how a file's box was placed: its field and page, the keyword, and
// any adjustment or repair ("Signature1, page 2, by "Người làm đơn" (moved ...)").
std::string placement_text(const sign::PreparedFile& p) {
    return p.field_name + ", page " + std::to_string(p.page) + (p.invisible ? ", invisible" : "") +
           (p.keyword.empty() ? "" : ", by \"" + p.keyword + "\"") +
           (p.placement.empty() ? "" : " (" + p.placement + ")") +
           (p.damage.empty() ? "" : "; " + p.damage);
}

nlohmann::json file_json(const sign::FileOutcome& f) {
    nlohmann::json j{
        {"input", f.job.input.string()}, {"output", f.job.output.string()}, {"ok", f.ok}};
    j["status"] = f.skipped ? "skipped" : f.planned ? "planned" : f.ok ? "signed" : "failed";
    if (!f.job.request.is_null())
        j["request"] = f.job.request;
    const sign::PreparedFile* p = f.signed_file ? &f.signed_file->prepared
                                  : f.planned   ? &*f.planned
                                                : nullptr;
    if (p) {
        j["field"] = p->field_name;
        j["page"] = p->page;
        j["invisible"] = p->invisible;
        j["box"] = {p->rect.x, p->rect.y, p->rect.w, p->rect.h};
        j["digest_algorithm"] = crypto::digest_name(p->digest);
        j["placeholder_size"] = p->contents_capacity;
        j["placement"] = p->placement;
        j["keyword"] = p->keyword.empty() ? nlohmann::json(nullptr) : nlohmann::json(p->keyword);
        j["fallback"] = p->fallback;
        j["damage"] = p->damage.empty() ? nlohmann::json(nullptr) : nlohmann::json(p->damage);
    }
    if (f.signed_file) {
        j["signature_size"] = f.signed_file->signature_size;
        j["byte_range"] = f.signed_file->prepared.byte_range;
        j["timestamped"] = f.signed_file->timestamped;
        j["level"] = sign::level_name(f.signed_file->level);
        if (const auto& x = f.signed_file->extension) {
            j["validation_data"] = {{"certificates", x->added_certificates},
                                    {"ocsp_responses", x->added_ocsp_responses},
                                    {"crls", x->added_crls},
                                    {"warnings", x->warnings}};
            j["document_timestamp"] =
                x->timestamp_added ? nlohmann::json(utc_text(x->timestamp_time)) : nlohmann::json();
        }
    }
    if (f.failure) {
        j["error"] = f.failure->describe();
        j["error_code"] = error_kind_name(f.failure->kind());
    }
    return j;
}

int report_result(Context& ctx, const sign::BatchResult& result, const std::string& profile_name,
                  bool dry_run) {
    const Console& console = ctx.console();
    console.end_progress();

    std::size_t ok = 0, skipped = 0;
    for (const auto& f : result.files) {
        ok += f.ok ? 1 : 0;
        skipped += f.skipped ? 1 : 0;
    }
    if (ok == 0 && result.files.size() == 1) {
        throw *result.files.front().failure;
    }

    const crypto::Certificate& cert = result.certificate.certificate;
    crypto::Identity id = cert.identity();
    if (console.json()) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : result.files)
            files.push_back(file_json(f));
        nlohmann::json doc{{"version", 1},
                           {"profile", profile_name},
                           {"provider", result.provider},
                           {"dry_run", dry_run},
                           {"transactions", result.transactions},
                           {"signer",
                            {{"subject", cert.subject()},
                             {"name", cert.common_name()},
                             {"identity", {{"kind", id.kind}, {"number", id.number}}},
                             {"issuer", cert.issuer()},
                             {"serial", cert.serial_hex()}}},
                           {"signed", dry_run ? 0 : ok - skipped},
                           {"ready", dry_run ? ok - skipped : 0},
                           {"skipped", skipped},
                           {"failed", result.files.size() - ok},
                           {"files", files}};
        console.print_json(doc);
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : result.files) {
            if (f.skipped)
                rows.push_back({"skipped", f.job.input.string(), "-> " + f.job.output.string(),
                                "signed already"});
            else if (f.planned)
                rows.push_back({console.green("would sign"), f.job.input.string(),
                                "-> " + f.job.output.string(), placement_text(*f.planned)});
            else if (f.signed_file && f.ok)
                rows.push_back({console.green("signed"), f.job.input.string(),
                                "-> " + f.job.output.string(),
                                placement_text(f.signed_file->prepared) + "; " +
                                    sign::level_name(f.signed_file->level)});
            else
                rows.push_back(
                    {console.red("failed"), f.job.input.string(), f.failure->describe(), ""});
        }
        console.out(format_table(rows));
        console.out("signer: " + cert.common_name() +
                    (id.empty() ? "" : " (" + id.kind + " " + id.number + ")") + ", serial " +
                    cert.serial_hex() + ", via " + result.provider + "\n");
        if (dry_run)
            console.out("dry run: no request was sent and no file was written\n");
    }

    if (ok == result.files.size())
        return static_cast<int>(ExitCode::Ok);
    if (ok > 0)
        return static_cast<int>(ExitCode::Partial);
    // Nothing was signed: the files' own failure decides the code when they agree.
    ErrorKind kind = result.files.front().failure->kind();
    for (const auto& f : result.files)
        if (f.failure->kind() != kind)
            return static_cast<int>(ExitCode::Partial);
    throw Error(kind,
                std::string(dry_run ? "no file could be prepared" : "no file could be signed") +
                    " (details above)");
}

} // namespace

void add_sign_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<sign::SignFlags>();
    CLI::App* cmd = app.add_subcommand(
        "sign", "Sign PDF files (PAdES) through the profile's provider, one approval per batch");
    cmd->add_option("files", args->files,
                    "PDF files or folders (searched for *.pdf) to sign; with --resume/--abandon: "
                    "a transaction id");
    cmd->add_option("-p,--profile", args->profile, "Profile name or file (required to sign)");
    cmd->add_option("--signature", args->signature,
                    "Which signature entry of the profile (1-based; default: the default entry)");
    cmd->add_option("--digest", args->digest, "sha256 (default), sha384 or sha512");
    cmd->add_option("-o,--output", args->output, "Output file (one input only)");
    cmd->add_option("--out-dir", args->out_dir, "Folder for the outputs (several inputs)");
    cmd->add_flag("--in-place", args->in_place,
                  "Replace each original with its signed version (atomically, once signed)");
    cmd->add_flag("--force", args->force, "Replace existing output files");
    cmd->add_flag("--skip-existing", args->skip_existing,
                  "Leave out inputs whose output exists and already holds the input signed by "
                  "this profile's signer (no approval for them); other existing outputs are "
                  "still refused unless --force");
    cmd->add_flag("--dry-run", args->dry_run,
                  "Read and check every input, decide the placement and the outputs, and print "
                  "them: no signing request is sent and no file is written");
    cmd->add_option("--from", args->from,
                    "Take the files from a JSON Lines manifest (- = stdin): one object per line "
                    "with input, and optionally output, keyword, page, rect, reason")
        ->type_name("FILE.jsonl");
    cmd->add_option("--page", args->page, "Page for the signature (1-based; default: last)");
    cmd->add_option("--rect", args->rect,
                    "Signature box x,y,width,height in points from the bottom-left corner of the "
                    "page as displayed");
    cmd->add_flag("--invisible", args->invisible, "No visible signature box");
    cmd->add_option(
           "-k,--keyword", args->locator.keywords,
           "Put the box next to this text, found in each file (see neac locate); repeat it to "
           "list keywords in order of preference (the first found wins); default: the profile's "
           "locator")
        ->type_name("TEXT")
        ->allow_extra_args(false); // one value per --keyword: the files follow
    cmd->add_option_function<std::string>(
           "--placement", [args](const std::string& v) { args->locator.placement = v; },
           "Box below (default), above, left, right of or over the keyword")
        ->type_name("SIDE");
    cmd->add_option_function<double>(
           "--offset", [args](double v) { args->locator.offset = v; },
           "Points between the keyword and the box (default 4)")
        ->type_name("PT");
    cmd->add_option_function<std::string>(
           "--box", [args](const std::string& v) { args->locator.box = v; },
           "Box size in points (default 180x60)")
        ->type_name("WxH");
    cmd->add_option_function<std::string>(
           "--occurrence", [args](const std::string& v) { args->locator.occurrence = v; },
           "Which match of the keyword: first, last (default) or N")
        ->type_name("WHICH");
    cmd->add_flag("--ignore-diacritics", args->locator.ignore_diacritics,
                  "Match the keyword without diacritics");
    cmd->add_flag("--no-avoid-text", args->locator.no_avoid_text,
                  "Keep the box at the offset even when it covers printed text");
    cmd->add_flag("--allow-overlap", args->allow_overlap,
                  "Sign even where no free space near the keyword clears an earlier signature or "
                  "printed text (otherwise such a file fails with exit 4)");
    cmd->add_option("--fallback-rect", args->fallback_rect,
                    "Box x,y,width,height (on --page, else the last page) for files without any "
                    "of the keywords; without it such files fail (exit 4)");
    cmd->add_option("--field", args->field, "Fill this existing empty signature field");
    cmd->add_option("--field-name", args->field_name,
                    "Name of the new signature field (default: SignatureN)");
    cmd->add_option("--reason", args->reason, "Reason (/Reason)");
    cmd->add_option("--location", args->location, "Location (/Location)");
    cmd->add_option("--contact-info", args->contact_info, "Contact information (/ContactInfo)");
    cmd->add_option("--tsa", args->tsa, "RFC 3161 time-stamp authority URL (PAdES B-T)");
    cmd->add_option("--level", args->level,
                    "PAdES level: B-B, B-T (default with a TSA), B-LT (adds the validation data "
                    "of the signer's and the TSA's chains), B-LTA (then a document timestamp)")
        ->check(CLI::IsMember({"B-B", "B-T", "B-LT", "B-LTA"}));
    cmd->add_option("--tsa-ca-bundle", args->tsa_ca_bundle,
                    "PEM file of CA certificates for an HTTPS TSA");
    cmd->add_flag("--resume", args->resume,
                  "Finish journaled transactions (all open ones, or the id given) without a new "
                  "request to the phone")
        ->group("Remote signing");
    cmd->add_flag("--abandon", args->abandon,
                  "Give up an open journaled transaction and remove its prepared files")
        ->group("Remote signing");
    cmd->add_option("--otp", args->otp,
                    "Two-factor code for a provider login that asks for one (MISA eSign)")
        ->group("Remote signing");
    cmd->add_option("--ca-bundle", args->ca_bundle,
                    "PEM file of CA certificates for the provider's TLS (private CAs; overrides "
                    "the profile's ca-bundle)")
        ->group("Remote signing");
    cmd->footer("Output: NAME.signed.pdf beside each input unless -o, --out-dir or --in-place.\n"
                "Nothing is written until the signature is back: a rejected or expired request "
                "(exit 6) leaves every file untouched.\n"
                "Every request is journaled first (HOME/journal.db): if neac stops while the "
                "phone has not answered (Ctrl-C, kill, network failure), the request stays open "
                "and 'neac sign --resume [ID]' finishes it without a second approval.");
    cmd->callback([args, &ctx] { ctx.action = [args, &ctx] { return run_sign(*args, ctx); }; });
}

} // namespace neac::cli
