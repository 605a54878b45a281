// Test support: small PDF files written object by object, and incremental updates appended to
// them by hand, so that a test can make exactly the revision it needs (a page content replaced,
// an appearance stream redefined, a structure tree rewritten) without any signer in the way.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace neac::testing {

class PdfBuilder {
public:
    // Object bodies by number ("<< /Type /Catalog ... >>", or a full "<< ... >>\nstream\n...
    // \nendstream" written with stream()). Generation 0 throughout.
    using Objects = std::map<int, std::string>;

    // Starts the file: header, the objects, an xref table and a trailer with /Root `root`.
    PdfBuilder(const Objects& objects, int root, const std::string& extra_trailer = "");

    // Appends a revision that sets (adds or replaces) these objects and frees `freed`.
    void update(const Objects& changed, const std::vector<int>& freed = {},
                const std::string& extra_trailer = "");

    // A stream object body with /Length computed.
    static std::string stream(const std::string& dict_entries, const std::string& data);

    const std::string& bytes() const { return bytes_; }
    // The offset just past the %%EOF line of each revision so far (1-based: ends()[0] is rev 1).
    const std::vector<std::size_t>& ends() const { return ends_; }
    void write(const std::filesystem::path& path) const;

private:
    void section(const Objects& objects, const std::vector<int>& freed,
                 const std::string& extra_trailer);

    std::string bytes_;
    int root_ = 1;
    int size_ = 1;
    long prev_ = -1;
    std::vector<std::size_t> ends_;
};

} // namespace neac::testing
