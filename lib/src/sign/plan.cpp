#include "neac/sign/plan.hpp"

#include "neac/crypto/digest.hpp"
#include "neac/profile/edit.hpp"
#include "neac/sign/locator.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"
#include "neac/verify/verify.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
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

std::vector<FileJob> plan_inputs(const SignFlags& a) {
    if (!a.from.empty()) {
        if (!a.files.empty())
            throw usage_error("give the files either as arguments or in --from, not both");
        return read_manifest(a.from, std::cin);
    }
    if (a.files.empty())
        throw usage_error("no file to sign").hint("neac sign FILE... --profile NAME");
    std::vector<FileJob> jobs;
    for (const std::string& f : a.files) {
        std::error_code ec;
        if (!std::filesystem::is_directory(f, ec)) {
            jobs.push_back(FileJob(f, {}));
            continue;
        }
        std::size_t before = jobs.size();
        for (const std::filesystem::path& p : verify::expand_inputs({f})) {
            if (p.filename().string().ends_with(".signed.pdf"))
                continue; // an output of an earlier run
            jobs.push_back(FileJob(p, {}));
        }
        if (jobs.size() == before)
            throw usage_error("the folder " + f + " holds no PDF file to sign");
    }
    return jobs;
}

namespace {

Error manifest_error(const std::string& source, std::size_t line, const std::string& what) {
    Error e = usage_error("--from " + source + ", line " + std::to_string(line) + ": " + what);
    e.hint("each line is one JSON object: {\"input\": \"don.pdf\", \"output\": ..., \"keyword\": "
           "..., \"page\": ..., \"rect\": ..., \"reason\": ...}");
    return e;
}

FileJob manifest_job(const nlohmann::json& j, const std::string& source, std::size_t line) {
    auto fail = [&](const std::string& what) { return manifest_error(source, line, what); };
    if (!j.is_object())
        throw fail("not a JSON object");
    static const std::set<std::string> kKeys = {"input", "output", "keyword",
                                                "page",  "rect",   "reason"};
    for (const auto& [key, value] : j.items())
        if (!kKeys.count(key))
            throw fail("unknown key \"" + key + "\"");
    auto text = [&](const char* key) {
        const nlohmann::json& v = j.at(key);
        if (!v.is_string() || v.get<std::string>().empty())
            throw fail(std::string("\"") + key + "\" must be a non-empty text");
        return v.get<std::string>();
    };
    if (!j.contains("input"))
        throw fail("\"input\" is missing");
    FileJob job;
    job.request = j;
    job.input = text("input");
    if (j.contains("output"))
        job.output = text("output");
    if (j.contains("keyword")) {
        const nlohmann::json& k = j.at("keyword");
        std::vector<std::string> given;
        if (k.is_string())
            given.push_back(k.get<std::string>());
        else if (k.is_array() && !k.empty() &&
                 std::all_of(k.begin(), k.end(), [](const auto& v) { return v.is_string(); }))
            given = k.get<std::vector<std::string>>();
        else
            throw fail("\"keyword\" must be a text or a list of texts");
        try {
            job.overrides.keywords = profile::checked_keywords(given);
        } catch (const Error& e) {
            throw fail(e.what());
        }
    }
    if (j.contains("page")) {
        const nlohmann::json& p = j.at("page");
        if (!p.is_number_integer() || p.get<long long>() < 1 || p.get<long long>() > 1000000)
            throw fail("\"page\" must be a page number from 1");
        job.overrides.page = p.get<int>();
    }
    if (j.contains("rect")) {
        const nlohmann::json& r = j.at("rect");
        std::string rect;
        if (r.is_string()) {
            rect = r.get<std::string>();
        } else if (r.is_array() && r.size() == 4 &&
                   std::all_of(r.begin(), r.end(), [](const auto& v) { return v.is_number(); })) {
            for (const auto& v : r)
                rect += (rect.empty() ? "" : ",") + std::to_string(v.get<double>());
        } else {
            throw fail("\"rect\" must be \"x,y,width,height\" or four numbers");
        }
        try {
            job.overrides.rect = place::parse_rect(rect, "\"rect\"");
        } catch (const Error& e) {
            throw fail(e.what());
        }
        if (!job.overrides.keywords.empty())
            throw fail("\"rect\" and \"keyword\" contradict each other");
    }
    if (j.contains("reason"))
        job.overrides.reason = text("reason");
    return job;
}

} // namespace

std::vector<FileJob> read_manifest(const std::string& source, std::istream& stdin_stream) {
    std::ifstream file;
    std::istream* in = &stdin_stream;
    if (source != "-") {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(source, ec))
            throw usage_error("--from " + source + " is not a readable file");
        file.open(source);
        if (!file)
            throw usage_error("--from " + source + " cannot be read");
        in = &file;
    }
    std::vector<FileJob> jobs;
    std::string text;
    for (std::size_t line = 1; std::getline(*in, text); ++line) {
        if (text.size() > limits::kBatchListLineBytes)
            throw manifest_error(source, line,
                                 "longer than " + std::to_string(limits::kBatchListLineBytes) +
                                     " bytes");
        if (trim(text).empty())
            continue;
        // A line is a flat object: deeper nesting is refused while it is read.
        nlohmann::json j = parse_untrusted_json(text, 4);
        if (j.is_discarded())
            throw manifest_error(source, line, "not a JSON object of texts, numbers and lists");
        jobs.push_back(manifest_job(j, source, line));
        if (jobs.size() > limits::kBatchListJobs)
            throw manifest_error(source, line,
                                 "more than " + std::to_string(limits::kBatchListJobs) +
                                     " files in one batch");
    }
    if (jobs.empty())
        throw usage_error("--from " + source + " lists no file to sign");
    return jobs;
}

std::vector<FileJob> plan_outputs(const SignFlags& a, std::vector<FileJob> jobs) {
    if (!a.output.empty() && jobs.size() != 1)
        throw usage_error("-o names one output; use --out-dir DIR for several files");
    if ((!a.output.empty() || !a.out_dir.empty()) && a.in_place)
        throw usage_error("--in-place cannot be combined with -o or --out-dir");
    if (!a.out_dir.empty()) {
        std::error_code ec;
        if (std::filesystem::exists(a.out_dir, ec)) {
            if (!std::filesystem::is_directory(a.out_dir, ec))
                throw usage_error("--out-dir " + a.out_dir + " is a file, not a folder");
        } else {
            std::filesystem::path parent =
                std::filesystem::absolute(a.out_dir, ec).lexically_normal().parent_path();
            if (!std::filesystem::is_directory(parent, ec))
                throw usage_error("--out-dir " + a.out_dir +
                                  " does not exist, nor does the folder it would be made in");
        }
    }
    std::set<std::filesystem::path> outputs;
    for (FileJob& job : jobs) {
        const std::filesystem::path& f = job.input;
        if (!job.output.empty() && a.in_place)
            throw usage_error("--in-place cannot be combined with an \"output\" in --from");
        if (!job.output.empty()) {
            // given by the manifest
        } else if (a.in_place) {
            // A link is followed on purpose: the file it points to is the one to sign.
            std::error_code lec;
            job.output =
                std::filesystem::is_symlink(f, lec) ? std::filesystem::canonical(f, lec) : f;
        } else if (!a.output.empty()) {
            job.output = a.output;
        } else if (!a.out_dir.empty()) {
            job.output = std::filesystem::path(a.out_dir) / default_output_for(f).filename();
        } else {
            job.output = default_output_for(f);
        }
        if (output_kind(job.output) == OutputKind::Stream)
            throw usage_error("the output " + job.output.string() +
                              " is a device or a FIFO; neac sign writes PDF files");
        job.may_replace = a.force || a.in_place;
        std::error_code ec;
        std::filesystem::path canonical = std::filesystem::weakly_canonical(job.output, ec);
        if (!outputs.insert(canonical).second)
            throw usage_error("two inputs would be written to the same output " +
                              job.output.string());
        if (!a.in_place && std::filesystem::exists(job.output) &&
            std::filesystem::equivalent(job.output, f, ec))
            throw usage_error("the output " + job.output.string() +
                              " is the input; use --in-place to replace the original");
        if (a.in_place || !std::filesystem::exists(job.output))
            continue;
        if (a.skip_existing)
            job.skip = true;
        else if (!a.force)
            throw usage_error("the output " + job.output.string() + " exists")
                .hint("use --skip-existing to leave the files signed already, --force to "
                      "replace them, or choose another output");
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
    // The level: --level, else the profile's, else B-T when a TSA is set and B-B without.
    std::string level = a.level.empty() ? prof.signing.level : a.level;
    options.level =
        level.empty() ? (options.tsa_url.empty() ? Level::B_B : Level::B_T) : parse_level(level);
    if (options.level == Level::B_B)
        options.tsa_url.clear();
    else if (options.tsa_url.empty())
        throw usage_error(std::string("--level ") + level_name(options.level) +
                          " needs a time-stamp authority: give --tsa URL or set signing.tsa in "
                          "the profile");
    if (options.level >= Level::B_LT) {
        ExtendOptions extend;
        extend.level = options.level;
        extend.tsa.url = options.tsa_url;
        extend.tsa.ca_bundle = options.tsa_ca_bundle;
        extend.digest = options.digest;
        options.extender = std::make_shared<Extender>(extend);
    }
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
        (!a.locator.keywords.empty() || a.locator.any_policy_flag() || !a.fallback_rect.empty()))
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
    if (a.files.empty() && a.from.empty())
        throw usage_error("no file to sign").hint("neac sign FILE... --profile NAME");
    if (a.profile.empty())
        throw usage_error("--profile is required").hint("neac sign FILE... --profile NAME");
    SignPlan plan;
    plan.profile = profile::ProfileStore(home).load(a.profile);
    plan.entry_index = signature_entry_index(plan.profile, a.signature);
    plan.options = merge_options(plan.profile, plan.entry_index, a);
    plan.options.dry_run = a.dry_run;
    plan.jobs = plan_outputs(a, plan_inputs(a));
    check_existing_outputs(plan.jobs, plan.options.expected_account, a.force);
    plan.provider = profile::to_provider_config(plan.profile, plan.entry_index, home);
    add_session_inputs(a, plan.provider);
    std::error_code ec;
    if (!a.dry_run && !a.out_dir.empty() && !std::filesystem::exists(a.out_dir, ec) &&
        !std::filesystem::create_directory(a.out_dir, ec))
        throw input_error("cannot make the folder: " + ec.message()).file(a.out_dir);
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
