#include "neac/pdf/dss.hpp"

#include "neac/util/error.hpp"

#include <map>
#include <optional>
#include <set>

namespace neac::pdf {

namespace {

struct DssArray {
    const char* key;     // "/Certs"
    const char* vri_key; // "/Cert"
    std::vector<std::string> DssItems::*items;
};

constexpr DssArray kArrays[] = {
    {"/Certs", "/Cert", &DssItems::certificates},
    {"/OCSPs", "/OCSP", &DssItems::ocsp_responses},
    {"/CRLs", "/CRL", &DssItems::crls},
};

// Stream data as stored in the DSS, or nullopt when it cannot be decoded.
std::optional<std::string> stream_bytes(QPDFObjectHandle stream) {
    if (!stream.isStream())
        return std::nullopt;
    try {
        auto data = stream.getStreamData(qpdf_dl_generalized);
        return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string name_key(const std::string& hex) {
    return "/" + hex;
}

} // namespace

DssItems read_dss(Document& doc) {
    DssItems out;
    QPDFObjectHandle dss = doc.qpdf().getRoot().getKey("/DSS");
    if (!dss.isDictionary())
        return out;
    for (const DssArray& a : kArrays) {
        QPDFObjectHandle arr = dss.getKey(a.key);
        if (!arr.isArray())
            continue;
        for (QPDFObjectHandle item : arr.aitems())
            if (auto bytes = stream_bytes(item))
                (out.*a.items).push_back(std::move(*bytes));
    }
    return out;
}

DssRevision dss_revision(Document& doc, const DssItems& items, const std::vector<VriEntry>& vri) {
    QPDF& q = doc.qpdf();
    QPDFObjectHandle root = q.getRoot();
    if (!root.isDictionary() || !root.isIndirect())
        throw input_error("the document catalog cannot be read").file(doc.path().string());
    QPDFObjectHandle dss = root.getKey("/DSS");
    if (!dss.isDictionary())
        dss = QPDFObjectHandle::newNull();

    IncrementalUpdate update(doc);
    DssRevision out;
    std::vector<std::pair<std::string, std::string>> dss_entries;
    // Per array: the bytes of every item (old and new) and the reference that holds them.
    std::map<std::string, std::string> ref_of[3];
    for (int i = 0; i < 3; ++i) {
        const DssArray& a = kArrays[i];
        std::string array = "[";
        QPDFObjectHandle existing =
            dss.isDictionary() ? dss.getKey(a.key) : QPDFObjectHandle::newNull();
        if (existing.isArray()) {
            for (QPDFObjectHandle item : existing.aitems()) {
                array += " " + serialize(item);
                if (auto bytes = stream_bytes(item); bytes && item.isIndirect())
                    ref_of[i].emplace(*bytes, serialize(item));
            }
        }
        std::size_t added = 0;
        auto add = [&](const std::string& bytes) {
            if (ref_of[i].count(bytes))
                return;
            int number = update.reserve();
            update.put_stream(number, "", bytes);
            ref_of[i].emplace(bytes, ref(number));
            array += " " + ref(number);
            ++added;
        };
        for (const std::string& bytes : items.*a.items)
            add(bytes);
        for (const VriEntry& v : vri)
            for (const std::string& bytes : v.items.*a.items)
                add(bytes);
        array += " ]";
        if (added > 0 || existing.isArray())
            dss_entries.emplace_back(a.key, array);
        (i == 0   ? out.added_certificates
         : i == 1 ? out.added_ocsp_responses
                  : out.added_crls) = added;
    }

    if (!vri.empty()) {
        std::vector<std::pair<std::string, std::string>> vri_entries;
        std::set<std::string> keys; // a key twice would be a duplicated dictionary key
        for (const VriEntry& v : vri) {
            if (!keys.insert(v.key).second)
                continue;
            std::string body = "<<";
            for (int i = 0; i < 3; ++i) {
                const auto& list = v.items.*kArrays[i].items;
                if (list.empty())
                    continue;
                body += std::string(" ") + kArrays[i].vri_key + " [";
                for (const std::string& bytes : list)
                    body += " " + ref_of[i].at(bytes);
                body += " ]";
            }
            body += " >>";
            vri_entries.emplace_back(name_key(v.key), body);
        }
        QPDFObjectHandle old_vri =
            dss.isDictionary() ? dss.getKey("/VRI") : QPDFObjectHandle::newNull();
        int vri_number = update.reserve();
        update.put(
            vri_number,
            dict_with(old_vri.isDictionary() ? old_vri : QPDFObjectHandle::newNull(), vri_entries));
        dss_entries.emplace_back("/VRI", ref(vri_number));
    }

    if (dss.isDictionary() && dss.isIndirect()) {
        update.put(dss.getObjectID(), dss.getGeneration(), dict_with(dss, dss_entries));
    } else {
        int dss_number = update.reserve();
        update.put(dss_number, dict_with(dss, dss_entries));
        update.put(root.getObjectID(), root.getGeneration(),
                   dict_with(root, {{"/DSS", ref(dss_number)}}));
    }
    doc.require_no_warnings("adding validation data");
    out.revision = update.build();
    return out;
}

} // namespace neac::pdf
