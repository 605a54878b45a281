// The signing pipeline (DESIGN.md §4): prepare -> digest -> finish, and batches that need one
// approval for many files.
//
//   prepare  copies the input into a temporary file beside the output while hashing it, and
//            appends one revision with the signature field, a /ByteRange and a zero-filled
//            /Contents placeholder; the byte ranges are hashed in the same pass (hash once).
//   digest   builds the CAdES signed attributes over that document digest and hashes them: the
//            value a remote CA signs. The state up to here is a PreparedFile, serialisable to
//            JSON, so the wait for the phone can outlive the process.
//   finish   assembles the CMS from the raw signature and the chain, optionally adds an RFC 3161
//            signature timestamp, patches it into the placeholder and renames the temporary file
//            over the output. The input is never modified before that rename.
#pragma once

#include "neac/crypto/cms.hpp"
#include "neac/crypto/timestamp.hpp"
#include "neac/pdf/appearance.hpp"
#include "neac/pdf/signature_field.hpp"
#include "neac/place/locate.hpp"
#include "neac/providers/provider.hpp"
#include "neac/sign/ltv.hpp"
#include "neac/util/error.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace neac::sign {

struct SignOptions {
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::Sha256;
    pdf::Placement placement;
    std::string reason, location, contact_info;
    std::string tsa_url;       // empty = no timestamp (PAdES B-B); set = B-T
    std::string tsa_ca_bundle; // PEM for an HTTPS TSA with a private CA
    // B-LT and B-LTA: after the signature, validation data (and a document timestamp) are added
    // to each file by `extender` (neac/sign/ltv.hpp), one per batch so that OCSP and CRL answers
    // are fetched once per certificate. B-B and B-T: tsa_url decides; extender is unused.
    Level level = Level::B_T;
    std::shared_ptr<Extender> extender;
    std::string expected_account; // CCCD/CMND the certificate must carry; empty = not checked
    // Signing time claimed in /M and shown in the appearance; defaults to now.
    std::optional<std::chrono::system_clock::time_point> claimed_time;
    // Where to sign by keyword (neac-locate(1)): prepare_file finds it in each file and sets
    // placement.page and placement.rect from it. Empty = `placement` as given.
    std::optional<place::LocatorSpec> locator;
    // The visible signature: its look and the signature image (PNG; empty = none).
    pdf::AppearanceStyle appearance;
    std::filesystem::path appearance_image;
    // sign --dry-run: sign_batch prepares every file (in a temporary folder) and stops there:
    // no request is sent and nothing is written.
    bool dry_run = false;
};

// What one line of `sign --from` sets for its own file, over the batch's options.
struct FileOverrides {
    std::vector<std::string>
        keywords;                  // replace the locator's keywords (or start keyword placement)
    int page = 0;                  // 1-based; 0 = the batch's
    std::optional<pdf::Rect> rect; // a box given outright: no keyword placement for this file
    std::optional<std::string> reason;
    bool empty() const { return keywords.empty() && page == 0 && !rect && !reason; }
};

struct FileJob {
    FileJob() = default;
    FileJob(std::filesystem::path in, std::filesystem::path out)
        : input(std::move(in)), output(std::move(out)) {}

    std::filesystem::path input;
    std::filesystem::path output; // may equal input (--in-place)
    FileOverrides overrides;
    // The output exists already and holds this input signed by the profile's signer
    // (sign --skip-existing): the file is reported as skipped and costs no approval.
    bool skip = false;
    // The output may be replaced (--force, --in-place); otherwise a file that appears there
    // while the batch waits is kept and this file fails.
    bool may_replace = false;
    nlohmann::json request; // the line of `sign --from` that asked for this file; null otherwise
    // The exact names prepare_file creates for the prepared file and, for a damaged input, the
    // repaired copy it reads (TemporaryNames); empty = a fresh "<output>.XXXXXX" (unit tests).
    std::filesystem::path temp, repair_temp;
};

// The temporary files of one output, beside it: "<output>.neac-<pid>-<12 hex>.tmp" for the
// prepared file and "... .repair.tmp" for a repaired copy. sign_batch journals these names
// before either file exists (Journal::note_temporaries), so that a run killed at any moment
// leaves nothing a later neac cannot find and remove.
struct TemporaryNames {
    std::filesystem::path prepared, repaired;
};
TemporaryNames temporary_names_for(const std::filesystem::path& output);
// True when the file name has the form temporary_names_for gives (any pid, any suffix).
bool is_temporary_name(const std::filesystem::path& path);

// The options for one file: `options` with the file's overrides applied.
SignOptions options_for(const SignOptions& options, const FileOverrides& overrides);

// Everything needed to finish a file after the raw signature arrives.
struct PreparedFile {
    std::string input;
    std::string output;
    std::string temp;                    // the prepared file, beside the output
    std::uint64_t contents_offset = 0;   // '<' of /Contents
    std::uint64_t contents_capacity = 0; // bytes of DER that fit
    std::array<std::uint64_t, 4> byte_range{};
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::Sha256;
    Bytes document_digest;   // over the byte ranges
    Bytes signed_attributes; // DER SET OF, what the signature covers
    Bytes to_be_signed;      // digest of signed_attributes: what the provider signs
    std::string field_name;
    int page = 0;
    pdf::Rect rect;
    bool invisible = false;
    std::uint64_t input_size = 0;
    std::string input_sha256; // SHA-256 (hex) of the original bytes, to match files by content
    std::string placement;    // how keyword placement chose the box, when it had to move it
    std::string keyword;      // the keyword that placed the box; empty when none did
    bool fallback = false;    // keyword placement found no keyword: the --fallback-rect box
    // How a damaged input was signed ("… : signed a repaired copy; the input is unchanged");
    // empty for a sound input.
    std::string damage;
    bool may_replace = true; // FileJob::may_replace (journals written before it: true)
    // The PAdES level finish_file takes the file to ("B-LT", "B-LTA"); empty = B-T with a TSA,
    // else B-B. Kept here so that `sign --resume` reaches the same level.
    std::string level;
};

void to_json(nlohmann::json& j, const PreparedFile& p);
void from_json(const nlohmann::json& j, PreparedFile& p);

struct SignedFile {
    PreparedFile prepared;
    std::size_t signature_size = 0; // bytes of DER CMS
    bool timestamped = false;
    Level level = Level::B_B; // the level the written file reached
    // B-LT/B-LTA: what the extension added. When it failed the file is still written, at the
    // level before it (the approval is never wasted), and `extension_failure` says why.
    std::optional<ExtendResult> extension;
    std::optional<Error> extension_failure;
};

// Default output name: "NAME.signed.pdf" beside the input.
std::filesystem::path default_output_for(const std::filesystem::path& input);

// The size of the /Contents placeholder (bytes of DER) for this chain, by a dry run with the
// real certificates plus room for a timestamp token when one will be added.
std::size_t placeholder_size(const providers::SigningCertificate& cert, bool with_timestamp);

// Steps 1 and 2 for one file. A damaged input without signatures is signed as a repaired copy
// (written into the output, never over the input); a damaged input with signatures is appended
// to as it stands when its cross-reference chain allows it, else refused with Error(BadInput):
// rewriting it would break the earlier signatures.
PreparedFile prepare_file(const FileJob& job, const SignOptions& options,
                          const providers::SigningCertificate& cert, std::size_t capacity);

// Step 3 for one file. Throws Error(Remote) if the raw signature does not verify against the
// certificate (nothing is embedded then), Error(BadInput) if the CMS does not fit.
SignedFile finish_file(const PreparedFile& prepared, const crypto::SignatureAlgorithm& algorithm,
                       const Bytes& raw_signature, const providers::SigningCertificate& cert,
                       const SignOptions& options);

// Removes the temporary file of a file that will not be finished.
void abandon(const PreparedFile& prepared);

// What a batch reports while it waits for the phone.
struct WaitStatus {
    std::string provider;
    std::string transaction;
    std::string message;
    std::chrono::seconds remaining{0};
    std::size_t documents = 0;
};

class Journal;

// Where sign_batch records its transactions (neac/sign/journal.hpp) so that an approval is never
// lost: each transaction is written before its request is sent, and an interrupted or failed
// wait keeps the record and the prepared files for `neac sign --resume`.
struct JournalLink {
    Journal* journal = nullptr;
    providers::ProviderConfig config; // recorded without home, otp and ask (no secrets)
    std::string profile;
};

struct BatchCallbacks {
    // Called about once a second while a transaction is pending.
    std::function<void(const WaitStatus&)> waiting;
    // Called once per transaction when it is still pending after the first poll.
    std::function<void(const WaitStatus&)> submitted;
    // Set to true (e.g. from a SIGINT handler) to cancel the wait.
    const std::atomic<bool>* interrupted = nullptr;
    std::chrono::milliseconds poll_interval{1000};
    // When set, transactions are journaled (see JournalLink).
    const JournalLink* journal = nullptr;
};

struct FileOutcome {
    FileJob job;
    bool ok = false;                     // signed, skipped, or (dry run) ready to sign
    bool skipped = false;                // FileJob::skip: nothing was done
    std::optional<PreparedFile> planned; // dry run: what would have been signed
    std::optional<SignedFile> signed_file;
    std::optional<Error> failure; // when !ok
};

struct BatchResult {
    std::vector<FileOutcome> files; // in input order
    providers::SigningCertificate certificate;
    std::string provider;
    std::vector<std::string> transactions;
};

// Signs every file with one request to the provider per batch cap: prepares all, submits, waits
// once, finishes all. Files that fail to prepare or finish are reported per file; a rejected or
// expired request throws Error(NotApproved) after removing every temporary file, leaving all
// inputs and existing outputs untouched. When a later batch fails after an earlier one was
// signed, the remaining files are reported as failed instead (partial result).
// With callbacks.journal: the names of the temporary files are journaled before the first one is
// created (temporary_names_for, Journal::note_temporaries), so that a kill while preparing leaves
// nothing a later run cannot remove; each transaction is journaled before it is sent. An
// interrupted wait (Ctrl-C) cancels the request when the provider can (Provider::can_cancel) and
// removes the prepared files; otherwise, and when polling fails, the request is still open on the
// phone, so the record and the batch's prepared files are kept and the error (Interrupted or
// Remote) says how to `neac sign --resume` it. Without a journal an interrupt always cancels and
// cleans up.
BatchResult sign_batch(const std::vector<FileJob>& jobs, const SignOptions& options,
                       providers::Provider& provider, const BatchCallbacks& callbacks);

// Polls `txn` until it is no longer pending: reports through callbacks.submitted (once, after
// the first pending answer) and callbacks.waiting (each poll), applies PollResult::new_state to
// txn.state (calling `on_state` first, e.g. to journal it), and gives up with Expired once
// txn.expires has passed. Throws Error(Interrupted) when callbacks.interrupted is set, without
// cancelling anything: the caller decides (see Provider::can_cancel).
providers::PollResult wait_for_approval(providers::Provider& provider, providers::Transaction& txn,
                                        std::size_t documents, const std::string& message,
                                        const BatchCallbacks& callbacks,
                                        const std::function<void(const nlohmann::json&)>& on_state);

// "D:YYYYMMDDHHmmSS+HH'mm'" in local time.
std::string pdf_date(std::chrono::system_clock::time_point t);

} // namespace neac::sign
