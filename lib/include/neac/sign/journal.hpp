// The signing journal: an SQLite database at <home>/journal.db (mode 0600) that records every
// remote transaction before its request is sent, so that an approval on the phone is never lost
// to a crash, a kill or a network failure, and so that `neac history` can show every attempt.
//
// One row per transaction (provider, provider config without secrets, transaction id and state,
// certificate, algorithm, times, outcome, the signatures once approved) and one row per file
// (input, output, the prepared state of sign::PreparedFile, SHA-256 of the original bytes,
// the ByteRange digest the signed output will carry, per-file outcome).
//
// Matching attempts to files by content: `input_sha256` is the SHA-256 of the input as it was
// when prepared; `document_digest` (with the file's digest algorithm) is the digest over the
// /ByteRange of the signed output, which a verifier recomputes from the output file alone.
//
// Lifecycle of a transaction row:
//   submitting -> pending -> approved -> finished
//              -> failed (the request could not be sent, or the provider failed)
//                 pending -> rejected | expired | failed | cancelled | abandoned
// A row stays `pending` (or `approved`) while its temporary files are kept for --resume.
// Several processes may use the journal at once (WAL, busy timeout); a row is owned by the
// process that waits on it (owner_pid) and --resume refuses a row whose owner is still alive.
//
// Temporary files before a transaction names them: sign_batch records the exact names of the
// files it is about to prepare (table `temporaries`, with the owning process) before the first
// one exists, and record() takes them over from there in the same database transaction. So a run
// killed while preparing leaves only files the journal names, and sweep_temporaries() (run by
// every `neac sign`, --resume and --abandon) removes them once their owner is gone.
#pragma once

#include "neac/providers/provider.hpp"
#include "neac/sign/pipeline.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neac::sign {

enum class JournalState {
    Submitting,
    Pending,
    Approved,
    Finished,
    Rejected,
    Expired,
    Failed,
    Cancelled,
    Abandoned,
};
const char* journal_state_name(JournalState state); // "submitting", ...
JournalState parse_journal_state(const std::string& name);
// True for states that --resume may still finish (submitting, pending, approved).
bool is_open(JournalState state);

struct JournalFile {
    std::size_t position = 0; // index in the transaction's batch (signature order)
    PreparedFile prepared;
    std::string outcome = "pending"; // pending | signed | failed | abandoned
    std::string detail;
    std::int64_t finished_ms = 0;
};

struct JournalEntry {
    std::int64_t id = 0;                // journal row id ("#N")
    std::string profile;                // profile name, informational
    providers::ProviderConfig config;   // home, otp and ask are not stored
    providers::Transaction transaction; // id empty until the provider answered
    crypto::SignatureAlgorithm algorithm;
    providers::SigningCertificate certificate;
    std::string tsa_url, tsa_ca_bundle; // what finish_file needs besides the signature
    JournalState state = JournalState::Submitting;
    std::string detail;
    std::vector<Bytes> signatures; // once approved, in file order
    std::int64_t created_ms = 0, submitted_ms = 0, decided_ms = 0, finished_ms = 0;
    int owner_pid = 0;
    std::vector<JournalFile> files;
};

// ProviderConfig as stored: provider, account, display_name, settings.
nlohmann::json config_to_json(const providers::ProviderConfig& config);
providers::ProviderConfig config_from_json(const nlohmann::json& j);

class Journal {
public:
    static std::filesystem::path path_for(const std::filesystem::path& home);

    // Opens (creating it and its folder if needed) the journal. Error(BadInput) naming the file
    // when it cannot be opened, is not a neac journal, or is from a newer neac.
    explicit Journal(const std::filesystem::path& file);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    const std::filesystem::path& file() const noexcept;

    // Records a transaction about to be submitted (state submitting, owned by this process) with
    // its files; returns the row id (also stored in entry.id). Durable when it returns.
    std::int64_t record(JournalEntry& entry);
    // The provider accepted the request: its transaction (id, expiry, state) and state pending.
    void submitted(std::int64_t id, const providers::Transaction& txn);
    // The provider's transaction state moved on (PollResult::new_state).
    void update_provider_state(std::int64_t id, const nlohmann::json& state);
    // The signer approved: the signatures are kept until every file is finished.
    void approved(std::int64_t id, const std::vector<Bytes>& signatures);
    // Per-file outcomes, written in one database transaction.
    struct FileResult {
        std::size_t position;
        std::string outcome; // signed | failed | abandoned
        std::string detail;
    };
    void file_results(std::int64_t id, const std::vector<FileResult>& results);
    // Final state of the transaction (finished, rejected, expired, failed, cancelled, abandoned);
    // releases ownership.
    void close(std::int64_t id, JournalState state, const std::string& detail);
    // Releases ownership and keeps the state (an interrupted wait; --resume continues it).
    void release(std::int64_t id, const std::string& detail);
    // Takes ownership for this process. Error(Usage) when another live process owns it.
    void claim(std::int64_t id);

    // Records that this process is about to create these temporary files (names from
    // temporary_names_for; none exists yet). Durable when it returns: from then on a kill leaves
    // nothing that sweep_temporaries cannot find. record() forgets the prepared files of the
    // entry it records (the transaction row names them from then on).
    void note_temporaries(const std::vector<std::string>& paths);
    // This process's temporary files that no longer exist (removed, or never created).
    void forget_temporaries(const std::vector<std::string>& paths);
    // Removes the noted temporary files whose process is gone (not running, or running since a
    // later start: the pid was reused, or the machine restarted), and forgets them. Only files
    // that are recorded here, have a name of is_temporary_name's form and are regular files are
    // removed; the temporaries of a running process (also one in another PID namespace, which
    // cannot be told apart from a dead one) are left alone. Returns the paths removed.
    std::vector<std::string> sweep_temporaries();

    std::optional<JournalEntry> load(std::int64_t id) const;
    // Transactions --resume may finish (submitting, pending, approved), oldest first.
    std::vector<JournalEntry> open_entries() const;
    // Entries whose provider transaction id equals or starts with `selector`, or the row "#N".
    std::vector<JournalEntry> find(const std::string& selector) const;
    // Every entry, newest first (at most `limit`; 0 = all), for history.
    std::vector<JournalEntry> entries(std::size_t limit = 0) const;
    // Entries with a file whose original content had this SHA-256 (lower-case hex).
    std::vector<JournalEntry> entries_for_input(const std::string& sha256_hex) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True when `p.output` already holds the finished signature of this preparation (the process
// died between the rename and the journal update): same size as the prepared file, the byte
// ranges hash to p.document_digest, and /Contents is filled.
bool output_is_finished(const PreparedFile& p);

// Builds a provider for a journaled configuration (the caller adds home, otp, ask).
using ProviderFactory =
    std::function<std::unique_ptr<providers::Provider>(providers::ProviderConfig)>;

// `neac sign --resume [SELECTOR]`: finishes journaled transactions without sending a new request
// to the phone. Polls pending ones (waiting as sign_batch does), finishes the files of approved
// ones, and closes rejected/expired ones (removing their temporary files). SELECTOR is a
// transaction id (or a unique prefix), "#N", or "" for every open transaction. Error(Usage) when
// the selector matches nothing open; an empty result when there is nothing to resume.
// Rejected/expired: Error(NotApproved) after recording it; an interrupted wait: Error(Interrupted)
// with the journal and files kept.
BatchResult resume_transactions(Journal& journal, const std::string& selector,
                                const ProviderFactory& make_provider,
                                const BatchCallbacks& callbacks);

// `neac sign --abandon SELECTOR`: gives up open transactions: removes their temporary files and
// records them as abandoned (a later approval on the phone is ignored). Files of an approved
// transaction that were already renamed into place before the process died stay, and are
// recorded as signed. Returns how many transactions.
std::size_t abandon_transactions(Journal& journal, const std::string& selector);

} // namespace neac::sign
