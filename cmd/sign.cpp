// neac sign: PAdES signatures through the profile's provider; many files, one approval.
#include "command.hpp"

#include "neac/profile/profile.hpp"
#include "neac/sign/pipeline.hpp"
#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/text.hpp"

#include <atomic>
#include <csignal>
#include <set>

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

struct SignArgs {
    std::vector<std::string> files;
    std::string profile;
    int signature = 0; // 1-based entry; 0 = the profile's default
    std::string digest;
    std::string output, out_dir;
    bool in_place = false, force = false;
    int page = 0;
    std::string rect;
    bool invisible = false;
    std::string field, field_name;
    std::string reason, location, contact_info, tsa, tsa_ca_bundle;
};

pdf::Rect parse_rect(const std::string& text) {
    double v[4];
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
        throw usage_error("--rect takes x,y,width,height in points, e.g. 350,80,180,60");
    return pdf::Rect{v[0], v[1], v[2], v[3]};
}

std::vector<sign::FileJob> plan_outputs(const SignArgs& a) {
    if (!a.output.empty() && a.files.size() != 1)
        throw usage_error("-o names one output; use --out-dir DIR for several files");
    if ((!a.output.empty() || !a.out_dir.empty()) && a.in_place)
        throw usage_error("--in-place cannot be combined with -o or --out-dir");
    if (!a.out_dir.empty() && !std::filesystem::is_directory(a.out_dir))
        throw usage_error("--out-dir " + a.out_dir + " is not a folder");
    std::vector<sign::FileJob> jobs;
    std::set<std::filesystem::path> outputs;
    for (const std::string& f : a.files) {
        sign::FileJob job{f, {}};
        if (a.in_place)
            job.output = f;
        else if (!a.output.empty())
            job.output = a.output;
        else if (!a.out_dir.empty())
            job.output = std::filesystem::path(a.out_dir) / sign::default_output_for(f).filename();
        else
            job.output = sign::default_output_for(f);
        std::error_code ec;
        std::filesystem::path canonical = std::filesystem::weakly_canonical(job.output, ec);
        if (!outputs.insert(canonical).second)
            throw usage_error("two inputs would be written to the same output " +
                              job.output.string());
        if (!a.in_place && std::filesystem::exists(job.output) &&
            std::filesystem::equivalent(job.output, f, ec))
            throw usage_error("the output " + job.output.string() +
                              " is the input; use --in-place to replace the original");
        if (!a.in_place && !a.force && std::filesystem::exists(job.output))
            throw usage_error("the output " + job.output.string() + " exists")
                .hint("use --force to replace it, or choose another output");
        jobs.push_back(std::move(job));
    }
    return jobs;
}

std::string format_remaining(std::chrono::seconds s) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s.count() / 60),
                  static_cast<long long>(s.count() % 60));
    return buf;
}

int run_sign(const SignArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    std::filesystem::path home = ctx.home();
    profile::ProfileStore store(home);
    profile::Profile prof = store.load(a.profile);

    std::size_t entry_index = 0;
    if (a.signature > 0) {
        if (static_cast<std::size_t>(a.signature) > prof.signatures.size())
            throw usage_error("profile " + prof.name + " has " +
                              std::to_string(prof.signatures.size()) +
                              " signature entries; --signature " + std::to_string(a.signature) +
                              " does not exist");
        entry_index = static_cast<std::size_t>(a.signature - 1);
    } else {
        const profile::SignatureEntry& def = prof.default_signature();
        for (std::size_t i = 0; i < prof.signatures.size(); ++i)
            if (&prof.signatures[i] == &def)
                entry_index = i;
    }
    const profile::SignatureEntry& entry = prof.signatures[entry_index];

    sign::SignOptions options;
    options.digest =
        crypto::parse_digest_algorithm(a.digest.empty() ? prof.signing.digest : a.digest);
    options.reason = a.reason.empty() ? prof.signing.reason : a.reason;
    options.location = a.location.empty() ? prof.signing.location : a.location;
    options.contact_info = a.contact_info.empty() ? prof.signing.contact_info : a.contact_info;
    options.tsa_url = a.tsa.empty() ? prof.signing.tsa : a.tsa;
    options.tsa_ca_bundle = a.tsa_ca_bundle;
    options.expected_account = entry.account;
    options.placement.page = a.page;
    options.placement.invisible = a.invisible;
    options.placement.existing_field = a.field;
    options.placement.field_name = a.field_name;
    if (!a.rect.empty())
        options.placement.rect = parse_rect(a.rect);

    std::vector<sign::FileJob> jobs = plan_outputs(a);
    auto provider = providers::make_provider(profile::to_provider_config(prof, entry_index, home));

    sign::BatchCallbacks callbacks;
    callbacks.interrupted = &g_interrupted;
    callbacks.submitted = [&](const sign::WaitStatus& s) {
        if (console.stderr_is_tty())
            return;
        console.note("waiting for approval on the phone: " + s.provider + ", transaction " +
                     s.transaction + ", " + std::to_string(s.documents) +
                     " document(s), expires in " + format_remaining(s.remaining) +
                     " — Mở ứng dụng ký số trên điện thoại để xác nhận");
    };
    callbacks.waiting = [&](const sign::WaitStatus& s) {
        console.progress("⏳ " + s.provider + " " + s.transaction.substr(0, 12) + ": \"" +
                         s.message + "\" — còn " + format_remaining(s.remaining) +
                         " — Mở ứng dụng ký số trên điện thoại để xác nhận");
    };

    sign::BatchResult result;
    {
        InterruptGuard guard;
        result = sign::sign_batch(jobs, options, *provider, callbacks);
    }
    console.end_progress();

    std::size_t ok = 0;
    for (const auto& f : result.files)
        ok += f.ok ? 1 : 0;
    if (ok == 0 && result.files.size() == 1) {
        throw *result.files.front().failure;
    }

    const crypto::Certificate& cert = result.certificate.certificate;
    crypto::Identity id = cert.identity();
    if (console.json()) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : result.files) {
            nlohmann::json j{
                {"input", f.job.input.string()}, {"output", f.job.output.string()}, {"ok", f.ok}};
            if (f.signed_file) {
                const sign::PreparedFile& p = f.signed_file->prepared;
                j["field"] = p.field_name;
                j["page"] = p.page;
                j["invisible"] = p.invisible;
                j["box"] = {p.rect.x, p.rect.y, p.rect.w, p.rect.h};
                j["digest_algorithm"] = crypto::digest_name(p.digest);
                j["signature_size"] = f.signed_file->signature_size;
                j["placeholder_size"] = p.contents_capacity;
                j["byte_range"] = p.byte_range;
                j["timestamped"] = f.signed_file->timestamped;
            } else {
                j["error"] = f.failure->describe();
                j["error_code"] = error_kind_name(f.failure->kind());
            }
            files.push_back(j);
        }
        nlohmann::json doc{{"version", 1},
                           {"profile", prof.name},
                           {"provider", result.provider},
                           {"transactions", result.transactions},
                           {"signer",
                            {{"subject", cert.subject()},
                             {"name", cert.common_name()},
                             {"identity", {{"kind", id.kind}, {"number", id.number}}},
                             {"issuer", cert.issuer()},
                             {"serial", cert.serial_hex()}}},
                           {"signed", ok},
                           {"failed", result.files.size() - ok},
                           {"files", files}};
        console.print_json(doc.dump(2));
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : result.files) {
            if (f.signed_file) {
                const sign::PreparedFile& p = f.signed_file->prepared;
                rows.push_back({console.green("signed"), f.job.input.string(),
                                "-> " + f.job.output.string(),
                                p.field_name + ", page " + std::to_string(p.page) +
                                    (p.invisible ? ", invisible" : "")});
            } else {
                rows.push_back(
                    {console.red("failed"), f.job.input.string(), f.failure->describe(), ""});
            }
        }
        console.out(format_table(rows));
        console.out("signer: " + cert.common_name() +
                    (id.empty() ? "" : " (" + id.kind + " " + id.number + ")") + ", serial " +
                    cert.serial_hex() + ", via " + result.provider + "\n");
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
    throw Error(kind, "no file could be signed (details above)");
}

} // namespace

void add_sign_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<SignArgs>();
    CLI::App* cmd = app.add_subcommand(
        "sign", "Sign PDF files (PAdES) through the profile's provider, one approval per batch");
    cmd->add_option("files", args->files, "PDF files to sign")->required();
    cmd->add_option("-p,--profile", args->profile, "Profile name or file")->required();
    cmd->add_option("--signature", args->signature,
                    "Which signature entry of the profile (1-based; default: the default entry)");
    cmd->add_option("--digest", args->digest, "sha256 (default), sha384 or sha512");
    cmd->add_option("-o,--output", args->output, "Output file (one input only)");
    cmd->add_option("--out-dir", args->out_dir, "Folder for the outputs (several inputs)");
    cmd->add_flag("--in-place", args->in_place,
                  "Replace each original with its signed version (atomically, once signed)");
    cmd->add_flag("--force", args->force, "Replace existing output files");
    cmd->add_option("--page", args->page, "Page for the signature (1-based; default: last)");
    cmd->add_option("--rect", args->rect,
                    "Signature box x,y,width,height in points from the bottom-left corner of the "
                    "page as displayed");
    cmd->add_flag("--invisible", args->invisible, "No visible signature box");
    cmd->add_option("--field", args->field, "Fill this existing empty signature field");
    cmd->add_option("--field-name", args->field_name,
                    "Name of the new signature field (default: SignatureN)");
    cmd->add_option("--reason", args->reason, "Reason (/Reason)");
    cmd->add_option("--location", args->location, "Location (/Location)");
    cmd->add_option("--contact-info", args->contact_info, "Contact information (/ContactInfo)");
    cmd->add_option("--tsa", args->tsa, "RFC 3161 time-stamp authority URL (PAdES B-T)");
    cmd->add_option("--tsa-ca-bundle", args->tsa_ca_bundle,
                    "PEM file of CA certificates for an HTTPS TSA");
    cmd->footer("Output: NAME.signed.pdf beside each input unless -o, --out-dir or --in-place.\n"
                "Nothing is written until the signature is back: a rejected or expired request "
                "(exit 6) leaves every file untouched.");
    cmd->callback([args, &ctx] { ctx.action = [args, &ctx] { return run_sign(*args, ctx); }; });
}

} // namespace neac::cli
