#include "neac/pdf/incremental.hpp"

#include "neac/util/bytes.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <cmath>
#include <cstdio>
#include <random>

namespace neac::pdf {

std::string ref(int number, int generation) {
    return std::to_string(number) + " " + std::to_string(generation) + " R";
}

std::string literal_string(const std::string& bytes) {
    std::string out = "(";
    for (unsigned char c : bytes) {
        switch (c) {
        case '(':
        case ')':
        case '\\':
            out += '\\';
            out += static_cast<char>(c);
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c > 0x7e) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\%03o", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + ")";
}

std::string hex_string(const std::string& bytes) {
    return "<" + hex_encode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) +
           ">";
}

std::string text_string(const std::string& utf8) {
    bool ascii = true;
    for (unsigned char c : utf8)
        if (c < 0x20 || c > 0x7e)
            ascii = false;
    if (ascii)
        return literal_string(utf8);
    std::string utf16 = "\xFE\xFF";
    for (char32_t cp : utf8_decode(utf8)) {
        auto unit = [&](std::uint32_t u) {
            utf16 += static_cast<char>(u >> 8);
            utf16 += static_cast<char>(u & 0xff);
        };
        if (cp >= 0x10000) {
            std::uint32_t v = cp - 0x10000;
            unit(0xD800 + (v >> 10));
            unit(0xDC00 + (v & 0x3ff));
        } else {
            unit(cp);
        }
    }
    return hex_string(utf16);
}

std::string number(double value) {
    if (!std::isfinite(value))
        value = 0;
    double rounded = std::round(value * 1000) / 1000;
    if (rounded == 0)
        return "0";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", rounded);
    std::string s = buf;
    while (s.back() == '0')
        s.pop_back();
    if (s.back() == '.')
        s.pop_back();
    return s;
}

std::string serialize(QPDFObjectHandle value) {
    if (value.isIndirect())
        return ref(value.getObjectID(), value.getGeneration());
    return value.unparse();
}

std::string dict_with(QPDFObjectHandle dict,
                      const std::vector<std::pair<std::string, std::string>>& set,
                      const std::vector<std::string>& remove) {
    std::string out = "<<";
    auto overridden = [&](const std::string& key) {
        for (const auto& [k, v] : set)
            if (k == key)
                return true;
        for (const auto& k : remove)
            if (k == key)
                return true;
        return false;
    };
    if (dict.isDictionary()) {
        for (const std::string& key : dict.getKeys()) {
            if (overridden(key))
                continue;
            out +=
                " " + QPDFObjectHandle::newName(key).unparse() + " " + serialize(dict.getKey(key));
        }
    }
    for (const auto& [k, v] : set)
        out += " " + k + " " + v;
    return out + " >>";
}

IncrementalUpdate::IncrementalUpdate(Document& doc)
    : doc_(doc), next_number_(doc.next_object_number()) {}

int IncrementalUpdate::reserve() {
    return next_number_++;
}

void IncrementalUpdate::put(int number, int generation, std::string body) {
    if (number <= 0 || generation < 0 || generation > 65535)
        throw Error(ErrorKind::Internal, "invalid object number in incremental update");
    objects_[number] = Entry{generation, std::move(body)};
}

void IncrementalUpdate::put_stream(int number, const std::string& dict_entries,
                                   const std::string& data) {
    std::string body = "<<" + dict_entries + " /Length " + std::to_string(data.size()) +
                       " >>\nstream\n" + data + "\nendstream";
    put(number, 0, std::move(body));
}

namespace {

std::string new_id_element() {
    std::random_device rd;
    std::string id(16, '\0');
    for (char& c : id)
        c = static_cast<char>(rd() & 0xff);
    return id;
}

std::string id_array(QPDFObjectHandle trailer) {
    QPDFObjectHandle id = trailer.getKey("/ID");
    std::string second = new_id_element();
    std::string first = second;
    if (id.isArray() && id.getArrayNItems() >= 1 && id.getArrayItem(0).isString())
        first = id.getArrayItem(0).getStringValue();
    return "[" + hex_string(first) + " " + hex_string(second) + "]";
}

void put_be(std::string& out, std::uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

} // namespace

IncrementalUpdate::Revision IncrementalUpdate::build() {
    Revision rev;
    rev.base = doc_.file_size();
    std::string& out = rev.bytes;
    if (!doc_.ends_with_eol())
        out += "\n";
    for (const auto& [num, entry] : objects_) {
        rev.positions[num] = rev.base + out.size();
        out += std::to_string(num) + " " + std::to_string(entry.generation) + " obj\n";
        rev.body_positions[num] = rev.base + out.size();
        out += entry.body;
        out += "\nendobj\n";
    }

    QPDFObjectHandle trailer = doc_.qpdf().getTrailer();
    std::string common = " /Root " + serialize(trailer.getKey("/Root"));
    if (trailer.hasKey("/Info"))
        common += " /Info " + serialize(trailer.getKey("/Info"));
    common += " /ID " + id_array(trailer);
    common += " /Prev " + std::to_string(doc_.startxref());

    // Consecutive runs of object numbers become xref subsections.
    std::vector<std::pair<int, int>> runs; // first, count
    auto add_to_runs = [&runs](int num) {
        if (!runs.empty() && runs.back().first + runs.back().second == num)
            ++runs.back().second;
        else
            runs.emplace_back(num, 1);
    };

    if (doc_.xref_kind() == XrefKind::Stream) {
        int xref_number = next_number_;
        std::map<int, std::pair<std::uint64_t, int>> entries;
        for (const auto& [num, entry] : objects_)
            entries[num] = {rev.positions[num], entry.generation};
        std::uint64_t xref_offset = rev.base + out.size();
        entries[xref_number] = {xref_offset, 0};
        std::string data;
        for (const auto& [num, e] : entries) {
            add_to_runs(num);
            data += '\x01';
            put_be(data, e.first, 5);
            put_be(data, static_cast<std::uint64_t>(e.second), 2);
        }
        std::string index;
        for (const auto& [first, count] : runs)
            index +=
                (index.empty() ? "" : " ") + std::to_string(first) + " " + std::to_string(count);
        rev.positions[xref_number] = xref_offset;
        out += std::to_string(xref_number) + " 0 obj\n<< /Type /XRef /Size " +
               std::to_string(xref_number + 1) + " /W [1 5 2] /Index [" + index + "]" + common +
               " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
               "\nendstream\nendobj\n";
        out += "startxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
        return rev;
    }

    // Table and hybrid files get a classic table: readers that understand /XRefStm still find it
    // through /Prev, and the objects of this revision are all uncompressed.
    std::uint64_t xref_offset = rev.base + out.size();
    out += "xref\n";
    for (const auto& [num, entry] : objects_)
        add_to_runs(num);
    for (const auto& [first, count] : runs) {
        out += std::to_string(first) + " " + std::to_string(count) + "\n";
        for (int n = first; n < first + count; ++n) {
            char line[32];
            std::snprintf(line, sizeof line, "%010llu %05d n\r\n",
                          static_cast<unsigned long long>(rev.positions[n]),
                          objects_.at(n).generation);
            out += line;
        }
    }
    out += "trailer\n<< /Size " + std::to_string(next_number_) + common + " >>\n";
    out += "startxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
    return rev;
}

} // namespace neac::pdf
