// Minimal HTTPS client over libcurl. TLS verification is always on; a private CA bundle may be
// given, turning verification off is not possible. Secrets passed in headers are never logged.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace neac::net {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers; // values of Authorization etc. are
                                                              // redacted in logs
    std::string body;
    std::string ca_bundle; // PEM file; empty = system store
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds total_timeout{60000};
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

// Performs one request. Transport failures (DNS, connect, TLS, timeout) throw Error(Remote) with
// curl's explanation and the URL (never header values). HTTP error statuses are returned, not
// thrown: callers decide what a 4xx means.
HttpResponse perform(const HttpRequest& request);

} // namespace neac::net
