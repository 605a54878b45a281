// Minimal HTTPS client over libcurl. TLS verification is always on; a private CA bundle may be
// given, turning verification off is not possible. Secrets passed in headers are never logged.
#pragma once

#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace neac::net {

// What perform() throws when no HTTP answer arrived (Error(Remote)). `transient()` is true for
// failures that may go away on another attempt (connection refused or reset, empty reply,
// timeout);
// `sent()` is false when the request certainly never reached the server (no connection), so
// that even a request that must not be repeated may be tried again.
class TransportError : public Error {
public:
    TransportError(Error error, bool transient, bool sent)
        : Error(std::move(error)), transient_(transient), sent_(sent) {}
    bool transient() const noexcept { return transient_; }
    bool sent() const noexcept { return sent_; }

private:
    bool transient_;
    bool sent_;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers; // values of Authorization etc. are
                                                              // redacted in logs
    std::string body;
    std::string ca_bundle; // PEM file; empty = system store
    std::chrono::milliseconds connect_timeout = limits::kConnectTimeout;
    std::chrono::milliseconds total_timeout = limits::kRequestTimeout;
    // Responses larger than this (after content decoding) are refused with Error(Remote).
    std::size_t max_response_size = limits::kApiResponseBytes;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

// Performs one request. Transport failures (DNS, connect, TLS, timeout, oversized response) throw
// Error(Remote) with curl's explanation and the URL without its query string (never header
// values). HTTP error statuses are returned, not thrown: callers decide what a 4xx means.
// Only http and https are allowed. Redirects are followed (at most 5) only to the same scheme,
// host and port; a redirect elsewhere is returned as the 3xx response itself, because forwarding
// an Authorization header or a signing request to another host is never what the caller wants.
// 301/302/303 turn the request into a GET (as browsers do); 307/308 repeat it unchanged.
HttpResponse perform(const HttpRequest& request);

// The URL as it may appear in logs and error messages: without "user:password@", query string
// or fragment (some APIs carry tokens there).
std::string redact_url(const std::string& url);

} // namespace neac::net
