#include "neac/util/error.hpp"

namespace neac {

const char* error_kind_name(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage:
        return "usage";
    case ErrorKind::BadInput:
        return "bad_input";
    case ErrorKind::Remote:
        return "remote";
    case ErrorKind::NotApproved:
        return "not_approved";
    case ErrorKind::Verification:
        return "verification_failed";
    case ErrorKind::Indeterminate:
        return "indeterminate";
    case ErrorKind::Interrupted:
        return "interrupted";
    case ErrorKind::Internal:
        return "internal";
    }
    return "internal";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

Error& Error::file(std::string path) {
    file_ = std::move(path);
    return *this;
}

Error& Error::line(int line, int column) {
    line_ = line;
    column_ = column;
    return *this;
}

Error& Error::offset(std::int64_t byte_offset) {
    offset_ = byte_offset;
    return *this;
}

Error& Error::object(std::string object_ref) {
    object_ = std::move(object_ref);
    return *this;
}

Error& Error::hint(std::string what_to_do) {
    hint_ = std::move(what_to_do);
    return *this;
}

std::string Error::describe() const {
    std::string out;
    if (!file_.empty()) {
        out += file_;
        if (line_ > 0) {
            out += ":" + std::to_string(line_);
            if (column_ > 0)
                out += ":" + std::to_string(column_);
        }
        out += ": ";
    }
    out += what();
    if (!object_.empty() || offset_) {
        out += " (";
        if (!object_.empty())
            out += "object " + object_;
        if (!object_.empty() && offset_)
            out += ", ";
        if (offset_)
            out += "offset " + std::to_string(*offset_);
        out += ")";
    }
    if (!hint_.empty())
        out += "\n  hint: " + hint_;
    return out;
}

Error usage_error(const std::string& message) {
    return Error(ErrorKind::Usage, message);
}
Error input_error(const std::string& message) {
    return Error(ErrorKind::BadInput, message);
}
Error remote_error(const std::string& message) {
    return Error(ErrorKind::Remote, message);
}

} // namespace neac
