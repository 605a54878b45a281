// The signing journal's rows: recording a transaction and its files, the updates along its
// lifecycle, ownership by a process, and the queries that read entries back.
#include "neac/sign/journal.hpp"

#include "neac/util/error.hpp"
#include "sign/journal_impl.hpp"
#include "util/sqlite.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace neac::sign {

namespace {

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

std::string first_line(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot; "" when
// unknown. With the boot and the PID namespace it tells a process from a later one that reuses
// its pid.
std::string start_time(int pid) {
    std::string line = first_line("/proc/" + std::to_string(pid) + "/stat");
    auto close = line.rfind(')');
    if (close == std::string::npos)
        return "";
    std::istringstream fields(line.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22)
            return field;
    return "";
}

// "<boot id> <PID namespace> <start time>" of a process as this one sees it.
std::string process_identity(int pid) {
    char ns[64] = {0};
    ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
    return first_line("/proc/sys/kernel/random/boot_id") + " " +
           (n > 0 ? std::string(ns, static_cast<std::size_t>(n)) : std::string()) + " " +
           start_time(pid);
}

// Whether the process that noted a temporary file may still be writing it. Unknown parts count
// as "may be": only a process known to be gone lets its files be removed.
bool owner_running(int pid, const std::string& owner) {
    std::istringstream recorded(owner), current(process_identity(pid));
    std::string boot, ns, start, now_boot, now_ns, now_start;
    recorded >> boot >> ns >> start;
    current >> now_boot >> now_ns >> now_start;
    auto differ = [](const std::string& a, const std::string& b) {
        return !a.empty() && !b.empty() && a != b;
    };
    if (differ(boot, now_boot))
        return false; // the machine restarted since
    if (differ(ns, now_ns))
        return true; // another PID namespace: its pids mean nothing here
    if (!process_alive(pid))
        return false;
    return !differ(start, now_start); // a later start: the pid was reused
}

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
        // From here on the transaction's rows name the prepared files: --resume and --abandon
        // finish or remove them, and the sweep leaves them alone.
        Statement handed(impl_->db, "DELETE FROM temporaries WHERE path = ?");
        for (const JournalFile& jf : entry.files) {
            const PreparedFile& p = jf.prepared;
            one.reset();
            one.bind_all(entry.id, static_cast<std::int64_t>(jf.position), p.input, p.output,
                         p.input_sha256, std::string(crypto::digest_name(p.digest)),
                         hex_encode(p.document_digest), hex_encode(p.to_be_signed),
                         nlohmann::json(p).dump(), jf.outcome)
                .run();
            handed.reset();
            handed.bind(1, p.temp).run();
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

void Journal::note_temporaries(const std::vector<std::string>& paths) {
    if (paths.empty())
        return;
    std::int64_t pid = ::getpid();
    std::string owner = process_identity(::getpid());
    std::int64_t now = now_ms();
    impl_->db.transaction([&] {
        Statement ins(impl_->db, "INSERT OR REPLACE INTO temporaries(path, owner_pid, owner, "
                                 "created_ms) VALUES(?,?,?,?)");
        for (const std::string& path : paths) {
            ins.reset();
            ins.bind_all(path, pid, owner, now).run();
        }
    });
}

void Journal::forget_temporaries(const std::vector<std::string>& paths) {
    if (paths.empty())
        return;
    impl_->db.transaction([&] {
        Statement del(impl_->db, "DELETE FROM temporaries WHERE path = ? AND owner_pid = ?");
        for (const std::string& path : paths) {
            del.reset();
            del.bind_all(path, static_cast<std::int64_t>(::getpid())).run();
        }
    });
}

std::vector<std::string> Journal::sweep_temporaries() {
    struct Noted {
        std::string path, owner;
        std::int64_t pid = 0;
    };
    std::vector<Noted> noted;
    {
        Statement q(impl_->db, "SELECT path, owner_pid, owner FROM temporaries");
        while (q.step())
            noted.push_back({q.text(0), q.text(2), q.integer(1)});
    }
    std::vector<std::string> removed;
    std::vector<const Noted*> done; // removed, gone, or not neac's: forgotten
    for (const Noted& n : noted) {
        if (owner_running(static_cast<int>(n.pid), n.owner))
            continue;
        struct stat st {};
        if (::lstat(n.path.c_str(), &st) != 0) {
            if (errno != ENOENT) {
                spdlog::warn("cannot inspect {}, left by neac process {}: {}", n.path, n.pid,
                             std::strerror(errno));
                continue; // still noted: tried again next time
            }
        } else if (S_ISREG(st.st_mode) && is_temporary_name(n.path)) {
            if (::unlink(n.path.c_str()) == 0) {
                removed.push_back(n.path);
            } else if (errno != ENOENT) {
                spdlog::warn("cannot remove {}, left by neac process {}: {}", n.path, n.pid,
                             std::strerror(errno));
                continue;
            }
        } else {
            // Not what neac makes (a link, a folder, another name): forgotten, never removed.
            spdlog::warn("{} is noted as a temporary file of neac process {} but is not one; "
                         "it is left alone",
                         n.path, n.pid);
        }
        done.push_back(&n);
    }
    if (!done.empty())
        impl_->db.transaction([&] {
            Statement del(impl_->db, "DELETE FROM temporaries WHERE path = ? AND owner_pid = ? "
                                     "AND owner = ?");
            for (const Noted* n : done) {
                del.reset();
                del.bind_all(n->path, n->pid, n->owner).run();
            }
        });
    if (!removed.empty())
        spdlog::info("removed {} temporary file(s) of neac runs that stopped while preparing",
                     removed.size());
    return removed;
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

} // namespace neac::sign
