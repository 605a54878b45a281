// A thin RAII layer over SQLite for the library's own databases (the signing journal) and the
// test portal: one owned connection, prepared statements that finalize themselves, and every
// failure thrown as Error(BadInput) naming the file. Internal to neac (lib/src is a private
// include folder; the test simulators add it too).
#pragma once

#include "neac/util/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace neac::sqlite {

struct OpenOptions {
    // sqlite3_open_v2 flags. The default creates a missing file; pass READWRITE alone for a file
    // the caller created itself (e.g. with restrictive permissions).
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    // How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    int busy_timeout_ms = 5000;
    // How messages name the database: "cannot open the <name>: ..." when opening, and with
    // <noun> afterwards: "cannot prepare a <noun> query: ...", "<noun> query failed: ...",
    // "cannot bind a <noun> value: ...", "<noun>: ..." (a failed exec). Each message ends with
    // SQLite's own explanation.
    std::string name = "database";
    std::string noun = "database";
};

// One open connection, in WAL mode with synchronous=FULL (a committed transaction is on disk
// when commit returns; readers do not block the writer) and foreign keys enforced.
class Database {
public:
    // Opens `file` and applies the pragmas above. Throws Error(BadInput) naming the file when it
    // cannot be opened or is not a database.
    Database(const std::filesystem::path& file, OpenOptions options = {});

    sqlite3* handle() const noexcept { return db_.get(); }
    const std::filesystem::path& file() const noexcept { return file_; }
    const OpenOptions& options() const noexcept { return options_; }

    // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
    void exec(const char* sql);
    // The rowid of the last row this connection inserted.
    std::int64_t last_insert_id() const noexcept;

    // BEGIN IMMEDIATE ... COMMIT around `body`, rolled back if it throws (and rethrown).
    template <class F> void transaction(F&& body) {
        exec("BEGIN IMMEDIATE");
        try {
            body();
            exec("COMMIT");
        } catch (...) {
            rollback();
            throw;
        }
    }

    // Error(BadInput) "<prefix>: <SQLite's last message>", naming the file.
    [[noreturn]] void fail(const std::string& prefix) const;

private:
    struct Closer {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    void rollback() noexcept;

    std::unique_ptr<sqlite3, Closer> db_;
    std::filesystem::path file_;
    OpenOptions options_;
};

// One prepared statement, finalized when it goes out of scope. Parameters are numbered from 1,
// columns from 0. The database must outlive it.
class Statement {
public:
    Statement(const Database& db, const char* sql);
    Statement(const Database& db, const std::string& sql) : Statement(db, sql.c_str()) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, const std::string& v);
    Statement& bind(int i, std::int64_t v);
    Statement& bind_null(int i);
    // Binds the values to parameters 1, 2, ... in order.
    template <class... T> Statement& bind_all(const T&... values) {
        int i = 0;
        (bind(++i, values), ...);
        return *this;
    }

    // True while there is a row; false when done. Throws on failure.
    bool step();
    // Steps to the end (for statements without results).
    void run();
    // Ready to run again with new values.
    void reset();

    // A text column ("" for NULL).
    std::string text(int col) const;
    // An integer column (0 for NULL).
    std::int64_t integer(int col) const;
    // Reads columns 0, 1, ... of the current row into `out...` in order (strings with text(),
    // integers with integer(), bools as integer() != 0).
    template <class... T> void columns(T&... out) const {
        int i = 0;
        (read(i++, out), ...);
    }

private:
    void read(int col, std::string& out) const { out = text(col); }
    void read(int col, std::int64_t& out) const { out = integer(col); }
    void read(int col, bool& out) const { out = integer(col) != 0; }
    void check_bind(int rc);

    const Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

} // namespace neac::sqlite
