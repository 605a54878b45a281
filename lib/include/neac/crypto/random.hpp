// Cryptographically secure random values (OpenSSL's DRBG), for nonces, serial numbers and ids.
#pragma once

#include "neac/util/bytes.hpp"

#include <string>

namespace neac::crypto {

// Throws Error(Internal) if the generator cannot be seeded.
Bytes random_bytes(std::size_t count);
// `count` random bytes as lower-case hex (2 * count characters).
std::string random_hex(std::size_t count);

} // namespace neac::crypto
