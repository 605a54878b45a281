// neac extend: validation data (PAdES B-LT) and document timestamps (B-LTA) for files that are
// signed already, by neac or anyone else; --renew keeps an archive's timestamps from ageing out.
#include "command.hpp"

#include "neac/crypto/chain.hpp"
#include "neac/sign/ltv.hpp"
#include "neac/sign/pipeline.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/util/exit_code.hpp"
#include "neac/util/text.hpp"
#include "neac/verify/verify.hpp"

#include <sys/stat.h>

namespace neac::cli {
namespace {

struct ExtendArgs {
    std::vector<std::string> files;
    std::string level = "B-LTA";
    std::string tsa, tsa_ca_bundle;
    std::string output, out_dir;
    bool in_place = false;
    bool renew = false;
    int renew_before = -1; // days; -1 = not given
    bool allow_incomplete = false;
    std::vector<std::string> extra_certs;
};

struct FileReport {
    std::filesystem::path input, output;
    std::string status; // extended | renewed | unchanged | failed
    std::string detail;
    std::optional<sign::ExtendResult> result;
    std::optional<Error> failure;
};

std::filesystem::path output_for(const ExtendArgs& a, const std::filesystem::path& input) {
    if (a.in_place)
        return input;
    if (!a.output.empty())
        return a.output;
    return std::filesystem::path(a.out_dir) / input.filename();
}

void check_outputs(const ExtendArgs& a, const std::vector<std::filesystem::path>& inputs) {
    int given = (a.in_place ? 1 : 0) + (a.output.empty() ? 0 : 1) + (a.out_dir.empty() ? 0 : 1);
    if (given != 1)
        throw usage_error("say where the extended files go: -o FILE, --out-dir DIR or --in-place")
            .hint("an archive is usually extended in place: neac extend --in-place DIR");
    if (!a.output.empty() && inputs.size() != 1)
        throw usage_error("-o takes one input; use --out-dir or --in-place for several");
    if (!a.out_dir.empty() && !std::filesystem::is_directory(a.out_dir))
        throw usage_error("--out-dir " + a.out_dir + " is not a folder");
    for (const auto& in : inputs)
        if (!a.in_place && std::filesystem::weakly_canonical(output_for(a, in)) ==
                               std::filesystem::weakly_canonical(in))
            throw usage_error("the output of " + in.string() + " is the input itself")
                .hint("use --in-place to extend files where they are");
}

std::string added_text(const sign::ExtendResult& r) {
    std::string s;
    if (r.dss_added)
        s = "+" + std::to_string(r.added_certificates) + " certificates, +" +
            std::to_string(r.added_ocsp_responses) + " OCSP, +" + std::to_string(r.added_crls) +
            " CRL";
    if (r.timestamp_added)
        s += (s.empty() ? "" : "; ") + std::string("document timestamp ") +
             utc_text(r.timestamp_time);
    return s.empty() ? "nothing new" : s;
}

FileReport extend_one(sign::Extender& extender, const ExtendArgs& a,
                      const std::filesystem::path& input) {
    FileReport rep;
    rep.input = input;
    rep.output = output_for(a, input);
    sign::ArchiveState state = sign::Extender::inspect(input);
    if (state.signatures == 0)
        throw input_error("the file holds no signature").file(input.string());
    bool renew = a.renew || a.renew_before >= 0;
    if (a.renew_before >= 0 && state.last_timestamp_expiry) {
        auto due = current_time() + std::chrono::hours(24) * a.renew_before;
        if (*state.last_timestamp_expiry > due) {
            rep.status = "unchanged";
            rep.detail = "not due: the newest document timestamp's TSA certificate is valid "
                         "until " +
                         utc_text(*state.last_timestamp_expiry);
            return rep;
        }
    }
    if (!renew && extender.options().level == sign::Level::B_LTA &&
        state.ends_with_document_timestamp) {
        rep.status = "unchanged";
        rep.detail = "B-LTA already (the last revision is a document timestamp; --renew adds "
                     "another)";
        return rep;
    }

    struct stat st {};
    mode_t mode = ::stat(input.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0644;
    std::uint64_t size = std::filesystem::file_size(input);
    AtomicFile out(rep.output, mode);
    out.append_file(input, size);
    sign::ExtendResult r;
    try {
        r = extender.extend(out.temp_path());
    } catch (Error& e) {
        e.file(input.string()); // not the temporary copy's name
        throw;
    }
    rep.result = r;
    if (!r.dss_added && !r.timestamp_added) {
        rep.status = "unchanged";
        rep.detail = "the DSS holds every certificate, OCSP response and CRL already";
        return rep; // the temporary copy is removed
    }
    if (std::filesystem::file_size(input) != size)
        throw input_error("the file changed while it was being extended; run again")
            .file(input.string());
    out.commit();
    rep.status = state.document_timestamps > 0 && r.timestamp_added ? "renewed" : "extended";
    rep.detail = std::string(sign::level_name(r.level)) + ": " + added_text(r);
    return rep;
}

nlohmann::json report_json(const FileReport& f) {
    nlohmann::json j{{"input", f.input.string()},
                     {"output", f.output.string()},
                     {"status", f.status},
                     {"detail", f.detail}};
    if (f.result) {
        const sign::ExtendResult& r = *f.result;
        j["level"] = sign::level_name(r.level);
        j["added"] = {{"certificates", r.added_certificates},
                      {"ocsp_responses", r.added_ocsp_responses},
                      {"crls", r.added_crls}};
        j["document_timestamp"] =
            r.timestamp_added ? nlohmann::json(utc_text(r.timestamp_time)) : nlohmann::json();
        j["warnings"] = r.warnings;
    }
    if (f.failure) {
        j["error"] = f.failure->describe();
        j["error_code"] = error_kind_name(f.failure->kind());
    }
    return j;
}

int run_extend(const ExtendArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    sign::ExtendOptions options;
    options.level = sign::parse_level(a.level);
    if (options.level < sign::Level::B_LT)
        throw usage_error("--level takes B-LT or B-LTA: B-B and B-T are made when signing");
    if (a.renew || a.renew_before >= 0)
        options.level = sign::Level::B_LTA;
    options.tsa.url = a.tsa;
    options.tsa.ca_bundle = a.tsa_ca_bundle;
    if (options.level == sign::Level::B_LTA && a.tsa.empty())
        throw usage_error("B-LTA and --renew need a time-stamp authority: give --tsa URL");
    options.allow_incomplete = a.allow_incomplete;
    for (const std::string& f : a.extra_certs) {
        auto certs = crypto::load_certificates(f);
        options.extra_certs.insert(options.extra_certs.end(), certs.begin(), certs.end());
    }

    std::vector<std::filesystem::path> given(a.files.begin(), a.files.end());
    std::vector<std::filesystem::path> inputs;
    for (const auto& in : verify::expand_inputs(given))
        if (!sign::is_temporary_name(in))
            inputs.push_back(in);
    if (inputs.empty())
        throw usage_error("no PDF file to extend");
    check_outputs(a, inputs);

    sign::Extender extender(options);
    std::vector<FileReport> reports;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        console.progress("extending " + std::to_string(i + 1) + "/" +
                         std::to_string(inputs.size()) + ": " + inputs[i].string());
        try {
            reports.push_back(extend_one(extender, a, inputs[i]));
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::Usage || e.kind() == ErrorKind::Interrupted)
                throw;
            FileReport f;
            f.input = inputs[i];
            f.output = output_for(a, inputs[i]);
            f.status = "failed";
            f.detail = e.describe();
            f.failure = e;
            reports.push_back(std::move(f));
        }
    }
    console.end_progress();

    std::size_t failed = 0;
    for (const auto& f : reports)
        failed += f.failure ? 1 : 0;
    if (reports.size() == 1 && failed == 1)
        throw *reports.front().failure;

    if (console.json()) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : reports)
            files.push_back(report_json(f));
        console.print_json({{"version", 1},
                            {"level", sign::level_name(options.level)},
                            {"files", files},
                            {"failed", failed},
                            {"requests",
                             {{"ocsp", extender.collector().ocsp_requests()},
                              {"crl", extender.collector().crl_requests()}}}});
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& f : reports) {
            std::string status = f.failure                 ? console.red(f.status)
                                 : f.status == "unchanged" ? f.status
                                                           : console.green(f.status);
            rows.push_back({status, f.input.string(), f.detail});
            if (f.result)
                for (const std::string& w : f.result->warnings)
                    rows.push_back({"", "", console.yellow("warning: " + w)});
        }
        console.out(format_table(rows));
        console.out(std::to_string(extender.collector().ocsp_requests()) + " OCSP and " +
                    std::to_string(extender.collector().crl_requests()) + " CRL request(s) for " +
                    std::to_string(reports.size()) + " file(s)\n");
    }
    if (failed == 0)
        return static_cast<int>(ExitCode::Ok);
    if (failed < reports.size())
        return static_cast<int>(ExitCode::Partial);
    ErrorKind kind = reports.front().failure->kind();
    for (const auto& f : reports)
        if (f.failure->kind() != kind)
            return static_cast<int>(ExitCode::Partial);
    throw Error(kind, "no file could be extended (details above)");
}

} // namespace

void add_extend_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<ExtendArgs>();
    CLI::App* cmd = app.add_subcommand(
        "extend", "Add validation data (B-LT) and a document timestamp (B-LTA) to signed PDFs; "
                  "renew an archive's timestamps");
    cmd->add_option("files", args->files, "Signed PDF files, or folders searched for *.pdf")
        ->required();
    cmd->add_option("--level", args->level,
                    "B-LT: the certificates, OCSP responses and CRLs of every signature's chain "
                    "and timestamps, in the DSS; B-LTA (default): then a document timestamp")
        ->check(CLI::IsMember({"B-LT", "B-LTA"}));
    cmd->add_option("--tsa", args->tsa, "RFC 3161 time-stamp authority URL (B-LTA, --renew)");
    cmd->add_option("--tsa-ca-bundle", args->tsa_ca_bundle,
                    "PEM file of CA certificates for an HTTPS TSA");
    cmd->add_option("-o,--output", args->output, "Output file (one input)");
    cmd->add_option("--out-dir", args->out_dir, "Folder for the outputs (same file names)");
    cmd->add_flag("--in-place", args->in_place,
                  "Replace each input (atomically: a reader sees the old file or the new one)");
    cmd->add_flag("--renew", args->renew,
                  "Add a new document timestamp, with the validation data of the previous one, "
                  "even to a file that is B-LTA already");
    cmd->add_option("--renew-before", args->renew_before,
                    "With --renew: only files whose newest document timestamp's TSA "
                    "certificate expires within DAYS days (or that have none); others are left "
                    "unchanged, so a daily job can run over a whole archive")
        ->check(CLI::Range(0, 36500))
        ->type_name("DAYS");
    cmd->add_flag("--allow-incomplete", args->allow_incomplete,
                  "Embed what can be had when a certificate's OCSP/CRL cannot be fetched (each "
                  "gap is a warning); by default such a file fails and is left unchanged");
    cmd->add_option("--extra-certs", args->extra_certs,
                    "Certificates (PEM/DER file or folder) that complete chains the files do not "
                    "carry whole (repeatable)")
        ->allow_extra_args(false);
    cmd->footer("Exit: 0 every file extended or already complete, 2 usage, 4 a file is not a "
                "signed PDF, 5 an OCSP/CRL server or the TSA failed (the file is unchanged), 7 "
                "some files failed. Files are never left half-extended.");
    cmd->callback([args, &ctx] { ctx.action = [args, &ctx] { return run_extend(*args, ctx); }; });
}

} // namespace neac::cli
