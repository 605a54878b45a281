#include "neac/providers/remote_common.hpp"
#include "neac/util/clock.hpp"

#include "neac/crypto/random.hpp"
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <limits>

namespace neac::providers {

CurlTransport::CurlTransport(std::string ca_bundle) : ca_bundle_(std::move(ca_bundle)) {}

net::HttpResponse CurlTransport::send(const net::HttpRequest& request, net::Repeat repeat) {
    net::HttpRequest r = request;
    if (r.ca_bundle.empty())
        r.ca_bundle = ca_bundle_;
    return net::perform_with_retry(std::move(r), repeat, policy_, redactor_);
}

namespace remote {

std::string upper(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

namespace {

// Serial numbers compare as hex without separators and leading zeros.
std::string normal_serial(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::isxdigit(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::size_t nz = out.find_first_not_of('0');
    return nz == std::string::npos ? "0" : out.substr(nz);
}

std::string date_text(std::chrono::system_clock::time_point t) {
    return utc_text(t, "%Y-%m-%d");
}

std::string masked(const std::string& digits) {
    if (digits.size() < 7)
        return digits;
    return digits.substr(0, 4) + std::string(digits.size() - 6, '*') +
           digits.substr(digits.size() - 2);
}

std::string list_of(const std::vector<const Candidate*>& cs) {
    std::string out;
    for (const Candidate* c : cs)
        out += "\n  - " + describe_candidate(*c);
    return out;
}

crypto::SignatureScheme parse_scheme(const std::string& name) {
    for (auto s : {crypto::SignatureScheme::RsaPkcs1v15, crypto::SignatureScheme::RsaPss,
                   crypto::SignatureScheme::Ecdsa, crypto::SignatureScheme::Ed25519})
        if (name == crypto::scheme_name(s))
            return s;
    throw Error(ErrorKind::BadInput, "unknown signature scheme \"" + name + "\" in a transaction");
}

} // namespace

std::string setting(const ProviderConfig& config, const std::string& key,
                    const std::string& fallback) {
    auto it = config.settings.find(key);
    return it == config.settings.end() || it->second.empty() ? fallback : it->second;
}

std::string secret_from_env(const ProviderConfig& config, const std::string& key) {
    std::string var = setting(config, key);
    if (var.empty())
        throw input_error("the " + config.provider + " signature entry has no " + key + " setting")
            .hint("add it to the profile (neac profile add ... --" + key +
                  " VAR), see "
                  "neac-profile(5)");
    const char* value = std::getenv(var.c_str());
    if (!value || !*value)
        throw input_error("environment variable " + var + " (" + key + " of the " +
                          config.provider + " entry) is not set")
            .hint("export " + var + "=... before running neac; the value is never stored");
    return value;
}

std::string endpoint(const ProviderConfig& config) {
    std::string e = setting(config, "endpoint");
    if (e.empty())
        throw input_error("the " + config.provider + " signature entry has no endpoint setting")
            .hint("add --endpoint URL to the profile entry");
    while (!e.empty() && e.back() == '/')
        e.pop_back();
    return e;
}

nlohmann::json parse_json(const net::HttpResponse& response, const std::string& what,
                          const std::string& url) {
    std::string type;
    if (auto it = response.headers.find("content-type"); it != response.headers.end())
        type = it->second;
    std::string lower_type = type;
    std::transform(lower_type.begin(), lower_type.end(), lower_type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t first = response.body.find_first_not_of(" \t\r\n");
    char lead = first == std::string::npos ? '\0' : response.body[first];
    bool looks_json = lead == '{' || lead == '[';
    if ((!type.empty() && lower_type.find("json") == std::string::npos && !looks_json) ||
        (type.empty() && !looks_json)) {
        std::string kind = type.empty() ? "a body that is not JSON" : type;
        if (response.body.empty())
            kind = "an empty body";
        throw remote_error(what + ": " + net::redact_url(url) + " answered HTTP " +
                           std::to_string(response.status) + " with " + kind + " instead of JSON")
            .hint("the endpoint is probably wrong (a web page answered instead of the API); "
                  "check the entry's endpoint setting");
    }
    nlohmann::json j = parse_untrusted_json(response.body);
    if (j.is_discarded())
        throw remote_error(what + ": " + net::redact_url(url) + " answered HTTP " +
                           std::to_string(response.status) + " with malformed JSON (" +
                           std::to_string(response.body.size()) + " bytes)")
            .hint("the provider's service is misbehaving; try again later");
    return j;
}

Error http_error(const net::HttpResponse& response, const std::string& what,
                 const std::string& detail) {
    Error e = remote_error(what + " failed: HTTP " + std::to_string(response.status) +
                           (detail.empty() ? "" : ": " + detail));
    if (response.status == 401 || response.status == 403)
        e.hint("check the credentials in the environment variables the profile names");
    else if (response.status == 404)
        e.hint("check the entry's endpoint setting");
    else if (response.status == 429 || response.status >= 500)
        e.hint("the provider's service is unavailable or overloaded; try again later");
    return e;
}

std::string text(const nlohmann::json& j, const char* key) {
    if (!j.is_object())
        return "";
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return "";
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number_integer())
        return std::to_string(it->get<long long>());
    return it->dump();
}

template <class Int> Int integer(const nlohmann::json& j, const char* key, Int absent) {
    if (!j.is_object())
        return absent;
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return absent;
    if (it->is_number_integer())
        return it->get<Int>();
    if (it->is_string()) {
        try {
            // std::stoll and a range check: what std::stoi (int) and std::stol (long) accept.
            long long v = std::stoll(it->get<std::string>());
            if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max())
                return -1;
            return static_cast<Int>(v);
        } catch (const std::exception&) {
            return -1;
        }
    }
    return -1;
}

template int integer<int>(const nlohmann::json&, const char*, int);
template long integer<long>(const nlohmann::json&, const char*, long);

std::chrono::seconds token_lifetime(const std::string& text, std::chrono::seconds absent) {
    if (text.empty())
        return absent;
    try {
        return std::chrono::seconds(
            std::clamp<long long>(std::stoll(text), 0, kMaxTokenLifetime.count()));
    } catch (const std::exception&) { // not a number, or beyond long long
        return absent;
    }
}

bool contains_any(const std::string& text, std::initializer_list<const char*> needles) {
    std::string u = upper(text);
    for (const char* n : needles)
        if (u.find(upper(n)) != std::string::npos || text.find(n) != std::string::npos)
            return true;
    return false;
}

std::string base64_name(const std::string& utf8, std::size_t max_b64) {
    std::string s = utf8;
    while (!s.empty() && 4 * ((s.size() + 2) / 3) >= max_b64) {
        s.pop_back();
        // Never leave half a UTF-8 sequence: drop continuation bytes and their lead byte.
        while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80)
            s.pop_back();
        if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0xC0)
            s.pop_back();
    }
    return base64_encode(to_bytes(s));
}

std::string path_segment(const std::string& id) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string new_transaction_id(const std::string& prefix) {
    return prefix + crypto::random_hex(12);
}

crypto::Certificate certificate_from_base64(const std::string& b64, const std::string& what) {
    try {
        return crypto::Certificate::from_der(base64_decode(b64));
    } catch (const Error& e) {
        throw remote_error(what + " is not a valid base64 DER certificate: " + e.what());
    }
}

void add_listed_certificate(SigningCertificate& out, std::size_t index, const std::string& b64,
                            const std::string& what) {
    crypto::Certificate x =
        certificate_from_base64(b64, what + " certificate " + std::to_string(index + 1));
    if (index == 0)
        out.certificate = x;
    else
        out.chain.push_back(x);
}

std::string describe_candidate(const Candidate& c) {
    const crypto::Certificate& cert = c.cert.certificate;
    crypto::Identity id = cert.identity();
    std::string out = "serial " + cert.serial_hex() + ", " + cert.common_name();
    out += id.empty() ? " (no CCCD/CMND)" : " (" + id.kind + " " + masked(id.number) + ")";
    out += ", valid until " + date_text(cert.not_after());
    if (!c.service_type.empty())
        out += ", " + c.service_type;
    if (!c.usable)
        out += ", " + (c.status.empty() ? std::string("not usable") : c.status);
    return out;
}

Candidate select_certificate(const std::vector<Candidate>& candidates, const ProviderConfig& config,
                             const std::string& provider_name) {
    if (candidates.empty())
        throw input_error(provider_name + " has no certificate for account " +
                          masked(config.account))
            .hint("check the profile's account (CCCD/CMND) and that the certificate is "
                  "registered and activated in the provider's app");
    std::vector<const Candidate*> left;
    for (const Candidate& c : candidates)
        left.push_back(&c);
    auto all = left;

    if (std::string serial = setting(config, "serial"); !serial.empty()) {
        std::vector<const Candidate*> keep;
        for (const Candidate* c : left)
            if (normal_serial(c->cert.certificate.serial_hex()) == normal_serial(serial) ||
                (!c->key.empty() && normal_serial(c->key) == normal_serial(serial)))
                keep.push_back(c);
        if (keep.empty())
            throw input_error(provider_name + " has no certificate with serial " + upper(serial) +
                              " for this account; it has:" + list_of(all))
                .hint("correct the entry's serial setting");
        left = keep;
    }
    if (std::string type = setting(config, "service-type"); !type.empty()) {
        std::vector<const Candidate*> keep;
        for (const Candidate* c : left)
            if (upper(c->service_type) == upper(type))
                keep.push_back(c);
        if (keep.empty())
            throw input_error(provider_name + " has no " + type +
                              " certificate for this account; it has:" + list_of(all))
                .hint("change or remove the entry's service-type setting");
        left = keep;
    }

    std::vector<const Candidate*> mine;
    for (const Candidate* c : left)
        if (c->cert.certificate.identity().number == config.account)
            mine.push_back(c);
    if (mine.empty()) {
        crypto::Identity id = left.front()->cert.certificate.identity();
        throw input_error(
            "the certificate" + std::string(left.size() > 1 ? "s" : "") + " " + provider_name +
            " returned " + (left.size() > 1 ? "are" : "is") + " issued to " +
            (id.empty() ? std::string("no CCCD/CMND") : id.kind + " " + masked(id.number)) +
            ", not to the profile's account " + masked(config.account) + ":" + list_of(left))
            .hint("check the profile's account; neac never signs with another person's "
                  "certificate");
    }
    auto now = std::chrono::system_clock::now();
    std::vector<const Candidate*> valid;
    for (const Candidate* c : mine)
        if (c->usable && c->cert.certificate.not_after() > now &&
            c->cert.certificate.not_before() <= now + std::chrono::hours(24))
            valid.push_back(c);
    if (valid.empty())
        throw input_error(provider_name +
                          ": no usable certificate for this account (expired, "
                          "not yet valid or disabled):" +
                          list_of(mine))
            .hint("renew the certificate with the provider");
    if (valid.size() > 1)
        throw input_error(provider_name + " holds " + std::to_string(valid.size()) +
                          " usable certificates for this account:" + list_of(valid))
            .hint("choose one with the entry's serial setting" +
                  std::string(config.provider == "vnpt-smartca" ? " or service-type" : "") +
                  " (neac profile check --online lists them)");
    return *valid.front();
}

nlohmann::json batch_state(const SignBatch& batch, const SigningCertificate& cert) {
    nlohmann::json digests = nlohmann::json::array();
    for (const SignItem& item : batch.items)
        digests.push_back(base64_encode(item.digest));
    return nlohmann::json{{"digests", digests},
                          {"scheme", crypto::scheme_name(batch.algorithm.scheme)},
                          {"digest_algorithm", crypto::digest_name(batch.algorithm.digest)},
                          {"certificate", base64_encode(cert.certificate.der())}};
}

void keep_signatures(nlohmann::json& state, const std::vector<Bytes>& signatures) {
    if (signatures.empty())
        return;
    nlohmann::json sigs = nlohmann::json::array();
    for (const Bytes& s : signatures)
        sigs.push_back(base64_encode(s));
    state["signatures"] = sigs;
}

std::optional<PollResult> kept_signatures(const nlohmann::json& state) {
    auto s = state.find("signatures");
    if (s == state.end() || !s->is_array())
        return std::nullopt;
    PollResult r;
    r.state = TransactionState::Approved;
    for (const auto& v : *s)
        r.signatures.push_back(base64_decode(v.get<std::string>()));
    return r;
}

void verify_signatures(const Transaction& txn, std::vector<Bytes>& signatures,
                       const std::string& provider_name) {
    const nlohmann::json& s = txn.state;
    std::vector<Bytes> digests;
    crypto::SignatureAlgorithm alg;
    crypto::Certificate cert;
    try {
        for (const auto& d : s.at("digests"))
            digests.push_back(base64_decode(d.get<std::string>()));
        alg.scheme = parse_scheme(s.at("scheme").get<std::string>());
        alg.digest = crypto::parse_digest_algorithm(s.at("digest_algorithm").get<std::string>());
        cert = crypto::Certificate::from_der(base64_decode(s.at("certificate").get<std::string>()));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::BadInput,
                    "transaction " + txn.id + " lacks its digests or certificate: " + e.what());
    }
    if (signatures.size() != digests.size())
        throw remote_error(provider_name + " returned " + std::to_string(signatures.size()) +
                           " signature(s) for " + std::to_string(digests.size()) +
                           " document(s) in transaction " + txn.id)
            .hint("the provider's answer is incomplete; sign the files again");
    for (std::size_t i = 0; i < signatures.size(); ++i) {
        Bytes& sig = signatures[i];
        bool ok = crypto::verify_digest_signature(cert, alg, digests[i], sig);
        if (!ok && alg.scheme == crypto::SignatureScheme::Ecdsa && !sig.empty() && sig[0] != 0x30 &&
            sig.size() % 2 == 0) {
            // Some services return ECDSA as plain r||s (as PKCS#11 does); CMS needs DER.
            Bytes der = crypto::ecdsa_plain_to_der(sig);
            if (crypto::verify_digest_signature(cert, alg, digests[i], der)) {
                sig = der;
                ok = true;
            }
        }
        if (!ok)
            throw remote_error(provider_name + " returned a signature for document " +
                               std::to_string(i + 1) + " of transaction " + txn.id +
                               " that does not verify against the certificate (serial " +
                               cert.serial_hex() + ")")
                .hint("the provider signed something else or with another key; sign again, and "
                      "report it to the provider if it persists");
    }
}

} // namespace remote

RemoteProvider::RemoteProvider(const ProviderConfig& config, std::shared_ptr<HttpTransport> http,
                               std::string id, std::size_t batch_default, std::size_t batch_limit)
    : config_(config), http_(std::move(http)), id_(std::move(id)), batch_default_(batch_default),
      batch_limit_(batch_limit) {
    if (!http_)
        http_ = std::make_shared<CurlTransport>(remote::setting(config_, "ca-bundle"));
}

std::size_t RemoteProvider::batch_cap() const {
    if (chosen_ && chosen_->multisign > 0)
        return std::min(chosen_->multisign, batch_limit_);
    return batch_default_;
}

const remote::Candidate& RemoteProvider::chosen() {
    if (!chosen_)
        chosen_ = remote::select_certificate(fetch_candidates(), config_, id());
    return *chosen_;
}

SigningCertificate RemoteProvider::signing_certificate() {
    return chosen().cert;
}

std::vector<SigningCertificate> RemoteProvider::list_certificates() {
    std::vector<SigningCertificate> out;
    for (auto& c : fetch_candidates()) {
        SigningCertificate s = c.cert;
        s.label = remote::describe_candidate(c);
        out.push_back(std::move(s));
    }
    return out;
}

PollResult RemoteProvider::poll(const Transaction& txn) {
    PollResult r = poll_remote(txn);
    if (r.state == TransactionState::Approved) {
        Transaction current = txn;
        if (!r.new_state.is_null())
            current.state = r.new_state;
        try {
            remote::verify_signatures(current, r.signatures, id());
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Remote)
                throw;
            // The approval is spent and the answer is wrong: asking again would give the same
            // answer, so the transaction fails for good (nothing is embedded).
            r.state = TransactionState::Failed;
            r.detail = e.what();
            r.signatures.clear();
        }
    }
    return r;
}

} // namespace neac::providers
