#include "verify/compare.hpp"

#include <algorithm>
#include <set>

namespace neac::verify::detail {
namespace {
constexpr long long kMaxCompareStream = 64ll << 20;
} // namespace

// Content equality of the same object in two revisions (references compare by number: a changed
// referent is judged on its own).
bool same_content(QPDFObjectHandle a, QPDFObjectHandle b) {
    if (a.isStream() != b.isStream())
        return false;
    if (a.isStream()) {
        if (a.getDict().unparseResolved() != b.getDict().unparseResolved())
            return false;
        QPDFObjectHandle la = a.getDict().getKey("/Length");
        QPDFObjectHandle lb = b.getDict().getKey("/Length");
        if (la.isInteger() && lb.isInteger() &&
            (la.getIntValue() > kMaxCompareStream || lb.getIntValue() > kMaxCompareStream))
            return false; // too large to compare: counts as changed
        auto da = a.getRawStreamData();
        auto db = b.getRawStreamData();
        return da->getSize() == db->getSize() &&
               std::equal(da->getBuffer(), da->getBuffer() + da->getSize(), db->getBuffer());
    }
    return a.unparseResolved() == b.unparseResolved();
}

// Whether two values, one from each revision, say the same thing: direct values compared
// deeply, references by number when both name the same object (a changed referent is judged on
// its own), and by content when a revision put an equal copy under a new number (signers
// rewrite a page's /Resources or /OutputIntents that way). Bounded in depth and work.
namespace {

bool equivalent(QPDFObjectHandle a, QPDFObjectHandle b, int depth, int& budget) {
    if (--budget < 0 || depth > 16)
        return false;
    if (a.isIndirect() && b.isIndirect() && a.getObjGen() == b.getObjGen())
        return true;
    if (a.getTypeCode() != b.getTypeCode())
        return false;
    if (a.isStream()) {
        if (!equivalent(a.getDict(), b.getDict(), depth + 1, budget))
            return false;
        QPDFObjectHandle len = a.getDict().getKey("/Length");
        if (len.isInteger() && len.getIntValue() > kMaxCompareStream)
            return false;
        auto da = a.getRawStreamData();
        auto db = b.getRawStreamData();
        return da->getSize() == db->getSize() &&
               std::equal(da->getBuffer(), da->getBuffer() + da->getSize(), db->getBuffer());
    }
    if (a.isDictionary()) {
        std::set<std::string> ka = a.getKeys(), kb = b.getKeys();
        if (ka != kb)
            return false;
        for (const std::string& k : ka)
            if (!equivalent(a.getKey(k), b.getKey(k), depth + 1, budget))
                return false;
        return true;
    }
    if (a.isArray()) {
        if (a.getArrayNItems() != b.getArrayNItems())
            return false;
        for (int i = 0; i < a.getArrayNItems(); ++i)
            if (!equivalent(a.getArrayItem(i), b.getArrayItem(i), depth + 1, budget))
                return false;
        return true;
    }
    return a.unparse() == b.unparse();
}

} // namespace

bool equivalent(QPDFObjectHandle a, QPDFObjectHandle b) {
    int budget = 20000;
    return a.unparse() == b.unparse() || equivalent(a, b, 0, budget);
}

std::vector<KeyDiff> key_diffs(QPDFObjectHandle a, QPDFObjectHandle b) {
    std::vector<KeyDiff> out;
    QPDFObjectHandle da = a.isStream() ? a.getDict() : a;
    QPDFObjectHandle db = b.isStream() ? b.getDict() : b;
    std::set<std::string> keys;
    if (da.isDictionary())
        for (const auto& k : da.getKeys())
            keys.insert(k);
    if (db.isDictionary())
        for (const auto& k : db.getKeys())
            keys.insert(k);
    for (const std::string& k : keys) {
        bool ha = da.isDictionary() && da.hasKey(k);
        bool hb = db.isDictionary() && db.hasKey(k);
        if (ha && !hb)
            out.push_back({k, "removed"});
        else if (!ha && hb)
            out.push_back({k, "added"});
        else if (!equivalent(da.getKey(k), db.getKey(k)))
            out.push_back({k, "changed"});
    }
    if (a.isStream() && b.isStream()) {
        auto sa = a.getRawStreamData();
        auto sb = b.getRawStreamData();
        if (sa->getSize() != sb->getSize() ||
            !std::equal(sa->getBuffer(), sa->getBuffer() + sa->getSize(), sb->getBuffer()))
            out.push_back({"stream data", "changed"});
    } else if (!da.isDictionary() && !db.isDictionary()) {
        out.push_back({"value", "changed"});
    }
    return out;
}

std::string describe(const std::vector<KeyDiff>& diffs) {
    std::string out;
    for (const KeyDiff& d : diffs)
        out += (out.empty() ? "" : ", ") + d.key + " " + d.what;
    return out;
}

// The items of an array, or the value itself as the only item (structure trees write a single
// kid directly and an array once there are more).
namespace {

std::vector<std::string> items_of(QPDFObjectHandle h) {
    std::vector<std::string> out;
    if (h.isArray()) {
        for (QPDFObjectHandle i : h.aitems())
            out.push_back(i.unparse());
    } else if (!h.isNull()) {
        out.push_back(h.unparse());
    }
    return out;
}

} // namespace

// True when every item of `a` is still in `b` (as a multiset): `b` only grew.
bool only_grew(QPDFObjectHandle a, QPDFObjectHandle b) {
    std::multiset<std::string> in_b;
    for (std::string& i : items_of(b))
        in_b.insert(std::move(i));
    for (const std::string& i : items_of(a)) {
        auto it = in_b.find(i);
        if (it == in_b.end())
            return false;
        in_b.erase(it);
    }
    return true;
}

} // namespace neac::verify::detail
