#include "neac/net/retry.hpp"
#include "neac/util/text.hpp"

#include "neac/util/error.hpp"
#include "neac/util/json.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

namespace neac::net {
namespace {

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Keys whose values are credentials in one of the provider APIs (compared lower-case, without
// '_' and '-', so "sp_password", "remoteSigningAccessToken" and "client-secret" all match).
bool is_secret_key(const std::string& key) {
    std::string k;
    for (char c : lower(key))
        if (c != '_' && c != '-')
            k += c;
    static const char* const exact[] = {"password",      "sppassword",  "clientsecret",
                                        "secret",        "accesstoken", "remotesigningaccesstoken",
                                        "refreshtoken",  "token",       "sad",
                                        "otp",           "code",        "pin",
                                        "authorization", "spid",        "clientid",
                                        "clientkey"};
    for (const char* e : exact)
        if (k == e)
            return true;
    if (k == "tokentype" || k == "tokenexpires")
        return false;
    return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
           k.find("token") != std::string::npos;
}

void redact_json(nlohmann::json& j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (is_secret_key(it.key()) && !it.value().is_null())
                it.value() = "***";
            else
                redact_json(it.value());
        }
    } else if (j.is_array()) {
        for (auto& v : j)
            redact_json(v);
    }
}

double env_timeout_seconds() {
    const char* v = std::getenv("NEAC_HTTP_TIMEOUT");
    if (!v || !*v)
        return 0;
    char* end = nullptr;
    double s = std::strtod(v, &end);
    if (*end != '\0' || s < 0.1 || s > 3600)
        throw Error(ErrorKind::Usage, std::string("NEAC_HTTP_TIMEOUT must be a number of seconds "
                                                  "(0.1..3600), got \"") +
                                          v + "\"");
    return s;
}

// Jitter only spreads retries apart; it guards no secret, so a seeded standard engine will do
// (and keeps net/ free of the crypto library, which itself uses net/ for TSA and OCSP calls).
std::uint32_t random_u32() {
    thread_local std::mt19937 engine{std::random_device{}()};
    return static_cast<std::uint32_t>(engine());
}

} // namespace

void Redactor::add(const std::string& secret) {
    if (secret.size() < 4)
        return;
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end())
        secrets_.push_back(secret);
    // Longest first, so that a secret containing another one is replaced whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::scrub(std::string text) const {
    for (const std::string& s : secrets_) {
        for (std::size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
            text.replace(at, s.size(), "***");
    }
    return text;
}

std::string Redactor::redact_body(const std::string& body) const {
    if (body.empty())
        return body;
    nlohmann::json j = parse_untrusted_json(body);
    if (!j.is_discarded()) {
        redact_json(j);
        std::string text = j.dump();
        if (text.size() > 4000)
            text = text.substr(0, 4000) + "... (" + std::to_string(text.size()) + " bytes)";
        return scrub(std::move(text));
    }
    // Binary bodies (upload chunks, DER) would only garble the terminal.
    if (!is_valid_utf8(body))
        return "(" + std::to_string(body.size()) + " bytes of binary data)";
    std::string text = scrub(body);
    if (text.size() > 2000)
        text = text.substr(0, 2000) + "... (" + std::to_string(body.size()) + " bytes)";
    return text;
}

bool is_transient_status(long status) {
    return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy,
                                        const std::string& retry_after) {
    if (!retry_after.empty()) {
        char* end = nullptr;
        long s = std::strtol(retry_after.c_str(), &end, 10);
        // Compared in seconds: converting the server's number to milliseconds first overflowed.
        if (*end == '\0' && s >= 0 &&
            s <= std::chrono::duration_cast<std::chrono::seconds>(policy.max_delay).count())
            return std::chrono::seconds(s);
    }
    long long d = policy.base_delay.count();
    for (int i = 1; i < attempt && d < policy.max_delay.count(); ++i)
        d *= 2;
    d = std::min<long long>(d, policy.max_delay.count());
    // "Equal jitter": never less than half the step, so retries still back off, but spread so
    // that many clients failing together do not come back together.
    long long half = d / 2;
    long long jitter = half > 0 ? static_cast<long long>(random_u32() % (half + 1)) : 0;
    return std::chrono::milliseconds(half + jitter);
}

HttpResponse perform_with_retry(HttpRequest request, Repeat repeat, const RetryPolicy& policy,
                                const Redactor& redactor) {
    if (double s = env_timeout_seconds(); s > 0)
        request.total_timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000));
    const std::string shown = request.method + " " + redact_url(request.url);
    if (spdlog::should_log(spdlog::level::trace) && !request.body.empty())
        spdlog::trace("HTTP {} request body: {}", shown, redactor.redact_body(request.body));

    int attempts = std::max(1, policy.max_attempts);
    for (int attempt = 1;; ++attempt) {
        std::string retry_after;
        try {
            HttpResponse r = perform(request);
            if (spdlog::should_log(spdlog::level::trace))
                spdlog::trace("HTTP {} -> {} response body: {}", shown, r.status,
                              redactor.redact_body(r.body));
            // An answered signing request is never repeated, whatever its status.
            if (repeat == Repeat::Once || !is_transient_status(r.status) || attempt >= attempts)
                return r;
            if (auto it = r.headers.find("retry-after"); it != r.headers.end())
                retry_after = it->second;
            spdlog::info("HTTP {}: status {}, retrying (attempt {} of {})", shown, r.status,
                         attempt + 1, attempts);
        } catch (const TransportError& e) {
            // A signing request is repeated only when it certainly never left this machine.
            bool may_repeat = repeat == Repeat::Safe ? e.transient() : (e.transient() && !e.sent());
            if (!may_repeat || attempt >= attempts)
                throw;
            spdlog::info("HTTP {}: {}; retrying (attempt {} of {})", shown,
                         redactor.scrub(e.what()), attempt + 1, attempts);
        }
        std::chrono::milliseconds d = backoff_delay(attempt, policy, retry_after);
        if (policy.sleep)
            policy.sleep(d);
        else
            std::this_thread::sleep_for(d);
    }
}

} // namespace neac::net
