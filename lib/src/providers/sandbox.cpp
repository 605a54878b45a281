#include "neac/providers/sandbox.hpp"

#include "crypto/ossl.hpp"
#include "neac/crypto/random.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/paths.hpp"

#include <openssl/pem.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/file.h>
#include <unistd.h>

namespace neac::providers {

namespace fs = std::filesystem;
using crypto::Certificate;
using crypto::PrivateKey;

namespace {

constexpr const char* kRootName = "neac Sandbox Root CA";
constexpr const char* kIssuingName = "neac Sandbox Issuing CA";
constexpr auto kRequestLifetime = std::chrono::seconds(300);

// Serialises CA and signer creation between processes (two `neac sign` runs on a fresh home).
class DirLock {
public:
    explicit DirLock(const fs::path& dir) {
        fs::path file = dir / ".lock";
        fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0)
            throw Error(ErrorKind::BadInput,
                        std::string("cannot open lock file: ") + std::strerror(errno))
                .file(file.string());
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) {
                ::close(fd_);
                throw Error(ErrorKind::BadInput, "cannot lock the sandbox folder")
                    .file(dir.string());
            }
        }
    }
    ~DirLock() {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    int fd_ = -1;
};

struct Name {
    std::string common_name;
    std::string uid;          // empty = none
    std::string organization; // empty = none
};

crypto::ossl::X509NamePtr make_name(const Name& n) {
    crypto::ossl::X509NamePtr name(X509_NAME_new());
    if (!name)
        throw crypto::ossl::error("out of memory", ErrorKind::Internal);
    auto add = [&](int nid, int type, const std::string& value) {
        crypto::ossl::check_ossl(
            X509_NAME_add_entry_by_NID(name.get(), nid, type,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       static_cast<int>(value.size()), -1, 0),
            "cannot build a certificate name", ErrorKind::Internal);
    };
    // Vietnamese CAs' order: C first, CN last, so that RFC 2253 prints "CN=...,UID=...,C=VN".
    add(NID_countryName, V_ASN1_PRINTABLESTRING, "VN");
    if (!n.organization.empty())
        add(NID_organizationName, V_ASN1_UTF8STRING, n.organization);
    if (!n.uid.empty())
        add(NID_userId, V_ASN1_UTF8STRING, n.uid);
    add(NID_commonName, V_ASN1_UTF8STRING, n.common_name);
    return name;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    crypto::ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        throw crypto::ossl::error(std::string("cannot add certificate extension ") + value,
                                  ErrorKind::Internal);
}

enum class Role { Root, Issuing, Signer };

// Issues a certificate for `subject_key` under `issuer` (nullptr = self-signed).
Certificate issue(const Name& subject, const PrivateKey& subject_key, const Certificate* issuer,
                  const PrivateKey& issuer_key, Role role, long days) {
    using namespace crypto::ossl;
    X509Ptr cert(X509_new());
    if (!cert)
        throw error("out of memory", ErrorKind::Internal);
    check_ossl(X509_set_version(cert.get(), X509_VERSION_3), "version", ErrorKind::Internal);
    Bytes serial = crypto::random_bytes(16);
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7F) | 0x40); // positive, 16 bytes
    BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
        throw error("serial", ErrorKind::Internal);
    X509NamePtr name = make_name(subject);
    check_ossl(X509_set_subject_name(cert.get(), name.get()), "subject", ErrorKind::Internal);
    check_ossl(X509_set_issuer_name(cert.get(),
                                    issuer ? X509_get_subject_name(issuer->get()) : name.get()),
               "issuer", ErrorKind::Internal);
    // Back-date by an hour so that a verifier whose clock is slightly behind accepts it.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600))
        throw error("validity", ErrorKind::Internal);
    check_ossl(X509_set_pubkey(cert.get(), subject_key.get()), "public key", ErrorKind::Internal);

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->get() : cert.get(), cert.get(), nullptr, nullptr, 0);
    switch (role) {
    case Role::Root:
        add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case Role::Issuing:
        add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case Role::Signer:
        add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        break;
    }
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer || role != Role::Root)
        add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    check_ossl(X509_sign(cert.get(), issuer_key.get(), EVP_sha256()),
               "cannot sign the sandbox certificate", ErrorKind::Internal);
    return Certificate::from_der(i2d_bytes<X509>(i2d_X509, cert.get(), "certificate"));
}

struct KeyPair {
    Certificate cert;
    PrivateKey key;
};

// Loads a certificate and key pair if both files exist and match; nullopt otherwise.
std::optional<KeyPair> load_pair(const fs::path& pem, const fs::path& key) {
    std::error_code ec;
    if (!fs::is_regular_file(pem, ec) || !fs::is_regular_file(key, ec))
        return std::nullopt;
    try {
        KeyPair p{Certificate::load_all(pem).at(0), PrivateKey::from_pem(read_small_file(key))};
        if (!p.key.matches(p.cert))
            return std::nullopt;
        return p;
    } catch (const Error&) {
        return std::nullopt; // damaged files are replaced
    }
}

void store_pair(const KeyPair& p, const fs::path& pem, const fs::path& key) {
    write_file_atomically(key, p.key.to_pem(), 0600);
    write_file_atomically(pem, p.cert.to_pem(), 0644);
}

bool issued_by(const Certificate& child, const Certificate& parent) {
    if (X509_check_issued(parent.get(), child.get()) != X509_V_OK)
        return false;
    EVP_PKEY* key = X509_get0_pubkey(parent.get());
    bool ok = key && X509_verify(child.get(), key) == 1;
    crypto::ossl::clear_errors();
    return ok;
}

struct Ca {
    KeyPair root;
    KeyPair issuing;
};

// Creates (or loads) the sandbox CA. Caller holds the lock.
Ca ensure_ca(const fs::path& dir) {
    auto root = load_pair(dir / "root-ca.pem", dir / "root-ca.key");
    auto issuing = load_pair(dir / "issuing-ca.pem", dir / "issuing-ca.key");
    if (root && issuing && root->cert.is_self_signed() && issued_by(issuing->cert, root->cert))
        return Ca{*root, *issuing};
    Name root_name{kRootName, {}, "neac sandbox"};
    PrivateKey root_key = PrivateKey::generate(crypto::KeyType::EcP256);
    KeyPair r{issue(root_name, root_key, nullptr, root_key, Role::Root, 3650), root_key};
    Name issuing_name{kIssuingName, {}, "neac sandbox"};
    PrivateKey issuing_key = PrivateKey::generate(crypto::KeyType::EcP256);
    KeyPair i{issue(issuing_name, issuing_key, &r.cert, r.key, Role::Issuing, 3650), issuing_key};
    store_pair(r, dir / "root-ca.pem", dir / "root-ca.key");
    store_pair(i, dir / "issuing-ca.pem", dir / "issuing-ca.key");
    return Ca{r, i};
}

// "CCCD:<12 digits>", "CMND:<9 digits>" or "MST:<tax code>" for the subject's UID.
std::string uid_for(const std::string& account) {
    std::size_t digits = 0;
    for (char c : account)
        digits += (c >= '0' && c <= '9') ? 1 : 0;
    if (digits == account.size() && account.size() == 12)
        return "CCCD:" + account;
    if (digits == account.size() && account.size() == 9)
        return "CMND:" + account;
    if ((digits == account.size() && account.size() == 10) ||
        (account.size() == 14 && digits == 13 && account[10] == '-'))
        return "MST:" + account;
    throw Error(ErrorKind::BadInput, "sandbox account \"" + account +
                                         "\" is not a CCCD (12 digits), CMND (9 digits) or MST")
        .hint("set the signature entry's account to the signer's CCCD number");
}

fs::path sandbox_dir(const fs::path& home) {
    if (home.empty())
        throw Error(ErrorKind::Internal, "sandbox provider without a neac home folder");
    return home / "sandbox";
}

double parse_seconds(const std::string& text, const std::string& what) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || *end != '\0' || v < 0 || v > 86400)
        throw Error(ErrorKind::BadInput,
                    what + " must be a number of seconds (0..86400), got \"" + text + "\"");
    return v;
}

bool valid_txn_id(const std::string& id) {
    if (id.size() != 32)
        return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::int64_t to_millis(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_millis(std::int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

crypto::SignatureScheme parse_scheme(const std::string& name) {
    for (auto s : {crypto::SignatureScheme::RsaPkcs1v15, crypto::SignatureScheme::RsaPss,
                   crypto::SignatureScheme::Ecdsa, crypto::SignatureScheme::Ed25519})
        if (name == crypto::scheme_name(s))
            return s;
    throw Error(ErrorKind::BadInput, "unknown signature scheme \"" + name + "\"");
}

} // namespace

fs::path sandbox_root_certificate(const fs::path& home) {
    fs::path dir = sandbox_dir(home);
    ensure_private_dir(dir);
    DirLock lock(dir);
    ensure_ca(dir);
    return dir / "root-ca.pem";
}

SandboxProvider::SandboxProvider(const ProviderConfig& config)
    : config_(config), dir_(sandbox_dir(config.home)) {
    if (config_.account.empty())
        throw Error(ErrorKind::BadInput, "the sandbox provider needs an account (CCCD or CMND)");
    uid_for(config_.account); // validates
    if (auto it = config_.settings.find("approval-delay"); it != config_.settings.end())
        parse_seconds(it->second, "sandbox setting approval-delay");
    if (auto it = config_.settings.find("outcome"); it != config_.settings.end())
        if (it->second != "approve" && it->second != "reject" && it->second != "expire")
            throw Error(ErrorKind::BadInput, "sandbox setting outcome must be approve, reject or "
                                             "expire, got \"" +
                                                 it->second + "\"");
}

namespace {

struct Signer {
    Ca ca;
    KeyPair signer;
};

Signer ensure_signer(const fs::path& dir, const ProviderConfig& config) {
    ensure_private_dir(dir);
    DirLock lock(dir);
    Ca ca = ensure_ca(dir);
    fs::path signers = dir / "signers";
    ensure_private_dir(signers);
    fs::path pem = signers / (config.account + ".pem");
    fs::path key = signers / (config.account + ".key");
    std::string display =
        config.display_name.empty() ? "Sandbox signer " + config.account : config.display_name;
    auto existing = load_pair(pem, key);
    if (existing && issued_by(existing->cert, ca.issuing.cert) &&
        existing->cert.common_name() == display &&
        existing->cert.not_after() > std::chrono::system_clock::now() + std::chrono::hours(24))
        return Signer{ca, *existing};
    // New signer, or the display name changed, the CA was re-created, or the certificate is about
    // to expire: (re-)issue, keeping the key when there is one.
    PrivateKey k = existing ? existing->key : PrivateKey::generate(crypto::KeyType::Rsa2048);
    Name name{display, uid_for(config.account), {}};
    KeyPair pair{issue(name, k, &ca.issuing.cert, ca.issuing.key, Role::Signer, 730), k};
    store_pair(pair, pem, key);
    return Signer{ca, pair};
}

} // namespace

SigningCertificate SandboxProvider::signing_certificate() {
    Signer s = ensure_signer(dir_, config_);
    return SigningCertificate{s.signer.cert, {s.ca.issuing.cert, s.ca.root.cert}, "neac sandbox"};
}

Transaction SandboxProvider::submit(const SignBatch& batch) {
    if (batch.items.empty())
        throw Error(ErrorKind::Internal, "sandbox provider: empty batch");
    if (batch.items.size() > batch_cap())
        throw Error(ErrorKind::Internal, "sandbox provider: batch larger than batch_cap()");
    for (const SignItem& item : batch.items)
        if (item.digest.size() != crypto::digest_size(batch.algorithm.digest))
            throw Error(ErrorKind::BadInput, "sandbox provider: digest of " + item.document_name +
                                                 " has the wrong length for " +
                                                 crypto::digest_name(batch.algorithm.digest));
    Transaction txn;
    txn.id = crypto::random_hex(16);
    txn.created = std::chrono::system_clock::now();
    txn.expires = txn.created + kRequestLifetime;
    txn.message = batch.message.empty() ? "Ký " + std::to_string(batch.items.size()) + " tài liệu"
                                        : batch.message;
    nlohmann::json digests = nlohmann::json::array();
    nlohmann::json documents = nlohmann::json::array();
    for (const SignItem& item : batch.items) {
        digests.push_back(base64_encode(item.digest));
        documents.push_back(item.document_name);
    }
    nlohmann::json record = {
        {"id", txn.id},
        {"account", config_.account},
        {"created_ms", to_millis(txn.created)},
        {"expires_ms", to_millis(txn.expires)},
        {"scheme", crypto::scheme_name(batch.algorithm.scheme)},
        {"digest_algorithm", crypto::digest_name(batch.algorithm.digest)},
        {"digests", digests},
        {"documents", documents},
        {"message", txn.message},
        {"status", "pending"},
    };
    fs::path txdir = dir_ / "transactions";
    ensure_private_dir(dir_);
    ensure_private_dir(txdir);
    write_file_atomically(txdir / (txn.id + ".json"), record.dump(2) + "\n", 0600);
    txn.state = {{"provider", "sandbox"}, {"account", config_.account}};
    return txn;
}

PollResult SandboxProvider::poll(const Transaction& txn) {
    if (!valid_txn_id(txn.id))
        throw Error(ErrorKind::BadInput, "not a sandbox transaction id: \"" + txn.id + "\"");
    fs::path file = dir_ / "transactions" / (txn.id + ".json");
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(ErrorKind::BadInput, "sandbox transaction " + txn.id + " not found")
            .file(file.string())
            .hint("was it submitted with another --home?");
    nlohmann::json record;
    try {
        record = nlohmann::json::parse(read_small_file(file));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::BadInput, std::string("damaged sandbox transaction: ") + e.what())
            .file(file.string());
    }

    PollResult out;
    try {
        if (record.at("account").get<std::string>() != config_.account)
            throw Error(ErrorKind::BadInput,
                        "sandbox transaction " + txn.id + " belongs to another account")
                .file(file.string());
        std::string status = record.at("status").get<std::string>();
        auto now = std::chrono::system_clock::now();
        auto created = from_millis(record.at("created_ms").get<std::int64_t>());
        auto expires = from_millis(record.at("expires_ms").get<std::int64_t>());

        if (status == "pending") {
            double delay = 2.0;
            if (auto it = config_.settings.find("approval-delay"); it != config_.settings.end())
                delay = parse_seconds(it->second, "sandbox setting approval-delay");
            if (const char* env = std::getenv("NEAC_SANDBOX_DELAY"); env && *env)
                delay = parse_seconds(env, "NEAC_SANDBOX_DELAY");
            std::string outcome = "approve";
            if (auto it = config_.settings.find("outcome"); it != config_.settings.end())
                outcome = it->second;
            if (const char* env = std::getenv("NEAC_SANDBOX_OUTCOME"); env && *env)
                outcome = env;
            if (outcome != "approve" && outcome != "reject" && outcome != "expire")
                throw Error(ErrorKind::BadInput, "NEAC_SANDBOX_OUTCOME must be approve, reject "
                                                 "or expire, got \"" +
                                                     outcome + "\"");
            auto decided_at =
                created + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              std::chrono::duration<double>(delay));
            if (now >= expires)
                status = "expired";
            else if (now < decided_at)
                return out; // Pending: the signer has not looked at the phone yet
            else if (outcome == "reject")
                status = "rejected";
            else if (outcome == "expire")
                status = "expired";
            else {
                crypto::SignatureAlgorithm alg{
                    parse_scheme(record.at("scheme").get<std::string>()),
                    crypto::parse_digest_algorithm(
                        record.at("digest_algorithm").get<std::string>())};
                Signer s = ensure_signer(dir_, config_);
                nlohmann::json sigs = nlohmann::json::array();
                for (const auto& d : record.at("digests"))
                    sigs.push_back(base64_encode(
                        s.signer.key.sign_digest(alg, base64_decode(d.get<std::string>()))));
                record["signatures"] = sigs;
                status = "approved";
            }
            // The decision is final: later polls, from any process, see the same answer.
            record["status"] = status;
            record["decided_ms"] = to_millis(now);
            write_file_atomically(file, record.dump(2) + "\n", 0600);
        }

        if (status == "approved") {
            out.state = TransactionState::Approved;
            for (const auto& s : record.at("signatures"))
                out.signatures.push_back(base64_decode(s.get<std::string>()));
        } else if (status == "rejected") {
            out.state = TransactionState::Rejected;
            out.detail = "Người ký đã từ chối (rejected on the phone)";
        } else if (status == "expired") {
            out.state = TransactionState::Expired;
            out.detail = "Yêu cầu ký đã hết hạn (the request expired before approval)";
        } else if (status == "cancelled") {
            out.state = TransactionState::Failed;
            out.detail = "the request was cancelled";
        } else {
            throw Error(ErrorKind::BadInput, "sandbox transaction has unknown status " + status)
                .file(file.string());
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::BadInput, std::string("damaged sandbox transaction: ") + e.what())
            .file(file.string());
    }
    return out;
}

void SandboxProvider::cancel(const Transaction& txn) {
    if (!valid_txn_id(txn.id))
        return;
    fs::path file = dir_ / "transactions" / (txn.id + ".json");
    try {
        nlohmann::json record = nlohmann::json::parse(read_small_file(file));
        if (record.value("status", "") != "pending")
            return;
        record["status"] = "cancelled";
        write_file_atomically(file, record.dump(2) + "\n", 0600);
    } catch (const std::exception&) {
        // best effort, as the interface says
    }
}

} // namespace neac::providers
