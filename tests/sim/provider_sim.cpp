// provider_sim: one HTTP server on loopback that speaks the remote-signing APIs neac talks to
// (VNPT SmartCA 769, Viettel MySign, MISA eSign, CSC v2) closely enough that the real adapters
// run unchanged, signs with the test PKI (tests/support/make_pki.sh), keeps every transaction
// pending until the test, playing the phone, decides it, and counts requests and approvals.
//
//   provider_sim --pki DIR [--port 0] [options]
//
// Prints "listening on http://127.0.0.1:PORT" on stdout once ready.
//
// Paths (endpoints to put in the profile: VNPT http://127.0.0.1:PORT/sca/sp769, the others
// http://127.0.0.1:PORT, CSC http://127.0.0.1:PORT/csc/v2):
//   VNPT     POST /sca/sp769/v1/credentials/get_certificate, /v1/signatures/sign,
//                 /v1/signatures/sign/{id}/status
//   Viettel  POST /vtss/service/ras/v1/login, /vtss/service/certificates/info,
//                 /vtss/service/signHash, /vtss/service/requests/status
//   MISA     POST /webdev/api/auth/api/v1/auth/{login-api,two-factor-auth,refreshtoken}
//            GET  /external/esrm/service/general/api/v1/Certificates/by-userId
//            POST /external/esrm/service/signing/api/v1/Signing/hash
//            GET  /external/esrm/service/signing/api/v1/Signing/status/{id}
//            (and the traps: /webdev/external/... answers the web app's HTML with 200,
//             /api/auth/... at the root answers 405, ESRM with accessToken answers 401 e2001)
//   CSC      POST /csc/v2/{info, credentials/list, credentials/info, credentials/authorize,
//                 credentials/authorizeCheck, signatures/signHash, signatures/signPolling}
//
// The phone (control endpoints, for tests):
//   GET  /_sim/stats                      {"requests":{route:n}, "sign_requests", "approvals",
//                                          "rejections", "expirations", "pending":[ids],
//                                          "secrets":[every token and SAD issued], ...}
//   POST /_sim/approve[?id=ID]            approve one pending transaction, or all
//   POST /_sim/reject[?id=ID], /_sim/expire[?id=ID]
//   POST /_sim/fault?spec=SPEC            add a fault (see --fault); /_sim/clear-faults
//   POST /_sim/auto?mode=approve|reject|expire|none[&after=MS]
//
// Options:
//   --auto MODE          decide pending transactions by themselves (approve|reject|expire|none;
//                        default none) once --after MS (default 0) have passed
//   --ttl SEC            pending transactions expire after SEC seconds (default 300)
//   --multisign N        CSC multisign and Viettel multisign (default 1000)
//   --vnpt-eseal         VNPT also lists an ESEAL certificate (signer-p256) for the account
//   --csc-async          CSC info says asynchronousOperationMode: signHash "A" + signPolling
//   --csc-authorize-sync CSC authorize answers 200 {SAD} at once (no phone step)
//   --token-ttl SEC      lifetime of Viettel/MISA tokens (default 3600)
//   --fault SPEC         KIND[@ROUTE][*COUNT]; ROUTE = cert|sign|status|login|any (default any),
//                        COUNT = how many requests it hits (default: all). KIND:
//                          500, 503, 429, 404   that HTTP status with a short JSON/text body
//                          slow:MS              answer after MS milliseconds
//                          drop                 send headers, then close the connection
//                          malformed            200 with truncated JSON
//                          html                 200 text/html (a web page)
//                          fewer                one signature fewer than hashes
//                          badsig               a signature that does not verify
//                          othercert            certificates of another CCCD (signer-other)
//                          echo                 400 whose error text repeats the request's
//                                               body and Authorization header (a careless server)
// Credentials the sim accepts (defaults in brackets): --sp-id [sim-sp-4184-0633]
//   --sp-password [sim-sp-pass-NGNhMzdm] --client-id [sim-client-7781]
//   --client-secret [sim-client-secret-Qm9v] --misa-user [nguyenvana@example.vn]
//   --misa-password [sim-misa-pass-ZmFr] --misa-otp CODE (makes MISA ask for two-factor)
//   --csc-token [sim-csc-token-eyJhbGci]
// Transport: --tls-cert PEM --tls-key PEM serve HTTPS ("listening on https://127.0.0.1:PORT").
//
// Accounts: 001099012345 holds signer-rsa (and signer-p256 as VNPT ESEAL); 079188004321 holds
// signer-other. Links with neaccore for the signing keys and base64.
#include "sim_common.hpp"

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/keys.hpp"
#include "neac/crypto/random.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/bytes.hpp"
#include "neac/util/error.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using json = nlohmann::json;
using neac::Bytes;
using Clock = std::chrono::steady_clock;
using sim_common::die;

struct Fault {
    std::string kind;  // 500, 503, 429, 404, slow, drop, malformed, html, fewer, badsig, othercert
    int slow_ms = 0;   //
    std::string route; // cert, sign, status, login, any
    int left = -1;     // -1 = unlimited
};

Fault parse_fault(const std::string& spec) {
    Fault f;
    std::string s = spec;
    if (auto star = s.find('*'); star != std::string::npos) {
        f.left = std::atoi(s.substr(star + 1).c_str());
        s = s.substr(0, star);
    }
    f.route = "any";
    if (auto at = s.find('@'); at != std::string::npos) {
        f.route = s.substr(at + 1);
        s = s.substr(0, at);
    }
    if (s.rfind("slow:", 0) == 0) {
        f.slow_ms = std::atoi(s.substr(5).c_str());
        s = "slow";
    }
    static const char* known[] = {"500",       "503",  "429",   "404",    "slow",      "drop",
                                  "malformed", "html", "fewer", "badsig", "othercert", "echo"};
    bool ok = false;
    for (const char* k : known)
        ok = ok || s == k;
    if (!ok || (f.route != "cert" && f.route != "sign" && f.route != "status" &&
                f.route != "login" && f.route != "any"))
        die("bad fault spec " + spec);
    f.kind = s;
    return f;
}

struct Options {
    sim_common::ServerOptions server;
    std::string pki;
    std::string auto_mode = "none";
    int auto_after_ms = 0;
    int ttl = 300;
    std::size_t multisign = 1000;
    bool vnpt_eseal = false, csc_async = false, csc_authorize_sync = false;
    int token_ttl = 3600;
    std::vector<Fault> faults;
    std::string sp_id = "sim-sp-4184-0633", sp_password = "sim-sp-pass-NGNhMzdm";
    std::string client_id = "sim-client-7781", client_secret = "sim-client-secret-Qm9v";
    std::string misa_user = "nguyenvana@example.vn", misa_password = "sim-misa-pass-ZmFr";
    std::string misa_otp;
    std::string csc_token = "sim-csc-token-eyJhbGci";
};

Options parse(int argc, char** argv) {
    Options o;
    sim_common::OptionParser options;
    sim_common::add_server_options(options, o.server);
    options.text("--pki", o.pki)
        .text("--auto", o.auto_mode)
        .number("--after", o.auto_after_ms)
        .number("--ttl", o.ttl)
        .number("--multisign", o.multisign)
        .flag("--vnpt-eseal", o.vnpt_eseal)
        .flag("--csc-async", o.csc_async)
        .flag("--csc-authorize-sync", o.csc_authorize_sync)
        .number("--token-ttl", o.token_ttl)
        .value("--fault", [&o](const std::string& v) { o.faults.push_back(parse_fault(v)); })
        .text("--sp-id", o.sp_id)
        .text("--sp-password", o.sp_password)
        .text("--client-id", o.client_id)
        .text("--client-secret", o.client_secret)
        .text("--misa-user", o.misa_user)
        .text("--misa-password", o.misa_password)
        .text("--misa-otp", o.misa_otp)
        .text("--csc-token", o.csc_token)
        .parse(argc, argv);
    if (o.pki.empty())
        die("--pki DIR is required");
    return o;
}

struct Signer {
    std::string name; // "rsa", "p256", "other"
    neac::crypto::Certificate cert;
    neac::crypto::PrivateKey key;
    std::string service_type; // VNPT
};

struct Txn {
    std::string id;
    std::string provider;
    std::string account;
    const Signer* signer = nullptr;
    std::vector<Bytes> digests;
    std::vector<std::string> doc_ids;
    std::string status = "pending"; // pending | approved | rejected | expired
    Clock::time_point created = Clock::now();
    std::vector<Bytes> signatures;
    std::string message;
    // CSC: the SAD granted on approval (single use) and the asynchronous signing request.
    std::string sad;
    bool sad_used = false;
    int polls = 0;
};

struct Session {
    std::string user;
    Clock::time_point expires;
};

class Sim {
public:
    explicit Sim(Options o) : opt_(std::move(o)) {
        auto load = [&](const std::string& name, const std::string& type) {
            Signer s;
            s.name = name;
            s.cert =
                neac::crypto::Certificate::load_all(opt_.pki + "/signer-" + name + ".pem").at(0);
            s.key = neac::crypto::PrivateKey::from_pem(
                neac::read_small_file(opt_.pki + "/signer-" + name + ".key"));
            s.service_type = type;
            return s;
        };
        rsa_ = load("rsa", "SMARTCA");
        p256_ = load("p256", "ESEAL");
        other_ = load("other", "SMARTCA");
        intermediate_ =
            neac::crypto::Certificate::load_all(opt_.pki + "/intermediate-ca.pem").at(0);
        root_ = neac::crypto::Certificate::load_all(opt_.pki + "/root-ca.pem").at(0);
        faults_ = opt_.faults;
    }

    Options& options() { return opt_; }
    std::mutex& mutex() { return mu_; }

    // --- bookkeeping -------------------------------------------------------------------------

    void count(const std::string& route) { ++requests_[route]; }
    void count_sign() { ++sign_requests_; }

    // The fault for a request on `route`, consumed; nullopt when none applies.
    std::optional<Fault> take_fault(const std::string& route,
                                    std::initializer_list<const char*> kinds) {
        return sim_common::take_fault(faults_, route, [&kinds](const Fault& f) {
            bool match = false;
            for (const char* k : kinds)
                match = match || f.kind == k;
            return match;
        });
    }

    void add_fault(const Fault& f) { faults_.push_back(f); }
    void clear_faults() { faults_.clear(); }

    // The signers an account holds at `provider`.
    std::vector<const Signer*> signers_for(const std::string& account, const std::string& provider,
                                           bool other_cert) {
        std::vector<const Signer*> out;
        if (account == "001099012345") {
            out.push_back(other_cert ? &other_ : &rsa_);
            if (provider == "vnpt" && opt_.vnpt_eseal)
                out.push_back(&p256_);
        } else if (account == "079188004321") {
            out.push_back(&other_);
        }
        return out;
    }
    const Signer* signer_by_serial(const std::string& account, const std::string& serial) {
        for (const Signer* s : signers_for(account, "vnpt", false))
            if (upper(s->cert.serial_hex()) == upper(serial))
                return s;
        return nullptr;
    }
    const Signer& rsa() const { return rsa_; }
    const neac::crypto::Certificate& intermediate() const { return intermediate_; }
    const neac::crypto::Certificate& root() const { return root_; }

    Txn& create(const std::string& provider, const std::string& id, const std::string& account,
                const Signer* signer, std::vector<Bytes> digests, std::vector<std::string> doc_ids,
                const std::string& message) {
        Txn t;
        t.id = id;
        t.provider = provider;
        t.account = account;
        t.signer = signer;
        t.digests = std::move(digests);
        t.doc_ids = std::move(doc_ids);
        t.message = message;
        order_.push_back(id);
        return txns_[id] = std::move(t);
    }
    bool exists(const std::string& id) const { return txns_.count(id) > 0; }

    // The transaction with its automatic decisions applied; nullptr when unknown.
    Txn* find(const std::string& id) {
        auto it = txns_.find(id);
        if (it == txns_.end())
            return nullptr;
        settle(it->second);
        return &it->second;
    }

    Txn* find_if(const std::function<bool(const Txn&)>& pred) {
        for (auto& [id, t] : txns_)
            if (pred(t)) {
                settle(t);
                return &t;
            }
        return nullptr;
    }

    void decide(Txn& t, const std::string& outcome) {
        if (t.status != "pending")
            return;
        if (outcome == "approve") {
            for (const Bytes& d : t.digests)
                t.signatures.push_back(sign(*t.signer, d));
            t.status = "approved";
            t.sad = "sim-sad-" + neac::crypto::random_hex(12);
            issued_.push_back(t.sad);
            ++approvals_;
        } else if (outcome == "reject") {
            t.status = "rejected";
            ++rejections_;
        } else {
            t.status = "expired";
            ++expirations_;
        }
    }

    std::vector<std::string> decide_all(const std::string& outcome, const std::string& id) {
        std::vector<std::string> done;
        for (const std::string& tid : order_) {
            Txn* t = find(tid);
            if (!t || t->status != "pending" || (!id.empty() && tid != id))
                continue;
            decide(*t, outcome);
            done.push_back(tid);
        }
        return done;
    }

    void set_auto(const std::string& mode, int after_ms) {
        opt_.auto_mode = mode;
        opt_.auto_after_ms = after_ms;
    }

    json stats() {
        json pending = json::array();
        json txns = json::array();
        for (const std::string& id : order_) {
            Txn* t = find(id);
            if (t->status == "pending")
                pending.push_back(id);
            txns.push_back({{"id", id},
                            {"provider", t->provider},
                            {"status", t->status},
                            {"documents", t->digests.size()},
                            {"message", t->message}});
        }
        std::size_t total = 0;
        for (const auto& [k, v] : requests_)
            total += v;
        return {{"requests", requests_},
                {"total_requests", total},
                {"sign_requests", sign_requests_},
                {"approvals", approvals_},
                {"rejections", rejections_},
                {"expirations", expirations_},
                {"pending", pending},
                {"transactions", txns},
                {"secrets", issued_}};
    }

    // --- tokens --------------------------------------------------------------------------------

    std::string issue_token(const std::string& user, const std::string& prefix) {
        std::string token = prefix + neac::crypto::random_hex(16);
        tokens_[token] = Session{user, Clock::now() + std::chrono::seconds(opt_.token_ttl)};
        issued_.push_back(token);
        return token;
    }
    // The user of a valid token, "" otherwise.
    std::string token_user(const std::string& token) {
        auto it = tokens_.find(token);
        if (it == tokens_.end() || Clock::now() > it->second.expires)
            return "";
        return it->second.user;
    }

    Bytes sign(const Signer& s, const Bytes& digest) {
        neac::crypto::DigestAlgorithm alg =
            digest.size() == 48   ? neac::crypto::DigestAlgorithm::Sha384
            : digest.size() == 64 ? neac::crypto::DigestAlgorithm::Sha512
                                  : neac::crypto::DigestAlgorithm::Sha256;
        neac::crypto::SignatureAlgorithm a{neac::crypto::default_scheme_for(s.cert), alg};
        return s.key.sign_digest(a, digest);
    }

    static std::string upper(std::string s) {
        for (char& c : s)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }

private:
    void settle(Txn& t) {
        if (t.status != "pending")
            return;
        auto age = Clock::now() - t.created;
        if (opt_.auto_mode != "none" && age >= std::chrono::milliseconds(opt_.auto_after_ms)) {
            decide(t, opt_.auto_mode);
            return;
        }
        if (age > std::chrono::seconds(opt_.ttl))
            decide(t, "expire");
    }

    Options opt_;
    std::mutex mu_;
    Signer rsa_, p256_, other_;
    neac::crypto::Certificate intermediate_, root_;
    std::map<std::string, Txn> txns_;
    std::vector<std::string> order_;
    std::map<std::string, std::size_t> requests_;
    std::size_t sign_requests_ = 0, approvals_ = 0, rejections_ = 0, expirations_ = 0;
    std::vector<Fault> faults_;
    std::map<std::string, Session> tokens_;
    std::vector<std::string> issued_; // every token and SAD handed out (tests grep logs for them)
};

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json; charset=utf-8");
}

// Applies the transport faults for a request on `route` (the lock is not held). True when the
// answer was replaced and the handler must stop.
bool transport_fault(Sim& sim, const std::string& route, const httplib::Request& req,
                     httplib::Response& res) {
    std::optional<Fault> f;
    {
        std::lock_guard<std::mutex> lock(sim.mutex());
        f = sim.take_fault(
            route, {"500", "503", "429", "404", "slow", "drop", "malformed", "html", "echo"});
    }
    if (!f)
        return false;
    if (f->kind == "echo") {
        res.status = 400;
        json e{{"error", "invalid_request"},
               {"error_description", "bad request: " + req.body + " (authorization " +
                                         req.get_header_value("Authorization") + ")"},
               {"message", "bad request: " + req.body}};
        res.set_content(e.dump(), "application/json");
        return true;
    }
    if (f->kind == "slow") {
        std::this_thread::sleep_for(std::chrono::milliseconds(f->slow_ms));
        return false;
    }
    if (f->kind == "drop") {
        sim_common::drop_connection(res);
        return true;
    }
    if (f->kind == "malformed") {
        res.status = 200;
        res.set_content("{\"status_code\":200,\"data\":{\"signatures\":[{\"doc_id\":",
                        "application/json");
        return true;
    }
    if (f->kind == "html") {
        res.status = 200;
        res.set_content("<!doctype html><html><head><title>eSign</title></head><body><div "
                        "id=\"app\"></div><script src=\"/static/js/app.js\"></script></body>"
                        "</html>\n",
                        "text/html; charset=utf-8");
        return true;
    }
    int status = std::atoi(f->kind.c_str());
    res.status = status;
    if (status == 503)
        res.set_content("Service Temporarily Unavailable\n", "text/plain");
    else
        res.set_content("{\"error\":\"sim_fault\",\"error_description\":\"injected HTTP " +
                            f->kind + "\"}",
                        "application/json");
    return true;
}

// The signatures of an approved transaction with the signature faults applied.
std::vector<Bytes> delivered_signatures(Sim& sim, const Txn& t) {
    std::vector<Bytes> sigs = t.signatures;
    if (sim.take_fault("status", {"fewer"}) && !sigs.empty())
        sigs.pop_back();
    if (sim.take_fault("status", {"badsig"}) && !sigs.empty() && !sigs[0].empty())
        sigs[0][sigs[0].size() / 2] ^= 0x5A;
    return sigs;
}

json parse_body(const httplib::Request& req, httplib::Response& res, bool& ok) {
    json j = json::parse(req.body, nullptr, false);
    ok = !j.is_discarded() && j.is_object();
    if (!ok)
        send_json(res, 400,
                  {{"error", "invalid_request"},
                   {"error_description", "body is not a "
                                         "JSON object"}});
    return j;
}

// Every handler's prologue: counts the call (and, for `is_sign`, a signing request), applies a
// transport fault for `fault_route` and, when `body` is given, parses the JSON body. False when
// the answer has already been sent.
bool open_call(Sim& sim, const httplib::Request& req, httplib::Response& res,
               const std::string& counter, const std::string& fault_route, json* body,
               bool is_sign = false) {
    {
        std::lock_guard<std::mutex> lock(sim.mutex());
        sim.count(counter);
        if (is_sign)
            sim.count_sign();
    }
    if (transport_fault(sim, fault_route, req, res))
        return false;
    if (!body)
        return true;
    bool ok = false;
    *body = parse_body(req, res, ok);
    return ok;
}

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string bearer(const httplib::Request& req, const char* header = "Authorization") {
    std::string h = req.get_header_value(header);
    return h.rfind("Bearer ", 0) == 0 ? h.substr(7) : "";
}

std::string iso_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// --- VNPT SmartCA (769) ---------------------------------------------------------------------

void add_vnpt(httplib::Server& server, Sim& sim) {
    const std::string base = "/sca/sp769/v1";
    auto creds_ok = [&sim](const json& b) {
        return str(b, "sp_id") == sim.options().sp_id &&
               str(b, "sp_password") == sim.options().sp_password;
    };
    server.Post(base + "/credentials/get_certificate", [&, creds_ok](const httplib::Request& req,
                                                                     httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "vnpt.get_certificate", "cert", &b))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (!creds_ok(b))
            return send_json(res, 200,
                             {{"status_code", 401}, {"message", "SP_CREDENTIAL_INVALID"}});
        bool other = sim.take_fault("cert", {"othercert"}).has_value();
        json list = json::array();
        for (const Signer* s : sim.signers_for(str(b, "user_id"), "vnpt", other)) {
            list.push_back({{"service_type", s->service_type},
                            {"service_name", s->service_type == "ESEAL" ? "ESEAL ORGANIZATION"
                                                                        : "SMARTCA PERSONAL PRO"},
                            {"cert_id", "cert-" + s->name},
                            {"cert_status", "Đang hoạt động"},
                            {"serial_number", s->cert.serial_hex()},
                            {"cert_subject", s->cert.subject()},
                            {"cert_valid_from", iso_date(s->cert.not_before())},
                            {"cert_valid_to", iso_date(s->cert.not_after())},
                            {"cert_data", neac::base64_encode(s->cert.der())},
                            {"chain_data",
                             {{"ca_cert", neac::base64_encode(sim.intermediate().der())},
                              {"root_cert", nullptr}}},
                            {"transaction_id", str(b, "transaction_id")}});
        }
        send_json(res, 200,
                  {{"status_code", 200},
                   {"message", "Success"},
                   {"data", {{"user_certificates", list}}}});
    });

    server.Post(base + "/signatures/sign", [&, creds_ok](const httplib::Request& req,
                                                         httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "vnpt.sign", "sign", &b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (!creds_ok(b))
            return send_json(res, 200,
                             {{"status_code", 401}, {"message", "SP_CREDENTIAL_INVALID"}});
        std::string user = str(b, "user_id");
        std::string id = str(b, "transaction_id");
        if (id.empty() || sim.exists(id))
            return send_json(res, 200,
                             {{"status_code", 400}, {"message", "transaction_id missing or used"}});
        const Signer* signer = nullptr;
        if (std::string serial = str(b, "serial_number"); !serial.empty())
            signer = sim.signer_by_serial(user, serial);
        else if (auto all = sim.signers_for(user, "vnpt", false); !all.empty())
            signer = all.front();
        if (!signer)
            return send_json(res, 200,
                             {{"status_code", 403}, {"message", "CREDENTIAL_STATUS_INVALID"}});
        auto files = b.find("sign_files");
        if (files == b.end() || !files->is_array() || files->empty())
            return send_json(res, 200, {{"status_code", 400}, {"message", "sign_files missing"}});
        std::vector<Bytes> digests;
        std::vector<std::string> ids;
        for (const auto& f : *files) {
            if (str(f, "sign_type") != "hash" || str(f, "doc_id").empty())
                return send_json(res, 200,
                                 {{"status_code", 400}, {"message", "bad sign_files item"}});
            try {
                digests.push_back(neac::hex_decode(str(f, "data_to_be_signed")));
            } catch (const neac::Error&) {
                return send_json(
                    res, 200, {{"status_code", 400}, {"message", "data_to_be_signed is not hex"}});
            }
            ids.push_back(str(f, "doc_id"));
        }
        std::string tran_code = neac::crypto::random_hex(16);
        sim.create("vnpt", id, user, signer, digests, ids, str(b, "transaction_desc"));
        send_json(res, 200,
                  {{"status_code", 200},
                   {"message", "sig_wait_for_user_confirm"},
                   {"data", {{"transaction_id", id}, {"tran_code", tran_code}}}});
    });

    server.Post(base + R"(/signatures/sign/([^/]+)/status)", [&](const httplib::Request& req,
                                                                 httplib::Response& res) {
        if (!open_call(sim, req, res, "vnpt.status", "status", nullptr))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        Txn* t = sim.find(req.matches[1]);
        if (!t || t->provider != "vnpt")
            return send_json(res, 200,
                             {{"status_code", 404}, {"message", "TRANSACTION_NOT_FOUND"}});
        json data{{"transaction_id", t->id}, {"signatures", nullptr}};
        if (t->status == "pending")
            return send_json(
                res, 200,
                {{"status_code", 200}, {"message", "WAITING_FOR_USER_CONFIRM"}, {"data", data}});
        if (t->status == "rejected")
            return send_json(res, 200,
                             {{"status_code", 200}, {"message", "USER_REJECTED"}, {"data", data}});
        if (t->status == "expired")
            return send_json(
                res, 200,
                {{"status_code", 200}, {"message", "TRANSACTION_EXPIRED"}, {"data", data}});
        json sigs = json::array();
        std::vector<Bytes> delivered = delivered_signatures(sim, *t);
        for (std::size_t i = 0; i < delivered.size(); ++i)
            sigs.push_back({{"doc_id", t->doc_ids[i]},
                            {"signature_value", neac::base64_encode(delivered[i])},
                            {"timestamp_signature", nullptr}});
        data["signatures"] = sigs;
        send_json(res, 200, {{"status_code", 200}, {"message", "SUCCESS"}, {"data", data}});
    });
}

// --- Viettel MySign ---------------------------------------------------------------------------

std::string crlf_wrapped(const std::string& b64) {
    // The service wraps some signatures every 64 characters (integrators strip CR/LF).
    std::string out;
    for (std::size_t i = 0; i < b64.size(); i += 64)
        out += b64.substr(i, 64) + (i + 64 < b64.size() ? "\r\n" : "");
    return out;
}

void add_viettel(httplib::Server& server, Sim& sim) {
    const std::string base = "/vtss/service";
    auto client_ok = [&sim](const json& b) {
        return str(b, "client_id") == sim.options().client_id &&
               str(b, "client_secret") == sim.options().client_secret;
    };
    // The user behind the Bearer token, or "" after answering 401.
    auto authed = [&sim](const httplib::Request& req, httplib::Response& res) {
        std::string user = sim.token_user(bearer(req));
        if (user.empty())
            send_json(res, 401,
                      {{"error", 401}, {"error_description", "invalid or expired token"}});
        return user;
    };

    server.Post(base + "/ras/v1/login", [&, client_ok](const httplib::Request& req,
                                                       httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "viettel.login", "login", &b))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (str(b, "client_id") != sim.options().client_id)
            return send_json(res, 400,
                             {{"error", 58007}, {"error_description", "client id not found"}});
        if (!client_ok(b))
            return send_json(res, 400,
                             {{"error", 86024}, {"error_description", "bad client secret"}});
        std::string user = str(b, "user_id");
        if (sim.signers_for(user, "viettel", false).empty())
            return send_json(res, 400,
                             {{"error", 58008}, {"error_description", "user id not found"}});
        send_json(res, 200,
                  {{"access_token", sim.issue_token(user, "vt-")},
                   {"refresh_token", ""},
                   {"token_type", "Bearer"},
                   {"expires_in", std::to_string(sim.options().token_ttl)}});
    });

    server.Post(base + "/certificates/info", [&, client_ok, authed](const httplib::Request& req,
                                                                    httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "viettel.certificates", "cert", &b))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string user = authed(req, res);
        if (user.empty())
            return;
        if (!client_ok(b) || str(b, "user_id") != user)
            return send_json(res, 400, {{"error", 58008}, {"error_description", "user mismatch"}});
        bool other = sim.take_fault("cert", {"othercert"}).has_value();
        json list = json::array();
        for (const Signer* s : sim.signers_for(user, "viettel", other)) {
            list.push_back({{"description", "Viettel-CA remote signing"},
                            {"key",
                             {{"status", "enabled"},
                              {"algo", {"1.2.840.113549.1.1.1"}},
                              {"len", "2048"},
                              {"curve", nullptr}}},
                            {"cert",
                             {{"status", "valid"},
                              {"certificates",
                               {neac::base64_encode(s->cert.der()),
                                neac::base64_encode(sim.intermediate().der()),
                                neac::base64_encode(sim.root().der())}},
                              {"issuerDN", s->cert.issuer()},
                              {"serialNumber", s->cert.serial_hex()},
                              {"subjectDN", s->cert.subject()}}},
                            {"authMode", "implicit"},
                            {"multisign", std::to_string(sim.options().multisign)},
                            {"credential_id", user + "_" + s->name + "_2024"},
                            {"scal", "2"}});
        }
        send_json(res, 200, list);
    });

    server.Post(base + "/signHash", [&, client_ok, authed](const httplib::Request& req,
                                                           httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "viettel.signHash", "sign", &b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string user = authed(req, res);
        if (user.empty())
            return;
        auto bad = [&](const std::string& why) {
            send_json(res, 400, {{"error", 40000}, {"error_description", why}});
        };
        if (!client_ok(b))
            return bad("bad client credentials");
        if (b.contains("credentialId") || str(b, "credentialID").empty())
            return bad("credentialID is required (case-sensitive)");
        const Signer* signer = nullptr;
        for (const Signer* s : sim.signers_for(user, "viettel", false))
            if (str(b, "credentialID") == user + "_" + s->name + "_2024")
                signer = s;
        if (!signer)
            return bad("credential not found");
        auto hashes = b.find("hash");
        auto docs = b.find("documents");
        if (hashes == b.end() || docs == b.end() || !hashes->is_array() || !docs->is_array())
            return bad("hash and documents are required");
        std::size_t n = b.value("numSignatures", std::size_t{0});
        if (n != hashes->size() || n != docs->size() || n == 0)
            return bad("numSignatures must equal the number of hashes and documents");
        if (n > sim.options().multisign)
            return bad("too many signatures");
        auto valid_b64_name = [](const std::string& v) {
            if (v.empty() || v.size() >= 100)
                return false;
            try {
                neac::base64_decode(v);
                return true;
            } catch (const neac::Error&) {
                return false;
            }
        };
        if (!valid_b64_name(str(b, "description")))
            return bad("description must be base64 under 100 characters");
        std::vector<Bytes> digests;
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < n; ++i) {
            if (!valid_b64_name(str((*docs)[i], "document_name")) ||
                str((*docs)[i], "document_id").empty())
                return bad("document_name must be base64 under 100 characters");
            ids.push_back(str((*docs)[i], "document_id"));
            digests.push_back(neac::base64_decode((*hashes)[i].get<std::string>()));
            if (digests.back().size() != 32)
                return bad("only SHA-256 hashes are accepted");
        }
        if (b.value("async", 0) == 0)
            return bad("this simulator signs asynchronously only (async 1, 2 or 3)");
        std::string id = "vt-" + neac::crypto::random_hex(10);
        sim.create("viettel", id, user, signer, digests, ids, str(b, "description"));
        send_json(res, 200, {{"transactionId", id}});
    });

    server.Post(base + "/requests/status", [&, authed](const httplib::Request& req,
                                                       httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "viettel.status", "status", &b))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string user = authed(req, res);
        if (user.empty())
            return;
        Txn* t = sim.find(str(b, "transactionId"));
        if (!t || t->provider != "viettel" || t->account != user)
            return send_json(res, 400,
                             {{"error", 40004}, {"error_description", "transaction not found"}});
        if (t->status == "pending")
            return send_json(
                res, 200, {{"status", "4000"}, {"description", "waiting for user confirmation"}});
        if (t->status == "rejected")
            return send_json(res, 200, {{"status", "4002"}, {"description", "user rejected"}});
        if (t->status == "expired")
            return send_json(res, 200, {{"status", "4001"}, {"description", "timeout"}});
        json sigs = json::array();
        for (const Bytes& s : delivered_signatures(sim, *t))
            sigs.push_back(crlf_wrapped(neac::base64_encode(s)));
        send_json(res, 200, {{"status", "1"}, {"signatures", sigs}});
    });
}

// --- MISA eSign -------------------------------------------------------------------------------

void add_misa(httplib::Server& server, Sim& sim) {
    const std::string auth = "/webdev/api/auth/api/v1/auth";
    const std::string esrm = "/external/esrm/service";
    auto partner_ok = [&sim](const httplib::Request& req) {
        // Partner keys are optional for neac; when sent they must be right.
        std::string id = req.get_header_value("x-clientId");
        std::string key = req.get_header_value("x-clientKey");
        return (id.empty() || id == sim.options().client_id) &&
               (key.empty() || key == sim.options().client_secret);
    };
    auto session = [&sim]() {
        std::string access = sim.issue_token("misa-access", "misa-at-");
        std::string rs = sim.issue_token("001099012345", "misa-rs-");
        std::string refresh = sim.issue_token("refresh", "misa-rt-");
        return json{{"status", {{"type", 0}, {"code", 200}, {"message", "Success"}}},
                    {"data",
                     {{"accessToken", access},
                      {"remoteSigningAccessToken", rs},
                      {"tokenType", "Bearer"},
                      {"expiresIn", sim.options().token_ttl},
                      {"refreshToken", refresh},
                      {"user",
                       {{"id", "6f1c2d3e-0000-4a5b-9c8d-001099012345"},
                        {"userName", sim.options().misa_user}}}}}};
    };
    auto login_error = [](const std::string& code, const std::string& msg) {
        return json{
            {"status",
             {{"type", 1}, {"code", 400}, {"errorCode", code}, {"userMsg", msg}, {"devMsg", msg}}},
            {"data", nullptr}};
    };

    server.Post(auth + "/login-api", [&, partner_ok, session, login_error](
                                         const httplib::Request& req, httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "misa.login", "login", &b))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (!partner_ok(req))
            return send_json(res, 401, login_error("e401", "invalid x-clientId/x-clientKey"));
        if (str(b, "userName") != sim.options().misa_user ||
            str(b, "password") != sim.options().misa_password)
            return send_json(res, 400, login_error("e1001", "Sai tên đăng nhập hoặc mật khẩu"));
        if (!sim.options().misa_otp.empty())
            return send_json(res, 200, login_error("122", "Two-factor authentication required"));
        send_json(res, 200, session());
    });
    server.Post(auth + "/two-factor-auth",
                [&, session, login_error](const httplib::Request& req, httplib::Response& res) {
                    {
                        std::lock_guard<std::mutex> lock(sim.mutex());
                        sim.count("misa.two_factor");
                    }
                    bool ok = false;
                    json b = parse_body(req, res, ok);
                    if (!ok)
                        return;
                    std::lock_guard<std::mutex> lock(sim.mutex());
                    if (str(b, "userName") != sim.options().misa_user || str(b, "code").empty() ||
                        str(b, "code") != sim.options().misa_otp)
                        return send_json(res, 400, login_error("e4002", "Mã OTP không đúng"));
                    send_json(res, 200, session());
                });
    server.Post(auth + "/refreshtoken",
                [&, session, login_error](const httplib::Request& req, httplib::Response& res) {
                    {
                        std::lock_guard<std::mutex> lock(sim.mutex());
                        sim.count("misa.refresh");
                    }
                    bool ok = false;
                    json b = parse_body(req, res, ok);
                    if (!ok)
                        return;
                    std::lock_guard<std::mutex> lock(sim.mutex());
                    if (sim.token_user(str(b, "refreshToken")) != "refresh")
                        return send_json(res, 401, login_error("e2002", "refresh token invalid"));
                    send_json(res, 200, session());
                });
    // Trap 1: login at the host root is not the auth service.
    server.Post(R"(/api/auth/.*)", [&](const httplib::Request&, httplib::Response& res) {
        {
            std::lock_guard<std::mutex> lock(sim.mutex());
            sim.count("misa.trap");
        }
        res.status = 405;
        res.set_content("Method Not Allowed", "text/plain");
    });
    // Trap 2: ESRM under /webdev is the single-page web app.
    auto spa = [&](const httplib::Request&, httplib::Response& res) {
        {
            std::lock_guard<std::mutex> lock(sim.mutex());
            sim.count("misa.trap");
        }
        res.status = 200;
        res.set_content("<!doctype html><html><head><title>MISA eSign</title></head><body><div "
                        "id=\"app\"></div></body></html>\n",
                        "text/html");
    };
    server.Get(R"(/webdev/external/.*)", spa);
    server.Post(R"(/webdev/external/.*)", spa);

    // ESRM calls need the remote-signing token (trap 3: accessToken gives 401 e2001).
    auto esrm_user = [&sim, partner_ok](const httplib::Request& req, httplib::Response& res) {
        std::string token = bearer(req, "AuthorizationRM");
        std::string user = sim.token_user(token);
        if (!partner_ok(req) || user.empty() || user == "misa-access" || user == "refresh") {
            send_json(res, 401,
                      {{"error", "access_token_invalid"},
                       {"errorCode", "e2001"},
                       {"devMsg", "access_token_invalid"},
                       {"userMsg", "Phiên đăng nhập không hợp lệ"}});
            return std::string();
        }
        return user;
    };

    server.Get(esrm + "/general/api/v1/Certificates/by-userId",
               [&, esrm_user](const httplib::Request& req, httplib::Response& res) {
                   if (!open_call(sim, req, res, "misa.certificates", "cert", nullptr))
                       return;
                   std::lock_guard<std::mutex> lock(sim.mutex());
                   std::string user = esrm_user(req, res);
                   if (user.empty())
                       return;
                   bool other = sim.take_fault("cert", {"othercert"}).has_value();
                   json list = json::array();
                   for (const Signer* s : sim.signers_for(user, "misa", other))
                       list.push_back({{"userId", "6f1c2d3e-0000-4a5b-9c8d-001099012345"},
                                       {"keyAlias", "misa-" + s->name + "-2024"},
                                       {"appName", "MISA eSign"},
                                       {"keyStatus", "ACTIVE"},
                                       {"certificate", neac::base64_encode(s->cert.der())},
                                       {"certiticateChain",
                                        {neac::base64_encode(s->cert.der()),
                                         neac::base64_encode(sim.intermediate().der()),
                                         neac::base64_encode(sim.root().der())}},
                                       {"certStatus", "VALID"},
                                       {"effectiveDate", iso_date(s->cert.not_before())},
                                       {"expirationDate", iso_date(s->cert.not_after())},
                                       {"isAutoSign", false}});
                   send_json(res, 200, list);
               });

    server.Post(esrm + "/signing/api/v1/Signing/hash", [&, esrm_user](const httplib::Request& req,
                                                                      httplib::Response& res) {
        json b;
        if (!open_call(sim, req, res, "misa.sign", "sign", &b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string user = esrm_user(req, res);
        if (user.empty())
            return;
        json failures = json::array();
        const Signer* signer = nullptr;
        for (const Signer* s : sim.signers_for(user, "misa", false))
            if (str(b, "CertAlias") == "misa-" + s->name + "-2024")
                signer = s;
        if (!signer)
            failures.push_back("CertAlias không hợp lệ");
        auto docs = b.find("Documents");
        if (docs == b.end() || !docs->is_array() || docs->empty())
            failures.push_back("Phải có ít nhất 1 tài liệu");
        std::vector<Bytes> digests;
        std::vector<std::string> ids;
        if (failures.empty()) {
            for (const auto& d : *docs) {
                std::string id = str(d, "DocumentId");
                if (id.empty() || id.size() > 36)
                    failures.push_back("DocumentId tối đa 36 ký tự");
                if (str(d, "DocumentName").size() > 100)
                    failures.push_back("DocumentName tối đa 100 ký tự");
                try {
                    digests.push_back(neac::base64_decode(str(d, "FileToSign")));
                } catch (const neac::Error&) {
                    failures.push_back("FileToSign không hợp lệ");
                }
                ids.push_back(id);
            }
        }
        if (!failures.empty())
            return send_json(res, 400,
                             {{"error", "e400"},
                              {"errorCode", "e400"},
                              {"devMsg", "validation failed"},
                              {"validationFailures", failures}});
        std::string id = neac::crypto::random_hex(4) + "-" + neac::crypto::random_hex(2) + "-" +
                         neac::crypto::random_hex(2) + "-" + neac::crypto::random_hex(2) + "-" +
                         neac::crypto::random_hex(6);
        sim.create("misa", id, user, signer, digests, ids, str(b, "DataToBeDisplayed"));
        send_json(res, 200, {{"transactionId", id}});
    });

    server.Get(esrm + R"(/signing/api/v1/Signing/status/([^/]+))", [&, esrm_user](
                                                                       const httplib::Request& req,
                                                                       httplib::Response& res) {
        if (!open_call(sim, req, res, "misa.status", "status", nullptr))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (esrm_user(req, res).empty())
            return;
        Txn* t = sim.find(req.matches[1]);
        if (!t || t->provider != "misa")
            return send_json(res, 404,
                             {{"errorCode", "e404"}, {"devMsg", "transaction not found"}});
        json out{{"transactionId", t->id}, {"errorCode", nullptr}, {"errorDescription", nullptr}};
        if (t->status == "pending") {
            out["status"] = "PENDING";
        } else if (t->status == "rejected") {
            out["status"] = "FAILED";
            out["errorCode"] = "USER_REJECTED";
            out["errorDescription"] = "Người dùng từ chối ký";
        } else if (t->status == "expired") {
            out["status"] = "FAILED";
            out["errorCode"] = "TRANSACTION_EXPIRED";
            out["errorDescription"] = "Giao dịch đã hết hạn";
        } else {
            out["status"] = "SUCCESS";
            json sigs = json::array();
            std::vector<Bytes> delivered = delivered_signatures(sim, *t);
            for (std::size_t i = 0; i < delivered.size(); ++i)
                sigs.push_back({{"documentId", t->doc_ids[i]},
                                {"signature", neac::base64_encode(delivered[i])}});
            out["signatures"] = sigs;
        }
        send_json(res, 200, out);
    });
}

// --- CSC v2 -----------------------------------------------------------------------------------

void add_csc(httplib::Server& server, Sim& sim) {
    const std::string base = "/csc/v2";
    static const std::string credential = "cred-rsa-001099012345";
    auto authed = [&sim](const httplib::Request& req, httplib::Response& res) {
        if (bearer(req) != sim.options().csc_token) {
            send_json(res, 401,
                      {{"error", "invalid_token"},
                       {"error_description", "The access token is not valid"}});
            return false;
        }
        return true;
    };
    auto error = [](httplib::Response& res, int status, const std::string& e,
                    const std::string& d) {
        send_json(res, status, {{"error", e}, {"error_description", d}});
    };
    // Common prologue: count, transport faults, auth, JSON body.
    auto begin = [&sim, authed](const std::string& route, const std::string& fault_route,
                                const httplib::Request& req, httplib::Response& res, json& body,
                                bool need_auth) {
        return open_call(sim, req, res, "csc." + route, fault_route, &body, route == "authorize") &&
               (!need_auth || authed(req, res));
    };

    server.Post(base + "/info", [&, begin](const httplib::Request& req, httplib::Response& res) {
        json b;
        if (!begin("info", "cert", req, res, b, false))
            return;
        send_json(
            res, 200,
            {{"specs", "2.0.0.2"},
             {"name", "neac provider_sim"},
             {"logo", ""},
             {"region", "VN"},
             {"lang", "vi-VN"},
             {"description", "CSC v2 simulator for neac tests"},
             {"authType", {"oauth2client"}},
             {"asynchronousOperationMode", sim.options().csc_async},
             {"methods",
              {"credentials/list", "credentials/info", "credentials/authorize",
               "credentials/authorizeCheck", "signatures/signHash", "signatures/signPolling"}}});
    });
    server.Post(base + "/credentials/list",
                [&, begin](const httplib::Request& req, httplib::Response& res) {
                    json b;
                    if (!begin("list", "cert", req, res, b, true))
                        return;
                    send_json(res, 200, {{"credentialIDs", {credential}}});
                });
    server.Post(base + "/credentials/info", [&, begin, error](const httplib::Request& req,
                                                              httplib::Response& res) {
        json b;
        if (!begin("credentials_info", "cert", req, res, b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (str(b, "credentialID") != credential)
            return error(res, 400, "invalid_request", "Invalid parameter credentialID");
        bool other = sim.take_fault("cert", {"othercert"}).has_value();
        const Signer* s = sim.signers_for("001099012345", "csc", other).front();
        send_json(
            res, 200,
            {{"description", "neac test credential"},
             {"key",
              {{"status", "enabled"},
               {"algo", {"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11"}},
               {"len", 2048}}},
             {"cert",
              {{"status", "valid"},
               {"certificates",
                {neac::base64_encode(s->cert.der()), neac::base64_encode(sim.intermediate().der()),
                 neac::base64_encode(sim.root().der())}},
               {"issuerDN", s->cert.issuer()},
               {"serialNumber", s->cert.serial_hex()},
               {"subjectDN", s->cert.subject()}}},
             {"auth", {{"mode", "explicit"}}},
             {"SCAL", "2"},
             {"multisign", sim.options().multisign},
             {"lang", "vi-VN"}});
    });
    server.Post(base + "/credentials/authorize", [&, begin, error](const httplib::Request& req,
                                                                   httplib::Response& res) {
        json b;
        if (!begin("authorize", "sign", req, res, b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        if (str(b, "credentialID") != credential)
            return error(res, 400, "invalid_request", "Invalid parameter credentialID");
        auto hashes = b.find("hashes");
        std::size_t n = b.value("numSignatures", std::size_t{0});
        if (hashes == b.end() || !hashes->is_array() || hashes->size() != n || n == 0)
            return error(res, 400, "invalid_request",
                         "numSignatures must equal the number of hashes");
        if (n > sim.options().multisign)
            return error(res, 400, "invalid_request", "Numbers of signatures is too high");
        std::vector<Bytes> digests;
        for (const auto& h : *hashes)
            digests.push_back(neac::base64_decode(h.get<std::string>()));
        std::string handle = "csc-h-" + neac::crypto::random_hex(10);
        Txn& t = sim.create("csc", handle, "001099012345", &sim.rsa(), digests, {},
                            str(b, "description"));
        if (sim.options().csc_authorize_sync) {
            sim.decide(t, "approve");
            t.sad_used = false;
            return send_json(res, 200, {{"SAD", t.sad}, {"expiresIn", 300}});
        }
        send_json(res, 202, {{"handle", handle}});
    });
    server.Post(base + "/credentials/authorizeCheck", [&, begin, error](const httplib::Request& req,
                                                                        httplib::Response& res) {
        json b;
        if (!begin("authorizeCheck", "status", req, res, b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        Txn* t = sim.find(str(b, "handle"));
        if (!t || t->provider != "csc")
            return error(res, 400, "invalid_request", "Invalid parameter handle");
        if (t->status == "pending")
            return send_json(res, 202, json::object());
        if (t->status == "rejected")
            return error(res, 400, "access_denied", "The user rejected the authorization");
        if (t->status == "expired")
            return error(res, 400, "invalid_request", "The authorization request expired");
        send_json(res, 200, {{"SAD", t->sad}, {"expiresIn", 300}});
    });
    server.Post(base + "/signatures/signHash", [&, begin, error](const httplib::Request& req,
                                                                 httplib::Response& res) {
        json b;
        if (!begin("signHash", "sign-hash", req, res, b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string sad = str(b, "SAD");
        Txn* t = sim.find_if(
            [&](const Txn& c) { return c.provider == "csc" && !c.sad.empty() && c.sad == sad; });
        if (!t)
            return error(res, 400, "invalid_request", "Invalid SAD");
        if (t->sad_used)
            return error(res, 400, "invalid_request", "SAD expired");
        auto hashes = b.find("hashes");
        if (hashes == b.end() || !hashes->is_array() || hashes->size() != t->digests.size())
            return error(res, 400, "invalid_request", "Hash is not authorized by the SAD");
        for (std::size_t i = 0; i < t->digests.size(); ++i)
            if (neac::base64_decode((*hashes)[i].get<std::string>()) != t->digests[i])
                return error(res, 400, "invalid_request", "Hash is not authorized by the SAD");
        std::string algo = str(b, "signAlgo");
        if (algo != "1.2.840.113549.1.1.1" && algo != "1.2.840.113549.1.1.11")
            return error(res, 400, "invalid_request", "Invalid parameter signAlgo");
        t->sad_used = true;
        if (str(b, "operationMode") == "A") {
            std::string rid = "csc-r-" + neac::crypto::random_hex(10);
            t->doc_ids = {rid}; // the asynchronous request id
            return send_json(res, 200, {{"responseID", rid}});
        }
        json sigs = json::array();
        for (const Bytes& s : delivered_signatures(sim, *t))
            sigs.push_back(neac::base64_encode(s));
        send_json(res, 200, {{"signatures", sigs}});
    });
    server.Post(base + "/signatures/signPolling", [&, begin, error](const httplib::Request& req,
                                                                    httplib::Response& res) {
        json b;
        if (!begin("signPolling", "status", req, res, b, true))
            return;
        std::lock_guard<std::mutex> lock(sim.mutex());
        std::string rid = str(b, "requestID");
        Txn* t = sim.find_if([&](const Txn& c) {
            return c.provider == "csc" && !c.doc_ids.empty() && c.doc_ids.front() == rid;
        });
        if (!t)
            return error(res, 400, "invalid_request", "Invalid parameter requestID");
        // Both pending forms seen in the field: 202, then 400 "previous asynchronous ...".
        ++t->polls;
        if (t->polls == 1)
            return send_json(res, 202, {{"error", "accepted_request"}});
        if (t->polls == 2)
            return error(res, 400, "invalid_request",
                         "A previous asynchronous signature request is still being processed");
        json sigs = json::array();
        for (const Bytes& s : delivered_signatures(sim, *t))
            sigs.push_back(neac::base64_encode(s));
        send_json(res, 200, {{"signatures", sigs}});
    });
}

// --- the phone --------------------------------------------------------------------------------

void add_control(httplib::Server& server, Sim& sim) {
    server.Get("/_sim/stats", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(sim.mutex());
        send_json(res, 200, sim.stats());
    });
    for (const char* action : {"approve", "reject", "expire"}) {
        std::string a = action;
        server.Post("/_sim/" + a, [&sim, a](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard<std::mutex> lock(sim.mutex());
            std::string id = req.has_param("id") ? req.get_param_value("id") : "";
            send_json(res, 200,
                      {{a == "approve"  ? "approved"
                        : a == "reject" ? "rejected"
                                        : "expired",
                        sim.decide_all(a, id)}});
        });
    }
    server.Post("/_sim/fault", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(sim.mutex());
        sim.add_fault(parse_fault(req.get_param_value("spec")));
        send_json(res, 200, {{"ok", true}});
    });
    server.Post("/_sim/clear-faults", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(sim.mutex());
        sim.clear_faults();
        send_json(res, 200, {{"ok", true}});
    });
    server.Post("/_sim/auto", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard<std::mutex> lock(sim.mutex());
        sim.set_auto(req.get_param_value("mode"),
                     req.has_param("after") ? std::atoi(req.get_param_value("after").c_str()) : 0);
        send_json(res, 200, {{"ok", true}});
    });
}

} // namespace

int main(int argc, char** argv) {
    sim_common::start("provider_sim");
    Options opt = parse(argc, argv);
    std::unique_ptr<Sim> sim = sim_common::or_die([&] { return std::make_unique<Sim>(opt); },
                                                  "cannot load the test PKI: ");
    std::unique_ptr<httplib::Server> server_owner = sim_common::make_server(opt.server);
    httplib::Server& server = *server_owner;
    add_vnpt(server, *sim);
    add_viettel(server, *sim);
    add_misa(server, *sim);
    add_csc(server, *sim);
    add_control(server, *sim);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            send_json(
                res, 500,
                {{"error", "server_error"}, {"error_description", sim_common::exception_text(ep)}});
        });

    sim_common::listen_and_serve(server, opt.server);
    return 0;
}
