#include "neac/crypto/certificate.hpp"

#include "crypto/ossl.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <array>
#include <cctype>
#include <cstring>
#include <ctime>

namespace neac::crypto {

struct Certificate::Impl {
    ossl::X509Ptr x509;
    Bytes der;
};

namespace {

template <class T> const T& require(const std::shared_ptr<const T>& impl) {
    if (!impl)
        throw Error(ErrorKind::Internal, "use of an empty Certificate");
    return *impl;
}

// UTF-8 RFC 2253 rendering. ASN1_STRFLGS_ESC_MSB is dropped so that "NGUYỄN" stays UTF-8 instead
// of becoming "NGUY\C3\84\BEN"; UTF8_CONVERT (part of XN_FLAG_RFC2253) turns BMPString and
// T61String values into UTF-8 first.
std::string name_to_string(const X509_NAME* name) {
    if (!name)
        return {};
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        throw ossl::error("out of memory", ErrorKind::Internal);
    if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        ossl::clear_errors();
        return {};
    }
    return ossl::bio_string(bio.get());
}

std::string entry_utf8(const X509_NAME_ENTRY* entry) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
    unsigned char* out = nullptr;
    int len = ASN1_STRING_to_UTF8(&out, value);
    if (len < 0) {
        ossl::clear_errors();
        return {};
    }
    ossl::OsslBytesPtr owner(out);
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
}

std::string first_entry(const X509_NAME* name, int nid) {
    if (!name)
        return {};
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0)
        return {};
    return entry_utf8(X509_NAME_get_entry(name, idx));
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ossl::clear_errors();
        throw Error(ErrorKind::BadInput, "certificate has an unreadable validity time");
    }
    return clamped_time_point(timegm(&tm)); // 9999-12-31 means "no expiry"
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Priority when a subject carries several identities: the personal number first, since the
// profile account is a person's CCCD/CMND; a tax code only identifies the organisation.
int kind_rank(const std::string& kind) {
    if (kind == "CCCD")
        return 0;
    if (kind == "CMND/CCCD")
        return 1;
    if (kind == "CMND")
        return 2;
    if (kind == "MST")
        return 3;
    return 9;
}

Identity better(const Identity& a, const Identity& b) {
    if (a.empty())
        return b;
    if (b.empty())
        return a;
    return kind_rank(b.kind) < kind_rank(a.kind) ? b : a;
}

bool length_fits(const std::string& kind, const std::string& number) {
    std::size_t digits = 0;
    for (char c : number)
        digits += is_digit(c) ? 1 : 0;
    if (kind == "CCCD")
        return number.size() == 12 && digits == 12;
    if (kind == "CMND" || kind == "CMND/CCCD")
        return digits == number.size() && (digits == 9 || digits == 12);
    if (kind == "MST") // 10 digits, or 10-3 for a branch (also written as 13 digits)
        return (number.size() == 10 && digits == 10) || (number.size() == 13 && digits == 13) ||
               (number.size() == 14 && digits == 13 && number[10] == '-');
    return false;
}

// The digits that follow position `pos` (after an optional separator) in `text`.
std::string number_after(const std::string& text, std::size_t pos, bool allow_dash) {
    std::size_t i = pos;
    while (i < text.size() && text[i] == ' ')
        ++i;
    if (i < text.size() && (text[i] == ':' || text[i] == '=' || text[i] == '-' || text[i] == '.'))
        ++i;
    else if (i == pos)
        return {}; // "CCCD123" is not a labelled number
    while (i < text.size() && text[i] == ' ')
        ++i;
    std::string number;
    while (i < text.size() && is_digit(text[i]))
        number.push_back(text[i++]);
    // MST branch suffix: 0101234567-001
    if (allow_dash && number.size() == 10 && i + 3 < text.size() && text[i] == '-' &&
        is_digit(text[i + 1]) && is_digit(text[i + 2]) && is_digit(text[i + 3]) &&
        (i + 4 >= text.size() || !is_digit(text[i + 4]))) {
        number += text.substr(i, 4);
        i += 4;
    }
    if (i < text.size() && is_digit(text[i]))
        return {};
    return number;
}

} // namespace

Identity identity_from_text(const std::string& text) {
    std::string upper = text;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    struct Label {
        const char* label;
        const char* kind;
    };
    // Longer labels first so that "CMND/CCCD:..." is not read as a bare "CCCD:...".
    static constexpr std::array<Label, 5> labels{{{"CMND/CCCD", "CMND/CCCD"},
                                                  {"CCCD/CMND", "CMND/CCCD"},
                                                  {"CCCD", "CCCD"},
                                                  {"CMND", "CMND"},
                                                  {"MST", "MST"}}};
    Identity best;
    for (const Label& l : labels) {
        std::size_t len = std::strlen(l.label);
        for (std::size_t pos = upper.find(l.label); pos != std::string::npos;
             pos = upper.find(l.label, pos + 1)) {
            // Word boundary on the left ("XCCCD:" is not a label; "/CCCD" inside CMND/CCCD is
            // consumed by the longer label already).
            if (pos > 0 &&
                (std::isalnum(static_cast<unsigned char>(upper[pos - 1])) || upper[pos - 1] == '/'))
                continue;
            if (pos + len < upper.size() && upper[pos + len] == '/')
                continue;
            std::string number = number_after(upper, pos + len, std::strcmp(l.kind, "MST") == 0);
            if (!number.empty() && length_fits(l.kind, number))
                best = better(best, Identity{l.kind, number});
        }
    }
    // A bare number as the UID attribute value: 12 digits is a CCCD, 9 a CMND.
    for (std::size_t pos = upper.find("UID="); pos != std::string::npos;
         pos = upper.find("UID=", pos + 1)) {
        if (pos > 0 && std::isalnum(static_cast<unsigned char>(upper[pos - 1])))
            continue;
        std::size_t i = pos + 4;
        std::string number;
        while (i < upper.size() && is_digit(upper[i]))
            number.push_back(upper[i++]);
        if (i < upper.size() && upper[i] != ',' && upper[i] != '+' && upper[i] != ' ' &&
            upper[i] != '/' && upper[i] != ';')
            continue;
        if (number.size() == 12)
            best = better(best, Identity{"CCCD", number});
        else if (number.size() == 9)
            best = better(best, Identity{"CMND", number});
    }
    return best;
}

Certificate Certificate::from_der(const Bytes& der) {
    if (der.empty())
        throw Error(ErrorKind::BadInput, "empty certificate data");
    if (der.size() > static_cast<std::size_t>(INT32_MAX))
        throw Error(ErrorKind::BadInput, "certificate data too large");
    const unsigned char* p = der.data();
    ossl::clear_errors();
    ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x)
        throw ossl::error("malformed X.509 certificate (DER)");
    std::size_t used = static_cast<std::size_t>(p - der.data());
    if (used != der.size())
        throw Error(ErrorKind::BadInput, "trailing bytes after the X.509 certificate")
            .offset(static_cast<std::int64_t>(used));
    auto impl = std::make_shared<Impl>();
    impl->x509 = std::move(x);
    impl->der.assign(der.begin(), der.end());
    Certificate c;
    c.impl_ = std::move(impl);
    return c;
}

std::vector<Certificate> Certificate::from_pem(std::string_view pem) {
    ossl::BioPtr bio = ossl::mem_bio(pem.data(), pem.size());
    std::vector<Certificate> out;
    ossl::clear_errors();
    for (;;) {
        ossl::X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!x) {
            unsigned long err = ERR_peek_last_error();
            if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
                ossl::clear_errors(); // the normal end of the text
                break;
            }
            throw ossl::error("malformed PEM certificate #" + std::to_string(out.size() + 1));
        }
        out.push_back(from_der(ossl::i2d_bytes<X509>(i2d_X509, x.get(), "certificate")));
    }
    if (out.empty())
        throw Error(ErrorKind::BadInput, "no PEM certificate found");
    return out;
}

std::vector<Certificate> Certificate::load_all(const std::filesystem::path& file) {
    std::string content = read_small_file(file);
    try {
        if (content.find("-----BEGIN") != std::string::npos)
            return from_pem(content);
        return {from_der(to_bytes(content))};
    } catch (Error& e) {
        if (e.file().empty())
            e.file(file.string());
        throw;
    }
}

const Bytes& Certificate::der() const {
    return require(impl_).der;
}

X509* Certificate::get() const {
    return require(impl_).x509.get();
}

std::string Certificate::to_pem() const {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), get()) != 1)
        throw ossl::error("cannot write PEM", ErrorKind::Internal);
    return ossl::bio_string(bio.get());
}

std::string Certificate::subject() const {
    return name_to_string(X509_get_subject_name(get()));
}

std::string Certificate::issuer() const {
    return name_to_string(X509_get_issuer_name(get()));
}

std::string Certificate::common_name() const {
    return first_entry(X509_get_subject_name(get()), NID_commonName);
}

std::string Certificate::issuer_common_name() const {
    return first_entry(X509_get_issuer_name(get()), NID_commonName);
}

std::string Certificate::serial_hex() const {
    ossl::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(get()), nullptr));
    if (!bn)
        throw ossl::error("unreadable certificate serial number");
    char* hex = BN_bn2hex(bn.get());
    if (!hex)
        throw ossl::error("out of memory", ErrorKind::Internal);
    std::string out = hex;
    OPENSSL_free(hex);
    return out;
}

std::string Certificate::fingerprint_sha256() const {
    return hex_encode(digest(DigestAlgorithm::Sha256, der()));
}

std::chrono::system_clock::time_point Certificate::not_before() const {
    return to_time_point(X509_get0_notBefore(get()));
}

std::chrono::system_clock::time_point Certificate::not_after() const {
    return to_time_point(X509_get0_notAfter(get()));
}

Identity Certificate::identity() const {
    const X509_NAME* name = X509_get_subject_name(get());
    Identity best;
    int count = X509_NAME_entry_count(name);
    for (int i = 0; i < count; ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
        std::string value = entry_utf8(entry);
        if (value.empty())
            continue;
        Identity found = identity_from_text(value);
        if (found.empty() && nid == NID_userId)
            found = identity_from_text("UID=" + value);
        best = better(best, found);
    }
    return best;
}

bool Certificate::is_self_signed() const {
    int rc = X509_self_signed(get(), 0);
    if (rc < 0)
        ossl::clear_errors();
    return rc == 1;
}

} // namespace neac::crypto
