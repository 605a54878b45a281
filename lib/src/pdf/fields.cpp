#include "neac/pdf/fields.hpp"

#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>
#include <set>

namespace neac::pdf {
namespace {

constexpr int kMaxDepth = 32;

bool is_name(QPDFObjectHandle h, const char* n) {
    return h.isName() && h.getName() == n;
}

class Scanner {
public:
    explicit Scanner(FieldScan& out) : out_(out) {}

    void fields(QPDFObjectHandle arr, const std::string& prefix, QPDFObjectHandle inherited_ft,
                int depth) {
        if (!arr.isArray() || depth > kMaxDepth)
            return;
        for (QPDFObjectHandle f : arr.aitems()) {
            if (!f.isDictionary())
                continue;
            if (f.isIndirect() && !seen_.insert(f.getObjGen()).second)
                continue;
            std::string name = prefix;
            if (f.getKey("/T").isString())
                name = prefix.empty() ? f.getKey("/T").getUTF8Value()
                                      : prefix + "." + f.getKey("/T").getUTF8Value();
            QPDFObjectHandle ft = f.hasKey("/FT") ? f.getKey("/FT") : inherited_ft;
            QPDFObjectHandle kids = f.getKey("/Kids");
            bool has_field_kids = false;
            if (kids.isArray())
                for (QPDFObjectHandle k : kids.aitems())
                    if (k.isDictionary() && k.hasKey("/T"))
                        has_field_kids = true;
            if (has_field_kids) {
                fields(kids, name, ft, depth + 1);
                continue;
            }
            if (!is_name(ft, "/Sig"))
                continue;
            add(f, name);
            // Widgets listed as kids belong to this field.
            if (kids.isArray())
                for (QPDFObjectHandle k : kids.aitems())
                    if (k.isIndirect())
                        seen_.insert(k.getObjGen());
        }
    }

    void add(QPDFObjectHandle f, const std::string& name) {
        if (f.isIndirect())
            seen_.insert(f.getObjGen());
        QPDFObjectHandle v = f.getKey("/V");
        if (v.isDictionary()) {
            SigField s;
            s.name = name;
            s.field = f;
            s.value = v;
            s.lock = f.getKey("/Lock");
            out_.signatures.push_back(s);
        } else {
            out_.empty.push_back(name);
        }
    }

    // Signature widgets on pages that the AcroForm does not list (still shown by viewers).
    void page_widgets(QPDF& q) {
        std::set<QPDFObjGen> pages_seen;
        for (QPDFObjectHandle& page : page_dictionaries(q)) {
            QPDFObjectHandle annots = page.getKey("/Annots");
            if (!annots.isArray())
                continue;
            for (QPDFObjectHandle a : annots.aitems()) {
                if (!a.isDictionary() || !is_name(a.getKey("/Subtype"), "/Widget"))
                    continue;
                QPDFObjectHandle field =
                    a.hasKey("/T") || !a.getKey("/Parent").isDictionary() ? a : a.getKey("/Parent");
                if (field.isIndirect() && seen_.count(field.getObjGen()))
                    continue;
                if (a.isIndirect() && seen_.count(a.getObjGen()))
                    continue;
                QPDFObjectHandle ft = field.getKey("/FT");
                if (!is_name(ft, "/Sig") && !is_name(a.getKey("/FT"), "/Sig"))
                    continue;
                std::string name = field.getKey("/T").isString() ? field.getKey("/T").getUTF8Value()
                                                                 : "(unnamed widget)";
                add(field, name);
            }
        }
    }

private:
    FieldScan& out_;
    std::set<QPDFObjGen> seen_;
};

} // namespace

std::vector<QPDFObjectHandle> page_dictionaries(QPDF& q) {
    std::vector<QPDFObjectHandle> pages;
    std::set<QPDFObjGen> seen;
    std::vector<std::pair<QPDFObjectHandle, int>> todo{{q.getRoot().getKey("/Pages"), 0}};
    while (!todo.empty()) {
        auto [node, depth] = todo.back();
        todo.pop_back();
        if (!node.isDictionary())
            continue;
        if (depth > limits::kPageTreeDepth)
            throw input_error("the page tree is more than " +
                              std::to_string(limits::kPageTreeDepth) + " levels deep");
        QPDFObjectHandle kids = node.getKey("/Kids");
        bool leaf = is_name(node.getKey("/Type"), "/Page") || !kids.isArray();
        if (node.isIndirect() && !seen.insert(node.getObjGen()).second) {
            // A page listed twice is shown twice; a node of the tree met again is a cycle.
            if (!leaf)
                throw input_error("the page tree has a cycle (object " +
                                  std::to_string(node.getObjectID()) + ")");
            continue;
        }
        if (leaf) {
            pages.push_back(node);
            continue;
        }
        std::vector<QPDFObjectHandle> items = kids.getArrayAsVector();
        for (auto it = items.rbegin(); it != items.rend(); ++it)
            todo.emplace_back(*it, depth + 1);
    }
    return pages;
}

FieldScan scan_fields(QPDF& q) {
    FieldScan out;
    Scanner s(out);
    QPDFObjectHandle form = q.getRoot().getKey("/AcroForm");
    if (form.isDictionary())
        s.fields(form.getKey("/Fields"), "", QPDFObjectHandle::newNull(), 0);
    s.page_widgets(q);
    return out;
}

std::vector<std::string> locked_fields(QPDFObjectHandle params,
                                       const std::vector<std::string>& all) {
    std::vector<std::string> out;
    if (!params.isDictionary())
        return out;
    QPDFObjectHandle action = params.getKey("/Action");
    std::set<std::string> listed;
    QPDFObjectHandle names = params.getKey("/Fields");
    if (names.isArray())
        for (QPDFObjectHandle n : names.aitems())
            if (n.isString())
                listed.insert(n.getUTF8Value());
    for (const std::string& f : all) {
        // A listed name covers the field and its descendants ("a" locks "a.b"), never a mere
        // prefix ("Signature1" does not lock "Signature10").
        bool in_list = false;
        for (const std::string& l : listed)
            if (f == l || f.rfind(l + ".", 0) == 0)
                in_list = true;
        if (is_name(action, "/All") || (is_name(action, "/Include") && in_list) ||
            (is_name(action, "/Exclude") && !in_list))
            out.push_back(f);
    }
    return out;
}

std::vector<std::string> field_names(QPDF& qpdf) {
    std::vector<std::string> out;
    std::set<QPDFObjGen> seen;
    // An explicit stack instead of recursion: a hostile form tree can be deep.
    std::vector<std::pair<QPDFObjectHandle, std::string>> todo;
    auto push_kids = [&](QPDFObjectHandle kids, const std::string& prefix) {
        if (!kids.isArray())
            return;
        std::vector<QPDFObjectHandle> items = kids.getArrayAsVector();
        for (auto it = items.rbegin(); it != items.rend(); ++it)
            todo.emplace_back(*it, prefix);
    };
    QPDFObjectHandle form = qpdf.getRoot().getKey("/AcroForm");
    if (form.isDictionary())
        push_kids(form.getKey("/Fields"), "");
    while (!todo.empty() && out.size() < 100000) {
        auto [field, prefix] = todo.back();
        todo.pop_back();
        if (!field.isDictionary() || (field.isIndirect() && !seen.insert(field.getObjGen()).second))
            continue;
        std::string name = prefix;
        QPDFObjectHandle t = field.getKey("/T");
        if (t.isString()) {
            name = prefix.empty() ? t.getUTF8Value() : prefix + "." + t.getUTF8Value();
            out.push_back(name);
        }
        push_kids(field.getKey("/Kids"), name);
    }
    return out;
}

int docmdp_of(QPDFObjectHandle signature) {
    QPDFObjectHandle refs = signature.getKey("/Reference");
    if (!refs.isArray())
        return 0;
    for (QPDFObjectHandle r : refs.aitems()) {
        if (!r.isDictionary() || !is_name(r.getKey("/TransformMethod"), "/DocMDP"))
            continue;
        QPDFObjectHandle p = r.getKey("/TransformParams").getKey("/P");
        if (p.isInteger() && p.getIntValue() >= 1 && p.getIntValue() <= 3)
            return static_cast<int>(p.getIntValue());
        return 2;
    }
    return 0;
}

int docmdp_permission(QPDF& qpdf) {
    QPDFObjectHandle perms = qpdf.getRoot().getKey("/Perms");
    if (!perms.isDictionary())
        return 0;
    QPDFObjectHandle sig = perms.getKey("/DocMDP");
    if (!sig.isDictionary())
        return 0;
    int p = docmdp_of(sig);
    return p == 0 ? 2 : p;
}

} // namespace neac::pdf
