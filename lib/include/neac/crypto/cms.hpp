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

// `document_digest` must be digest_size(alg) bytes (else Error(Internal)). The ESS certHash uses
// `alg` too; its hashAlgorithm is omitted for SHA-256 (the DER DEFAULT). issuerSerial copies the
// signer certificate's issuer Name and serial bytes exactly.
Bytes build_signed_attributes(const Bytes& document_digest, DigestAlgorithm alg,
                              const Certificate& signer);

// `chain` starts with the signer certificate; self-signed certificates after it and duplicates
// are left out, the order is kept (leaf first). Before assembling, the raw signature is verified
// over digest(alg.digest, signed_attributes_der) with the signer's key: a mismatch (another key,
// another scheme, the [0] IMPLICIT form signed instead of the SET OF) throws Error(Remote), so a
// bad provider answer never reaches a document. Other errors: empty chain, attributes that are
// not a SET OF or whose message digest does not fit alg.digest -> Error(Internal); Ed25519 or a
// timestamp token that is not one DER SEQUENCE -> Error(BadInput); malformed DER -> BadInput.
// Signature algorithm identifiers: rsaEncryption+NULL (PKCS#1 v1.5), id-RSASSA-PSS with explicit
// parameters (hash, MGF1 with the same hash, salt = hash length), ecdsa-with-SHA256/384/512.
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
