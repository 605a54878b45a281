// A small DER writer and a bounded DER reader (X.690), private to the crypto module.
//
// The writer exists because CMS for remote signing has to be assembled from parts (a raw signature
// that came back from a CA, signed attributes hashed before the signature existed): OpenSSL's CMS
// API wants the private key in-process. The reader is used to slice exact byte ranges out of
// structures we receive (a TSA response's token), where re-encoding could change signed bytes.
#pragma once

#include "neac/util/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace neac::crypto::der {

inline constexpr std::uint8_t kBoolean = 0x01;
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kNull = 0x05;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kUtf8String = 0x0C;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kSet = 0x31;

// Context-specific tag [n] (n < 31), constructed or primitive.
constexpr std::uint8_t context_tag(unsigned n, bool constructed) {
    return static_cast<std::uint8_t>(0x80 | (constructed ? 0x20 : 0x00) | (n & 0x1F));
}

// Appends the DER length octets of `length` (short form below 128, long form otherwise).
void append_length(Bytes& out, std::size_t length);

// tag || length || content.
Bytes tlv(std::uint8_t tag, const Bytes& content);
Bytes tlv(std::uint8_t tag, const std::uint8_t* content, std::size_t size);

// The concatenation of already-encoded elements.
Bytes concat(std::initializer_list<const Bytes*> parts);

// SEQUENCE { parts... } of already-encoded elements.
Bytes sequence(std::initializer_list<const Bytes*> parts);
Bytes sequence(const std::vector<Bytes>& parts);

// SET OF, with the elements sorted as X.690 §11.6 requires (octet-string order, shorter values
// padded with zero octets). Signed attributes are hashed in this form, so the order matters.
Bytes set_of(std::vector<Bytes> elements);

// The X.690 §11.6 order of two encodings (true when a sorts strictly before b).
bool der_less(const Bytes& a, const Bytes& b);

Bytes integer(std::int64_t value);
// INTEGER from a big-endian unsigned magnitude (leading zeros stripped, 0x00 added if needed).
Bytes unsigned_integer(const Bytes& magnitude);
// OBJECT IDENTIFIER from dotted text ("1.2.840.113549.1.7.2"). Throws Error(Internal) if malformed:
// OIDs come from our own constants, so a bad one is a bug.
Bytes oid(std::string_view dotted);
Bytes octet_string(const Bytes& content);
Bytes null();
// [n] EXPLICIT inner
Bytes explicit_tag(unsigned n, const Bytes& inner);
// The same element with its outer tag replaced (IMPLICIT tagging of a constructed value, e.g. the
// signed attributes SET OF (0x31) stored as [0] IMPLICIT (0xA0)). Throws Error(BadInput) if
// `element` is not exactly one well-formed TLV.
Bytes retag(const Bytes& element, std::uint8_t new_tag);

// One parsed element: where it starts, its header size and content size.
struct Element {
    std::uint8_t tag = 0;
    const std::uint8_t* start = nullptr; // first octet of the tag
    std::size_t header_size = 0;
    std::size_t content_size = 0;

    const std::uint8_t* content() const { return start + header_size; }
    std::size_t total_size() const { return header_size + content_size; }
    Bytes bytes() const { return Bytes(start, start + total_size()); }
    Bytes content_bytes() const { return Bytes(content(), content() + content_size); }
};

// Reads consecutive DER elements from a buffer without ever reading past it. Only low tag numbers
// and definite lengths are accepted (DER); anything else throws Error(BadInput) naming the offset.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size), base_(data) {}
    explicit Reader(const Bytes& b) : Reader(b.data(), b.size()) {}
    // Elements point into the buffer: reading a temporary would leave them dangling.
    explicit Reader(Bytes&&) = delete;
    explicit Reader(const Element& e) : Reader(e.content(), e.content_size) {}

    bool at_end() const { return p_ == end_; }
    Element peek() const;
    Element next();
    // next(), and throws Error(BadInput) "expected <what>" unless its tag is `tag`.
    Element expect(std::uint8_t tag, const char* what);

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    const std::uint8_t* base_;
};

// Parses `data` as exactly one element (no trailing bytes). Throws Error(BadInput).
Element parse_single(const Bytes& data);
Element parse_single(Bytes&&) = delete; // the Element would point into a dead temporary

} // namespace neac::crypto::der
