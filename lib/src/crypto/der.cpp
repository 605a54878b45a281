#include "crypto/der.hpp"

#include "neac/util/error.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace neac::crypto::der {

void append_length(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    std::uint8_t buf[sizeof(std::size_t)];
    int n = 0;
    for (std::size_t v = length; v != 0; v >>= 8)
        buf[n++] = static_cast<std::uint8_t>(v & 0xFF);
    out.push_back(static_cast<std::uint8_t>(0x80 | n));
    while (n > 0)
        out.push_back(buf[--n]);
}

Bytes tlv(std::uint8_t tag, const std::uint8_t* content, std::size_t size) {
    Bytes out;
    out.reserve(size + 6);
    out.push_back(tag);
    append_length(out, size);
    out.insert(out.end(), content, content + size);
    return out;
}

Bytes tlv(std::uint8_t tag, const Bytes& content) {
    return tlv(tag, content.data(), content.size());
}

Bytes concat(std::initializer_list<const Bytes*> parts) {
    std::size_t total = 0;
    for (const Bytes* p : parts)
        total += p->size();
    Bytes out;
    out.reserve(total);
    for (const Bytes* p : parts)
        out.insert(out.end(), p->begin(), p->end());
    return out;
}

Bytes sequence(std::initializer_list<const Bytes*> parts) {
    return tlv(kSequence, concat(parts));
}

Bytes sequence(const std::vector<Bytes>& parts) {
    Bytes content;
    for (const Bytes& p : parts)
        content.insert(content.end(), p.begin(), p.end());
    return tlv(kSequence, content);
}

bool der_less(const Bytes& a, const Bytes& b) {
    std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i)
        if (a[i] != b[i])
            return a[i] < b[i];
    // Equal prefix: the shorter one is padded with zero octets, so the longer one is greater only
    // if one of its remaining octets is non-zero.
    if (b.size() > a.size())
        return std::any_of(b.begin() + static_cast<std::ptrdiff_t>(common), b.end(),
                           [](std::uint8_t x) { return x != 0; });
    return false;
}

Bytes set_of(std::vector<Bytes> elements) {
    std::stable_sort(elements.begin(), elements.end(), der_less);
    Bytes content;
    for (const Bytes& e : elements)
        content.insert(content.end(), e.begin(), e.end());
    return tlv(kSet, content);
}

Bytes integer(std::int64_t value) {
    // Two's complement, big-endian, minimal: drop leading octets that only repeat the sign.
    std::uint8_t buf[8];
    auto u = static_cast<std::uint64_t>(value);
    for (int i = 7; i >= 0; --i) {
        buf[i] = static_cast<std::uint8_t>(u & 0xFF);
        u >>= 8;
    }
    int start = 0;
    while (start < 7 && ((buf[start] == 0x00 && (buf[start + 1] & 0x80) == 0) ||
                         (buf[start] == 0xFF && (buf[start + 1] & 0x80) != 0)))
        ++start;
    return tlv(kInteger, buf + start, static_cast<std::size_t>(8 - start));
}

Bytes unsigned_integer(const Bytes& magnitude) {
    std::size_t start = 0;
    while (start + 1 < magnitude.size() && magnitude[start] == 0)
        ++start;
    Bytes content;
    if (magnitude.empty()) {
        content.push_back(0);
    } else {
        if (magnitude[start] & 0x80)
            content.push_back(0);
        content.insert(content.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(start),
                       magnitude.end());
    }
    return tlv(kInteger, content);
}

namespace {

void append_base128(Bytes& out, std::uint64_t v) {
    std::uint8_t buf[10];
    int n = 0;
    do {
        buf[n++] = static_cast<std::uint8_t>(v & 0x7F);
        v >>= 7;
    } while (v != 0);
    while (n > 1)
        out.push_back(static_cast<std::uint8_t>(buf[--n] | 0x80));
    out.push_back(buf[0]);
}

} // namespace

Bytes oid(std::string_view dotted) {
    std::vector<std::uint64_t> arcs;
    std::size_t pos = 0;
    while (pos <= dotted.size()) {
        std::size_t dot = dotted.find('.', pos);
        if (dot == std::string_view::npos)
            dot = dotted.size();
        std::string_view part = dotted.substr(pos, dot - pos);
        std::uint64_t v = 0;
        auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || ec != std::errc() || ptr != part.data() + part.size())
            throw Error(ErrorKind::Internal, "malformed OID \"" + std::string(dotted) + "\"");
        arcs.push_back(v);
        pos = dot + 1;
    }
    if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) ||
        arcs[1] > UINT64_MAX - 80)
        throw Error(ErrorKind::Internal, "malformed OID \"" + std::string(dotted) + "\"");
    Bytes content;
    append_base128(content, arcs[0] * 40 + arcs[1]);
    for (std::size_t i = 2; i < arcs.size(); ++i)
        append_base128(content, arcs[i]);
    return tlv(kOid, content);
}

Bytes octet_string(const Bytes& content) {
    return tlv(kOctetString, content);
}

Bytes null() {
    return Bytes{kNull, 0x00};
}

Bytes explicit_tag(unsigned n, const Bytes& inner) {
    return tlv(context_tag(n, true), inner);
}

Bytes retag(const Bytes& element, std::uint8_t new_tag) {
    parse_single(element); // validates shape: exactly one TLV
    Bytes out = element;
    out[0] = new_tag;
    return out;
}

Element Reader::peek() const {
    auto fail = [this](const std::string& what) {
        return Error(ErrorKind::BadInput, "malformed DER: " + what)
            .offset(static_cast<std::int64_t>(p_ - base_));
    };
    if (p_ >= end_)
        throw fail("unexpected end of data");
    std::size_t avail = static_cast<std::size_t>(end_ - p_);
    Element e;
    e.start = p_;
    e.tag = p_[0];
    if ((e.tag & 0x1F) == 0x1F)
        throw fail("high tag numbers are not supported");
    if (avail < 2)
        throw fail("truncated length");
    std::uint8_t first = p_[1];
    if (first < 0x80) {
        e.header_size = 2;
        e.content_size = first;
    } else {
        std::size_t n = first & 0x7F;
        if (n == 0)
            throw fail("indefinite length (BER) is not DER");
        if (n > sizeof(std::size_t) || n > 8)
            throw fail("length too large");
        if (avail < 2 + n)
            throw fail("truncated length");
        std::size_t len = 0;
        for (std::size_t i = 0; i < n; ++i)
            len = (len << 8) | p_[2 + i];
        e.header_size = 2 + n;
        e.content_size = len;
    }
    if (e.content_size > avail - e.header_size)
        throw fail("element runs past the end of the data");
    return e;
}

Element Reader::next() {
    Element e = peek();
    p_ += e.total_size();
    return e;
}

Element Reader::expect(std::uint8_t tag, const char* what) {
    if (at_end())
        throw Error(ErrorKind::BadInput, std::string("malformed DER: expected ") + what +
                                             ", found the end of the structure")
            .offset(static_cast<std::int64_t>(p_ - base_));
    Element e = peek();
    if (e.tag != tag)
        throw Error(ErrorKind::BadInput, std::string("malformed DER: expected ") + what)
            .offset(static_cast<std::int64_t>(p_ - base_));
    p_ += e.total_size();
    return e;
}

Element parse_single(const Bytes& data) {
    Reader r(data);
    Element e = r.next();
    if (!r.at_end())
        throw Error(ErrorKind::BadInput, "malformed DER: trailing bytes after the element")
            .offset(static_cast<std::int64_t>(e.total_size()));
    return e;
}

} // namespace neac::crypto::der
