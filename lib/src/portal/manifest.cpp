#include "neac/portal/manifest.hpp"

#include "neac/profile/validate.hpp"
#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"
#include "util/yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace neac::portal {
namespace {

namespace fs = std::filesystem;
using yaml::Field;
using yaml::located;
using yaml::text;

Error manifest_secret_error(std::string_view /*key*/, std::string_view path) {
    Error e = input_error("'" + std::string(path) + "': the portal token and other secrets are " +
                          "never kept in a dossier manifest");
    e.hint("remove it; neac reads the token from NEAC_PORTAL_TOKEN, or from the file named by "
           "portal.token-file (mode 0600)");
    return e;
}

yaml::KeyRules rules(std::vector<std::string> allowed) {
    yaml::KeyRules r;
    r.allowed = std::move(allowed);
    r.is_secret = profile::is_secret_key;
    r.secret_error = manifest_secret_error;
    return r;
}

struct Reader {
    std::string file; // for error positions
    fs::path folder;
    yaml::Missing missing;

    yaml::MapReader map(const YAML::Node& node, const std::string& where,
                        std::vector<std::string> allowed) const {
        return yaml::MapReader(node, where, rules(std::move(allowed)), file, "the manifest");
    }

    std::string required_text(const yaml::MapReader& m, const std::string& key) {
        const Field* f = m.get(key);
        if (!f) {
            missing.add(m.path(key), m.node());
            return {};
        }
        std::string value = trim(text(*f, m.path(key), file));
        if (value.empty())
            throw located(input_error(m.path(key) + ": must not be blank"), file, f->value);
        return value;
    }

    // Runs a validator on the field's text; its error gets the key's path and position.
    template <typename Fn> auto validated(const Field& f, const std::string& what, Fn fn) const {
        std::string value = text(f, what, file);
        try {
            return fn(value);
        } catch (const Error& e) {
            Error out(e.kind(), what + ": " + e.what());
            if (!e.hint().empty())
                out.hint(e.hint());
            throw located(std::move(out), file, f.value);
        }
    }

    std::string optional_text(const yaml::MapReader& m, const std::string& key) const {
        const Field* f = m.get(key);
        return f ? trim(text(*f, m.path(key), file)) : std::string();
    }

    // A path for a file neac reads on this machine (token, CA bundle, trust anchors): relative to
    // the manifest, "~/" expanded. These may lie outside the manifest's folder.
    std::string local_path(const Field& f, const std::string& what) const {
        std::string value = text(f, what, file);
        if (value.empty())
            throw located(input_error(what + ": must not be blank"), file, f.value);
        fs::path p(value);
        if (value.rfind("~/", 0) == 0) {
            const char* home = std::getenv("HOME");
            p = fs::path(home ? home : "") / value.substr(2);
        }
        if (p.is_relative())
            p = folder / p;
        return p.lexically_normal().string();
    }

    // A component's file: relative, and inside the manifest's folder even after symbolic links
    // are followed, so that a manifest cannot make neac upload ~/.ssh/id_rsa.
    fs::path component_path(const Field& f, const std::string& what) const {
        std::string value = text(f, what, file);
        fs::path p(value);
        if (value.empty())
            throw located(input_error(what + ": must not be blank"), file, f.value);
        if (p.is_absolute())
            throw located(input_error(what + ": '" + value +
                                      "' is an absolute path; component paths are relative to "
                                      "the manifest's folder"),
                          file, f.value)
                .hint("put the file beside the manifest (or in a folder below it) and name it "
                      "relative to the manifest");
        fs::path joined = (folder / p).lexically_normal();
        fs::path relative = joined.lexically_relative(folder);
        bool escapes = relative.empty() || *relative.begin() == "..";
        if (!escapes) {
            std::error_code ec;
            fs::path real_folder = fs::weakly_canonical(folder, ec);
            fs::path real = fs::weakly_canonical(joined, ec);
            if (!ec) {
                fs::path rel = real.lexically_relative(real_folder);
                escapes = rel.empty() || *rel.begin() == "..";
            }
        }
        if (escapes)
            throw located(input_error(what + ": '" + value + "' leaves the manifest's folder " +
                                      folder.string()),
                          file, f.value)
                .hint("a dossier may only contain files in the manifest's folder or below it; "
                      "copy the file there");
        return joined;
    }
};

std::int64_t scalar_size(const Field& f, const std::string& what, const std::string& file) {
    try {
        return parse_size(text(f, what, file));
    } catch (Error& e) {
        throw located(input_error(what + ": " + e.what()), file, f.value)
            .hint("write a size such as 20MB, 512KB or a number of bytes");
    }
}

// Form values keep their text exactly ("001099012345" stays a string, not a number).
nlohmann::json to_json(const YAML::Node& node, const std::string& where, const std::string& file,
                       int depth) {
    if (depth > 16)
        throw located(input_error(where + ": nested too deeply"), file, node);
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& kv : node) {
            YAML::Node k = kv.first;
            YAML::Node v = kv.second;
            if (!k.IsScalar())
                throw located(input_error(where + ": keys must be plain words"), file, k);
            if (out.contains(k.Scalar()))
                throw located(input_error("duplicate key '" + where + "." + k.Scalar() + "'"), file,
                              k);
            out[k.Scalar()] = to_json(v, where + "." + k.Scalar(), file, depth + 1);
        }
        return out;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = 0; i < node.size(); ++i)
            out.push_back(
                to_json(node[i], where + "[" + std::to_string(i + 1) + "]", file, depth + 1));
        return out;
    }
    case YAML::NodeType::Scalar: {
        Field f{node, node};
        return text(f, where, file);
    }
    default:
        return nullptr;
    }
}

// Digits of an identity number a signature must carry: CCCD (12), CMND (9) or MST (10, or 13
// with the branch suffix written "0101234567-001").
std::string signer_number(const std::string& value) {
    std::string digits;
    for (char c : value) {
        if (std::isdigit(static_cast<unsigned char>(c)))
            digits += c;
        else if (c != ' ' && c != '.' && c != '-')
            return {};
    }
    std::size_t n = digits.size();
    return (n == 9 || n == 10 || n == 12 || n == 13) ? digits : std::string();
}

// A list, or one value standing for a list of one.
std::vector<YAML::Node> list_or_one(const YAML::Node& node) {
    std::vector<YAML::Node> items;
    if (node.IsSequence())
        for (std::size_t i = 0; i < node.size(); ++i)
            items.push_back(node[i]);
    else
        items.push_back(node);
    return items;
}

} // namespace

const char* signature_rule_name(SignatureRule rule) {
    switch (rule) {
    case SignatureRule::Optional:
        return "optional";
    case SignatureRule::Required:
        return "required";
    default:
        return "none";
    }
}

std::int64_t parse_size(const std::string& text) {
    std::string s = trim(text);
    std::size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i;
    if (i == 0 || i > 15)
        throw input_error("expected a size such as 20MB, not '" + s + "'");
    std::int64_t value = std::stoll(s.substr(0, i));
    std::string unit = trim(s.substr(i));
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    int shift = 0;
    if (unit.empty() || unit == "B")
        shift = 0;
    else if (unit == "K" || unit == "KB" || unit == "KIB")
        shift = 10;
    else if (unit == "M" || unit == "MB" || unit == "MIB")
        shift = 20;
    else if (unit == "G" || unit == "GB" || unit == "GIB")
        shift = 30;
    else
        throw input_error("unknown size unit '" + unit + "' (use B, KB, MB or GB)");
    if (value <= 0 || value > (std::int64_t{1} << (50 - shift)))
        throw input_error("the size must be between 1 byte and 1 PB");
    return value << shift;
}

Manifest load_manifest(const fs::path& path) {
    Manifest m;
    std::error_code ec;
    m.file = fs::absolute(path, ec).lexically_normal();
    m.folder = m.file.parent_path();
    std::string file = path.string();

    std::string content;
    try {
        content = read_small_file(path, limits::kManifestBytes);
    } catch (Error& e) {
        throw e.hint("check the path; the manifest is a YAML file, see neac-dossier(5)");
    }
    if (!is_valid_utf8(content))
        throw input_error("the manifest is not UTF-8 text")
            .file(file)
            .hint("save the file as UTF-8 (Vietnamese text in other encodings is not supported)");

    YAML::Node root = yaml::load(content, file);
    if (root.IsNull())
        throw input_error("the manifest is empty").file(file).hint("see neac-dossier(5)");
    Reader r{file, m.folder, {}};
    yaml::MapReader top = r.map(
        root, "", {"version", "portal", "procedure", "applicant", "form", "components", "policy"});

    if (const Field* f = top.get("version")) {
        std::string v = text(*f, "version", file);
        if (v != "1")
            throw located(
                input_error("version: this neac reads manifest version 1, not '" + v + "'"), file,
                f->value);
    }

    if (const Field* f = top.get("portal")) {
        yaml::MapReader p =
            r.map(f->value, "portal", {"url", "token-file", "ca-bundle", "max-file-size"});
        m.portal_url = r.required_text(p, "url");
        if (const Field* u = p.get("url"))
            yaml::checked(*u, file, [&] { profile::check_url(m.portal_url, "portal.url"); });
        if (const Field* t = p.get("token-file"))
            m.token_file = r.local_path(*t, "portal.token-file");
        if (const Field* c = p.get("ca-bundle"))
            m.ca_bundle = r.local_path(*c, "portal.ca-bundle");
        if (const Field* s = p.get("max-file-size"))
            m.max_file_size = scalar_size(*s, "portal.max-file-size", file);
    } else {
        r.missing.add("portal", root);
    }

    if (const Field* f = top.get("procedure")) {
        yaml::MapReader p = r.map(f->value, "procedure", {"code", "name"});
        m.procedure_code = r.required_text(p, "code");
        m.procedure_name = r.optional_text(p, "name");
    } else {
        r.missing.add("procedure", root);
    }

    if (const Field* f = top.get("applicant")) {
        yaml::MapReader a = r.map(f->value, "applicant", {"name", "id", "phone", "address"});
        m.applicant.name = r.required_text(a, "name");
        if (const Field* id = a.get("id")) {
            auto account = r.validated(*id, "applicant.id", [](const std::string& v) {
                return profile::parse_account(v);
            });
            m.applicant.id_kind = account.kind;
            m.applicant.id_number = account.number;
        } else {
            r.missing.add("applicant.id", a.node());
        }
        if (const Field* ph = a.get("phone"))
            m.applicant.phone = r.validated(*ph, "applicant.phone", [](const std::string& v) {
                return profile::normalize_phone(v);
            });
        else
            r.missing.add("applicant.phone", a.node());
        m.applicant.address = r.optional_text(a, "address");
    } else {
        r.missing.add("applicant", root);
    }

    if (const Field* f = top.get("form")) {
        if (!f->value.IsMap())
            throw located(input_error("form: expected a mapping of field names to values"), file,
                          f->value);
        m.form = to_json(f->value, "form", file, 0);
    }

    if (const Field* f = top.get("components")) {
        if (!f->value.IsSequence() || f->value.size() == 0)
            throw located(input_error("components: expected a list of at least one component"),
                          file, f->value)
                .hint("each item has code, title, file and optionally signature and signer");
        if (f->value.size() > limits::kManifestComponents)
            throw located(input_error("components: " + std::to_string(f->value.size()) +
                                      " components; a dossier has at most " +
                                      std::to_string(limits::kManifestComponents)),
                          file, f->value);
        std::set<std::string> codes;
        for (std::size_t i = 0; i < f->value.size(); ++i) {
            std::string where = "components[" + std::to_string(i + 1) + "]";
            yaml::MapReader c =
                r.map(f->value[i], where, {"code", "title", "file", "signature", "signer"});
            ManifestComponent comp;
            comp.line = static_cast<int>(f->value[i].Mark().line) + 1;
            comp.code = r.required_text(c, "code");
            if (const Field* cf = c.get("code")) {
                bool plain = comp.code.size() <= 32 &&
                             std::all_of(comp.code.begin(), comp.code.end(), [](char ch) {
                                 return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' ||
                                        ch == '_' || ch == '-';
                             });
                if (!plain)
                    throw located(input_error(where + ".code: '" + comp.code +
                                              "' is not a component code (1 to 32 letters, "
                                              "digits, '.', '_' or '-')"),
                                  file, cf->value);
                if (!codes.insert(comp.code).second)
                    throw located(input_error(where + ".code: '" + comp.code +
                                              "' is used by an earlier component"),
                                  file, cf->value);
            }
            comp.title = r.required_text(c, "title");
            if (const Field* ff = c.get("file")) {
                comp.file_as_written = text(*ff, where + ".file", file);
                comp.file = r.component_path(*ff, where + ".file");
            } else {
                r.missing.add(where + ".file", c.node());
            }
            if (const Field* sf = c.get("signature")) {
                std::string rule = text(*sf, where + ".signature", file);
                if (rule == "required")
                    comp.signature = SignatureRule::Required;
                else if (rule == "optional")
                    comp.signature = SignatureRule::Optional;
                else if (rule == "none")
                    comp.signature = SignatureRule::None;
                else
                    throw located(input_error(where +
                                              ".signature: expected required, optional "
                                              "or none, not '" +
                                              rule + "'"),
                                  file, sf->value);
            }
            if (const Field* sg = c.get("signer")) {
                std::string who = trim(text(*sg, where + ".signer", file));
                if (who == "applicant") {
                    comp.signer = m.applicant.id_number;
                } else {
                    comp.signer = signer_number(who);
                    if (comp.signer.empty())
                        throw located(input_error(where +
                                                  ".signer: expected 'applicant' or a "
                                                  "CCCD/CMND/MST number, not '" +
                                                  who + "'"),
                                      file, sg->value);
                }
                if (comp.signature == SignatureRule::None)
                    throw located(input_error(where + ".signer: set, but the component needs no "
                                                      "signature"),
                                  file, sg->value)
                        .hint("add 'signature: required' (or optional), or remove the signer");
            } else if (comp.signature != SignatureRule::None) {
                comp.signer = m.applicant.id_number;
            }
            m.components.push_back(std::move(comp));
        }
    } else {
        r.missing.add("components", root);
    }

    if (const Field* f = top.get("policy")) {
        yaml::MapReader p =
            r.map(f->value, "policy",
                  {"trust", "require-timestamp", "require-trusted", "revocation", "allow"});
        if (const Field* t = p.get("trust")) {
            for (const YAML::Node& item : list_or_one(t->value)) {
                Field tf{item, item};
                std::string v = text(tf, "policy.trust", file);
                m.policy.trust.push_back(v == "sandbox" ? v : r.local_path(tf, "policy.trust"));
            }
        }
        if (const Field* b = p.get("require-timestamp"))
            m.policy.require_timestamp = yaml::boolean(*b, "policy.require-timestamp", file);
        if (const Field* b = p.get("require-trusted"))
            m.policy.require_trusted = yaml::boolean(*b, "policy.require-trusted", file);
        if (const Field* rv = p.get("revocation")) {
            m.policy.revocation = text(*rv, "policy.revocation", file);
            if (m.policy.revocation != "soft" && m.policy.revocation != "require" &&
                m.policy.revocation != "none")
                throw located(input_error("policy.revocation: expected soft, require or none"),
                              file, rv->value);
        }
        if (const Field* al = p.get("allow")) {
            for (const YAML::Node& item : list_or_one(al->value)) {
                Field af{item, item};
                std::string v = text(af, "policy.allow", file);
                if (v != "annotations" && v != "forms")
                    throw located(
                        input_error("policy.allow: expected annotations or forms, not '" + v + "'"),
                        file, item);
                m.policy.allow.push_back(v);
            }
        }
    }

    if (!r.missing.keys.empty())
        throw located(input_error("missing " + yaml::join(r.missing.keys, ", ")), file,
                      r.missing.first)
            .hint("see neac-dossier(5) for the keys a manifest needs");
    return m;
}

} // namespace neac::portal
