// Reading hand-written YAML documents (profiles, dossier manifests) strictly and with positions:
// every error names the file, line and column of the value at fault. Internal to the library.
#pragma once

#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace neac::yaml {

// One key/value pair of a YAML mapping, with the key kept for its position.
struct Field {
    YAML::Node key;
    YAML::Node value;
};

// What keys a mapping may hold.
struct KeyRules {
    std::vector<std::string> allowed;
    // More allowed keys beyond the list (e.g. provider settings); may be null.
    bool (*extra_key)(std::string_view) = nullptr;
    // Keys that would hold a secret: refused before their value is read. May be null.
    bool (*is_secret)(std::string_view) = nullptr;
    // The error for a secret key (key, dotted path); used when is_secret says yes.
    Error (*secret_error)(std::string_view key, std::string_view path) = nullptr;
    // What extra_key allows, for the hint of an unknown key ("" = nothing to add).
    std::string extra_hint;
};

// Reads one YAML mapping: refuses duplicate, secret and unknown keys at their position, and keeps
// null values out (an empty value counts as absent, so a required one is reported as missing).
class MapReader {
public:
    // `where` is the dotted path of the mapping ("" = the document, named `document` in errors).
    MapReader(const YAML::Node& node, std::string where, const KeyRules& rules,
              const std::string& file, const std::string& document = "the document");

    const YAML::Node& node() const { return node_; }
    const Field* get(const std::string& key) const {
        auto it = fields_.find(key);
        return it == fields_.end() ? nullptr : &it->second;
    }
    const std::vector<std::string>& keys_in_order() const { return order_; }
    std::string path(const std::string& key) const {
        return where_.empty() ? key : where_ + "." + key;
    }

private:
    YAML::Node node_;
    std::string where_;
    std::map<std::string, Field> fields_;
    std::vector<std::string> order_;
};

// `e` with the file and the 1-based line and column of `mark` (or of `node`).
Error located(Error e, const std::string& file, const YAML::Mark& mark);
Error located(Error e, const std::string& file, const YAML::Node& node);

// "a list", "a mapping", "nothing", "a scalar".
const char* node_kind(const YAML::Node& n);

std::string join(const std::vector<std::string>& items, const char* separator);

// A scalar as text; refuses lists, mappings and control characters (tabs allowed).
std::string text(const Field& f, const std::string& what, const std::string& file);
// true/false (and yes/no, as YAML 1.1 has them).
bool boolean(const Field& f, const std::string& what, const std::string& file);

// Runs a validator and puts the value's position on its error.
template <typename Fn>
auto checked(const Field& f, const std::string& file, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (Error& e) {
        throw located(std::move(e), file, f.value);
    }
}

// Required keys that were absent, reported together at the first mapping that lacked one.
struct Missing {
    std::vector<std::string> keys;
    YAML::Mark first;
    void add(const std::string& key, const YAML::Node& map) {
        if (keys.empty())
            first = map.Mark();
        keys.push_back(key);
    }
};

// Error(BadInput) at the position of the first anchor or alias, of nesting deeper than
// limits::kYamlDepth, or of the value past limits::kYamlNodes; also for a syntax error. Read before
// any node is built.
void check_plain(const std::string& content, const std::string& file);

// Parses YAML text after check_plain; a syntax error is Error(BadInput) at its line and column.
YAML::Node load(const std::string& content, const std::string& file);

} // namespace neac::yaml
