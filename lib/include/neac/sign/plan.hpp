// Planning a `neac sign` run (neac-sign(1)): the command line's flags merged over the profile into
// the pipeline's SignOptions, and the output path of every input. Nothing here contacts a
// provider or writes a file, so every refusal (Error(Usage), or BadInput from the profile) comes
// before a request reaches the signer's phone.
#pragma once

#include "neac/place/locator_options.hpp"
#include "neac/profile/profile.hpp"
#include "neac/providers/provider.hpp"
#include "neac/sign/pipeline.hpp"

#include <cstddef>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

namespace neac::sign {

// What `neac sign` takes on its command line. Empty strings, zeros and false mean "not given":
// the profile's value (where it has one) or the default applies.
struct SignFlags {
    // The PDF files (or folders, searched for *.pdf) to sign; with resume or abandon, at most one
    // transaction id.
    std::vector<std::string> files;
    std::string from;    // a JSON Lines batch manifest (read_manifest); "-" = standard input
    std::string profile; // name or file (ProfileStore::resolve)
    int signature = 0;   // 1-based signature entry; 0 = the profile's default entry
    std::string digest;  // sha256 | sha384 | sha512
    std::string output;  // -o: the output of the one input
    std::string out_dir; // folder for the outputs of several inputs
    bool in_place = false;
    bool force = false;         // replace existing outputs
    bool skip_existing = false; // skip inputs whose output already holds them signed
    bool dry_run = false;       // prepare everything, send and write nothing
    int page = 0;               // 1-based; 0 = the last page
    std::string rect;           // "x,y,width,height" in displayed points
    bool invisible = false;
    std::string field;      // existing empty signature field to fill
    std::string field_name; // name of a new field
    std::string reason, location, contact_info, tsa;
    std::string tsa_ca_bundle;   // PEM for an HTTPS TSA; profiles have no such setting
    std::string level;           // B-B | B-T | B-LT | B-LTA (parse_level)
    place::LocatorFlags locator; // --keyword and the placement flags; the page is `page`
    std::string fallback_rect;   // "x,y,width,height" for files without the keyword
    bool allow_overlap = false;  // sign even where the box must cover an earlier signature
    bool resume = false, abandon = false;
    std::string otp;       // two-factor code for a provider login
    std::string ca_bundle; // PEM for the provider's TLS; overrides the profile entry's
};

// --rect: "x,y,width,height" in points. Error(Usage) unless it is four numbers.
pdf::Rect parse_rect(const std::string& text);

// The inputs of a run: `files` with every folder replaced by the PDF files under it (sorted,
// leaving out *.signed.pdf, which are outputs), or the jobs of the --from manifest.
// Error(Usage) when neither or both are given.
std::vector<FileJob> plan_inputs(const SignFlags& flags);

// One job per line of a JSON Lines manifest (`-` = standard input): an object with "input" and
// optionally "output", "keyword" (a text or a list), "page", "rect" ("x,y,w,h" or four numbers)
// and "reason". Blank lines are skipped. Error(Usage) naming the line for anything else.
std::vector<FileJob> read_manifest(const std::string& source, std::istream& stdin_stream);

// Fills in the output of every job that has none, in order: `output` for the one input,
// `out_dir`/NAME, the input itself with in_place, else default_output_for(input). Error(Usage)
// when -o is given for several inputs, in_place is combined with -o or --out-dir, `out_dir` is
// a file or neither it nor its parent folder exists, two inputs would be written to the same
// output, an output is its input without in_place, or an output exists without force or
// skip_existing (the hint names both). With skip_existing an existing output marks its job
// `skip`, to be confirmed by check_existing_outputs.
std::vector<FileJob> plan_outputs(const SignFlags& flags, std::vector<FileJob> jobs);

// Why `job.output` is not `job.input` signed by the holder of `account` ("" when it is): the
// input's bytes must begin the output, and the first signature over more than them must be
// intact, valid, and by a certificate carrying that CCCD/CMND.
std::string existing_output_problem(const FileJob& job, const std::string& account);

// For each job marked `skip`: keeps the mark when its output holds its input signed by
// `account`; otherwise clears it when `force` (the output is replaced), else Error(Usage) naming
// the output and why it does not match.
void check_existing_outputs(std::vector<FileJob>& jobs, const std::string& account, bool force);

// Index (0-based) into profile.signatures of the entry `signature` (1-based; 0 = the default
// entry). Error(Usage) when the profile has fewer entries.
std::size_t signature_entry_index(const profile::Profile& profile, int signature);

// The options for the pipeline: each flag given replaces the profile's value (digest, reason,
// location, contact info, TSA); page, rect, invisible and the field come from the flags only; the
// keyword locator is the profile's with the flags over it (make_locator_spec) unless the box is
// given outright (rect, invisible or field); the appearance and image are the profile's, and
// expected_account is that of entry `entry_index`. Error(Usage) for an unknown digest, a bad
// rect, locator flags combined with rect, invisible or field, or fallback_rect without a keyword.
SignOptions merge_options(const profile::Profile& profile, std::size_t entry_index,
                          const SignFlags& flags);

// The one-time inputs of a session into a provider's configuration: ca_bundle (made absolute)
// replaces the "ca-bundle" setting, otp is set. Prompting on a terminal is the caller's part.
void add_session_inputs(const SignFlags& flags, providers::ProviderConfig& config);

// A new signing run, ready for sign_batch().
struct SignPlan {
    profile::Profile profile;
    std::size_t entry_index = 0; // into profile.signatures
    SignOptions options;
    std::vector<FileJob> jobs;
    providers::ProviderConfig provider; // entry `entry_index` with the session inputs
};

// Checks that files and a profile are given (Error(Usage) with a hint otherwise), loads the
// profile from the store of `home` (BadInput when missing or invalid), and applies
// signature_entry_index, merge_options, plan_inputs, plan_outputs, check_existing_outputs and
// add_session_inputs, in that order; then makes the --out-dir folder unless it is a dry run.
SignPlan plan_sign(const SignFlags& flags, const std::filesystem::path& home);

// For resume or abandon: the transaction id given (empty = every open transaction). Error(Usage)
// when both are set, when more than one argument is given, or when abandon has no id.
std::string resume_selector(const SignFlags& flags);

} // namespace neac::sign
