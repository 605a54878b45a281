#include "support/pdf_builder.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace neac::testing {

PdfBuilder::PdfBuilder(const Objects& objects, int root, const std::string& extra_trailer)
    : root_(root) {
    bytes_ = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    section(objects, {}, extra_trailer);
}

void PdfBuilder::update(const Objects& changed, const std::vector<int>& freed,
                        const std::string& extra_trailer) {
    section(changed, freed, extra_trailer);
}

std::string PdfBuilder::stream(const std::string& dict_entries, const std::string& data) {
    return "<< " + dict_entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" +
           data + "\nendstream";
}

void PdfBuilder::section(const Objects& objects, const std::vector<int>& freed,
                         const std::string& extra_trailer) {
    std::map<int, std::size_t> offsets;
    for (const auto& [number, body] : objects) {
        offsets[number] = bytes_.size();
        bytes_ += std::to_string(number) + " 0 obj\n" + body + "\nendobj\n";
        size_ = std::max(size_, number + 1);
    }
    for (int number : freed)
        size_ = std::max(size_, number + 1);
    std::size_t xref_at = bytes_.size();
    // One subsection per entry keeps the writer trivial; readers accept it.
    std::string xref = "xref\n";
    if (prev_ < 0)
        xref += "0 1\n0000000000 65535 f\r\n";
    std::map<int, std::string> entries;
    char line[32];
    for (const auto& [number, at] : offsets) {
        std::snprintf(line, sizeof line, "%010zu 00000 n\r\n", at);
        entries[number] = line;
    }
    for (int number : freed)
        entries[number] = "0000000000 00001 f\r\n";
    for (const auto& [number, entry] : entries)
        xref += std::to_string(number) + " 1\n" + entry;
    bytes_ += xref;
    bytes_ += "trailer\n<< /Size " + std::to_string(size_) + " /Root " + std::to_string(root_) +
              " 0 R" + (prev_ >= 0 ? " /Prev " + std::to_string(prev_) : std::string()) +
              (extra_trailer.empty() ? "" : " " + extra_trailer) + " >>\nstartxref\n" +
              std::to_string(xref_at) + "\n%%EOF\n";
    prev_ = static_cast<long>(xref_at);
    ends_.push_back(bytes_.size());
}

void PdfBuilder::write(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes_.data(), static_cast<std::streamsize>(bytes_.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

} // namespace neac::testing
