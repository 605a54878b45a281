// The incremental writer: one new revision appended after the original bytes, which are never
// rewritten (ISO 32000-1 §7.5.6). QPDF reads the file; this class only serialises the objects an
// update adds or changes, then an xref section of the same kind as the file's (a table for table
// and hybrid files, a stream for xref-stream files) and a trailer with /Prev, /Size, /Root, /Info
// and /ID (first element kept, second new).
//
// Every object is written uncompressed, never inside an object stream, so a signature
// dictionary's /Contents can be patched in place.
#pragma once

#include "neac/pdf/document.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace neac::pdf {

// "N G R" for an object reference.
std::string ref(int number, int generation = 0);
// A PDF literal string "(...)" with the needed escapes.
std::string literal_string(const std::string& bytes);
// A PDF hex string "<...>".
std::string hex_string(const std::string& bytes);
// A PDF text string: plain literal for printable ASCII, otherwise UTF-16BE with BOM as hex.
std::string text_string(const std::string& utf8);
// A PDF number without exponent and with at most 3 decimals ("12", "12.5", "-0.25").
std::string number(double value);

// Serialises an existing object's value the way it would appear inside another object: direct
// values in full (nested indirect references as "N G R"), indirect objects as "N G R".
std::string serialize(QPDFObjectHandle value);

// A copy of dictionary `dict` with some keys replaced or added (values are PDF syntax) and some
// removed. Keys are given with their slash ("/V").
std::string dict_with(QPDFObjectHandle dict,
                      const std::vector<std::pair<std::string, std::string>>& set,
                      const std::vector<std::string>& remove = {});

class IncrementalUpdate {
public:
    explicit IncrementalUpdate(Document& doc);

    Document& document() { return doc_; }

    // A fresh object number (the first is the trailer's /Size).
    int reserve();
    // Sets the body of an object ("<< ... >>", "[ ... ]" or a stream written with put_stream).
    // `number` is either reserved or an existing object being replaced.
    void put(int number, int generation, std::string body);
    void put(int number, std::string body) { put(number, 0, std::move(body)); }
    // A stream object: `dict_entries` are the dictionary's entries without << >> and without
    // /Length, which is added. `data` is written as is (already encoded if /Filter is given).
    void put_stream(int number, const std::string& dict_entries, const std::string& data);

    struct Revision {
        std::string bytes;                      // everything appended after the original file
        std::uint64_t base = 0;                 // offset of bytes[0] in the new file
        std::map<int, std::uint64_t> positions; // object number -> absolute offset of "N G obj"
        std::map<int, std::uint64_t> body_positions; // object number -> absolute offset of body
    };
    // Lays the revision out after the original file's bytes.
    Revision build();

private:
    struct Entry {
        int generation;
        std::string body;
    };
    Document& doc_;
    int next_number_;
    std::map<int, Entry> objects_;
};

} // namespace neac::pdf
