// Private to the signing journal (journal.cpp, journal_records.cpp): the state behind Journal,
// one SQLite connection. The contract: constructing it creates the journal file with mode 0600
// before SQLite opens it, and transaction rows are read back only through read_entry and query.
#pragma once

#include "neac/sign/journal.hpp"
#include "util/sqlite.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace neac::sign {

struct Journal::Impl {
    // WAL: readers (history) never block the signer. synchronous=FULL: a commit is on disk when
    // record() returns, before the request that reaches the phone is sent.
    explicit Impl(const std::filesystem::path& file);

    sqlite::Database db;

    // The entry of one transaction row (selected with kSelect's columns), with its files.
    JournalEntry read_entry(sqlite::Statement& q) const;
    // The rows matching `where` (with `arg` bound as its one parameter when has_arg), in `order`.
    std::vector<JournalEntry> query(const char* where, const std::string& arg, bool has_arg,
                                    const char* order) const;
};

} // namespace neac::sign
