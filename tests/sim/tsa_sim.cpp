// tsa_sim: an RFC 3161 time-stamping server on loopback, for tests. It answers real
// TimeStampReq/TimeStampResp over HTTP with OpenSSL's TS_RESP_CTX, and can inject faults.
//
//   tsa_sim --port 0 --cert tsa.pem --key tsa.key [--chain chain.pem] [fault options]
//
// Prints "listening on http://127.0.0.1:PORT" on stdout once ready (nothing else goes to stdout).
// Any POST path is served. Fault options:
//   --fail CODE      answer every request with HTTP CODE
//   --bad-imprint    time-stamp a different imprint than the one requested (validly signed)
//   --bad-nonce      answer with a different nonce (validly signed)
//   --tamper         flip one byte of the token's signature value
//   --reject         answer status "rejection" (no token)
//   --delay MS       wait MS milliseconds before answering
//   --policy OID     TSA policy (default 1.3.6.1.4.1.55555.1.1)
// Transport options (used by the HTTP client tests too):
//   --tls-cert PEM --tls-key PEM   serve HTTPS instead ("listening on https://127.0.0.1:PORT")
//   --redirect URL   answer 307 Location: URL, except on the path /final
//   --big BYTES      answer 200 with BYTES bytes of filler instead of a time-stamp
#include "sim_common.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using sim_common::die;

struct Options {
    sim_common::ServerOptions server;
    std::string cert, key, chain;
    int fail = 0;
    bool bad_imprint = false, bad_nonce = false, tamper = false, reject = false;
    int delay_ms = 0;
    std::string redirect;
    long long big = -1;
    std::string policy = "1.3.6.1.4.1.55555.1.1";
};

Options parse(int argc, char** argv) {
    Options o;
    sim_common::OptionParser options;
    sim_common::add_server_options(options, o.server);
    options.text("--cert", o.cert)
        .text("--key", o.key)
        .text("--chain", o.chain)
        .number("--fail", o.fail)
        .flag("--bad-imprint", o.bad_imprint)
        .flag("--bad-nonce", o.bad_nonce)
        .flag("--tamper", o.tamper)
        .flag("--reject", o.reject)
        .number("--delay", o.delay_ms)
        .text("--policy", o.policy)
        .text("--redirect", o.redirect)
        .number("--big", o.big)
        .parse(argc, argv);
    if (o.cert.empty() || o.key.empty())
        die("usage: tsa_sim --port 0 --cert tsa.pem --key tsa.key [--chain chain.pem] [faults]");
    return o;
}

X509* load_cert(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f)
        die("cannot open " + path);
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!x)
        die("cannot read certificate " + path);
    return x;
}

STACK_OF(X509) * load_chain(const std::string& path) {
    STACK_OF(X509)* sk = sk_X509_new_null();
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f)
        die("cannot open " + path);
    while (X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr))
        sk_X509_push(sk, x);
    ERR_clear_error();
    std::fclose(f);
    return sk;
}

EVP_PKEY* load_key(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f)
        die("cannot open " + path);
    EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!k)
        die("cannot read key " + path);
    return k;
}

std::atomic<long> g_serial{1};

ASN1_INTEGER* next_serial(TS_RESP_CTX*, void*) {
    ASN1_INTEGER* s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, g_serial++);
    return s;
}

int no_time(TS_RESP_CTX*, void*, long*, long*) {
    return 0; // makes OpenSSL answer "rejection / timeNotAvailable"
}

std::string der_of(TS_RESP* resp) {
    unsigned char* buf = nullptr;
    int len = i2d_TS_RESP(resp, &buf);
    if (len <= 0)
        return {};
    std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    return out;
}

// Applies --bad-imprint / --bad-nonce to the request before OpenSSL answers it.
std::string rewrite_request(const std::string& body, const Options& o) {
    if (!o.bad_imprint && !o.bad_nonce)
        return body;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(body.data());
    TS_REQ* req = d2i_TS_REQ(nullptr, &p, static_cast<long>(body.size()));
    if (!req)
        return body;
    if (o.bad_imprint) {
        ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req));
        std::vector<unsigned char> d(ASN1_STRING_get0_data(msg),
                                     ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
        if (!d.empty())
            d[0] ^= 0x01;
        ASN1_OCTET_STRING_set(msg, d.data(), static_cast<int>(d.size()));
    }
    if (o.bad_nonce) {
        ASN1_INTEGER* n = ASN1_INTEGER_new();
        ASN1_INTEGER_set(n, 42);
        TS_REQ_set_nonce(req, n);
        ASN1_INTEGER_free(n);
    }
    unsigned char* buf = nullptr;
    int len = i2d_TS_REQ(req, &buf);
    TS_REQ_free(req);
    if (len <= 0)
        return body;
    std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    sim_common::start("tsa_sim", [] { ERR_print_errors_fp(stderr); });
    Options opt = parse(argc, argv);
    X509* cert = load_cert(opt.cert);
    EVP_PKEY* key = load_key(opt.key);
    STACK_OF(X509)* chain = opt.chain.empty() ? nullptr : load_chain(opt.chain);
    ASN1_OBJECT* policy = OBJ_txt2obj(opt.policy.c_str(), 1);
    if (!policy)
        die("bad policy OID " + opt.policy);
    std::mutex mu; // TS_RESP_CTX is built per request; the mutex keeps OpenSSL state simple

    std::unique_ptr<httplib::Server> server_owner = sim_common::make_server(opt.server);
    httplib::Server& server = *server_owner;
    server.Post(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
        if (opt.delay_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(opt.delay_ms));
        if (!opt.redirect.empty() && req.path != "/final") {
            res.status = 307;
            res.set_header("Location", opt.redirect);
            return;
        }
        if (opt.big >= 0) {
            res.status = 200;
            res.set_content(std::string(static_cast<std::size_t>(opt.big), 'x'),
                            "application/octet-stream");
            return;
        }
        if (opt.fail != 0) {
            res.status = opt.fail;
            res.set_content("simulated failure\n", "text/plain");
            return;
        }
        if (req.get_header_value("Content-Type") != "application/timestamp-query") {
            res.status = 415;
            res.set_content("expected application/timestamp-query\n", "text/plain");
            return;
        }
        std::lock_guard<std::mutex> lock(mu);
        TS_RESP_CTX* ctx = TS_RESP_CTX_new();
        TS_RESP_CTX_set_signer_cert(ctx, cert);
        TS_RESP_CTX_set_signer_key(ctx, key);
        if (chain)
            TS_RESP_CTX_set_certs(ctx, chain);
        TS_RESP_CTX_set_def_policy(ctx, policy);
        TS_RESP_CTX_add_md(ctx, EVP_sha256());
        TS_RESP_CTX_add_md(ctx, EVP_sha384());
        TS_RESP_CTX_add_md(ctx, EVP_sha512());
        TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256());
        TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()); // signing-certificate-v2
        TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0);
        TS_RESP_CTX_set_serial_cb(ctx, next_serial, nullptr);
        if (opt.reject)
            TS_RESP_CTX_set_time_cb(ctx, no_time, nullptr);
        std::string body = rewrite_request(req.body, opt);
        BIO* in = BIO_new_mem_buf(body.data(), static_cast<int>(body.size()));
        TS_RESP* resp = TS_RESP_create_response(ctx, in);
        BIO_free(in);
        TS_RESP_CTX_free(ctx);
        if (!resp) {
            ERR_print_errors_fp(stderr);
            res.status = 500;
            res.set_content("cannot create a response\n", "text/plain");
            return;
        }
        std::string der = der_of(resp);
        TS_RESP_free(resp);
        // The token's signature value is the last element of the response: flipping the last
        // byte keeps the DER well-formed but breaks the signature.
        if (opt.tamper && !der.empty())
            der.back() = static_cast<char>(der.back() ^ 0x5A);
        res.status = 200;
        res.set_content(der, "application/timestamp-reply");
    });

    sim_common::listen_and_serve(server, opt.server);
    return 0;
}
