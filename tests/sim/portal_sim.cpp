// portal_sim: a provincial public-service portal ("Cổng Dịch vụ công") on loopback that speaks
// neac's portal API v1 (docs/portal-api.yaml) for the tests of `neac submit` and `neac history`.
// State lives in SQLite and uploaded bytes in files, so the simulator survives a restart (or a
// crash it injects itself) on the same --db/--store: a dossier is found again by its idempotency
// key and an upload continues at the received byte count. Completed PDF components are verified
// with neac's own library and the results serve the officials' "Xem lịch sử ký số" view.
//
//   portal_sim --db FILE.sqlite --store DIR [--port 0] [options]
//
// Prints "listening on http://127.0.0.1:PORT" on stdout once ready (nothing else goes to stdout);
// logs one line per request to stderr (never the token).
//
// API (every call needs "Authorization: Bearer TOKEN", else 401), base /neac/v1:
//   GET   /info                                  what the portal accepts
//   POST  /dossiers                              create (Idempotency-Key: 64 lower-case hex)
//   GET   /dossiers/{id}/components/{code}/upload   upload state
//   PATCH /dossiers/{id}/components/{code}/upload   append a chunk (Upload-Offset: n)
//   POST  /dossiers/{id}/submit                  submit: mã hồ sơ and biên nhận
//   GET   /dossiers/{id_or_code}                 the dossier document
//   GET   /dossiers/{id_or_code}/history         the signing-history view
// Control (tests only, no token):
//   GET  /_sim/stats          {"dossiers","submitted","create_requests","upload_requests",
//                              "bytes_received","submit_requests","requests":{route:n},"faults"}
//                             (request counters count since this process started)
//   POST /_sim/fault?spec=SPEC   add a fault (see --fault); POST /_sim/clear-faults
//
// Options:
//   --db FILE            SQLite database (created if missing)
//   --store DIR          folder for the uploaded bytes (created if missing)
//   --port N             0 (default) = any free port
//   --token TOKEN        the bearer token the portal accepts (default sim-portal-token-Zm9v)
//   --trust PEM          trust anchor for verifying uploaded PDFs (repeatable; file or folder)
//   --max-bytes N        largest component accepted (default 20971520)
//   --chunk-bytes N      largest upload chunk accepted (default 4194304)
//   --office TEXT        the receiving office named on receipts
//   --name TEXT          the portal's name in /info
//   --code-prefix TEXT   dossier codes are PREFIX-YYMMDD-NNNN (default H40.22)
//   --fault SPEC         repeatable; SPEC is one of
//                          crash-upload@BYTES   during an upload, once the component holds BYTES
//                                               (stored durably), exit with code 3, no answer
//                          drop-upload@BYTES    the same, but close the connection (once) and
//                                               keep running
//                          500@ROUTE[*COUNT]    answer 500 (JSON error) COUNT times (default: all)
//                          503@ROUTE[*COUNT]    answer 503 (text/plain, like a reverse proxy)
//                        ROUTE = info|create|upload-state|upload|submit|status|history|any
//                        ("upload" is the PATCH; "upload-state" the GET of the same resource)
//   --tls-cert PEM --tls-key PEM   serve HTTPS ("listening on https://127.0.0.1:PORT")
//
// Links with neaccore (SHA-256, random ids, PDF signature verification, its SQLite wrapper).
#include "sim_common.hpp"

#include "neac/crypto/chain.hpp"
#include "neac/crypto/digest.hpp"
#include "neac/crypto/random.hpp"
#include "neac/util/bytes.hpp"
#include "neac/verify/report.hpp"
#include "neac/verify/verify.hpp"
#include "util/fd.hpp"
#include "util/sqlite.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using neac::Fd;
using neac::sqlite::Statement;
using sim_common::die;

constexpr const char* kBase = "/neac/v1";
constexpr const char* kPdf = "application/pdf";

std::string dump(const json& j) {
    // Strings come from parsed (so valid UTF-8) JSON or from our own code; replace is a guard.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// --- time -------------------------------------------------------------------------------------

std::tm utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

std::string format_tm(const std::tm& tm, const char* fmt) {
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
    return std::string(buf, n);
}

std::string iso_now() {
    return format_tm(utc_now(), "%Y-%m-%dT%H:%M:%SZ");
}

// The date `days` working days (Monday to Friday) after `from`: the legal processing time of a
// procedure is counted in working days.
std::string add_working_days(std::tm from, int days) {
    std::time_t t = timegm(&from);
    while (days > 0) {
        t += 86400;
        std::tm d{};
        gmtime_r(&t, &d);
        if (d.tm_wday != 0 && d.tm_wday != 6)
            --days;
    }
    std::tm out{};
    gmtime_r(&t, &out);
    return format_tm(out, "%Y-%m-%d");
}

// --- SQLite -----------------------------------------------------------------------------------

const char* const kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS dossiers(
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    code TEXT UNIQUE,
    receipt TEXT,
    created_at TEXT NOT NULL,
    submitted_at TEXT
);
CREATE TABLE IF NOT EXISTS components(
    dossier TEXT NOT NULL REFERENCES dossiers(id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    signature_required INTEGER NOT NULL,
    expected_signer TEXT NOT NULL DEFAULT '',
    received_bytes INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    uploaded_at TEXT,
    verdict TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    PRIMARY KEY(dossier, code)
);
CREATE TABLE IF NOT EXISTS signatures(
    dossier TEXT NOT NULL,
    component TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    identity_kind TEXT NOT NULL,
    identity_number TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    claimed_time TEXT NOT NULL,
    timestamp_time TEXT NOT NULL,
    verdict TEXT NOT NULL,
    detail TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY(dossier, component, idx),
    FOREIGN KEY(dossier, component) REFERENCES components(dossier, code)
);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
)SQL";

// The portal's database: created if missing, with the schema in place. WAL with
// synchronous=FULL: a committed row is on disk before the answer goes out. SQLite failures throw
// neac::Error: the HTTP layer turns them into a 500 answer.
neac::sqlite::Database open_database(const std::string& file) {
    neac::sqlite::OpenOptions o;
    o.name = "portal database " + file;
    o.noun = "portal database";
    neac::sqlite::Database db(file, o);
    db.exec(kSchema);
    return db;
}

// Increments counter `name` and returns the new value (inside the caller's transaction).
std::int64_t next_counter(const neac::sqlite::Database& db, const std::string& name) {
    Statement(db, "INSERT INTO counters(name, value) VALUES(?1, 1) "
                  "ON CONFLICT(name) DO UPDATE SET value = value + 1")
        .bind(1, name)
        .run();
    Statement q(db, "SELECT value FROM counters WHERE name = ?1");
    q.bind(1, name);
    q.step();
    return q.integer(0);
}

// --- files ------------------------------------------------------------------------------------

[[noreturn]] void io_fail(const std::string& what, const fs::path& p) {
    throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

void fsync_dir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0)
        io_fail("cannot sync the folder", dir);
}

// Makes `file` hold its first `keep` bytes followed by `data`, on disk (fsync) before returning.
// Truncating first drops whatever a crash left past the committed offset.
void write_at(const fs::path& file, std::int64_t keep, const char* data, std::size_t size) {
    bool existed = fs::exists(file);
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0)
        io_fail("cannot open", file);
    if (::ftruncate(fd.get(), keep) != 0)
        io_fail("cannot truncate", file);
    std::size_t done = 0;
    while (done < size) {
        ssize_t n = ::pwrite(fd.get(), data + done, size - done,
                             static_cast<off_t>(keep) + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            io_fail("cannot write", file);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0)
        io_fail("cannot sync", file);
    if (!existed)
        fsync_dir(file.parent_path());
}

std::string sha256_file(const fs::path& file) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        io_fail("cannot open", file);
    neac::crypto::Hasher h(neac::crypto::DigestAlgorithm::Sha256);
    std::vector<char> buf(1 << 16);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            io_fail("cannot read", file);
        if (n == 0)
            break;
        h.update(buf.data(), static_cast<std::size_t>(n));
    }
    return neac::hex_encode(h.finish());
}

// --- faults -----------------------------------------------------------------------------------

struct Fault {
    std::string spec;
    std::string kind;          // 500, 503, crash-upload, drop-upload
    std::string route = "any"; // for 500/503
    std::int64_t bytes = 0;    // for crash-upload/drop-upload
    int left = -1;             // -1 = unlimited
};

bool is_route(const std::string& r) {
    for (const char* k :
         {"info", "create", "upload-state", "upload", "submit", "status", "history", "any"})
        if (r == k)
            return true;
    return false;
}

bool all_digits(const std::string& s, std::size_t max_len = 18) {
    if (s.empty() || s.size() > max_len)
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// nullopt (with `error` set) for a malformed spec: the control endpoint answers 400, the command
// line stops.
std::optional<Fault> parse_fault(const std::string& spec, std::string& error) {
    Fault f;
    f.spec = spec;
    std::string s = spec;
    auto at = s.find('@');
    std::string kind = s.substr(0, at);
    std::string arg = at == std::string::npos ? "" : s.substr(at + 1);
    if (kind == "crash-upload" || kind == "drop-upload") {
        if (!all_digits(arg)) {
            error = kind + " needs @BYTES (a byte count)";
            return std::nullopt;
        }
        f.kind = kind;
        f.bytes = std::stoll(arg);
        f.left = 1;
        return f;
    }
    if (kind == "500" || kind == "503") {
        if (auto star = arg.find('*'); star != std::string::npos) {
            std::string count = arg.substr(star + 1);
            if (!all_digits(count, 9)) {
                error = "*COUNT must be a number";
                return std::nullopt;
            }
            f.left = std::stoi(count);
            arg = arg.substr(0, star);
        }
        if (at != std::string::npos)
            f.route = arg;
        if (!is_route(f.route)) {
            error = "unknown route \"" + f.route +
                    "\" (info|create|upload-state|upload|submit|status|history|any)";
            return std::nullopt;
        }
        f.kind = kind;
        return f;
    }
    error = "unknown fault \"" + spec +
            "\" (crash-upload@BYTES, drop-upload@BYTES, 500@ROUTE[*COUNT], 503@ROUTE[*COUNT])";
    return std::nullopt;
}

// --- options ----------------------------------------------------------------------------------

struct Options {
    sim_common::ServerOptions server;
    std::string db, store;
    std::string token = "sim-portal-token-Zm9v";
    std::vector<fs::path> trust;
    std::int64_t max_bytes = 20971520;
    std::int64_t chunk_bytes = 4194304;
    std::string office = "Bộ phận Tiếp nhận và Trả kết quả - Sở Tư pháp tỉnh Điện Biên";
    std::string name = "Cổng Dịch vụ công tỉnh Điện Biên (simulator)";
    std::string code_prefix = "H40.22";
    std::vector<Fault> faults;
};

std::int64_t positive(const std::string& flag, const std::string& v) {
    if (!all_digits(v) || std::stoll(v) <= 0)
        die(flag + " needs a positive number, not \"" + v + "\"");
    return std::stoll(v);
}

Options parse(int argc, char** argv) {
    Options o;
    sim_common::OptionParser options;
    sim_common::add_server_options(options, o.server);
    // Stricter than the shared --port: a port number, nothing else.
    options
        .value("--port",
               [&o](const std::string& v) {
                   if (!all_digits(v, 5) || std::stoi(v) > 65535)
                       die("--port needs a port number");
                   o.server.port = std::stoi(v);
               })
        .text("--db", o.db)
        .text("--store", o.store)
        .text("--token", o.token)
        .value("--trust", [&o](const std::string& v) { o.trust.push_back(v); })
        .value("--max-bytes",
               [&o](const std::string& v) { o.max_bytes = positive("--max-bytes", v); })
        .value("--chunk-bytes",
               [&o](const std::string& v) { o.chunk_bytes = positive("--chunk-bytes", v); })
        .text("--office", o.office)
        .text("--name", o.name)
        .text("--code-prefix", o.code_prefix)
        .value("--fault",
               [&o](const std::string& v) {
                   std::string error;
                   auto f = parse_fault(v, error);
                   if (!f)
                       die("--fault: " + error);
                   o.faults.push_back(*f);
               })
        .parse(argc, argv);
    if (o.db.empty() || o.store.empty())
        die("usage: portal_sim --db FILE.sqlite --store DIR [--port N] [--token T] [--trust PEM]..."
            " [--max-bytes N] [--chunk-bytes N] [--fault SPEC]... [--office TEXT]");
    if (o.token.empty())
        die("--token must not be empty");
    if (!std::regex_match(o.code_prefix, std::regex(R"([A-Za-z0-9.]{1,20})")))
        die("--code-prefix: letters, digits and dots only");
    return o;
}

// --- the API model ----------------------------------------------------------------------------

// A refusal: the handler answers `status` with {"error": code, "message": message, ...extra}.
struct ApiError {
    int status;
    std::string code;
    std::string message;
    json extra = json::object();
};

struct ComponentRow {
    std::string dossier;
    std::int64_t position = 0;
    std::string code, title, file_name;
    std::int64_t size = 0;
    std::string sha256, media_type;
    bool signature_required = false;
    std::string expected_signer;
    std::int64_t received = 0;
    bool complete = false;
    std::string uploaded_at, verdict, summary;
};

struct DossierRow {
    std::string id, key, request_hash, procedure_code, status, code, receipt, created_at,
        submitted_at;
};

// What a PATCH did, for the HTTP layer: the answer, and whether a fault takes the process or the
// connection down instead of answering.
struct UploadOutcome {
    int status = 200;
    json body;
    std::string fault; // "", "crash-upload", "drop-upload"
};

const std::map<std::string, std::string>& accepted_media_types() {
    static const std::map<std::string, std::string> m = {
        {"application/pdf", "pdf"},
        {"application/msword", "doc"},
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    };
    return m;
}

bool has_control(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

[[noreturn]] void invalid(const std::string& message) {
    throw ApiError{422, "invalid_dossier", message};
}

// A string member: "" when absent and not required; 422 when present with another type.
std::string member(const json& o, const char* key, const std::string& where, bool required,
                   std::size_t max_len = 1000) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        if (required)
            invalid(where + key + " is required");
        return "";
    }
    if (!it->is_string())
        invalid(where + key + " must be a string");
    std::string v = it->get<std::string>();
    if (required && v.empty())
        invalid(where + key + " must not be empty");
    if (v.size() > max_len)
        invalid(where + key + " is longer than " + std::to_string(max_len) + " bytes");
    if (has_control(v))
        invalid(where + key + " contains control characters");
    return v;
}

bool lower_hex64(const std::string& s) {
    if (s.size() != 64)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

bool valid_code(const std::string& c) {
    static const std::regex re(R"([A-Za-z0-9._-]{1,32})");
    return std::regex_match(c, re);
}

// Checks a create request (422 invalid_dossier naming the field) and returns its components.
std::vector<ComponentRow> validate_request(const json& body, std::int64_t max_bytes,
                                           std::string& procedure_code) {
    if (!body.is_object())
        invalid("the request must be a JSON object");
    procedure_code = member(body, "procedure_code", "", true, 64);
    if (!std::regex_match(procedure_code, std::regex(R"([A-Za-z0-9._-]{1,64})")))
        invalid("procedure_code (mã thủ tục) must be letters, digits, '.', '_' or '-'");

    auto ap = body.find("applicant");
    if (ap == body.end() || !ap->is_object())
        invalid("applicant is required (an object)");
    member(*ap, "name", "applicant.", true, 200);
    std::string kind = member(*ap, "id_kind", "applicant.", true, 8);
    std::string number = member(*ap, "id_number", "applicant.", true, 20);
    if (kind == "CCCD") {
        if (!std::regex_match(number, std::regex(R"(\d{12})")))
            invalid("applicant.id_number: a CCCD number has 12 digits");
    } else if (kind == "CMND") {
        if (!std::regex_match(number, std::regex(R"(\d{9}|\d{12})")))
            invalid("applicant.id_number: a CMND number has 9 or 12 digits");
    } else if (kind == "MST") {
        if (!std::regex_match(number, std::regex(R"(\d{10}(-\d{3})?)")))
            invalid("applicant.id_number: a tax code (MST) has 10 digits, or 10-3");
    } else if (kind == "HC") {
        if (!std::regex_match(number, std::regex(R"([A-Z0-9]{6,12})")))
            invalid("applicant.id_number: a passport number has 6 to 12 letters or digits");
    } else {
        invalid("applicant.id_kind must be CCCD, CMND, MST or HC, not \"" + kind + "\"");
    }
    std::string phone = member(*ap, "phone", "applicant.", false, 20);
    if (!phone.empty() && !std::regex_match(phone, std::regex(R"(\+?\d{8,15})")))
        invalid("applicant.phone must be a phone number (E.164, e.g. +84912345678)");
    member(*ap, "address", "applicant.", false, 500);

    if (auto form = body.find("form"); form != body.end() && !form->is_object())
        invalid("form must be a JSON object");

    auto comps = body.find("components");
    if (comps == body.end() || !comps->is_array())
        invalid("components is required (an array)");
    if (comps->empty())
        invalid("a dossier needs at least one component (thành phần hồ sơ)");
    if (comps->size() > 100)
        invalid("at most 100 components");
    std::vector<ComponentRow> out;
    std::int64_t position = 0;
    for (const json& c : *comps) {
        std::string where = "components[" + std::to_string(position) + "].";
        if (!c.is_object())
            invalid(where.substr(0, where.size() - 1) + " must be an object");
        ComponentRow r;
        r.position = position++;
        r.code = member(c, "code", where, true, 32);
        if (!valid_code(r.code))
            invalid(where + "code must be 1-32 characters of A-Z a-z 0-9 . _ -");
        for (const ComponentRow& seen : out)
            if (seen.code == r.code)
                invalid("duplicate component code " + r.code);
        where = "component " + r.code + ": ";
        r.title = member(c, "title", where, true, 500);
        r.file_name = member(c, "file_name", where, true, 255);
        if (r.file_name.find('/') != std::string::npos ||
            r.file_name.find('\\') != std::string::npos ||
            r.file_name.find("..") != std::string::npos || r.file_name == ".")
            invalid(where + "file_name must be a plain file name (no '/', '\\' or '..')");
        auto size = c.find("size");
        if (size == c.end() || !size->is_number_integer())
            invalid(where + "size is required (an integer byte count)");
        if (size->is_number_unsigned()) {
            if (size->get<std::uint64_t>() > static_cast<std::uint64_t>(max_bytes))
                invalid(where + "size " + size->dump() + " is over the portal's limit of " +
                        std::to_string(max_bytes) + " bytes");
            r.size = static_cast<std::int64_t>(size->get<std::uint64_t>());
        } else {
            r.size = size->get<std::int64_t>();
        }
        if (r.size <= 0)
            invalid(where + "size must be positive");
        r.sha256 = member(c, "sha256", where, true, 64);
        for (char& ch : r.sha256)
            if (ch >= 'A' && ch <= 'F')
                ch = static_cast<char>(ch - 'A' + 'a');
        if (!lower_hex64(r.sha256))
            invalid(where + "sha256 must be 64 hex digits");
        r.media_type = member(c, "media_type", where, true, 100);
        if (!accepted_media_types().count(r.media_type))
            invalid(where + "media_type " + r.media_type +
                    " is not accepted (application/pdf, application/msword, "
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document)");
        if (auto sr = c.find("signature_required"); sr != c.end() && !sr->is_null()) {
            if (!sr->is_boolean())
                invalid(where + "signature_required must be true or false");
            r.signature_required = sr->get<bool>();
        }
        r.expected_signer = member(c, "expected_signer", where, false, 20);
        if (!r.expected_signer.empty() &&
            !std::regex_match(r.expected_signer, std::regex(R"(\d{9,13}(-\d{3})?)")))
            invalid(where + "expected_signer must be a CCCD/CMND/MST number");
        r.dossier = "";
        out.push_back(std::move(r));
    }
    return out;
}

json upload_state(const ComponentRow& c) {
    return {{"code", c.code},
            {"size", c.size},
            {"received_bytes", c.received},
            {"complete", c.complete}};
}

class Portal {
public:
    explicit Portal(Options o) : opt_(std::move(o)), db_(open_database(opt_.db)) {
        faults_ = opt_.faults;
        std::error_code ec;
        fs::create_directories(opt_.store, ec);
        if (ec || !fs::is_directory(opt_.store))
            throw std::runtime_error("cannot create the store folder " + opt_.store);
        // Load each anchor once now, so that a bad --trust stops the start, not an upload.
        for (const fs::path& t : opt_.trust)
            neac::crypto::load_certificates(t);
    }

    std::mutex& mutex() { return mu_; }
    const Options& options() const { return opt_; }

    bool authorized(const httplib::Request& req) const {
        std::string h = req.get_header_value("Authorization");
        auto sp = h.find(' ');
        if (sp == std::string::npos)
            return false;
        std::string scheme = h.substr(0, sp);
        for (char& c : scheme)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string cred = h.substr(sp + 1);
        return scheme == "bearer" && cred.size() == opt_.token.size() &&
               CRYPTO_memcmp(cred.data(), opt_.token.data(), cred.size()) == 0;
    }

    void count(const std::string& route) {
        ++requests_[route];
        if (route == "create")
            ++create_requests_;
        else if (route == "upload")
            ++upload_requests_;
        else if (route == "submit")
            ++submit_requests_;
    }

    std::optional<Fault> take_http_fault(const std::string& route) {
        return sim_common::take_fault(
            faults_, route, [](const Fault& f) { return f.kind == "500" || f.kind == "503"; });
    }

    void add_fault(const Fault& f) { faults_.push_back(f); }
    void clear_faults() { faults_.clear(); }

    json info() const {
        json types = json::array();
        for (const char* t : {"pdf", "doc", "docx"})
            types.push_back(t);
        return {{"name", opt_.name},
                {"api_version", 1},
                {"max_component_bytes", opt_.max_bytes},
                {"accepted_types", types},
                {"chunk_bytes", opt_.chunk_bytes}};
    }

    // POST /dossiers: 201 new, 200 the same request again, 409 the key with another request.
    std::pair<int, json> create(const std::string& key, const json& body) {
        std::string canonical = dump(body); // object keys sorted: a canonical form
        std::string hash = neac::hex_encode(neac::crypto::digest(
            neac::crypto::DigestAlgorithm::Sha256, canonical.data(), canonical.size()));
        if (auto d = find_by_key(key)) {
            if (d->request_hash != hash)
                throw ApiError{409, "idempotency_conflict",
                               "this Idempotency-Key was already used for another request "
                               "(dossier " +
                                   d->id + "); use a new key for a new dossier"};
            return {200, document(*d)};
        }
        std::string procedure;
        std::vector<ComponentRow> comps = validate_request(body, opt_.max_bytes, procedure);
        DossierRow d;
        d.id = "d-" + neac::crypto::random_hex(12);
        d.key = key;
        d.request_hash = hash;
        d.procedure_code = procedure;
        d.status = "draft";
        d.created_at = iso_now();
        db_.transaction([&] {
            Statement(db_, "INSERT INTO dossiers(id, idempotency_key, request_hash, "
                           "request, procedure_code, status, created_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, 'draft', ?6)")
                .bind_all(d.id, key, hash, canonical, procedure, d.created_at)
                .run();
            for (const ComponentRow& c : comps)
                Statement(db_, "INSERT INTO components(dossier, position, code, title, file_name, "
                               "size, sha256, media_type, signature_required, expected_signer) "
                               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                    .bind_all(d.id, c.position, c.code, c.title, c.file_name, c.size, c.sha256,
                              c.media_type, static_cast<std::int64_t>(c.signature_required),
                              c.expected_signer)
                    .run();
        });
        return {201, document(d)};
    }

    json get_upload_state(const std::string& id, const std::string& code) {
        return upload_state(require_component(require_dossier(id, false), code));
    }

    UploadOutcome upload(const std::string& id, const std::string& code, std::int64_t offset,
                         const std::string& chunk) {
        DossierRow d = require_dossier(id, false);
        ComponentRow c = require_component(d, code);
        if (d.status == "submitted")
            throw ApiError{409, "already_submitted",
                           "dossier " + d.code + " was submitted; its files cannot change"};
        if (c.complete) {
            ApiError e{409, "already_complete", "component " + c.code + " is complete"};
            e.extra = upload_state(c);
            throw e;
        }
        if (offset != c.received) {
            ApiError e{409, "offset_mismatch",
                       "Upload-Offset " + std::to_string(offset) + " but the portal holds " +
                           std::to_string(c.received) + " bytes of " + c.code +
                           "; continue from received_bytes"};
            e.extra = upload_state(c);
            throw e;
        }
        auto len = static_cast<std::int64_t>(chunk.size());
        if (len > c.size - c.received) {
            ApiError e{422, "size_exceeded",
                       "the chunk ends at byte " + std::to_string(c.received + len) +
                           ", past the declared size " + std::to_string(c.size) + " of " + c.code};
            e.extra = upload_state(c);
            throw e;
        }

        // A crash or drop fault that this chunk reaches: keep exactly up to its byte count.
        UploadOutcome out;
        std::size_t keep = chunk.size();
        for (Fault& f : faults_) {
            if (f.left == 0 || (f.kind != "crash-upload" && f.kind != "drop-upload"))
                continue;
            if (f.bytes > c.received && f.bytes <= c.received + len) {
                keep = static_cast<std::size_t>(f.bytes - c.received);
                out.fault = f.kind;
                f.left = 0;
                break;
            }
        }

        fs::path file = data_file(c);
        write_at(file, c.received, chunk.data(), keep);
        bytes_received_ += static_cast<std::int64_t>(keep);
        c.received += static_cast<std::int64_t>(keep);
        if (c.received < c.size) {
            Statement(db_, "UPDATE components SET received_bytes = ?1 "
                           "WHERE dossier = ?2 AND code = ?3")
                .bind_all(c.received, c.dossier, c.code)
                .run();
            out.body = upload_state(c);
            return out;
        }
        complete(c, file, out);
        return out;
    }

    // POST /dossiers/{id}/submit.
    json submit(const std::string& id) {
        DossierRow d = require_dossier(id, false);
        if (d.status == "submitted")
            return document(d);
        std::vector<ComponentRow> comps = components(d.id);
        json incomplete = json::array();
        for (const ComponentRow& c : comps)
            if (!c.complete)
                incomplete.push_back(c.code);
        if (!incomplete.empty()) {
            ApiError e{409, "incomplete", "every component must be uploaded before submitting"};
            e.extra = {{"components", incomplete}};
            throw e;
        }
        json rejected = json::array();
        for (const ComponentRow& c : comps) {
            if (!c.signature_required || c.verdict == "PASSED")
                continue;
            std::string reason = c.media_type != kPdf
                                     ? "the portal verifies signatures in PDF files only; " +
                                           c.file_name + " is " + c.media_type
                                     : c.verdict + ": " + c.summary;
            rejected.push_back({{"code", c.code}, {"reason", reason}});
        }
        if (!rejected.empty()) {
            ApiError e{422, "signature_rejected",
                       "a component that needs a valid signature does not have one"};
            e.extra = {{"components", rejected}};
            throw e;
        }
        std::tm now = utc_now();
        db_.transaction([&] {
            std::string day = format_tm(now, "%y%m%d");
            char seq[32];
            std::snprintf(seq, sizeof seq, "%04lld",
                          static_cast<long long>(next_counter(db_, "day:" + day)));
            d.code = opt_.code_prefix + "-" + day + "-" + seq;
            char number[32];
            std::snprintf(number, sizeof number, "BN-%06lld",
                          static_cast<long long>(next_counter(db_, "receipt")));
            d.submitted_at = format_tm(now, "%Y-%m-%dT%H:%M:%SZ");
            json receipt = {{"number", number},
                            {"issued_at", d.submitted_at},
                            {"office", opt_.office},
                            {"expected_result_date", add_working_days(now, 5)}};
            d.receipt = dump(receipt);
            d.status = "submitted";
            Statement(db_, "UPDATE dossiers SET status = 'submitted', code = ?1, "
                           "receipt = ?2, submitted_at = ?3 WHERE id = ?4")
                .bind_all(d.code, d.receipt, d.submitted_at, d.id)
                .run();
        });
        return document(d);
    }

    json status(const std::string& id_or_code) { return document(require_dossier(id_or_code)); }

    json history(const std::string& id_or_code) {
        DossierRow d = require_dossier(id_or_code);
        json comps = json::array();
        for (const ComponentRow& c : components(d.id)) {
            json sigs = json::array();
            Statement q(db_,
                        "SELECT idx, kind, field, signer_name, identity_kind, identity_number, "
                        "issuer, serial, claimed_time, timestamp_time, verdict, detail, reason "
                        "FROM signatures WHERE dossier = ?1 AND component = ?2 ORDER BY idx");
            q.bind_all(d.id, c.code);
            while (q.step())
                sigs.push_back({{"index", q.integer(0)},
                                {"kind", q.text(1)},
                                {"field", q.text(2)},
                                {"signer_name", q.text(3)},
                                {"identity_kind", q.text(4)},
                                {"identity_number", q.text(5)},
                                {"issuer", q.text(6)},
                                {"serial", q.text(7)},
                                {"claimed_time", q.text(8)},
                                {"timestamp_time", q.text(9)},
                                {"verdict", q.text(10)},
                                {"detail", q.text(11)},
                                {"reason", q.text(12)}});
            comps.push_back({{"code", c.code},
                             {"title", c.title},
                             {"file_name", c.file_name},
                             {"sha256", c.sha256},
                             {"uploaded_at", c.uploaded_at},
                             {"signature_required", c.signature_required},
                             {"verification", {{"verdict", c.verdict}, {"summary", c.summary}}},
                             {"signatures", sigs}});
        }
        return {{"dossier_id", d.id},
                {"dossier_code", d.code},
                {"procedure_code", d.procedure_code},
                {"status", d.status},
                {"submitted_at", d.submitted_at},
                {"components", comps}};
    }

    json stats() {
        auto scalar = [&](const char* sql) {
            Statement q(db_, sql);
            q.step();
            return q.integer(0);
        };
        json faults = json::array();
        for (const Fault& f : faults_)
            if (f.left != 0)
                faults.push_back(f.spec);
        return {{"dossiers", scalar("SELECT COUNT(*) FROM dossiers")},
                {"submitted", scalar("SELECT COUNT(*) FROM dossiers WHERE status = 'submitted'")},
                {"create_requests", create_requests_},
                {"upload_requests", upload_requests_},
                {"bytes_received", bytes_received_},
                {"submit_requests", submit_requests_},
                {"requests", requests_},
                {"faults", faults},
                {"pid", static_cast<std::int64_t>(::getpid())}};
    }

private:
    static DossierRow read_dossier(const Statement& q) {
        DossierRow d;
        q.columns(d.id, d.key, d.request_hash, d.procedure_code, d.status, d.code, d.receipt,
                  d.created_at, d.submitted_at);
        return d;
    }

    static constexpr const char* kDossierColumns =
        "SELECT id, idempotency_key, request_hash, procedure_code, status, code, receipt, "
        "created_at, submitted_at FROM dossiers ";

    std::optional<DossierRow> find_by_key(const std::string& key) {
        Statement q(db_, (std::string(kDossierColumns) + "WHERE idempotency_key = ?1").c_str());
        q.bind(1, key);
        if (!q.step())
            return std::nullopt;
        return read_dossier(q);
    }

    DossierRow require_dossier(const std::string& id_or_code, bool by_code = true) {
        Statement q(db_, (std::string(kDossierColumns) +
                          (by_code ? "WHERE id = ?1 OR code = ?1" : "WHERE id = ?1"))
                             .c_str());
        q.bind(1, id_or_code);
        if (!q.step())
            throw ApiError{404, "not_found", "no dossier " + id_or_code};
        return read_dossier(q);
    }

    static constexpr const char* kComponentColumns =
        "SELECT dossier, position, code, title, file_name, size, sha256, media_type, "
        "signature_required, expected_signer, received_bytes, complete, uploaded_at, verdict, "
        "summary FROM components ";

    static ComponentRow read_component(const Statement& q) {
        ComponentRow c;
        q.columns(c.dossier, c.position, c.code, c.title, c.file_name, c.size, c.sha256,
                  c.media_type, c.signature_required, c.expected_signer, c.received, c.complete,
                  c.uploaded_at, c.verdict, c.summary);
        return c;
    }

    std::vector<ComponentRow> components(const std::string& dossier) {
        Statement q(
            db_, (std::string(kComponentColumns) + "WHERE dossier = ?1 ORDER BY position").c_str());
        q.bind(1, dossier);
        std::vector<ComponentRow> out;
        while (q.step())
            out.push_back(read_component(q));
        return out;
    }

    ComponentRow require_component(const DossierRow& d, const std::string& code) {
        Statement q(db_,
                    (std::string(kComponentColumns) + "WHERE dossier = ?1 AND code = ?2").c_str());
        q.bind_all(d.id, code);
        if (!q.step())
            throw ApiError{404, "not_found", "dossier " + d.id + " has no component " + code};
        return read_component(q);
    }

    // The component's bytes: named by position, since a code may be "." or "..".
    fs::path data_file(const ComponentRow& c) const {
        fs::path dir = fs::path(opt_.store) / c.dossier;
        if (!fs::is_directory(dir)) {
            fs::create_directories(dir);
            fsync_dir(dir.parent_path());
        }
        return dir / (std::to_string(c.position) + ".bin");
    }

    json document(const DossierRow& d) {
        json comps = json::array();
        for (const ComponentRow& c : components(d.id))
            comps.push_back({{"code", c.code},
                             {"size", c.size},
                             {"received_bytes", c.received},
                             {"complete", c.complete}});
        json receipt = nullptr;
        if (!d.receipt.empty())
            receipt = json::parse(d.receipt);
        return {{"dossier_id", d.id},
                {"status", d.status},
                {"dossier_code", d.code},
                {"components", comps},
                {"receipt", receipt}};
    }

    // Every byte is in: check the SHA-256, then verify the signatures of a PDF, and record it all
    // in one transaction (a crash before it leaves the row at the previous offset, and the next
    // PATCH truncates the file back to it).
    void complete(ComponentRow& c, const fs::path& file, UploadOutcome& out) {
        std::string actual = sha256_file(file);
        if (actual != c.sha256) {
            write_at(file, 0, nullptr, 0);
            Statement(db_, "UPDATE components SET received_bytes = 0 "
                           "WHERE dossier = ?1 AND code = ?2")
                .bind_all(c.dossier, c.code)
                .run();
            c.received = 0;
            out.status = 422;
            out.body = upload_state(c);
            out.body["error"] = "sha256_mismatch";
            out.body["message"] = "the " + std::to_string(c.size) + " bytes received for " +
                                  c.code + " have SHA-256 " + actual + ", not the declared " +
                                  c.sha256 + "; the upload was reset to 0 bytes";
            out.body["sha256"] = actual;
            return;
        }
        std::vector<neac::verify::SignatureReport> sigs;
        if (c.media_type == kPdf) {
            neac::verify::Policy policy;
            policy.trust = opt_.trust;
            policy.expect_signer = c.expected_signer;
            try {
                neac::verify::VerifyReport rep = neac::verify::verify_file(file, policy);
                if (rep.status == neac::verify::FileStatus::BadInput) {
                    c.verdict = "FAILED";
                    c.summary = "not a readable PDF: " + rep.error;
                } else {
                    c.verdict = neac::verify::indication_name(rep.indication);
                    c.summary = rep.summary;
                }
                sigs = std::move(rep.signatures);
            } catch (const std::exception& e) {
                c.verdict = "INDETERMINATE";
                c.summary = std::string("verification could not run: ") + e.what();
            }
        } else {
            c.verdict = "NOT_VERIFIED";
            c.summary = "the portal verifies signatures in PDF files only";
        }
        c.complete = true;
        c.uploaded_at = iso_now();
        db_.transaction([&] {
            Statement(db_, "DELETE FROM signatures WHERE dossier = ?1 AND component = ?2")
                .bind_all(c.dossier, c.code)
                .run();
            for (const auto& s : sigs) {
                neac::verify::CertificateInfo who =
                    s.signer.value_or(neac::verify::CertificateInfo{});
                std::string sub = neac::verify::sub_indication_name(s.sub_indication);
                Statement(db_,
                          "INSERT INTO signatures(dossier, component, idx, kind, field, "
                          "signer_name, identity_kind, identity_number, issuer, serial, "
                          "claimed_time, timestamp_time, verdict, detail, reason) "
                          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                          "?15)")
                    .bind_all(c.dossier, c.code, static_cast<std::int64_t>(s.index), s.kind,
                              s.field, who.common_name, who.identity_kind, who.identity_number,
                              who.issuer, who.serial, s.claimed_time, s.timestamp_time,
                              std::string(neac::verify::indication_name(s.indication)),
                              sub.empty() ? s.reason_text : sub, s.reason_text)
                    .run();
            }
            Statement(db_, "UPDATE components SET received_bytes = ?1, complete = 1, "
                           "uploaded_at = ?2, verdict = ?3, summary = ?4 "
                           "WHERE dossier = ?5 AND code = ?6")
                .bind_all(c.received, c.uploaded_at, c.verdict, c.summary, c.dossier, c.code)
                .run();
        });
        out.body = upload_state(c);
    }

    Options opt_;
    neac::sqlite::Database db_;
    std::mutex mu_;
    std::vector<Fault> faults_;
    std::map<std::string, std::int64_t> requests_;
    std::int64_t create_requests_ = 0, upload_requests_ = 0, submit_requests_ = 0;
    std::int64_t bytes_received_ = 0;
};

// --- HTTP -------------------------------------------------------------------------------------

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(dump(body), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const ApiError& e) {
    json body = {{"error", e.code}, {"message", e.message}};
    for (auto it = e.extra.begin(); it != e.extra.end(); ++it)
        if (!body.contains(it.key()))
            body[it.key()] = it.value();
    send_json(res, e.status, body);
}

// Runs one API request under the portal's lock: counts it, applies a 500/503 fault, checks the
// token, then runs `body`; a refusal thrown as ApiError becomes its JSON answer.
template <class F>
void serve(Portal& portal, const std::string& route, const httplib::Request& req,
           httplib::Response& res, F&& body) {
    std::lock_guard<std::mutex> lock(portal.mutex());
    portal.count(route);
    if (auto f = portal.take_http_fault(route)) {
        if (f->kind == "503") {
            res.status = 503;
            res.set_content("Service Temporarily Unavailable\n", "text/plain");
        } else {
            send_error(res, {500, "server_error", "injected fault " + f->spec});
        }
        return;
    }
    if (!portal.authorized(req)) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"neac-portal\"");
        send_error(res, {401, "unauthorized", "missing or wrong bearer token"});
        return;
    }
    try {
        body();
    } catch (const ApiError& e) {
        send_error(res, e);
    }
}

void add_api(httplib::Server& server, Portal& portal) {
    const std::string base = kBase;
    server.Get(base + "/info", [&](const httplib::Request& req, httplib::Response& res) {
        serve(portal, "info", req, res, [&] { send_json(res, 200, portal.info()); });
    });
    server.Post(base + "/dossiers", [&](const httplib::Request& req, httplib::Response& res) {
        serve(portal, "create", req, res, [&] {
            if (!req.has_header("Idempotency-Key"))
                throw ApiError{400, "missing_idempotency_key",
                               "POST /dossiers needs an Idempotency-Key header (64 lower-case "
                               "hex digits, e.g. a SHA-256)"};
            std::string key = req.get_header_value("Idempotency-Key");
            if (!lower_hex64(key))
                throw ApiError{400, "invalid_idempotency_key",
                               "Idempotency-Key must be 64 lower-case hex digits"};
            json body = json::parse(req.body, nullptr, false);
            if (body.is_discarded())
                throw ApiError{400, "invalid_json", "the request body is not valid JSON"};
            auto [status, doc] = portal.create(key, body);
            send_json(res, status, doc);
        });
    });
    const std::string upload = base + R"(/dossiers/([^/]+)/components/([^/]+)/upload)";
    server.Get(upload, [&](const httplib::Request& req, httplib::Response& res) {
        serve(portal, "upload-state", req, res, [&] {
            send_json(res, 200, portal.get_upload_state(req.matches[1], req.matches[2]));
        });
    });
    server.Patch(upload, [&](const httplib::Request& req, httplib::Response& res) {
        serve(portal, "upload", req, res, [&] {
            if (!req.has_header("Upload-Offset"))
                throw ApiError{400, "missing_upload_offset", "PATCH needs an Upload-Offset header"};
            std::string offset = req.get_header_value("Upload-Offset");
            if (!all_digits(offset))
                throw ApiError{400, "invalid_upload_offset",
                               "Upload-Offset must be a non-negative integer, not \"" +
                                   offset.substr(0, 40) + "\""};
            std::string type = req.get_header_value("Content-Type");
            if (type.substr(0, type.find(';')) != "application/offset+octet-stream")
                throw ApiError{415, "unsupported_media_type",
                               "an upload chunk is sent as Content-Type: "
                               "application/offset+octet-stream"};
            if (static_cast<std::int64_t>(req.body.size()) > portal.options().chunk_bytes)
                throw ApiError{413, "chunk_too_large",
                               "a chunk holds at most " +
                                   std::to_string(portal.options().chunk_bytes) +
                                   " bytes (chunk_bytes in /info)"};
            UploadOutcome out =
                portal.upload(req.matches[1], req.matches[2], std::stoll(offset), req.body);
            if (out.fault == "crash-upload") {
                // "The portal stops in the middle of an upload": the bytes up to the fault's
                // count are on disk and in the database; nobody answers.
                sim_common::log("crash-upload: exiting with code 3");
                ::_exit(3);
            }
            if (out.fault == "drop-upload") {
                sim_common::log("drop-upload: closing the connection");
                sim_common::drop_connection(res);
                return;
            }
            send_json(res, out.status, out.body);
        });
    });
    server.Post(base + R"(/dossiers/([^/]+)/submit)",
                [&](const httplib::Request& req, httplib::Response& res) {
                    serve(portal, "submit", req, res,
                          [&] { send_json(res, 200, portal.submit(req.matches[1])); });
                });
    server.Get(base + R"(/dossiers/([^/]+)/history)",
               [&](const httplib::Request& req, httplib::Response& res) {
                   serve(portal, "history", req, res,
                         [&] { send_json(res, 200, portal.history(req.matches[1])); });
               });
    server.Get(base + R"(/dossiers/([^/]+))",
               [&](const httplib::Request& req, httplib::Response& res) {
                   serve(portal, "status", req, res,
                         [&] { send_json(res, 200, portal.status(req.matches[1])); });
               });
}

void add_control(httplib::Server& server, Portal& portal) {
    server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(portal.mutex());
        send_json(res, 200, portal.stats());
    });
    server.Post("/_sim/fault", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(portal.mutex());
        std::string error;
        auto f = parse_fault(req.get_param_value("spec"), error);
        if (!f)
            return send_error(res, {400, "invalid_fault", error});
        portal.add_fault(*f);
        send_json(res, 200, {{"ok", true}, {"fault", f->spec}});
    });
    server.Post("/_sim/clear-faults", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(portal.mutex());
        portal.clear_faults();
        send_json(res, 200, {{"ok", true}});
    });
}

} // namespace

int main(int argc, char** argv) {
    sim_common::start("portal_sim");
    Options opt = parse(argc, argv);
    std::unique_ptr<Portal> portal =
        sim_common::or_die([&] { return std::make_unique<Portal>(opt); });
    std::unique_ptr<httplib::Server> server_owner = sim_common::make_server(opt.server);
    httplib::Server& server = *server_owner;
    // Room for one chunk; httplib answers 413 itself beyond that (the error handler adds JSON).
    server.set_payload_max_length(
        static_cast<std::size_t>(std::max<std::int64_t>(opt.chunk_bytes, 1 << 20)) + 1024);
    // A request without Content-Length or Transfer-Encoding has an empty body (RFC 9112 6.3),
    // but httplib refuses a bodiless POST/PATCH like that with 400: `curl -X POST` and some
    // clients send exactly that for /submit. Say "Content-Length: 0" for them before httplib
    // reads the body (the Request object is not const where httplib owns it).
    server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
        if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
            const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
        return httplib::Server::HandlerResponse::Unhandled;
    });
    add_api(server, *portal);
    add_control(server, *portal);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            send_error(res, {500, "server_error", sim_common::exception_text(ep)});
        });
    // Answers httplib makes by itself (no route, unreadable request, payload too large) get the
    // contract's JSON error shape too.
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
            return;
        const char* code = res.status == 404   ? "not_found"
                           : res.status == 413 ? "payload_too_large"
                                               : "bad_request";
        std::string message = res.status == 404 ? "no such endpoint: " + req.method + " " + req.path
                              : res.status == 413 ? std::string("the request body is too large")
                                                  : "the request could not be read (HTTP " +
                                                        std::to_string(res.status) + ")";
        send_error(res, {res.status, code, message});
    });
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::string extra;
        if (req.has_header("Upload-Offset"))
            extra = " offset=" + req.get_header_value("Upload-Offset").substr(0, 20) +
                    " bytes=" + std::to_string(req.body.size());
        sim_common::log(req.method + " " + req.path + " -> " + std::to_string(res.status) + extra);
    });

    // SIGINT/SIGTERM stop the server cleanly, so that SQLite closes its WAL.
    sim_common::stop_on_signals(server);
    sim_common::listen_and_serve(server, opt.server);
    return 0;
}
