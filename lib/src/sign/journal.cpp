#include "neac/sign/journal.hpp"

#include "neac/util/error.hpp"
#include "neac/util/paths.hpp"
#include "util/fd.hpp"
#include "util/sqlite.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

namespace neac::sign {

namespace fs = std::filesystem;

namespace {

constexpr int kSchemaVersion = 1;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t to_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

using sqlite::Statement;

const char* const kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT '',
    account TEXT NOT NULL DEFAULT '',
    provider_config TEXT NOT NULL,
    txn_id TEXT,
    message TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    algorithm TEXT NOT NULL,
    certificate TEXT NOT NULL,
    chain TEXT NOT NULL,
    signer TEXT NOT NULL DEFAULT '',
    signer_serial TEXT NOT NULL DEFAULT '',
    tsa_url TEXT NOT NULL DEFAULT '',
    tsa_ca_bundle TEXT NOT NULL DEFAULT '',
    provider_state TEXT,
    signatures TEXT,
    created_ms INTEGER NOT NULL,
    submitted_ms INTEGER,
    expires_ms INTEGER,
    decided_ms INTEGER,
    finished_ms INTEGER,
    owner_pid INTEGER
);
CREATE TABLE IF NOT EXISTS files(
    txn INTEGER NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    digest_algorithm TEXT NOT NULL,
    document_digest TEXT NOT NULL,
    to_be_signed TEXT NOT NULL,
    prepared TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'pending',
    detail TEXT NOT NULL DEFAULT '',
    finished_ms INTEGER,
    PRIMARY KEY(txn, position)
);
CREATE INDEX IF NOT EXISTS files_input_sha256 ON files(input_sha256);
CREATE INDEX IF NOT EXISTS transactions_state ON transactions(state);
CREATE INDEX IF NOT EXISTS transactions_txn_id ON transactions(txn_id);
)SQL";

crypto::SignatureScheme parse_scheme(const std::string& name) {
    for (auto s : {crypto::SignatureScheme::RsaPkcs1v15, crypto::SignatureScheme::RsaPss,
                   crypto::SignatureScheme::Ecdsa, crypto::SignatureScheme::Ed25519})
        if (name == crypto::scheme_name(s))
            return s;
    throw Error(ErrorKind::BadInput, "unknown signature scheme \"" + name + "\" in the journal");
}

bool process_alive(int pid) {
    if (pid <= 0)
        return false;
    if (::kill(pid, 0) != 0 && errno != EPERM)
        return false;
    // A killed process that nobody reaped yet (a zombie) still answers kill(); it waits on
    // nothing any more.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
        auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z')
            return false;
    }
    return true;
}

// Creates the journal file with mode 0600 (and its private folder) before SQLite opens it: the
// journal names files and certificates.
const fs::path& create_private(const fs::path& file) {
    if (file.has_parent_path() && !fs::exists(file.parent_path()))
        ensure_private_dir(file.parent_path());
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw Error(ErrorKind::BadInput,
                    std::string("cannot open the signing journal: ") + std::strerror(errno))
            .file(file.string());
    ::close(fd);
    return file;
}

sqlite::OpenOptions journal_db_options() {
    sqlite::OpenOptions o;
    o.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX; // the file exists: see create_private
    o.busy_timeout_ms = 10000;
    o.name = "signing journal";
    o.noun = "journal";
    return o;
}

} // namespace

const char* journal_state_name(JournalState state) {
    switch (state) {
    case JournalState::Submitting:
        return "submitting";
    case JournalState::Pending:
        return "pending";
    case JournalState::Approved:
        return "approved";
    case JournalState::Finished:
        return "finished";
    case JournalState::Rejected:
        return "rejected";
    case JournalState::Expired:
        return "expired";
    case JournalState::Failed:
        return "failed";
    case JournalState::Cancelled:
        return "cancelled";
    case JournalState::Abandoned:
        return "abandoned";
    }
    return "failed";
}

JournalState parse_journal_state(const std::string& name) {
    for (auto s : {JournalState::Submitting, JournalState::Pending, JournalState::Approved,
                   JournalState::Finished, JournalState::Rejected, JournalState::Expired,
                   JournalState::Failed, JournalState::Cancelled, JournalState::Abandoned})
        if (name == journal_state_name(s))
            return s;
    throw Error(ErrorKind::BadInput, "unknown journal state \"" + name + "\"");
}

bool is_open(JournalState state) {
    return state == JournalState::Submitting || state == JournalState::Pending ||
           state == JournalState::Approved;
}

nlohmann::json config_to_json(const providers::ProviderConfig& c) {
    return {{"provider", c.provider},
            {"account", c.account},
            {"display_name", c.display_name},
            {"settings", c.settings}};
}

providers::ProviderConfig config_from_json(const nlohmann::json& j) {
    providers::ProviderConfig c;
    c.provider = j.at("provider").get<std::string>();
    c.account = j.value("account", "");
    c.display_name = j.value("display_name", "");
    c.settings = j.value("settings", std::map<std::string, std::string>{});
    return c;
}

struct Journal::Impl {
    // WAL: readers (history) never block the signer. synchronous=FULL: a commit is on disk when
    // record() returns, before the request that reaches the phone is sent.
    explicit Impl(const fs::path& file) : db(create_private(file), journal_db_options()) {}

    sqlite::Database db;

    JournalEntry read_entry(Statement& q) const;
    std::vector<JournalEntry> query(const char* where, const std::string& arg, bool has_arg,
                                    const char* order) const;
};

namespace {

constexpr const char* kSelect =
    "SELECT id, provider, profile, provider_config, txn_id, message, state, detail, algorithm, "
    "certificate, chain, tsa_url, tsa_ca_bundle, provider_state, signatures, created_ms, "
    "submitted_ms, expires_ms, decided_ms, finished_ms, owner_pid FROM transactions ";

} // namespace

JournalEntry Journal::Impl::read_entry(Statement& q) const {
    JournalEntry e;
    try {
        e.id = q.integer(0);
        e.profile = q.text(2);
        e.config = config_from_json(nlohmann::json::parse(q.text(3)));
        e.transaction.id = q.text(4);
        e.transaction.message = q.text(5);
        e.state = parse_journal_state(q.text(6));
        e.detail = q.text(7);
        nlohmann::json alg = nlohmann::json::parse(q.text(8));
        e.algorithm.scheme = parse_scheme(alg.at("scheme").get<std::string>());
        e.algorithm.digest = crypto::parse_digest_algorithm(alg.at("digest").get<std::string>());
        e.certificate.certificate = crypto::Certificate::from_der(base64_decode(q.text(9)));
        for (const auto& c : nlohmann::json::parse(q.text(10)))
            e.certificate.chain.push_back(
                crypto::Certificate::from_der(base64_decode(c.get<std::string>())));
        e.tsa_url = q.text(11);
        e.tsa_ca_bundle = q.text(12);
        std::string state = q.text(13);
        e.transaction.state = state.empty() ? nlohmann::json() : nlohmann::json::parse(state);
        std::string sigs = q.text(14);
        if (!sigs.empty())
            for (const auto& s : nlohmann::json::parse(sigs))
                e.signatures.push_back(base64_decode(s.get<std::string>()));
        e.created_ms = q.integer(15);
        e.transaction.created = from_ms(q.integer(16) ? q.integer(16) : e.created_ms);
        e.submitted_ms = q.integer(16);
        e.transaction.expires = from_ms(q.integer(17));
        e.decided_ms = q.integer(18);
        e.finished_ms = q.integer(19);
        e.owner_pid = static_cast<int>(q.integer(20));
    } catch (const nlohmann::json::exception& ex) {
        throw Error(ErrorKind::BadInput,
                    "damaged journal entry #" + std::to_string(e.id) + ": " + ex.what())
            .file(db.file().string());
    }

    Statement f(db,
                "SELECT position, prepared, outcome, detail, finished_ms FROM files WHERE txn = ? "
                "ORDER BY position");
    f.bind(1, e.id);
    while (f.step()) {
        JournalFile jf;
        jf.position = static_cast<std::size_t>(f.integer(0));
        try {
            jf.prepared = nlohmann::json::parse(f.text(1)).get<PreparedFile>();
        } catch (const nlohmann::json::exception& ex) {
            throw Error(ErrorKind::BadInput,
                        "damaged journal file entry of #" + std::to_string(e.id) + ": " + ex.what())
                .file(db.file().string());
        }
        jf.outcome = f.text(2);
        jf.detail = f.text(3);
        jf.finished_ms = f.integer(4);
        e.files.push_back(std::move(jf));
    }
    return e;
}

std::vector<JournalEntry> Journal::Impl::query(const char* where, const std::string& arg,
                                               bool has_arg, const char* order) const {
    std::string sql = std::string(kSelect) + where + " " + order;
    Statement q(db, sql);
    if (has_arg)
        q.bind(1, arg);
    std::vector<JournalEntry> out;
    while (q.step())
        out.push_back(read_entry(q));
    return out;
}

fs::path Journal::path_for(const fs::path& home) {
    return home / "journal.db";
}

Journal::Journal(const fs::path& file) : impl_(std::make_unique<Impl>(file)) {
    impl_->db.transaction([&] {
        impl_->db.exec(kSchema);
        Statement v(impl_->db, "SELECT value FROM meta WHERE key = 'schema_version'");
        if (v.step()) {
            int version = std::atoi(v.text(0).c_str());
            if (version > kSchemaVersion)
                throw Error(ErrorKind::BadInput,
                            "the signing journal was written by a newer neac (schema " +
                                std::to_string(version) + ")")
                    .file(file.string())
                    .hint("use that neac version, or move the journal aside");
        } else {
            Statement ins(impl_->db, "INSERT INTO meta(key, value) VALUES('schema_version', ?)");
            ins.bind(1, std::to_string(kSchemaVersion)).run();
        }
    });
}

Journal::~Journal() = default;

const fs::path& Journal::file() const noexcept {
    return impl_->db.file();
}

std::int64_t Journal::record(JournalEntry& entry) {
    nlohmann::json chain = nlohmann::json::array();
    for (const auto& c : entry.certificate.chain)
        chain.push_back(base64_encode(c.der()));
    nlohmann::json alg{{"scheme", crypto::scheme_name(entry.algorithm.scheme)},
                       {"digest", crypto::digest_name(entry.algorithm.digest)}};
    entry.created_ms = now_ms();
    entry.owner_pid = static_cast<int>(::getpid());
    entry.state = JournalState::Submitting;
    impl_->db.transaction([&] {
        Statement ins(impl_->db,
                      "INSERT INTO transactions(provider, profile, account, provider_config, "
                      "message, state, algorithm, certificate, chain, signer, signer_serial, "
                      "tsa_url, tsa_ca_bundle, created_ms, owner_pid) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        ins.bind_all(entry.config.provider, entry.profile, entry.config.account,
                     config_to_json(entry.config).dump(), entry.transaction.message,
                     std::string(journal_state_name(entry.state)), alg.dump(),
                     base64_encode(entry.certificate.certificate.der()), chain.dump(),
                     entry.certificate.certificate.common_name(),
                     entry.certificate.certificate.serial_hex(), entry.tsa_url, entry.tsa_ca_bundle,
                     entry.created_ms, static_cast<std::int64_t>(entry.owner_pid))
            .run();
        entry.id = impl_->db.last_insert_id();
        Statement one(impl_->db,
                      "INSERT INTO files(txn, position, input, output, input_sha256, "
                      "digest_algorithm, document_digest, to_be_signed, prepared, outcome) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?)");
        for (const JournalFile& jf : entry.files) {
            const PreparedFile& p = jf.prepared;
            one.reset();
            one.bind_all(entry.id, static_cast<std::int64_t>(jf.position), p.input, p.output,
                         p.input_sha256, std::string(crypto::digest_name(p.digest)),
                         hex_encode(p.document_digest), hex_encode(p.to_be_signed),
                         nlohmann::json(p).dump(), jf.outcome)
                .run();
        }
    });
    spdlog::debug("journal: recorded #{} ({} file(s), {})", entry.id, entry.files.size(),
                  entry.config.provider);
    return entry.id;
}

void Journal::submitted(std::int64_t id, const providers::Transaction& txn) {
    Statement u(impl_->db, "UPDATE transactions SET txn_id = ?, message = ?, state = 'pending', "
                           "provider_state = ?, submitted_ms = ?, expires_ms = ? WHERE id = ?");
    u.bind_all(txn.id, txn.message, txn.state.dump(), to_ms(txn.created), to_ms(txn.expires), id)
        .run();
}

void Journal::update_provider_state(std::int64_t id, const nlohmann::json& state) {
    Statement u(impl_->db, "UPDATE transactions SET provider_state = ? WHERE id = ?");
    u.bind_all(state.dump(), id).run();
}

void Journal::approved(std::int64_t id, const std::vector<Bytes>& signatures) {
    nlohmann::json sigs = nlohmann::json::array();
    for (const Bytes& s : signatures)
        sigs.push_back(base64_encode(s));
    Statement u(impl_->db,
                "UPDATE transactions SET state = 'approved', signatures = ?, decided_ms = ? "
                "WHERE id = ?");
    u.bind_all(sigs.dump(), now_ms(), id).run();
}

void Journal::file_results(std::int64_t id, const std::vector<FileResult>& results) {
    std::int64_t now = now_ms();
    impl_->db.transaction([&] {
        Statement u(impl_->db, "UPDATE files SET outcome = ?, detail = ?, finished_ms = ? "
                               "WHERE txn = ? AND position = ?");
        for (const FileResult& r : results) {
            u.reset();
            u.bind_all(r.outcome, r.detail, now, id, static_cast<std::int64_t>(r.position)).run();
        }
    });
}

void Journal::close(std::int64_t id, JournalState state, const std::string& detail) {
    std::int64_t now = now_ms();
    impl_->db.transaction([&] {
        Statement u(impl_->db,
                    "UPDATE transactions SET state = ?, detail = ?, finished_ms = ?, "
                    "decided_ms = COALESCE(decided_ms, ?), owner_pid = NULL WHERE id = ?");
        u.bind_all(std::string(journal_state_name(state)), detail, now, now, id).run();
        if (state != JournalState::Finished) {
            // Files that were never finished share the transaction's fate.
            Statement f(impl_->db,
                        "UPDATE files SET outcome = 'abandoned', detail = ?, finished_ms = ? "
                        "WHERE txn = ? AND outcome = 'pending'");
            f.bind_all(std::string(journal_state_name(state)) +
                           (detail.empty() ? "" : ": " + detail),
                       now, id)
                .run();
        }
    });
}

void Journal::release(std::int64_t id, const std::string& detail) {
    Statement u(impl_->db, "UPDATE transactions SET owner_pid = NULL, detail = ? WHERE id = ?");
    u.bind_all(detail, id).run();
}

void Journal::claim(std::int64_t id) {
    impl_->db.transaction([&] {
        Statement q(impl_->db, "SELECT owner_pid, txn_id FROM transactions WHERE id = ?");
        q.bind(1, id);
        if (!q.step())
            throw usage_error("no journal entry #" + std::to_string(id));
        int owner = static_cast<int>(q.integer(0));
        if (owner > 0 && owner != ::getpid() && process_alive(owner))
            throw usage_error("transaction " + q.text(1) + " is being handled by process " +
                              std::to_string(owner))
                .hint("wait for that neac to finish, or stop it first");
        Statement u(impl_->db, "UPDATE transactions SET owner_pid = ? WHERE id = ?");
        u.bind_all(static_cast<std::int64_t>(::getpid()), id).run();
    });
}

std::optional<JournalEntry> Journal::load(std::int64_t id) const {
    auto v = impl_->query("WHERE id = ?", std::to_string(id), true, "");
    if (v.empty())
        return std::nullopt;
    return v.front();
}

std::vector<JournalEntry> Journal::open_entries() const {
    return impl_->query("WHERE state IN ('submitting', 'pending', 'approved')", "", false,
                        "ORDER BY id");
}

std::vector<JournalEntry> Journal::find(const std::string& selector) const {
    if (!selector.empty() && selector[0] == '#')
        return impl_->query("WHERE id = ?", selector.substr(1), true, "");
    auto exact = impl_->query("WHERE txn_id = ?", selector, true, "ORDER BY id");
    if (!exact.empty())
        return exact;
    std::string like;
    for (char c : selector) {
        if (c == '%' || c == '_' || c == '\\')
            like += '\\';
        like += c;
    }
    return impl_->query("WHERE txn_id LIKE ? ESCAPE '\\'", like + "%", true, "ORDER BY id");
}

std::vector<JournalEntry> Journal::entries(std::size_t limit) const {
    std::string order = "ORDER BY id DESC";
    if (limit > 0)
        order += " LIMIT " + std::to_string(limit);
    return impl_->query("", "", false, order.c_str());
}

std::vector<JournalEntry> Journal::entries_for_input(const std::string& sha256_hex) const {
    return impl_->query("WHERE id IN (SELECT txn FROM files WHERE input_sha256 = ?)", sha256_hex,
                        true, "ORDER BY id DESC");
}

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
                out.signed_file = SignedFile{f.prepared, 0, !e.tsa_url.empty()};
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
                out.signed_file = SignedFile{f.prepared, 0, !e.tsa_url.empty()};
            } else {
                out.signed_file = finish_file(f.prepared, e.algorithm, signatures[f.position],
                                              e.certificate, options);
            }
            out.ok = true;
            outcomes.push_back({f.position, "signed", ""});
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
        remove_temps(e);
        journal.close(e.id, JournalState::Abandoned, "given up with neac sign --abandon");
    }
    return entries.size();
}

} // namespace neac::sign
