// CMS SignedData for PAdES baseline signatures (ETSI EN 319 142-1, RFC 5652, RFC 5035), built
// from a raw signature value so that the key can live anywhere (a local file or a remote CA).
//
// The flow is split the way remote signing needs it:
//   1. build_signed_attributes(): DER `SET OF Attribute` (tag 0x31) with content-type (id-data),
//      message-digest (the document digest over /ByteRange) and ESS signing-certificate-v2 for
//      the signer. No signing-time (PAdES puts the claimed time in /M).
//   2. The signer signs digest(signed_attributes_der) and returns the raw signature.
//   3. build_signed_data(): ContentInfo{signedData} in DER, detached (no eContent), one
//      SignerInfo (sid = issuerAndSerialNumber) whose [0] IMPLICIT signedAttrs carry the same bytes
//      as step 1, the chain (leaf first, roots left out) in `certificates`, and optionally the
//      RFC 3161 token as the unsigned attribute id-aa-signatureTimeStampToken.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/keys.hpp"

#include <optional>
#include <vector>

namespace neac::crypto {

Bytes build_signed_attributes(const Bytes& document_digest, DigestAlgorithm alg,
                              const Certificate& signer);

Bytes build_signed_data(const Bytes& signed_attributes_der, const SignatureAlgorithm& alg,
                        const Bytes& raw_signature, const std::vector<Certificate>& chain,
                        const std::optional<Bytes>& timestamp_token = std::nullopt);

// An upper bound of build_signed_data()'s size for this chain, with room for a timestamp token of
// `timestamp_reserve` bytes (0 = none). Used to size the /Contents placeholder.
std::size_t estimate_signed_data_size(const std::vector<Certificate>& chain,
                                      std::size_t timestamp_reserve);

// The chain to embed: leaf first, then the certificates that issue it (as far as `pool` allows),
// self-signed roots excluded.
std::vector<Certificate> order_chain(const Certificate& leaf, const std::vector<Certificate>& pool);

} // namespace neac::crypto
