// X.509 certificates as value types, and the Vietnamese identities carried in their subjects.
#pragma once

#include "neac/util/bytes.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct x509_st X509;

namespace neac::crypto {

// The identity a Vietnamese CA puts in the subject: CCCD (12 digits), CMND (9 digits) or
// MST (tax code, 10 or 10-3 digits), usually as UID=CCCD:001099012345 (also seen: "CCCD:..." in
// CN/serialNumber, and the OID 0.9.2342.19200300.100.1.1). kind is empty when none is present.
struct Identity {
    std::string kind;   // "CCCD", "CMND", "MST", "CMND/CCCD" or ""
    std::string number; // digits (MST may contain one '-')
    bool empty() const { return kind.empty(); }
};

class Certificate {
public:
    // Throws Error(BadInput) on malformed DER.
    static Certificate from_der(const Bytes& der);
    // All certificates of a PEM file (other PEM blocks such as keys are skipped) or the single
    // certificate of a DER file. Throws Error(BadInput) naming the file if there is none.
    static std::vector<Certificate> load_all(const std::filesystem::path& file);
    // All certificates of a PEM text. Throws Error(BadInput) if none or one is malformed.
    static std::vector<Certificate> from_pem(std::string_view pem);

    // A default-constructed Certificate is empty: every accessor throws Error(Internal).
    bool empty() const noexcept { return !impl_; }

    const Bytes& der() const;
    X509* get() const; // borrowed; valid while this Certificate lives
    std::string to_pem() const;

    std::string subject() const; // RFC 2253 style, UTF-8 ("CN=NGUYỄN VĂN A,UID=CCCD:...,C=VN")
    std::string issuer() const;  // same format
    std::string common_name() const; // subject CN, UTF-8, or ""
    std::string issuer_common_name() const;
    std::string serial_hex() const;         // upper-case hex, no leading zeros beyond one byte
    std::string fingerprint_sha256() const; // lower-case hex
    std::chrono::system_clock::time_point not_before() const;
    std::chrono::system_clock::time_point not_after() const;
    // The best identity among the subject's attributes (UID, serialNumber, CN, ...): CCCD first,
    // then CMND/CCCD, CMND, MST. A bare 12-digit UID is a CCCD, a bare 9-digit one a CMND.
    Identity identity() const;
    bool is_self_signed() const;
    bool operator==(const Certificate& other) const { return der() == other.der(); }

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
};

// Parses a subject string's identity: finds CCCD/CMND/MST anywhere in the attribute values.
// Accepted forms (case-insensitive): "CCCD:001099012345", "CCCD: 001099012345", "CCCD-...",
// "CMND:123456789" (9 or 12 digits), "CMND/CCCD:...", "MST:0101234567" or "MST:0101234567-001",
// and "UID=<12 or 9 digits>". Numbers of the wrong length are ignored.
Identity identity_from_text(const std::string& text);

} // namespace neac::crypto
