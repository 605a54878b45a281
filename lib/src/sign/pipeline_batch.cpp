// Step 3 of the signing pipeline and batches: finishing a prepared file with the raw signature,
// waiting for the signer's approval, and sign_batch with its journal records.
#include "neac/sign/pipeline.hpp"

#include "neac/sign/journal.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "util/fd.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace neac::sign {
namespace {

crypto::SignatureAlgorithm algorithm_for(const providers::SigningCertificate& cert,
                                         crypto::DigestAlgorithm digest) {
    return crypto::SignatureAlgorithm{crypto::default_scheme_for(cert.certificate), digest};
}

// The names of a run's temporary files, noted in the journal before any of them exists (see
// Journal::note_temporaries) and forgotten when the run ends: by then each was taken over by a
// transaction row (Journal::record) or is gone. One that is still there (an error path that left
// it) stays noted, for the next run to remove once this process has ended.
class NotedTemporaries {
public:
    NotedTemporaries(Journal* journal, std::vector<FileJob>& jobs) : journal_(journal) {
        if (!journal_)
            return;
        for (FileJob& job : jobs) {
            if (job.skip)
                continue;
            TemporaryNames names = temporary_names_for(job.output);
            job.temp = names.prepared;
            job.repair_temp = names.repaired;
            paths_.push_back(job.temp.string());
            paths_.push_back(job.repair_temp.string());
        }
        journal_->note_temporaries(paths_);
    }
    ~NotedTemporaries() {
        if (!journal_)
            return;
        std::vector<std::string> gone;
        for (const std::string& path : paths_) {
            struct stat st {};
            if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT)
                gone.push_back(path);
        }
        forget_paths(gone);
    }
    NotedTemporaries(const NotedTemporaries&) = delete;
    NotedTemporaries& operator=(const NotedTemporaries&) = delete;

    // The files of a job that failed to prepare are gone (or were never ours: a name taken).
    void forget(const FileJob& job) {
        if (journal_)
            forget_paths({job.temp.string(), job.repair_temp.string()});
    }

private:
    void forget_paths(const std::vector<std::string>& paths) noexcept {
        try {
            journal_->forget_temporaries(paths);
        } catch (const std::exception& e) {
            // Harmless: a later run finds them noted, their owner gone and the files absent.
            spdlog::debug("journal: cannot forget temporary names: {}", e.what());
        }
    }

    Journal* journal_ = nullptr;
    std::vector<std::string> paths_;
};

std::string document_list(const std::vector<const PreparedFile*>& files) {
    std::string names;
    for (std::size_t i = 0; i < files.size() && i < 3; ++i)
        names += (i ? ", " : "") + std::filesystem::path(files[i]->input).filename().string();
    if (files.size() > 3)
        names += ", ...";
    return names;
}

} // namespace

namespace {

// B-LT and B-LTA: the validation data and document timestamp appended to the prepared file
// before it is renamed. A failure leaves the file signed at the level it had (the approval is
// spent and must not be wasted) and says how to finish the job later.
void extend_signed(SignedFile& file, const SignOptions& options,
                   const providers::SigningCertificate& cert) {
    const PreparedFile& prepared = file.prepared;
    Level target = parse_level(prepared.level);
    std::shared_ptr<Extender> extender = options.extender;
    if (!extender) { // `sign --resume`: one file at a time, no batch to share answers with
        ExtendOptions eo;
        eo.level = target;
        eo.tsa.url = options.tsa_url;
        eo.tsa.ca_bundle = options.tsa_ca_bundle;
        eo.digest = prepared.digest;
        extender = std::make_shared<Extender>(eo);
    }
    try {
        std::vector<crypto::Certificate> chain = cert.chain;
        chain.push_back(cert.certificate);
        file.extension = extender->extend(prepared.temp, chain);
        file.level = file.extension->level;
        if (file.extension->revoked)
            throw remote_error(file.extension->warnings.front());
        if (file.level < target)
            throw remote_error("validation data is incomplete: " +
                               (file.extension->warnings.empty()
                                    ? std::string("see the warnings")
                                    : file.extension->warnings.front()));
    } catch (const Error& e) {
        file.extension_failure =
            Error(e.kind(), std::string("signed, but only to ") + level_name(file.level) +
                                " (the output is written): " + e.what())
                .file(prepared.output)
                .hint(std::string("when the OCSP/CRL and TSA servers answer, run: neac extend ") +
                      "--level " + level_name(target) + " --in-place " + prepared.output);
    }
}

} // namespace

SignedFile finish_file(const PreparedFile& prepared, const crypto::SignatureAlgorithm& algorithm,
                       const Bytes& raw_signature, const providers::SigningCertificate& cert,
                       const SignOptions& options) {
    if (!crypto::verify_digest_signature(cert.certificate, algorithm, prepared.to_be_signed,
                                         raw_signature))
        throw remote_error("the signature returned by the provider does not verify against the "
                           "signer's certificate; nothing was embedded")
            .file(prepared.input);

    std::optional<Bytes> token;
    if (!options.tsa_url.empty()) {
        crypto::TimestampOptions ts;
        ts.url = options.tsa_url;
        ts.ca_bundle = options.tsa_ca_bundle;
        token = crypto::request_timestamp(ts, prepared.digest, raw_signature).der;
    }
    std::vector<crypto::Certificate> chain = crypto::order_chain(cert.certificate, cert.chain);
    Bytes cms = crypto::build_signed_data(prepared.signed_attributes, algorithm, raw_signature,
                                          chain, token);
    if (cms.size() > prepared.contents_capacity)
        throw input_error("the signature (" + std::to_string(cms.size()) +
                          " bytes) does not fit the /Contents placeholder (" +
                          std::to_string(prepared.contents_capacity) + " bytes)")
            .file(prepared.input)
            .hint("this is a bug in the placeholder estimate; please report it");

    // The input must not have changed since it was prepared (in place, the output is the input).
    std::error_code ec;
    if (std::filesystem::file_size(prepared.input, ec) != prepared.input_size || ec)
        throw input_error("the file changed while waiting for the signature; sign it again")
            .file(prepared.input);

    Fd fd(::open(prepared.temp.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0)
        throw input_error(std::string("the prepared file is gone: ") + std::strerror(errno))
            .file(prepared.temp);
    std::string hex = hex_encode(cms, true);
    const char* p = hex.data();
    std::size_t left = hex.size();
    off_t at = static_cast<off_t>(prepared.contents_offset + 1);
    while (left > 0) {
        ssize_t n = ::pwrite(fd.get(), p, left, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw input_error(std::string("cannot write: ") + std::strerror(errno))
                .file(prepared.temp);
        p += n;
        left -= static_cast<std::size_t>(n);
        at += n;
    }
    ::close(fd.release());

    SignedFile out;
    out.prepared = prepared;
    out.signature_size = cms.size();
    out.timestamped = token.has_value();
    out.level = token ? Level::B_T : Level::B_B;
    if (!prepared.level.empty() && parse_level(prepared.level) >= Level::B_LT)
        extend_signed(out, options, cert);

    // Replacing a file (--in-place, --force) must survive a power cut: flush before the rename.
    // A new output needs no flush: if it is lost, the original still exists.
    bool replacing = std::filesystem::exists(prepared.output, ec);
    if (replacing) {
        Fd sync(::open(prepared.temp.c_str(), O_RDONLY | O_CLOEXEC));
        if (sync.get() < 0 || ::fsync(sync.get()) != 0)
            throw input_error(std::string("cannot flush to disk: ") + std::strerror(errno))
                .file(prepared.temp);
    }
    rename_into_place(prepared.temp, prepared.output, replacing, prepared.may_replace);
    return out;
}

void abandon(const PreparedFile& prepared) {
    if (!prepared.temp.empty())
        ::unlink(prepared.temp.c_str());
}

namespace {

Error not_approved_error(const providers::PollResult& poll, const std::string& provider,
                         const std::string& txn) {
    bool rejected = poll.state == providers::TransactionState::Rejected;
    return Error(ErrorKind::NotApproved,
                 std::string(rejected ? "the signer rejected the request"
                                      : "the request expired before it was approved") +
                     " (" + provider + ", transaction " + txn +
                     (poll.detail.empty() ? "" : ": " + poll.detail) + "); no file was changed");
}

} // namespace

providers::PollResult
wait_for_approval(providers::Provider& provider, providers::Transaction& txn, std::size_t documents,
                  const std::string& message, const BatchCallbacks& callbacks,
                  const std::function<void(const nlohmann::json&)>& on_state) {
    WaitStatus status{provider.id(), txn.id, txn.message.empty() ? message : txn.message,
                      std::chrono::seconds(0), documents};
    auto update_remaining = [&] {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(
            txn.expires - std::chrono::system_clock::now());
        status.remaining = std::max(left, std::chrono::seconds(0));
    };
    update_remaining();
    for (bool first = true;; first = false) {
        providers::PollResult poll = provider.poll(txn);
        if (!poll.new_state.is_null()) {
            if (on_state)
                on_state(poll.new_state);
            txn.state = poll.new_state;
        }
        if (poll.state != providers::TransactionState::Pending)
            return poll;
        if (first && callbacks.submitted)
            callbacks.submitted(status);
        update_remaining();
        if (std::chrono::system_clock::now() > txn.expires) {
            provider.cancel(txn);
            poll.state = providers::TransactionState::Expired;
            poll.detail = "no answer before the request expired";
            return poll;
        }
        if (callbacks.waiting)
            callbacks.waiting(status);
        auto until = std::chrono::steady_clock::now() + callbacks.poll_interval;
        while (std::chrono::steady_clock::now() < until) {
            if (callbacks.interrupted && callbacks.interrupted->load())
                throw Error(ErrorKind::Interrupted, "interrupted while waiting for approval");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

BatchResult sign_batch(const std::vector<FileJob>& jobs, const SignOptions& options,
                       providers::Provider& provider, const BatchCallbacks& callbacks) {
    BatchResult result;
    result.provider = provider.id();
    result.certificate = provider.signing_certificate();
    const providers::SigningCertificate& cert = result.certificate;
    if (!options.expected_account.empty()) {
        crypto::Identity id = cert.certificate.identity();
        if (id.number != options.expected_account)
            throw input_error(
                "the certificate is issued to " +
                (id.empty() ? std::string("no CCCD/CMND") : id.kind + " " + id.number) +
                ", not to the profile's account " + options.expected_account)
                .hint("check the profile's account, or pick the right certificate with "
                      "--serial");
    }
    crypto::SignatureAlgorithm algorithm = algorithm_for(cert, options.digest);
    std::size_t capacity = placeholder_size(cert, !options.tsa_url.empty());

    result.files.resize(jobs.size());
    std::vector<std::optional<PreparedFile>> prepared(jobs.size());
    // A dry run prepares into a folder of its own, so that no output folder is written to.
    std::optional<TemporaryFolder> scratch;
    if (options.dry_run)
        scratch.emplace("neac-dry-run");
    // A journaled run names its temporary files in the journal before the first one exists.
    std::vector<FileJob> named = jobs;
    NotedTemporaries temporaries(
        callbacks.journal && !options.dry_run ? callbacks.journal->journal : nullptr, named);
    auto interrupted = [&] { return callbacks.interrupted && callbacks.interrupted->load(); };
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        result.files[i].job = jobs[i];
        if (interrupted())
            break;
        if (jobs[i].skip) {
            result.files[i].ok = result.files[i].skipped = true;
            continue;
        }
        try {
            FileJob job = named[i];
            if (scratch)
                job.output = scratch->path() / (std::to_string(i) + ".pdf");
            prepared[i] =
                prepare_file(job, options_for(options, jobs[i].overrides), cert, capacity);
            if (scratch)
                prepared[i]->output = jobs[i].output.string();
        } catch (const Error& e) {
            result.files[i].failure = e;
            temporaries.forget(named[i]);
        }
    }
    auto abandon_all = [&] {
        for (auto& p : prepared)
            if (p) {
                abandon(*p);
                p.reset();
            }
    };

    // Ctrl-C while files were being prepared: nothing has reached the phone yet, and nothing will.
    if (interrupted()) {
        abandon_all();
        throw Error(ErrorKind::Interrupted,
                    "interrupted before the request was sent; no file was changed");
    }
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (prepared[i])
            ready.push_back(i);
    if (options.dry_run) {
        for (std::size_t i : ready) {
            result.files[i].ok = true;
            result.files[i].planned = *prepared[i];
        }
        abandon_all();
        return result;
    }

    std::size_t cap = std::max<std::size_t>(1, provider.batch_cap());
    std::size_t finished_chunks = 0;
    try {
        for (std::size_t start = 0; start < ready.size(); start += cap) {
            std::vector<std::size_t> chunk(
                ready.begin() + static_cast<std::ptrdiff_t>(start),
                ready.begin() + static_cast<std::ptrdiff_t>(std::min(ready.size(), start + cap)));
            providers::SignBatch batch;
            batch.algorithm = algorithm;
            std::vector<const PreparedFile*> files;
            for (std::size_t i : chunk) {
                files.push_back(&*prepared[i]);
                batch.items.push_back(providers::SignItem{
                    std::filesystem::path(prepared[i]->input).filename().string(),
                    prepared[i]->to_be_signed});
            }
            batch.message =
                "Ký " + std::to_string(chunk.size()) + " tài liệu: " + document_list(files);
            // The record is durable before the request leaves: a crash from here on never
            // loses an approval (neac sign --resume).
            const JournalLink* link = callbacks.journal;
            Journal* journal = link ? link->journal : nullptr;
            // A closed transaction row no longer names files to clean up: its prepared files
            // are removed before it is closed (a kill in between leaves it open for --resume).
            auto drop_chunk = [&] {
                for (std::size_t i : chunk)
                    if (prepared[i]) {
                        abandon(*prepared[i]);
                        prepared[i].reset();
                    }
            };
            std::int64_t jid = 0;
            if (journal) {
                JournalEntry entry;
                entry.profile = link->profile;
                entry.config = link->config;
                entry.transaction.message = batch.message;
                entry.algorithm = algorithm;
                entry.certificate = cert;
                entry.tsa_url = options.tsa_url;
                entry.tsa_ca_bundle = options.tsa_ca_bundle;
                for (std::size_t k = 0; k < chunk.size(); ++k)
                    entry.files.push_back(JournalFile{k, *prepared[chunk[k]], "pending", "", 0});
                jid = journal->record(entry);
            }
            try {
                providers::Transaction txn;
                try {
                    txn = provider.submit(batch);
                } catch (const Error& e) {
                    drop_chunk();
                    if (journal)
                        journal->close(jid, JournalState::Failed,
                                       std::string("the request could not be sent: ") + e.what());
                    if (e.kind() != ErrorKind::Remote || !e.hint().empty())
                        throw;
                    Error explained = e;
                    explained.hint("no file was changed; if a signing request still appears on "
                                   "the phone, refuse it, then sign again");
                    throw explained;
                }
                if (journal)
                    journal->submitted(jid, txn);
                result.transactions.push_back(txn.id);

                providers::PollResult poll;
                try {
                    poll = wait_for_approval(provider, txn, chunk.size(), batch.message, callbacks,
                                             [&](const nlohmann::json& state) {
                                                 if (journal)
                                                     journal->update_provider_state(jid, state);
                                             });
                } catch (const Error& e) {
                    if (e.kind() == ErrorKind::Interrupted && (provider.can_cancel() || !journal)) {
                        provider.cancel(txn);
                        drop_chunk();
                        if (journal)
                            journal->close(jid, JournalState::Cancelled,
                                           "interrupted; the request was withdrawn");
                        throw Error(ErrorKind::Interrupted,
                                    "interrupted while waiting for approval; the request was "
                                    "withdrawn and no file was changed");
                    }
                    if (!journal)
                        throw;
                    // The request is still open at the CA (no cancel API, or polling failed):
                    // the signer may approve it. Keep the record and this chunk's prepared
                    // files so that --resume finishes without a second request to the phone.
                    journal->release(jid, e.what());
                    for (std::size_t i : chunk)
                        prepared[i].reset();
                    Error kept(e.kind(), std::string(e.kind() == ErrorKind::Interrupted
                                                         ? "interrupted while waiting for approval"
                                                         : e.what()) +
                                             "; the request (" + provider.id() + ", transaction " +
                                             txn.id + ") is still open and its " +
                                             std::to_string(chunk.size()) +
                                             " prepared file(s) are kept; no original was changed");
                    kept.hint("once it is approved on the phone, run: neac sign --resume " +
                              txn.id + "  (to give it up: neac sign --abandon " + txn.id + ")");
                    throw kept;
                }

                using providers::TransactionState;
                auto fail = [&](JournalState state, const Error& err) {
                    drop_chunk();
                    if (journal)
                        journal->close(jid, state, err.what());
                    throw err;
                };
                if (poll.state == TransactionState::Rejected ||
                    poll.state == TransactionState::Expired)
                    fail(poll.state == TransactionState::Rejected ? JournalState::Rejected
                                                                  : JournalState::Expired,
                         not_approved_error(poll, provider.id(), txn.id));
                if (poll.state == TransactionState::Failed)
                    fail(JournalState::Failed,
                         remote_error("the provider could not sign (" + provider.id() +
                                      ", transaction " + txn.id + "): " + poll.detail +
                                      "; no file was changed"));
                if (poll.signatures.size() != chunk.size())
                    fail(JournalState::Failed,
                         remote_error("the provider returned " +
                                      std::to_string(poll.signatures.size()) + " signatures for " +
                                      std::to_string(chunk.size()) +
                                      " documents; no file was changed"));
                if (journal)
                    journal->approved(jid, poll.signatures);

                std::vector<Journal::FileResult> outcomes;
                for (std::size_t k = 0; k < chunk.size(); ++k) {
                    std::size_t i = chunk[k];
                    try {
                        result.files[i].signed_file =
                            finish_file(*prepared[i], algorithm, poll.signatures[k], cert, options);
                        // Written either way; a failed extension still fails the file.
                        const auto& failure = result.files[i].signed_file->extension_failure;
                        result.files[i].ok = !failure;
                        if (failure)
                            result.files[i].failure = *failure;
                        outcomes.push_back({k, "signed", failure ? failure->what() : ""});
                    } catch (const Error& e) {
                        abandon(*prepared[i]);
                        result.files[i].failure = e;
                        outcomes.push_back({k, "failed", e.what()});
                    }
                    prepared[i].reset();
                }
                if (journal) {
                    journal->file_results(jid, outcomes);
                    journal->close(jid, JournalState::Finished, "");
                }
                ++finished_chunks;
            } catch (const Error& e) {
                // Once an earlier batch was signed its files are done: report this and the
                // remaining files as failed (exit 7, partial) instead of hiding what succeeded.
                if (finished_chunks == 0 || e.kind() == ErrorKind::Interrupted)
                    throw;
                for (std::size_t r = start; r < ready.size(); ++r) {
                    std::size_t i = ready[r];
                    if (!result.files[i].ok && !result.files[i].failure)
                        result.files[i].failure = e;
                }
                abandon_all();
                break;
            }
        }
    } catch (...) {
        abandon_all();
        throw;
    }
    return result;
}

} // namespace neac::sign
