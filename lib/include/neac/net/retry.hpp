// Network discipline for the remote-signing APIs, on top of net::perform():
//   - retries with jittered exponential backoff for transient failures (connection refused or
//     reset, empty reply, timeout, HTTP 429/502/503/504), only for requests that are safe to
//     repeat (certificate, status, login calls);
//   - a signing request (the one that reaches the signer's phone) is sent at most once: a second
//     copy would mean a second approval, or two transactions for one batch;
//   - timeouts: connect and total per request, NEAC_HTTP_TIMEOUT (seconds) overrides the total;
//   - request and response bodies are logged at trace level (-vvv) only after redaction: values
//     of secret JSON keys and every registered secret value are replaced by "***".
#pragma once

#include "neac/net/http.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace neac::net {

enum class Repeat {
    Safe, // reading calls and logins: retried on transient failures
    Once, // signing requests: never sent twice
};

struct RetryPolicy {
    int max_attempts = 4; // total attempts of a Safe request
    std::chrono::milliseconds base_delay{400};
    std::chrono::milliseconds max_delay{8000};
    // Sleeps between attempts; tests replace it to run without waiting.
    std::function<void(std::chrono::milliseconds)> sleep;
};

// The secret values of one provider session (passwords, client secrets, tokens). Never copied
// into logs or error messages produced by this layer.
class Redactor {
public:
    void add(const std::string& secret); // empty and very short values (< 4 chars) are ignored
    // `text` with every registered secret replaced by "***".
    std::string scrub(std::string text) const;
    // A body as it may be logged: JSON values under secret keys (password, sp_password,
    // client_secret, access_token, remoteSigningAccessToken, refreshToken, SAD, otp, code, ...)
    // replaced by "***", then scrub(). Other text is scrubbed and cut to 2000 bytes; a body that
    // is not UTF-8 text is shown as its size only.
    std::string redact_body(const std::string& body) const;

private:
    std::vector<std::string> secrets_;
};

// True for statuses worth another attempt: 408, 429, 502, 503, 504.
bool is_transient_status(long status);

// Delay before attempt `attempt` (1 = the first retry): a random value in [d/2, d] with
// d = min(max_delay, base_delay * 2^(attempt-1)); a Retry-After of at most max_delay seconds
// given by the server is honoured instead.
std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy,
                                        const std::string& retry_after = "");

// Performs `request` with the rules above. Returns the last response (possibly a transient
// status after the last attempt); throws the last transport Error(Remote) when no attempt got an
// answer. The total timeout is replaced by NEAC_HTTP_TIMEOUT when that is set to a number of
// seconds (1..3600).
HttpResponse perform_with_retry(HttpRequest request, Repeat repeat, const RetryPolicy& policy,
                                const Redactor& redactor);

} // namespace neac::net
