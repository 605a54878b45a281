#include "util/yaml_reader.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>
#include <sstream>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace neac::yaml {

Error located(Error e, const std::string& file, const YAML::Mark& mark) {
    if (!file.empty())
        e.file(file);
    if (!mark.is_null())
        e.line(mark.line + 1, mark.column + 1);
    return e;
}

Error located(Error e, const std::string& file, const YAML::Node& node) {
    return located(std::move(e), file, node.Mark());
}

const char* node_kind(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Null:
        return "nothing";
    default:
        return "a scalar";
    }
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? separator : "") + items[i];
    return out;
}

MapReader::MapReader(const YAML::Node& node, std::string where, const KeyRules& rules,
                     const std::string& file, const std::string& document)
    : node_(node), where_(std::move(where)) {
    std::string what = where_.empty() ? document : where_;
    if (!node.IsMap())
        throw located(input_error(what + ": expected a mapping of keys, got " + node_kind(node)),
                      file, node);
    // Range-for with copies: g++ 12 misreports yaml-cpp's iterator proxy (it->first) as dangling.
    for (const auto& kv : node) {
        YAML::Node k = kv.first;
        YAML::Node v = kv.second;
        if (!k.IsScalar())
            throw located(input_error(what + ": keys must be plain words"), file, k);
        std::string key = k.Scalar();
        if (fields_.count(key) || std::find(order_.begin(), order_.end(), key) != order_.end())
            throw located(input_error("duplicate key '" + path(key) + "'"), file, k)
                .hint("each key may appear once; remove one of them");
        // Refuse a literal secret before anything else, and without reading its value.
        if (rules.is_secret && rules.is_secret(key) && rules.secret_error)
            throw located(rules.secret_error(key, path(key)), file, k);
        bool known =
            std::find(rules.allowed.begin(), rules.allowed.end(), key) != rules.allowed.end() ||
            (rules.extra_key && rules.extra_key(key));
        if (!known)
            throw located(input_error("unknown key '" + path(key) + "'"), file, k)
                .hint("allowed here: " + join(rules.allowed, ", ") +
                      (rules.extra_hint.empty() ? "" : ", and " + rules.extra_hint));
        order_.push_back(key);
        if (!v.IsNull())
            fields_.emplace(key, Field{k, v});
    }
}

std::string text(const Field& f, const std::string& what, const std::string& file) {
    if (!f.value.IsScalar())
        throw located(input_error(what + ": expected text, got " + node_kind(f.value)), file,
                      f.value);
    std::string s = f.value.Scalar();
    if (std::any_of(s.begin(), s.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; }))
        throw located(input_error(what + ": control characters are not allowed"), file, f.value);
    return s;
}

bool boolean(const Field& f, const std::string& what, const std::string& file) {
    bool value = false;
    if (!f.value.IsScalar() || !YAML::convert<bool>::decode(f.value, value))
        throw located(input_error(what + ": expected true or false"), file, f.value);
    return value;
}

namespace {

// Walks the parser's events before any node is built: anchors and aliases are refused (an alias
// repeats a whole subtree, so a few lines can stand for gigabytes once read), and so are
// documents nested or sized beyond what a hand-written profile or manifest needs.
class PlainYamlCheck final : public YAML::EventHandler {
public:
    explicit PlainYamlCheck(std::string file) : file_(std::move(file)) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { node(mark, anchor); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
        throw located(input_error("YAML aliases (*name) are not accepted"), file_, mark)
            .hint("write the value out in full where it is needed");
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        node(mark, anchor);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { --depth_; }

private:
    void node(const YAML::Mark& mark, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor)
            throw located(input_error("YAML anchors (&name) are not accepted"), file_, mark)
                .hint("write the value out in full where it is needed");
        if (++nodes_ > limits::kYamlNodes)
            throw located(input_error("more than " + std::to_string(limits::kYamlNodes) +
                                      " values in one YAML file"),
                          file_, mark);
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        node(mark, anchor);
        if (++depth_ > limits::kYamlDepth)
            throw located(input_error("YAML nested deeper than " +
                                      std::to_string(limits::kYamlDepth) + " levels"),
                          file_, mark);
    }

    std::string file_;
    int depth_ = 0;
    std::size_t nodes_ = 0;
};

} // namespace

void check_plain(const std::string& content, const std::string& file) {
    try {
        std::istringstream in(content);
        YAML::Parser parser(in);
        PlainYamlCheck check(file);
        while (parser.HandleNextDocument(check)) {
        }
    } catch (const YAML::Exception& e) {
        throw located(input_error("YAML syntax error: " + e.msg), file, e.mark)
            .hint("check indentation, quotes and ':' around this position");
    }
}

YAML::Node load(const std::string& content, const std::string& file) {
    check_plain(content, file);
    try {
        return YAML::Load(content);
    } catch (const YAML::Exception& e) {
        throw located(input_error("YAML syntax error: " + e.msg), file, e.mark)
            .hint("check indentation, quotes and ':' around this position");
    }
}

} // namespace neac::yaml
