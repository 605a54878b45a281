#include "neac/pdf/revisions.hpp"
#include "neac/util/limits.hpp"

#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFTokenizer.hh>

#include <algorithm>
#include <cctype>
#include <set>

namespace neac::pdf {
namespace {

constexpr std::size_t kTail = 4096;
constexpr std::uint64_t kMaxBack = 64ull << 20;

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

// Parses one PDF object at `offset` (references are kept as references into `scratch`, which has
// no objects: only direct integers are read from the result).
QPDFObjectHandle parse_at(const std::shared_ptr<const FileHandle>& file, std::uint64_t offset,
                          QPDF& scratch, qpdf_offset_t& end) {
    auto source = std::make_shared<BoundedSource>(file, file->size(), file->path().string());
    source->seek(static_cast<qpdf_offset_t>(offset), SEEK_SET);
    QPDFTokenizer tokenizer;
    bool empty = false;
    QPDFObjectHandle obj =
        QPDFObjectHandle::parse(source, "xref section", tokenizer, empty, nullptr, &scratch);
    end = source->tell();
    return obj;
}

// The offset just past the first "%%EOF" at or after `from` (searching at most `span` bytes),
// and past its end-of-line. Returns false when there is none.
bool find_eof(const FileHandle& file, std::uint64_t from, std::uint64_t span,
              std::uint64_t& marker_end, std::uint64_t& end) {
    const std::size_t chunk = 64 * 1024;
    std::uint64_t pos = from;
    std::uint64_t limit = std::min<std::uint64_t>(file.size(), from + span);
    while (pos < limit) {
        std::string buf = file.read_string(pos, chunk + 5);
        if (buf.empty())
            return false;
        std::size_t at = buf.find("%%EOF");
        if (at != std::string::npos) {
            marker_end = pos + at + 5;
            end = marker_end;
            std::string after = file.read_string(marker_end, 2);
            if (after.rfind("\r\n", 0) == 0)
                end += 2;
            else if (!after.empty() && (after[0] == '\n' || after[0] == '\r'))
                end += 1;
            return true;
        }
        pos += chunk;
    }
    return false;
}

std::uint64_t skip_space(const FileHandle& file, std::uint64_t pos) {
    for (int guard = 0; guard < 4096; ++guard) {
        std::string c = file.read_string(pos, 1);
        if (c.empty() || !is_space(c[0]))
            break;
        ++pos;
    }
    return pos;
}

} // namespace

StartXref find_startxref(const FileHandle& file) {
    StartXref out;
    std::uint64_t size = file.size();
    std::uint64_t tail_start = size > kTail ? size - kTail : 0;
    std::string tail = file.read_string(tail_start, kTail);
    std::size_t sx = tail.rfind("startxref");
    // A file cut short (or with data appended) has its last complete revision further up:
    // search backwards, in overlapping chunks, within a bounded distance.
    for (std::uint64_t back = kTail; sx == std::string::npos && back < size && back < kMaxBack;
         back += kTail * 16) {
        tail_start = size > back + kTail * 16 ? size - back - kTail * 16 : 0;
        tail = file.read_string(
            tail_start, static_cast<std::size_t>(std::min<std::uint64_t>(kTail * 16 + 16, size)));
        sx = tail.rfind("startxref");
        if (tail_start == 0)
            break;
    }
    if (sx == std::string::npos) {
        out.problem = "no startxref in the file";
        return out;
    }
    out.at_end = tail_start + sx + kTail >= size;
    if (!out.at_end)
        out.problem = "the file does not end with a cross-reference section: the last one is at "
                      "offset " +
                      std::to_string(tail_start + sx);
    std::size_t i = sx + 9;
    while (i < tail.size() && is_space(tail[i]))
        ++i;
    std::uint64_t offset = 0;
    std::size_t digits = 0;
    while (i < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i])) && digits < 19) {
        offset = offset * 10 + static_cast<std::uint64_t>(tail[i] - '0');
        ++i;
        ++digits;
    }
    if (digits == 0) {
        out.problem = "startxref without an offset";
        return out;
    }
    out.found = true;
    out.offset = offset;
    return out;
}

std::vector<Revision> find_revisions(const FileHandle& file_ref, std::string& problem) {
    // A non-owning shared_ptr: the BoundedSources made here do not outlive this call.
    std::shared_ptr<const FileHandle> file(&file_ref, [](const FileHandle*) {});
    std::vector<Revision> sections; // newest first
    std::uint64_t size = file->size();
    StartXref start = find_startxref(*file);
    problem = start.problem;
    if (!start.found)
        return {};
    std::uint64_t offset = start.offset;

    QPDF scratch;
    scratch.emptyPDF();
    scratch.setSuppressWarnings(true);
    std::set<std::uint64_t> seen;
    while (true) {
        if (offset >= size) {
            problem = "cross-reference offset " + std::to_string(offset) + " is past the end";
            break;
        }
        if (!seen.insert(offset).second) {
            problem = "loop in the /Prev chain of cross-reference sections at offset " +
                      std::to_string(offset);
            break;
        }
        if (seen.size() > limits::kXrefSections) {
            problem = "too many cross-reference sections";
            break;
        }
        Revision rev;
        rev.xref_offset = offset;
        QPDFObjectHandle dict;
        std::uint64_t search_from = offset;
        try {
            std::uint64_t at = skip_space(*file, offset);
            std::string head = file->read_string(at, 64);
            qpdf_offset_t end = 0;
            if (head.rfind("xref", 0) == 0) {
                // Classic table: subsections "start count" of 20-byte entries, then "trailer".
                std::uint64_t pos = at + 4;
                for (int sub = 0; sub < 1000000; ++sub) {
                    pos = skip_space(*file, pos);
                    std::string line = file->read_string(pos, 64);
                    if (line.rfind("trailer", 0) == 0) {
                        pos += 7;
                        break;
                    }
                    unsigned long long first = 0, count = 0;
                    int used = 0;
                    if (std::sscanf(line.c_str(), "%llu %llu%n", &first, &count, &used) != 2)
                        throw std::runtime_error("malformed cross-reference table");
                    pos += static_cast<std::uint64_t>(used);
                    pos = skip_space(*file, pos);
                    pos += count * 20;
                    if (pos > size)
                        throw std::runtime_error("cross-reference table runs past the end");
                }
                dict = parse_at(file, pos, scratch, end);
                rev.xref_kind = dict.isDictionary() && dict.hasKey("/XRefStm") ? "hybrid" : "table";
            } else {
                // Cross-reference stream: "N G obj << ... >> stream".
                QPDFObjectHandle n = parse_at(file, at, scratch, end);
                qpdf_offset_t e2 = 0;
                QPDFObjectHandle g = parse_at(file, static_cast<std::uint64_t>(end), scratch, e2);
                std::string kw =
                    file->read_string(skip_space(*file, static_cast<std::uint64_t>(e2)), 3);
                if (!n.isInteger() || !g.isInteger() || kw != "obj")
                    throw std::runtime_error("no cross-reference section at the offset");
                dict = parse_at(file, skip_space(*file, static_cast<std::uint64_t>(e2)) + 3,
                                scratch, end);
                if (!dict.isDictionary() || !dict.getKey("/Type").isNameAndEquals("/XRef"))
                    throw std::runtime_error("the object at the offset is not an xref stream");
                rev.xref_kind = "stream";
                QPDFObjectHandle len = dict.getKey("/Length");
                if (len.isInteger() && len.getIntValue() >= 0)
                    search_from = static_cast<std::uint64_t>(end) +
                                  static_cast<std::uint64_t>(len.getIntValue());
            }
            if (!dict.isDictionary())
                throw std::runtime_error("the trailer is not a dictionary");
            if (search_from == offset)
                search_from = static_cast<std::uint64_t>(end);
        } catch (const std::exception& e) {
            problem =
                "cross-reference section at offset " + std::to_string(offset) + ": " + e.what();
            break;
        }
        if (!find_eof(*file, search_from, 16u << 20, rev.marker_end, rev.end)) {
            // A file may end without %%EOF; the last revision then ends with the file.
            rev.marker_end = rev.end = size;
        }
        sections.push_back(rev);
        QPDFObjectHandle prev = dict.getKey("/Prev");
        if (!prev.isInteger())
            break;
        if (prev.getIntValue() < 0) {
            problem = "negative /Prev";
            break;
        }
        offset = static_cast<std::uint64_t>(prev.getIntValue());
    }

    // Oldest first; a section that ends before an older one (the first-page section of a
    // linearized file) belongs to that older revision.
    std::vector<Revision> out;
    for (auto it = sections.rbegin(); it != sections.rend(); ++it) {
        if (!out.empty() && it->end <= out.back().end)
            continue;
        out.push_back(*it);
        out.back().number = static_cast<int>(out.size());
    }
    return out;
}

} // namespace neac::pdf
