// The signing journal's schema and opening: state names, the stored provider configuration,
// creating the private database file and checking its schema version.
#include "neac/sign/journal.hpp"

#include "neac/util/error.hpp"
#include "neac/util/paths.hpp"
#include "sign/journal_impl.hpp"
#include "util/sqlite.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace neac::sign {

namespace fs = std::filesystem;

namespace {

// Bumped only for a change an older neac would misread. Additions it can ignore keep the number,
// so that both versions keep using the same journal: the `temporaries` table (temporary files
// noted before a transaction names them) is one, made by CREATE TABLE IF NOT EXISTS when a newer
// neac opens an older journal.
constexpr int kSchemaVersion = 1;

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
CREATE TABLE IF NOT EXISTS temporaries(
    path TEXT PRIMARY KEY,
    owner_pid INTEGER NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_input_sha256 ON files(input_sha256);
CREATE INDEX IF NOT EXISTS transactions_state ON transactions(state);
CREATE INDEX IF NOT EXISTS transactions_txn_id ON transactions(txn_id);
)SQL";

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

Journal::Impl::Impl(const fs::path& file) : db(create_private(file), journal_db_options()) {}

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

} // namespace neac::sign
