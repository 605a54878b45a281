#include "neac/crypto/digest.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace neac;
using namespace neac::crypto;
using neac::testing::expect_error;

TEST(CryptoDigest, KnownAnswers) {
    EXPECT_EQ(hex_encode(digest(DigestAlgorithm::Sha256, to_bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex_encode(digest(DigestAlgorithm::Sha384, to_bytes("abc"))),
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
              "8086072ba1e7cc2358baeca134c825a7");
    EXPECT_EQ(hex_encode(digest(DigestAlgorithm::Sha512, to_bytes("abc"))),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    EXPECT_EQ(hex_encode(digest(DigestAlgorithm::Sha256, Bytes{})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoDigest, StreamingEqualsOneShot) {
    Bytes data(1 << 20);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 31 + 7);
    for (auto alg : {DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512}) {
        Hasher h(alg);
        std::size_t pos = 0, step = 1;
        while (pos < data.size()) {
            std::size_t n = std::min(step, data.size() - pos);
            h.update(data.data() + pos, n);
            pos += n;
            step = step * 3 + 1;
        }
        Bytes streamed = h.finish();
        EXPECT_EQ(streamed, digest(alg, data));
        EXPECT_EQ(streamed.size(), digest_size(alg));
    }
}

TEST(CryptoDigest, FinishTwiceOrUpdateAfterFinishIsABug) {
    Hasher h(DigestAlgorithm::Sha256);
    h.update("x");
    h.finish();
    EXPECT_EQ(expect_error([&] { h.update("y"); }).kind(), ErrorKind::Internal);
    EXPECT_EQ(expect_error([&] { h.finish(); }).kind(), ErrorKind::Internal);
}

TEST(CryptoDigest, MovedHasherKeepsState) {
    Hasher a(DigestAlgorithm::Sha256);
    a.update("ab");
    Hasher b(std::move(a));
    b.update("c");
    EXPECT_EQ(b.finish(), digest(DigestAlgorithm::Sha256, to_bytes("abc")));
}

TEST(CryptoDigest, NamesAndOids) {
    EXPECT_EQ(parse_digest_algorithm("SHA-256"), DigestAlgorithm::Sha256);
    EXPECT_EQ(parse_digest_algorithm("sha384"), DigestAlgorithm::Sha384);
    EXPECT_EQ(parse_digest_algorithm("SHA512"), DigestAlgorithm::Sha512);
    Error e = expect_error([] { parse_digest_algorithm("md5"); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.hint().find("sha256"), std::string::npos);
    EXPECT_STREQ(digest_oid(DigestAlgorithm::Sha256), "2.16.840.1.101.3.4.2.1");
    EXPECT_STREQ(digest_name(DigestAlgorithm::Sha512), "sha512");
}

TEST(CryptoDigest, HashesAHundredMegabytesQuickly) {
    // The pipeline hashes 300 MB files: make sure the streaming path does not copy or crawl.
    Bytes chunk(1 << 20, 0x5A);
    Hasher h(DigestAlgorithm::Sha256);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i)
        h.update(chunk.data(), chunk.size());
    h.finish();
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 5.0) << "100 MB took " << seconds << " s";
}
