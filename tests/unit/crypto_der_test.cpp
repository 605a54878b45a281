// DER writer and reader (lib/src/crypto/der.*), checked against OpenSSL's own encoder.
#include "crypto/der.hpp"
#include "support/pki.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <gtest/gtest.h>

#include <random>

using namespace neac;
using namespace neac::crypto;
using neac::testing::expect_error;

namespace {

Bytes openssl_oid(const char* dotted) {
    ASN1_OBJECT* obj = OBJ_txt2obj(dotted, 1);
    EXPECT_NE(obj, nullptr);
    unsigned char* buf = nullptr;
    int len = i2d_ASN1_OBJECT(obj, &buf);
    Bytes out(buf, buf + len);
    OPENSSL_free(buf);
    ASN1_OBJECT_free(obj);
    return out;
}

Bytes openssl_integer(long v) {
    ASN1_INTEGER* i = ASN1_INTEGER_new();
    ASN1_INTEGER_set(i, v);
    unsigned char* buf = nullptr;
    int len = i2d_ASN1_INTEGER(i, &buf);
    Bytes out(buf, buf + len);
    OPENSSL_free(buf);
    ASN1_INTEGER_free(i);
    return out;
}

} // namespace

TEST(CryptoDer, IntegersMatchOpenSsl) {
    for (long v : {0L, 1L, 127L, 128L, 255L, 256L, 32767L, 32768L, 65535L, -1L, -128L, -129L, -256L,
                   2147483647L, -2147483648L, 1234567890123L})
        EXPECT_EQ(der::integer(v), openssl_integer(v)) << v;
    EXPECT_EQ(der::integer(0), (Bytes{0x02, 0x01, 0x00}));
    EXPECT_EQ(der::integer(128), (Bytes{0x02, 0x02, 0x00, 0x80}));
    EXPECT_EQ(der::integer(-129), (Bytes{0x02, 0x02, 0xFF, 0x7F}));
}

TEST(CryptoDer, UnsignedIntegerIsMinimalAndPositive) {
    EXPECT_EQ(der::unsigned_integer({0x80}), (Bytes{0x02, 0x02, 0x00, 0x80}));
    EXPECT_EQ(der::unsigned_integer({0x00, 0x00, 0x01}), (Bytes{0x02, 0x01, 0x01}));
    EXPECT_EQ(der::unsigned_integer({0x00, 0x80}), (Bytes{0x02, 0x02, 0x00, 0x80}));
    EXPECT_EQ(der::unsigned_integer({}), (Bytes{0x02, 0x01, 0x00}));
}

TEST(CryptoDer, OidsMatchOpenSsl) {
    for (const char* oid :
         {"1.2.840.113549.1.7.2", "1.2.840.113549.1.9.16.2.47", "2.16.840.1.101.3.4.2.1",
          "1.2.840.10045.4.3.2", "0.9.2342.19200300.100.1.1", "2.999.1", "1.3.6.1.4.1.55555.1.1",
          "2.5.4.3"})
        EXPECT_EQ(der::oid(oid), openssl_oid(oid)) << oid;
    EXPECT_EQ(der::oid("1.2.840.113549"), (Bytes{0x06, 0x06, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D}));
}

TEST(CryptoDer, MalformedOidIsAnInternalError) {
    for (const char* bad : {"", "1", "1.", ".1.2", "1..2", "3.1", "1.40", "1.2.x", "1.2.-3"})
        EXPECT_EQ(expect_error([&] { der::oid(bad); }).kind(), ErrorKind::Internal) << bad;
}

TEST(CryptoDer, LengthForms) {
    for (std::size_t n : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u, 1000000u}) {
        Bytes content(n, 0xAB);
        Bytes e = der::tlv(0x04, content);
        der::Element parsed = der::parse_single(e);
        EXPECT_EQ(parsed.content_size, n);
        EXPECT_EQ(parsed.tag, 0x04);
        std::size_t expected_header = n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5;
        EXPECT_EQ(parsed.header_size, expected_header) << n;
    }
    EXPECT_EQ(der::tlv(0x04, Bytes(128, 0)).at(1), 0x81);
    EXPECT_EQ(der::tlv(0x04, Bytes(256, 0)).at(1), 0x82);
}

TEST(CryptoDer, SetOfIsSortedAsX690Requires) {
    Bytes a{0x06, 0x01, 0x05};
    Bytes b{0x04, 0x02, 0x01, 0x02};
    Bytes c{0x30, 0x00};
    Bytes d{0x04, 0x01, 0xFF};
    Bytes set = der::set_of({c, a, d, b});
    Bytes expected{0x31, 0x0C};
    for (const Bytes* x : {&d, &b, &a, &c})
        expected.insert(expected.end(), x->begin(), x->end());
    EXPECT_EQ(set, expected);
    // Shorter values are padded with zero octets: {01} and {01 00} compare equal, {01 01} is after.
    EXPECT_FALSE(der::der_less({0x01, 0x00}, {0x01}));
    EXPECT_FALSE(der::der_less({0x01}, {0x01, 0x00}));
    EXPECT_TRUE(der::der_less({0x01}, {0x01, 0x01}));
    EXPECT_TRUE(der::der_less({0x01, 0xFF}, {0x02}));
}

TEST(CryptoDer, RetagKeepsContent) {
    Bytes set = der::set_of({der::integer(5)});
    Bytes tagged = der::retag(set, der::context_tag(0, true));
    EXPECT_EQ(tagged[0], 0xA0);
    EXPECT_TRUE(std::equal(set.begin() + 1, set.end(), tagged.begin() + 1));
    EXPECT_EQ(expect_error([] {
                  der::retag({0x31, 0x05, 0x00}, 0xA0);
              }).kind(),
              ErrorKind::BadInput);
}

TEST(CryptoDer, ReaderRejectsMalformedInput) {
    const std::vector<Bytes> bad{
        {},                                      // nothing
        {0x30},                                  // no length
        {0x30, 0x05, 0x01},                      // runs past the end
        {0x30, 0x80, 0x00, 0x00},                // indefinite length
        {0x1F, 0x81, 0x01, 0x00},                // high tag number
        {0x04, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9}, // 9 length octets
        {0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF},    // 4 GB content in 6 bytes
        {0x04, 0x00, 0x00},                      // trailing byte
    };
    for (const Bytes& b : bad)
        EXPECT_EQ(expect_error([&] { der::parse_single(b); }).kind(), ErrorKind::BadInput)
            << hex_encode(b);
    const Bytes integer{0x02, 0x01, 0x05};
    der::Reader r(integer);
    EXPECT_EQ(expect_error([&] { r.expect(der::kSequence, "a SEQUENCE"); }).kind(),
              ErrorKind::BadInput);
}

TEST(CryptoDer, ReaderSurvivesRandomBytes) {
    std::mt19937 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        Bytes b(rng() % 24);
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        try {
            der::Reader r(b);
            while (!r.at_end()) {
                der::Element e = r.next();
                ASSERT_LE(e.content() + e.content_size, b.data() + b.size());
                if (e.tag & 0x20) {
                    der::Reader inner(e);
                    while (!inner.at_end())
                        inner.next();
                }
            }
        } catch (const Error& e) {
            ASSERT_EQ(e.kind(), ErrorKind::BadInput);
        }
    }
}
