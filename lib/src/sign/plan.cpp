#include "neac/sign/plan.hpp"

#include "neac/crypto/digest.hpp"
#include "neac/sign/locator.hpp"
#include "neac/util/error.hpp"

#include <cstdio>
#include <set>
#include <system_error>

namespace neac::sign {

pdf::Rect parse_rect(const std::string& text) {
    double v[4];
    char tail = 0;
    if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
        throw usage_error("--rect takes x,y,width,height in points, e.g. 350,80,180,60");
    return pdf::Rect{v[0], v[1], v[2], v[3]};
}

std::vector<FileJob> plan_outputs(const SignFlags& a) {
    if (!a.output.empty() && a.files.size() != 1)
        throw usage_error("-o names one output; use --out-dir DIR for several files");
    if ((!a.output.empty() || !a.out_dir.empty()) && a.in_place)
        throw usage_error("--in-place cannot be combined with -o or --out-dir");
    if (!a.out_dir.empty() && !std::filesystem::is_directory(a.out_dir))
        throw usage_error("--out-dir " + a.out_dir + " is not a folder");
    std::vector<FileJob> jobs;
    std::set<std::filesystem::path> outputs;
    for (const std::string& f : a.files) {
        FileJob job{f, {}};
        if (a.in_place)
            job.output = f;
        else if (!a.output.empty())
            job.output = a.output;
        else if (!a.out_dir.empty())
            job.output = std::filesystem::path(a.out_dir) / default_output_for(f).filename();
        else
            job.output = default_output_for(f);
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

std::size_t signature_entry_index(const profile::Profile& prof, int signature) {
    if (signature > 0) {
        if (static_cast<std::size_t>(signature) > prof.signatures.size())
            throw usage_error(
                "profile " + prof.name + " has " + std::to_string(prof.signatures.size()) +
                " signature entries; --signature " + std::to_string(signature) + " does not exist");
        return static_cast<std::size_t>(signature - 1);
    }
    const profile::SignatureEntry& def = prof.default_signature();
    std::size_t index = 0;
    for (std::size_t i = 0; i < prof.signatures.size(); ++i)
        if (&prof.signatures[i] == &def)
            index = i;
    return index;
}

SignOptions merge_options(const profile::Profile& prof, std::size_t entry_index,
                          const SignFlags& a) {
    SignOptions options;
    options.digest =
        crypto::parse_digest_algorithm(a.digest.empty() ? prof.signing.digest : a.digest);
    options.reason = a.reason.empty() ? prof.signing.reason : a.reason;
    options.location = a.location.empty() ? prof.signing.location : a.location;
    options.contact_info = a.contact_info.empty() ? prof.signing.contact_info : a.contact_info;
    options.tsa_url = a.tsa.empty() ? prof.signing.tsa : a.tsa;
    options.tsa_ca_bundle = a.tsa_ca_bundle;
    options.expected_account = prof.signatures.at(entry_index).account;
    options.placement.page = a.page;
    options.placement.invisible = a.invisible;
    options.placement.existing_field = a.field;
    options.placement.field_name = a.field_name;
    if (!a.rect.empty())
        options.placement.rect = parse_rect(a.rect);
    // Keyword placement (neac-locate(1)): --keyword, else the profile's locator, unless the
    // position is given outright.
    bool positioned = !a.rect.empty() || a.invisible || !a.field.empty();
    if (positioned &&
        (a.locator.keyword || a.locator.any_policy_flag() || !a.fallback_rect.empty()))
        throw usage_error("--keyword and the placement flags cannot be combined with --rect, "
                          "--invisible or --field");
    place::LocatorFlags locator_flags = a.locator;
    locator_flags.page = a.page;
    if (!positioned)
        options.locator = make_locator_spec(prof.locator ? &*prof.locator : nullptr, locator_flags);
    if (!a.fallback_rect.empty()) {
        if (!options.locator)
            throw usage_error("--fallback-rect needs keyword placement (--keyword, or a profile "
                              "with a locator)");
        options.locator->fallback = place::parse_rect(a.fallback_rect, "--fallback-rect");
    }
    if (a.allow_overlap) {
        if (!options.locator)
            throw usage_error("--allow-overlap goes with keyword placement (--keyword, or a "
                              "profile with a locator)");
        options.locator->allow_overlap = true;
    }
    if (prof.appearance)
        options.appearance = *prof.appearance;
    options.appearance_image = prof.image;
    return options;
}

void add_session_inputs(const SignFlags& a, providers::ProviderConfig& config) {
    if (!a.ca_bundle.empty())
        config.settings["ca-bundle"] = std::filesystem::absolute(a.ca_bundle).string();
    config.otp = a.otp;
}

SignPlan plan_sign(const SignFlags& a, const std::filesystem::path& home) {
    if (a.files.empty())
        throw usage_error("no file to sign").hint("neac sign FILE... --profile NAME");
    if (a.profile.empty())
        throw usage_error("--profile is required").hint("neac sign FILE... --profile NAME");
    SignPlan plan;
    plan.profile = profile::ProfileStore(home).load(a.profile);
    plan.entry_index = signature_entry_index(plan.profile, a.signature);
    plan.options = merge_options(plan.profile, plan.entry_index, a);
    plan.jobs = plan_outputs(a);
    plan.provider = profile::to_provider_config(plan.profile, plan.entry_index, home);
    add_session_inputs(a, plan.provider);
    return plan;
}

std::string resume_selector(const SignFlags& a) {
    if (a.resume && a.abandon)
        throw usage_error("--resume and --abandon cannot be combined");
    if (a.files.size() > 1)
        throw usage_error(std::string(a.resume ? "--resume" : "--abandon") +
                          " takes at most one transaction id, not files");
    std::string selector = a.files.empty() ? "" : a.files.front();
    if (a.abandon && selector.empty())
        throw usage_error("--abandon needs a transaction id (see the error of the "
                          "interrupted neac sign, or neac sign --resume)");
    return selector;
}

} // namespace neac::sign
