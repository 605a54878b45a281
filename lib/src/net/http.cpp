#include "neac/net/http.hpp"

#include "neac/util/error.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <mutex>

namespace neac::net {

namespace {

struct CurlDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* s) const noexcept { curl_slist_free_all(s); }
};
struct UrlDeleter {
    void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;

void global_init() {
    static std::once_flag once;
    static CURLcode rc = CURLE_OK;
    std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (rc != CURLE_OK)
        throw Error(ErrorKind::Internal,
                    std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Origin {
    std::string scheme, host, port;
    bool operator==(const Origin&) const = default;
};

// Scheme, host and port of an absolute URL; empty scheme when it does not parse.
Origin origin_of(const std::string& url) {
    Origin o;
    UrlPtr u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return o;
    auto part = [&](CURLUPart which, unsigned flags) {
        char* v = nullptr;
        std::string s;
        if (curl_url_get(u.get(), which, &v, flags) == CURLUE_OK && v)
            s = v;
        curl_free(v);
        return s;
    };
    o.scheme = lower(part(CURLUPART_SCHEME, 0));
    o.host = lower(part(CURLUPART_HOST, 0));
    o.port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
    return o;
}

struct Sink {
    std::string body;
    std::size_t cap = 0;
    bool overflow = false;
    std::map<std::string, std::string> headers;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    if (sink->body.size() + n > sink->cap) {
        sink->overflow = true;
        return 0; // makes curl fail with CURLE_WRITE_ERROR
    }
    sink->body.append(data, n);
    return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    std::string line(data, n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
        line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        sink->headers.clear(); // a new response (after 100 Continue): keep only the last one
        return n;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos)
        return n;
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    value = first == std::string::npos ? std::string() : value.substr(first);
    auto [it, inserted] = sink->headers.emplace(name, value);
    if (!inserted)
        it->second += ", " + value;
    return n;
}

void set(CURL* /*curl*/, CURLcode rc, const char* what) {
    if (rc != CURLE_OK)
        throw Error(ErrorKind::Internal,
                    std::string("cannot set curl option ") + what + ": " + curl_easy_strerror(rc));
}

bool has_crlf(const std::string& s) {
    return s.find_first_of("\r\n") != std::string::npos;
}

struct Attempt {
    HttpResponse response;
    std::string redirect_url;
};

Attempt perform_once(const HttpRequest& request, const std::string& method, const std::string& url,
                     bool send_body) {
    CurlPtr curl(curl_easy_init());
    if (!curl)
        throw Error(ErrorKind::Internal, "curl_easy_init failed");
    CURL* c = curl.get();
    char errbuf[CURL_ERROR_SIZE] = {0};
    Sink sink;
    sink.cap = request.max_response_size;

    set(c, curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf), "ERRORBUFFER");
    set(c, curl_easy_setopt(c, CURLOPT_URL, url.c_str()), "URL");
    set(c, curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR");
    set(c, curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");
    set(c, curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L), "FOLLOWLOCATION");
    // TLS verification is not configurable on purpose: a signing request or a timestamp sent to
    // an impostor is worse than no request at all.
    set(c, curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L), "SSL_VERIFYPEER");
    set(c, curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L), "SSL_VERIFYHOST");
    if (!request.ca_bundle.empty())
        set(c, curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_bundle.c_str()), "CAINFO");
    set(c,
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(request.connect_timeout.count())),
        "CONNECTTIMEOUT_MS");
    set(c,
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count())),
        "TIMEOUT_MS");
    set(c, curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""), "ACCEPT_ENCODING");
    set(c, curl_easy_setopt(c, CURLOPT_USERAGENT, "neac/" NEAC_VERSION), "USERAGENT");
    set(c, curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body), "WRITEFUNCTION");
    set(c, curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink), "WRITEDATA");
    set(c, curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header), "HEADERFUNCTION");
    set(c, curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink), "HEADERDATA");

    if (method == "GET") {
        set(c, curl_easy_setopt(c, CURLOPT_HTTPGET, 1L), "HTTPGET");
    } else if (method == "HEAD") {
        set(c, curl_easy_setopt(c, CURLOPT_NOBODY, 1L), "NOBODY");
    } else {
        if (method != "POST")
            set(c, curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str()), "CUSTOMREQUEST");
        if (method == "POST" || send_body) {
            set(c,
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                                 static_cast<curl_off_t>(request.body.size())),
                "POSTFIELDSIZE_LARGE");
            set(c, curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data()), "POSTFIELDS");
        }
    }

    SlistPtr headers;
    bool has_expect = false;
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || has_crlf(name) || has_crlf(value) ||
            name.find(':') != std::string::npos)
            throw Error(ErrorKind::Internal, "invalid HTTP header name or value for " + name);
        if (lower(name) == "expect")
            has_expect = true;
        std::string line = name + ": " + value;
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (!next)
            throw Error(ErrorKind::Internal, "out of memory");
        headers.release();
        headers.reset(next);
    }
    if (!has_expect) {
        // No "Expect: 100-continue" round trip for POST bodies over 1 KB.
        curl_slist* next = curl_slist_append(headers.get(), "Expect:");
        if (!next)
            throw Error(ErrorKind::Internal, "out of memory");
        headers.release();
        headers.reset(next);
    }
    set(c, curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get()), "HTTPHEADER");

    CURLcode rc = curl_easy_perform(c);
    const std::string shown = method + " " + redact_url(url);
    if (sink.overflow)
        throw Error(ErrorKind::Remote, "HTTP " + shown + ": the response exceeds " +
                                           std::to_string(request.max_response_size >> 20) + " MB")
            .hint("the server sent far more data than this API ever returns");
    if (rc != CURLE_OK) {
        std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        Error e(ErrorKind::Remote, "HTTP " + shown + " failed: " + detail);
        if (rc == CURLE_OPERATION_TIMEDOUT)
            e.hint("the server did not answer in time; try again later or raise the timeout");
        else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                 rc == CURLE_SSL_CONNECT_ERROR)
            e.hint("TLS verification failed; if the server uses a private CA, give its PEM "
                   "bundle (ca-bundle setting)");
        else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
            e.hint("check the URL and the network connection");
        bool unsent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                      rc == CURLE_COULDNT_RESOLVE_PROXY;
        bool transient = rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
                         rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
                         rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE;
        throw TransportError(std::move(e), transient, !unsent);
    }
    Attempt a;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.response.status);
    char* redirect = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect)
        a.redirect_url = redirect;
    a.response.body = std::move(sink.body);
    a.response.headers = std::move(sink.headers);
    return a;
}

} // namespace

std::string redact_url(const std::string& url) {
    std::string out = url;
    if (auto q = out.find_first_of("?#"); q != std::string::npos)
        out.erase(q);
    if (auto scheme = out.find("://"); scheme != std::string::npos) {
        auto host_start = scheme + 3;
        auto path = out.find('/', host_start);
        auto at = out.rfind('@', path == std::string::npos ? out.size() : path);
        if (at != std::string::npos && at >= host_start)
            out.erase(host_start, at + 1 - host_start);
    }
    return out;
}

HttpResponse perform(const HttpRequest& request) {
    global_init();
    if (!request.ca_bundle.empty() && !std::filesystem::is_regular_file(request.ca_bundle))
        throw Error(ErrorKind::BadInput, "CA bundle not found: " + request.ca_bundle)
            .file(request.ca_bundle);
    std::string method = request.method;
    for (char& ch : method)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string url = request.url;
    const Origin origin = origin_of(url);
    if (origin.scheme != "http" && origin.scheme != "https")
        throw Error(ErrorKind::BadInput, "not an http(s) URL: " + redact_url(url));
    bool send_body = !request.body.empty();

    auto started = std::chrono::steady_clock::now();
    for (int hop = 0;; ++hop) {
        Attempt a = perform_once(request, method, url, send_body);
        long status = a.response.status;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
        // Header names only: values may be credentials.
        std::string names;
        for (const auto& h : request.headers)
            names += (names.empty() ? "" : ",") + h.first;
        spdlog::debug("HTTP {} {} [{}] -> {} ({} bytes, {} ms)", method, redact_url(url), names,
                      status, a.response.body.size(), ms);
        bool is_redirect =
            (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) &&
            !a.redirect_url.empty();
        if (!is_redirect)
            return std::move(a.response);
        if (hop >= 5 || !(origin_of(a.redirect_url) == origin)) {
            spdlog::warn("HTTP {} {}: not following redirect to {}", method, redact_url(url),
                         redact_url(a.redirect_url));
            return std::move(a.response);
        }
        if (status == 301 || status == 302 || status == 303) {
            method = method == "HEAD" ? "HEAD" : "GET";
            send_body = false;
        }
        url = a.redirect_url;
    }
}

} // namespace neac::net
