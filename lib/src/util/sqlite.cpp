#include "util/sqlite.hpp"

namespace neac::sqlite {

Database::Database(const std::filesystem::path& file, OpenOptions options)
    : file_(file), options_(std::move(options)) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, options_.flags, nullptr);
    db_.reset(raw); // a failed open still returns a handle to close, unless out of memory
    if (rc != SQLITE_OK)
        throw Error(ErrorKind::BadInput, "cannot open the " + options_.name + ": " +
                                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)))
            .file(file_.string());
    sqlite3_busy_timeout(raw, options_.busy_timeout_ms);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
}

void Database::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db_.get());
        sqlite3_free(err);
        throw Error(ErrorKind::BadInput, options_.noun + ": " + msg).file(file_.string());
    }
}

std::int64_t Database::last_insert_id() const noexcept {
    return sqlite3_last_insert_rowid(db_.get());
}

void Database::fail(const std::string& prefix) const {
    throw Error(ErrorKind::BadInput, prefix + ": " + sqlite3_errmsg(db_.get()))
        .file(file_.string());
}

void Database::rollback() noexcept {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Statement::Statement(const Database& db, const char* sql) : db_(&db) {
    if (sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr) != SQLITE_OK)
        db.fail("cannot prepare a " + db.options().noun + " query");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, const std::string& v) {
    check_bind(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
    check_bind(sqlite3_bind_int64(stmt_, i, v));
    return *this;
}

Statement& Statement::bind_null(int i) {
    check_bind(sqlite3_bind_null(stmt_, i));
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        db_->fail(db_->options().noun + " query failed");
    return false;
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}

std::int64_t Statement::integer(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

void Statement::check_bind(int rc) {
    if (rc != SQLITE_OK)
        db_->fail("cannot bind a " + db_->options().noun + " value");
}

} // namespace neac::sqlite
