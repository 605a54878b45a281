#include "neac/crypto/random.hpp"

#include "crypto/ossl.hpp"

#include <openssl/rand.h>

namespace neac::crypto {

Bytes random_bytes(std::size_t count) {
    Bytes b(count);
    if (count > 0 && RAND_bytes(b.data(), static_cast<int>(count)) != 1)
        throw ossl::error("no randomness available", ErrorKind::Internal);
    return b;
}

std::string random_hex(std::size_t count) {
    return hex_encode(random_bytes(count));
}

} // namespace neac::crypto
