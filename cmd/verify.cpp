// neac verify: CI-grade validation of signed PDF files (integrity, coverage, changes after
// signing, chain, revocation, timestamps), many files in parallel, text, JSON or JUnit output.
#include "command.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/verify/render.hpp"
#include "neac/verify/verify.hpp"

#include <sstream>

namespace neac::cli {
namespace {

struct VerifyArgs {
    std::vector<std::string> inputs;
    std::vector<std::string> trust, extra_certs;
    bool online = false;
    std::string ocsp_url;
    std::string revocation = "soft";
    bool require_trusted = false, require_timestamp = false;
    std::string require_level;
    std::string expect_signer;
    int min_signatures = 1;
    std::vector<std::string> allow, forbid;
    std::string junit;
    unsigned jobs = 0;
    std::string at;
};

std::chrono::system_clock::time_point parse_time(const std::string& text) {
    if (auto t = parse_utc_text(text))
        return *t;
    throw usage_error("--at takes a UTC time like 2026-11-26T18:00:00Z");
}

int run_verify(const VerifyArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    verify::Policy policy;
    policy.trust = ctx.trust_anchors(a.trust);
    for (const std::string& e : a.extra_certs)
        policy.extra_certs.push_back(e);
    policy.online = a.online;
    policy.ocsp_url = a.ocsp_url;
    policy.revocation = a.revocation;
    policy.require_trusted = a.require_trusted;
    policy.require_timestamp = a.require_timestamp;
    policy.require_level = a.require_level;
    policy.expect_signer = a.expect_signer;
    if (a.min_signatures < 0)
        throw usage_error("--min-signatures must be 0 or more");
    policy.min_signatures = a.min_signatures;
    for (const std::string& item : a.allow) {
        if (item == "annotations")
            policy.allow_annotations = true;
        else if (item == "forms")
            policy.allow_forms = true;
        else if (item == "sha1")
            policy.allow_weak_digest = true;
        else
            throw usage_error("--allow takes annotations, forms or sha1, not '" + item + "'");
    }
    for (const std::string& item : a.forbid) {
        if (item == "annotations")
            policy.forbid_annotations = true;
        else if (item == "forms")
            policy.forbid_forms = true;
        else
            throw usage_error("--forbid takes annotations or forms, not '" + item + "'");
    }
    if (!a.at.empty())
        policy.at = parse_time(a.at);

    std::vector<std::filesystem::path> inputs(a.inputs.begin(), a.inputs.end());
    std::size_t total = verify::expand_inputs(inputs).size();
    if (total == 0)
        throw usage_error("no PDF files found in the given folders");
    std::size_t finished = 0;
    auto reports = verify::verify_files(inputs, policy, a.jobs, [&](const verify::VerifyReport&) {
        if (total > 1)
            console.progress("verifying: " + std::to_string(++finished) + "/" +
                             std::to_string(total));
    });
    console.end_progress();
    int code = verify::exit_code_for(reports);

    if (!a.junit.empty())
        write_file_atomically(a.junit, verify::render_junit(reports));
    if (console.json()) {
        console.print_json(verify::to_json(reports, code));
    } else {
        verify::TextStyle style;
        style.color = console.stdout_color();
        style.verbose = console.verbosity() > 0;
        for (const auto& r : reports)
            console.out(verify::render_text(r, style));
        if (reports.size() > 1) {
            std::size_t counts[4] = {0, 0, 0, 0};
            for (const auto& r : reports)
                ++counts[r.status == verify::FileStatus::BadInput     ? 3
                         : r.indication == verify::Indication::Passed ? 0
                         : r.indication == verify::Indication::Failed ? 1
                                                                      : 2];
            console.out(std::to_string(reports.size()) + " files: " + std::to_string(counts[0]) +
                        " passed, " + std::to_string(counts[1]) + " failed, " +
                        std::to_string(counts[2]) + " indeterminate, " + std::to_string(counts[3]) +
                        " unreadable\n");
        }
    }
    return code;
}

} // namespace

void add_verify_command(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand(
        "verify", "Validate signed PDF files: integrity, coverage, changes after signing, chain, "
                  "revocation, timestamps");
    cmd->add_option("files", args->inputs, "PDF files or folders (searched for *.pdf)")->required();
    cmd->add_option("--trust", args->trust,
                    "Trust anchors: a PEM/DER file, a folder of them, or 'sandbox' (repeatable)")
        ->allow_extra_args(false); // one value per --trust: "--trust sandbox FILE" names a file
    cmd->add_option("--extra-certs", args->extra_certs,
                    "Intermediate certificates for path building (file or folder, repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--online", args->online,
                  "Fetch OCSP/CRL for certificates whose status is not embedded");
    cmd->add_option("--ocsp-url", args->ocsp_url,
                    "With --online: ask this OCSP responder instead of the certificate's");
    cmd->add_option("--revocation", args->revocation,
                    "soft (unknown status is a warning, default), require (unknown is "
                    "INDETERMINATE) or none");
    cmd->add_flag("--require-trusted", args->require_trusted,
                  "An untrusted or unverifiable chain FAILS instead of being INDETERMINATE");
    cmd->add_option("--require-level", args->require_level,
                    "Fail signatures below this PAdES level: B-T (a trusted time), B-LT (and "
                    "the validation data in the file), B-LTA (and a document timestamp over it)")
        ->check(CLI::IsMember({"B-B", "B-T", "B-LT", "B-LTA"}));
    cmd->add_flag("--require-timestamp", args->require_timestamp,
                  "Every signature needs a valid, trusted timestamp");
    cmd->add_option("--expect-signer", args->expect_signer,
                    "A valid signature by this CCCD/CMND/MST number, or subject matching this "
                    "regular expression, must be present");
    cmd->add_option("--min-signatures", args->min_signatures,
                    "Fewer signatures than this FAIL (default 1; 0 accepts unsigned files)");
    cmd->add_option("--allow", args->allow,
                    "Accept without a warning: annotations, forms (form filling after signing); "
                    "sha1 accepts weak digests")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--forbid", args->forbid,
                    "FAIL on annotations or forms (form filling) after signing, even where "
                    "DocMDP permits them")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--junit", args->junit, "Also write a JUnit XML report to this file");
    cmd->add_option("-j,--jobs", args->jobs, "Files checked in parallel (default: CPU count)");
    cmd->add_option("--at", args->at,
                    "Validation time instead of now (UTC, e.g. 2026-11-26T18:00:00Z)");
    cmd->footer("Exit: 0 every file passed, 1 a signature failed or a required one is missing, 3 "
                "indeterminate (e.g. no --trust), 4 a file could not be read.");
    cmd->callback([args, &ctx] { ctx.action = [args, &ctx] { return run_verify(*args, ctx); }; });
}

} // namespace neac::cli
