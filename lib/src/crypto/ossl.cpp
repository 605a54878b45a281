#include "crypto/ossl.hpp"

#include <openssl/err.h>

namespace neac::crypto::ossl {

std::string drain_errors() {
    std::string out;
    unsigned long code;
    while ((code = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        // Keep only the human part: "error:0480006C:PEM routines::no start line" -> reason text.
        std::string text = buf;
        if (const char* reason = ERR_reason_error_string(code); reason && *reason) {
            const char* lib = ERR_lib_error_string(code);
            text = (lib ? std::string(lib) + ": " : std::string()) + reason;
        }
        if (!out.empty())
            out += "; ";
        out += text;
    }
    return out;
}

void clear_errors() {
    ERR_clear_error();
}

Error error(const std::string& what, ErrorKind kind) {
    std::string reasons = drain_errors();
    return Error(kind, reasons.empty() ? what : what + ": " + reasons);
}

BioPtr mem_bio(const void* data, std::size_t size) {
    if (size > static_cast<std::size_t>(INT32_MAX))
        throw Error(ErrorKind::BadInput, "input too large for an in-memory OpenSSL buffer");
    BIO* b = BIO_new_mem_buf(data, static_cast<int>(size));
    if (!b)
        throw error("out of memory", ErrorKind::Internal);
    return BioPtr(b);
}

std::string bio_string(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || !data)
        return {};
    return std::string(data, static_cast<std::size_t>(len));
}

} // namespace neac::crypto::ossl
