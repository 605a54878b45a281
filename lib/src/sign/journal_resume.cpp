// Resuming and abandoning journaled transactions (neac sign --resume, --abandon), and telling
// whether a prepared file was already finished before the process died.
#include "neac/sign/journal.hpp"

#include "neac/util/error.hpp"
#include "util/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace neac::sign {

namespace fs = std::filesystem;

bool output_is_finished(const PreparedFile& p) {
    std::error_code ec;
    std::uint64_t expected = p.byte_range[2] + p.byte_range[3];
    if (!fs::is_regular_file(p.output, ec) || fs::file_size(p.output, ec) != expected || ec)
        return false;
    Fd fd(::open(p.output.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return false;
    crypto::Hasher h(p.digest);
    std::vector<char> buf(1 << 20);
    auto hash_range = [&](std::uint64_t from, std::uint64_t len) {
        while (len > 0) {
            std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), len));
            ssize_t n = ::pread(fd.get(), buf.data(), want, static_cast<off_t>(from));
            if (n <= 0)
                return false;
            h.update(buf.data(), static_cast<std::size_t>(n));
            from += static_cast<std::uint64_t>(n);
            len -= static_cast<std::uint64_t>(n);
        }
        return true;
    };
    if (!hash_range(p.byte_range[0], p.byte_range[1]) ||
        !hash_range(p.byte_range[2], p.byte_range[3]))
        return false;
    if (h.finish() != p.document_digest)
        return false;
    // The placeholder is zero-filled hex until finish_file patches the CMS in.
    char head[8] = {0};
    if (::pread(fd.get(), head, sizeof head, static_cast<off_t>(p.contents_offset + 1)) !=
        static_cast<ssize_t>(sizeof head))
        return false;
    return std::string(head, sizeof head) != "00000000";
}

namespace {

std::vector<JournalEntry> select_open(Journal& journal, const std::string& selector) {
    if (selector.empty())
        return journal.open_entries();
    std::vector<JournalEntry> found = journal.find(selector);
    std::vector<JournalEntry> open;
    for (auto& e : found)
        if (is_open(e.state))
            open.push_back(std::move(e));
    if (open.empty()) {
        if (!found.empty())
            throw usage_error(
                "transaction " + selector + " is already " +
                journal_state_name(found.front().state) +
                (found.front().detail.empty() ? "" : " (" + found.front().detail + ")"))
                .hint("nothing is left to resume for it");
        std::string list;
        for (const auto& e : journal.open_entries())
            list += "\n  #" + std::to_string(e.id) + " " + e.transaction.id + " (" +
                    e.config.provider + ", " + std::to_string(e.files.size()) + " file(s))";
        throw usage_error("no open transaction matches \"" + selector + "\"" +
                          (list.empty() ? "; the journal has none" : "; open ones:" + list));
    }
    std::vector<std::string> ids;
    for (const auto& e : open)
        if (std::find(ids.begin(), ids.end(), e.transaction.id) == ids.end())
            ids.push_back(e.transaction.id);
    if (ids.size() > 1 && selector[0] != '#')
        throw usage_error("\"" + selector + "\" matches several transactions")
            .hint("give more of the id, or #N from the journal");
    return open;
}

// A file an earlier run finished (signed and renamed into place) before it stopped.
SignedFile finished_before(const PreparedFile& prepared, bool timestamped) {
    SignedFile out;
    out.prepared = prepared;
    out.timestamped = timestamped;
    out.level = !prepared.level.empty() ? parse_level(prepared.level)
                : timestamped           ? Level::B_T
                                        : Level::B_B;
    return out;
}

void remove_temps(const JournalEntry& e) {
    for (const auto& f : e.files)
        if (f.outcome == "pending")
            abandon(f.prepared);
}

// Finishes the pending files of an approved entry and closes it.
void finish_entry(Journal& journal, const JournalEntry& e, const std::vector<Bytes>& signatures,
                  BatchResult& result) {
    SignOptions options;
    options.tsa_url = e.tsa_url;
    options.tsa_ca_bundle = e.tsa_ca_bundle;
    std::vector<Journal::FileResult> outcomes;
    for (const JournalFile& f : e.files) {
        FileOutcome out;
        out.job = FileJob{f.prepared.input, f.prepared.output};
        if (f.outcome != "pending") {
            if (f.outcome == "signed") {
                out.ok = true;
                out.signed_file = finished_before(f.prepared, !e.tsa_url.empty());
            } else {
                out.failure = Error(ErrorKind::BadInput, f.detail.empty() ? f.outcome : f.detail)
                                  .file(f.prepared.input);
            }
            result.files.push_back(std::move(out));
            continue;
        }
        try {
            if (f.position >= signatures.size())
                throw remote_error("no signature for this file in the approved transaction");
            std::error_code ec;
            if (!fs::exists(f.prepared.temp, ec) && output_is_finished(f.prepared)) {
                // Renamed into place before the process died: already done.
                out.signed_file = finished_before(f.prepared, !e.tsa_url.empty());
            } else {
                out.signed_file = finish_file(f.prepared, e.algorithm, signatures[f.position],
                                              e.certificate, options);
            }
            const auto& failure = out.signed_file->extension_failure;
            out.ok = !failure;
            if (failure)
                out.failure = *failure;
            outcomes.push_back({f.position, "signed", failure ? failure->what() : ""});
        } catch (const Error& err) {
            abandon(f.prepared);
            out.failure = err;
            outcomes.push_back({f.position, "failed", err.what()});
        }
        result.files.push_back(std::move(out));
    }
    journal.file_results(e.id, outcomes);
    journal.close(e.id, JournalState::Finished, "");
}

} // namespace

BatchResult resume_transactions(Journal& journal, const std::string& selector,
                                const ProviderFactory& make_provider,
                                const BatchCallbacks& callbacks) {
    BatchResult result;
    std::vector<JournalEntry> entries = select_open(journal, selector);
    for (JournalEntry& e : entries) {
        journal.claim(e.id);
        result.provider = e.config.provider;
        result.certificate = e.certificate;
        result.transactions.push_back(e.transaction.id);
        if (e.state == JournalState::Submitting) {
            // The process died between recording and the provider's answer: the id needed to
            // ask about it was never received.
            std::string why = "interrupted before " + e.config.provider +
                              " answered the request; it may have reached the phone, but "
                              "without its id it cannot be finished: sign the files again";
            remove_temps(e);
            journal.close(e.id, JournalState::Failed, why);
            for (const auto& f : e.files) {
                FileOutcome out;
                out.job = FileJob{f.prepared.input, f.prepared.output};
                out.failure = remote_error(why).file(f.prepared.input);
                result.files.push_back(std::move(out));
            }
            continue;
        }
        if (e.state == JournalState::Approved) {
            finish_entry(journal, e, e.signatures, result);
            continue;
        }
        providers::ProviderConfig config = e.config;
        std::unique_ptr<providers::Provider> provider = make_provider(config);
        providers::PollResult poll;
        try {
            poll = wait_for_approval(
                *provider, e.transaction, e.files.size(), e.transaction.message, callbacks,
                [&](const nlohmann::json& state) { journal.update_provider_state(e.id, state); });
        } catch (const Error& err) {
            journal.release(e.id, err.what());
            Error kept(err.kind(), std::string(err.what()) + "; transaction " + e.transaction.id +
                                       " is still open and its files are kept");
            kept.hint("run neac sign --resume " + e.transaction.id +
                      " again later (or give it "
                      "up: neac sign --abandon " +
                      e.transaction.id + ")");
            throw kept;
        }
        using providers::TransactionState;
        if (poll.state == TransactionState::Rejected || poll.state == TransactionState::Expired ||
            poll.state == TransactionState::Failed) {
            remove_temps(e);
            JournalState js = poll.state == TransactionState::Rejected  ? JournalState::Rejected
                              : poll.state == TransactionState::Expired ? JournalState::Expired
                                                                        : JournalState::Failed;
            journal.close(e.id, js, poll.detail);
            std::string what = poll.state == TransactionState::Rejected
                                   ? "the signer rejected the request"
                               : poll.state == TransactionState::Expired
                                   ? "the request expired before it was approved"
                                   : "the provider could not sign";
            Error err(
                poll.state == TransactionState::Failed ? ErrorKind::Remote : ErrorKind::NotApproved,
                what + " (" + e.config.provider + ", transaction " + e.transaction.id +
                    (poll.detail.empty() ? "" : ": " + poll.detail) + "); no file was changed");
            if (entries.size() == 1)
                throw err;
            for (const auto& f : e.files) {
                FileOutcome out;
                out.job = FileJob{f.prepared.input, f.prepared.output};
                out.failure = Error(err).file(f.prepared.input);
                result.files.push_back(std::move(out));
            }
            continue;
        }
        if (poll.signatures.size() != e.files.size()) {
            remove_temps(e);
            std::string why = "the provider returned " + std::to_string(poll.signatures.size()) +
                              " signatures for " + std::to_string(e.files.size()) + " documents";
            journal.close(e.id, JournalState::Failed, why);
            throw remote_error(why + "; no file was changed");
        }
        journal.approved(e.id, poll.signatures);
        finish_entry(journal, e, poll.signatures, result);
    }
    return result;
}

std::size_t abandon_transactions(Journal& journal, const std::string& selector) {
    std::vector<JournalEntry> entries = select_open(journal, selector);
    for (const JournalEntry& e : entries) {
        journal.claim(e.id);
        // An approved batch may have been partly finished before its process died: those
        // outputs are complete and stay; the journal says so instead of "abandoned".
        std::vector<Journal::FileResult> done;
        for (const auto& f : e.files) {
            std::error_code ec;
            if (f.outcome == "pending" && e.state == JournalState::Approved &&
                !fs::exists(f.prepared.temp, ec) && output_is_finished(f.prepared))
                done.push_back({f.position, "signed", "finished before the batch was abandoned"});
        }
        journal.file_results(e.id, done);
        remove_temps(e);
        journal.close(e.id, JournalState::Abandoned, "given up with neac sign --abandon");
    }
    return entries.size();
}

} // namespace neac::sign
