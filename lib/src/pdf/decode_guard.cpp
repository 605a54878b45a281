#include "neac/pdf/decode_guard.hpp"

#include <qpdf/Pl_Flate.hh>
#include <qpdf/Pl_RunLength.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFStreamFilter.hh>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace neac::pdf {

struct DecodeGuardState {
    std::uint64_t per_stream = 0;
    std::uint64_t total = 0;
    std::uint64_t used = 0;
    bool tripped = false;
    std::string reason;
};

namespace {

using GuardState = DecodeGuardState;
thread_local GuardState* t_guard = nullptr;

// Counts decoded bytes and stops the decoder when the active guard's limits are exceeded.
class LimitPipeline final : public Pipeline {
public:
    explicit LimitPipeline(Pipeline* next) : Pipeline("neac-limit", next), guard_(t_guard) {}
    void write(unsigned char const* data, size_t len) override {
        if (guard_) {
            count_ += len;
            guard_->used += len;
            if (count_ > guard_->per_stream || guard_->used > guard_->total) {
                guard_->tripped = true;
                guard_->reason = count_ > guard_->per_stream
                                     ? "a stream decodes to more than " +
                                           std::to_string(guard_->per_stream >> 20) +
                                           " MiB (decompression bomb?)"
                                     : "the file's streams decode to more than " +
                                           std::to_string(guard_->total >> 20) + " MiB";
                throw std::runtime_error(guard_->reason);
            }
        }
        getNext()->write(data, len);
    }
    void finish() override { getNext()->finish(); }

private:
    GuardState* guard_;
    std::uint64_t count_ = 0;
};

// PNG predictors (ISO 32000-1 §7.4.4.4, RFC 2083 §6): one filter-type byte per row.
class PngUnpredictor final : public Pipeline {
public:
    PngUnpredictor(Pipeline* next, std::size_t row_bytes, std::size_t bpp)
        : Pipeline("neac-png", next), row_(row_bytes), bpp_(bpp), prev_(row_bytes, 0),
          cur_(row_bytes + 1, 0) {}
    void write(unsigned char const* data, size_t len) override {
        for (size_t i = 0; i < len; ++i) {
            cur_[fill_++] = data[i];
            if (fill_ == cur_.size())
                flush_row();
        }
    }
    void finish() override {
        if (fill_ > 0) { // a short last row: pad as QPDF does
            while (fill_ < cur_.size())
                cur_[fill_++] = 0;
            flush_row();
        }
        getNext()->finish();
    }

private:
    void flush_row() {
        unsigned char type = cur_[0];
        unsigned char* row = cur_.data() + 1;
        for (std::size_t i = 0; i < row_; ++i) {
            unsigned int left = i >= bpp_ ? row[i - bpp_] : 0;
            unsigned int up = prev_[i];
            unsigned int up_left = i >= bpp_ ? prev_[i - bpp_] : 0;
            unsigned int add = 0;
            switch (type) {
            case 0:
                break;
            case 1:
                add = left;
                break;
            case 2:
                add = up;
                break;
            case 3:
                add = (left + up) / 2;
                break;
            case 4: {
                int p = static_cast<int>(left + up) - static_cast<int>(up_left);
                int pa = std::abs(p - static_cast<int>(left));
                int pb = std::abs(p - static_cast<int>(up));
                int pc = std::abs(p - static_cast<int>(up_left));
                add = (pa <= pb && pa <= pc) ? left : (pb <= pc ? up : up_left);
                break;
            }
            default:
                throw std::runtime_error("invalid PNG predictor row type " + std::to_string(type));
            }
            row[i] = static_cast<unsigned char>(row[i] + add);
        }
        getNext()->write(row, row_);
        std::copy(row, row + row_, prev_.begin());
        fill_ = 0;
    }

    std::size_t row_, bpp_;
    std::vector<unsigned char> prev_, cur_;
    std::size_t fill_ = 0;
};

// TIFF predictor 2 for 8-bit components: each byte adds the same component of the pixel before.
class TiffUnpredictor final : public Pipeline {
public:
    TiffUnpredictor(Pipeline* next, std::size_t row_bytes, std::size_t colors)
        : Pipeline("neac-tiff", next), row_(row_bytes, 0), colors_(colors) {}
    void write(unsigned char const* data, size_t len) override {
        for (size_t i = 0; i < len; ++i) {
            row_[fill_++] = data[i];
            if (fill_ == row_.size())
                flush_row();
        }
    }
    void finish() override {
        if (fill_ > 0) {
            row_.resize(fill_);
            flush_row();
        }
        getNext()->finish();
    }

private:
    void flush_row() {
        for (std::size_t i = colors_; i < row_.size(); ++i)
            row_[i] = static_cast<unsigned char>(row_[i] + row_[i - colors_]);
        getNext()->write(row_.data(), row_.size());
        fill_ = 0;
    }
    std::vector<unsigned char> row_;
    std::size_t colors_;
    std::size_t fill_ = 0;
};

long long int_param(QPDFObjectHandle parms, const char* key, long long fallback) {
    QPDFObjectHandle v = parms.isDictionary() ? parms.getKey(key) : QPDFObjectHandle::newNull();
    return v.isInteger() ? v.getIntValue() : fallback;
}

class FlateFilter final : public QPDFStreamFilter {
public:
    bool setDecodeParms(QPDFObjectHandle parms) override {
        if (parms.isNull())
            return true;
        if (!parms.isDictionary())
            return false;
        predictor_ = int_param(parms, "/Predictor", 1);
        colors_ = int_param(parms, "/Colors", 1);
        bpc_ = int_param(parms, "/BitsPerComponent", 8);
        columns_ = int_param(parms, "/Columns", 1);
        if (predictor_ == 1)
            return true;
        if (colors_ < 1 || colors_ > 32 || columns_ < 1 || columns_ > (1 << 24))
            return false;
        if (predictor_ >= 10 && predictor_ <= 15)
            return bpc_ == 1 || bpc_ == 2 || bpc_ == 4 || bpc_ == 8 || bpc_ == 16;
        if (predictor_ == 2)
            return bpc_ == 8; // other depths only occur in images, which neac never decodes
        return false;
    }
    Pipeline* getDecodePipeline(Pipeline* next) override {
        Pipeline* p = next;
        std::size_t bits = static_cast<std::size_t>(colors_ * bpc_);
        std::size_t row_bytes = (bits * static_cast<std::size_t>(columns_) + 7) / 8;
        if (predictor_ >= 10) {
            owned_.emplace_back(
                std::make_unique<PngUnpredictor>(p, row_bytes, std::max<std::size_t>(1, bits / 8)));
            p = owned_.back().get();
        } else if (predictor_ == 2) {
            owned_.emplace_back(
                std::make_unique<TiffUnpredictor>(p, row_bytes, static_cast<std::size_t>(colors_)));
            p = owned_.back().get();
        }
        owned_.emplace_back(std::make_unique<LimitPipeline>(p));
        p = owned_.back().get();
        owned_.emplace_back(std::make_unique<Pl_Flate>("flate", p, Pl_Flate::a_inflate));
        return owned_.back().get();
    }

private:
    long long predictor_ = 1, colors_ = 1, bpc_ = 8, columns_ = 1;
    std::vector<std::unique_ptr<Pipeline>> owned_;
};

class RunLengthFilter final : public QPDFStreamFilter {
public:
    Pipeline* getDecodePipeline(Pipeline* next) override {
        owned_.emplace_back(std::make_unique<LimitPipeline>(next));
        Pipeline* p = owned_.back().get();
        owned_.emplace_back(std::make_unique<Pl_RunLength>("runlength", p, Pl_RunLength::a_decode));
        return owned_.back().get();
    }

private:
    std::vector<std::unique_ptr<Pipeline>> owned_;
};

} // namespace

void install_stream_filters() {
    static std::once_flag once;
    std::call_once(once, [] {
        QPDF::registerStreamFilter("/FlateDecode", [] { return std::make_shared<FlateFilter>(); });
        QPDF::registerStreamFilter("/RunLengthDecode",
                                   [] { return std::make_shared<RunLengthFilter>(); });
    });
}

DecodeGuard::DecodeGuard(std::uint64_t per_stream, std::uint64_t total)
    : state_(std::make_unique<DecodeGuardState>()), previous_(t_guard) {
    state_->per_stream = per_stream;
    state_->total = total;
    t_guard = state_.get();
}

DecodeGuard::~DecodeGuard() {
    t_guard = previous_;
}

bool DecodeGuard::tripped() const {
    return state_->tripped;
}

std::string DecodeGuard::reason() const {
    return state_->reason;
}

} // namespace neac::pdf
