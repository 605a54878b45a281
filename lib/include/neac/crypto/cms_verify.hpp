// Parsing and checking CMS SignedData as found in PDF signatures (RFC 5652, RFC 5035, RFC 8419,
// RFC 3161 tokens), for the verifier. Counterpart of cms.hpp, which builds them.
//
// The split follows how PDF data has to be hashed: parse_signed_data() reads the CMS and says which
// digest algorithms its SignerInfos need; the caller streams the signed bytes once through a
// MultiHasher for all of them; then check_signer() judges each SignerInfo against the digest of
// its content. Outcomes are values (SignerCheck), never exceptions: a malformed or forged CMS is a
// verdict, not an error. BER input (indefinite lengths, as NSS/poppler write it) is accepted.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/util/bytes.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace neac::crypto {

// A digest algorithm identified by its OID, including those neac never signs with (SHA-1, SHA-3,
// SHAKE256/512-bit for Ed448). `known` is false for algorithms OpenSSL cannot compute.
struct DigestSpec {
    std::string oid;  // dotted
    std::string name; // "sha256", "sha1", "shake256", ... or the OID when unknown
    bool known = false;
    bool weak = false;          // MD5 and SHA-1: not acceptable for signatures (ETSI TS 119 312)
    bool signature_oid = false; // the OID named a signature algorithm; `name` is its hash
};
DigestSpec digest_spec_from_oid(const std::string& oid);
DigestSpec digest_spec_from_name(const std::string& name); // "sha256", "sha1", ...

// Hashes one stream of bytes with several algorithms at once (one pass over a large file).
class MultiHasher {
public:
    MultiHasher();
    ~MultiHasher();
    MultiHasher(MultiHasher&&) noexcept;
    MultiHasher& operator=(MultiHasher&&) noexcept;
    // Adds an algorithm (ignored if already present or unknown). Call before update().
    void add(const DigestSpec& spec);
    void update(const void* data, std::size_t size);
    // The digest for `spec` (after all updates), or empty if the algorithm is not computable.
    Bytes result(const DigestSpec& spec);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// One-shot digest with any known algorithm (SHAKE256 gives 64 bytes). Empty if unknown.
Bytes digest_any(const DigestSpec& spec, const std::uint8_t* data, std::size_t size);

// The result of checking one SignerInfo. Each field is independent, so that a report can say
// exactly what held and what did not.
struct SignerCheck {
    int index = 0;                   // 0-based position among the SignerInfos
    Certificate signer;              // empty when no certificate matches the sid
    DigestSpec digest;               // SignerInfo.digestAlgorithm
    std::string signature_algorithm; // "rsa-pkcs1", "rsa-pss", "ecdsa", "ed25519", "ed448", OID
    bool signed_attributes = false;  // signedAttrs present
    bool content_type_ok = false;   // content-type present (exactly once) and equal to eContentType
    bool message_digest_ok = false; // message-digest equals the content digest
    bool digest_matches_document = false; // same as message_digest_ok, or (no signed attributes)
                                          // the signature verifies over the content digest
    bool signing_certificate_present = false; // ESS signing-certificate or -v2
    bool signing_certificate_ok = false;      // ... and it names `signer`
    std::string signing_certificate_kind;     // "v2", "v1" or ""
    bool signature_ok = false;                // the signature value verifies with signer's key
    bool algorithm_consistent = true; // digest vs signature algorithm (RFC 8419, DSS wrong-digest)
    std::optional<std::chrono::system_clock::time_point> signing_time; // CMS signing-time attr
    std::optional<Bytes> timestamp_token; // unsigned id-aa-signatureTimeStampToken
    Bytes signature_value;                // for the timestamp imprint
    std::vector<Bytes> archived_ocsp;     // adbe-revocationInfoArchival OCSP responses
    std::vector<Bytes> archived_crls;     // ... and CRLs (DER)
    std::vector<std::string> problems;    // what failed, in words
};

class SignedData {
public:
    // Parses a ContentInfo (DER or BER; trailing zero padding, as in PDF /Contents, is ignored).
    // Returns an empty optional and sets `error` when it is not a CMS SignedData.
    static std::optional<SignedData> parse(const Bytes& content_info, std::string& error);

    const std::string& econtent_type() const; // dotted OID ("1.2.840.113549.1.7.1" = id-data)
    bool detached() const;                    // no eContent
    const Bytes& econtent() const;            // the eContent octets when present
    const std::vector<Certificate>& certificates() const;
    const std::vector<Bytes>& crls() const; // DER CRLs from the `crls` field
    std::size_t signer_count() const;
    // The digest algorithm SignerInfo `index` needs for its content.
    DigestSpec signer_digest(std::size_t index) const;

    // Checks SignerInfo `index`. `content_digest` is the digest (with signer_digest(index)) of the
    // signed content: the PDF byte ranges for detached signatures, the eContent otherwise.
    // `extra_certs` are searched for the signer certificate after the CMS's own certificates.
    SignerCheck check_signer(std::size_t index, const Bytes& content_digest,
                             const std::vector<Certificate>& extra_certs = {}) const;

    SignedData(SignedData&&) noexcept;
    SignedData& operator=(SignedData&&) noexcept;
    ~SignedData();

private:
    SignedData();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// An RFC 3161 TimeStampToken, parsed and checked on its own (not against trust anchors).
struct TimestampCheck {
    bool parsed = false;
    std::string error; // why it is not a usable token
    std::chrono::system_clock::time_point gen_time{};
    DigestSpec imprint_algorithm;
    Bytes imprint;                         // TSTInfo messageImprint.hashedMessage
    bool imprint_ok = false;               // imprint == digest(imprint_algorithm, data)
    SignerCheck signer;                    // the token's SignerInfo, against its TSTInfo
    bool tsa_eku_ok = false;               // critical extendedKeyUsage timeStamping only
    std::vector<Certificate> certificates; // carried in the token
    std::string serial_hex;
    std::string policy_oid;
    bool valid() const {
        return parsed && imprint_ok && signer.signature_ok && signer.message_digest_ok &&
               signer.content_type_ok && tsa_eku_ok &&
               (!signer.signing_certificate_present || signer.signing_certificate_ok);
    }
};

// Parses `token` and checks it. `data_digest` is computed by the caller when it must stream the
// data (document timestamps); pass std::nullopt together with `data` to let this function hash
// `data` (signature timestamps: the SignerInfo signature value).
TimestampCheck check_timestamp_token(const Bytes& token, const Bytes* data,
                                     const std::optional<Bytes>& data_digest,
                                     const std::vector<Certificate>& extra_certs = {});
// The imprint algorithm of a token (to know what to hash before calling check_timestamp_token);
// nullopt when the token cannot be parsed.
std::optional<DigestSpec> timestamp_imprint_algorithm(const Bytes& token);

} // namespace neac::crypto
