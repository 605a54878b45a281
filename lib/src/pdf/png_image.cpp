#include "neac/pdf/png_image.hpp"

#include "neac/util/atomic_file.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <cstring>
#include <png.h>

namespace neac::pdf {
namespace {

// Owns the png_struct inside a png_image (png_image_free is safe on a finished image too).
class PngImage {
public:
    PngImage() {
        std::memset(&image_, 0, sizeof image_);
        image_.version = PNG_IMAGE_VERSION;
    }
    ~PngImage() { png_image_free(&image_); }
    PngImage(const PngImage&) = delete;
    PngImage& operator=(const PngImage&) = delete;
    png_image* get() { return &image_; }
    png_image* operator->() { return &image_; }

private:
    png_image image_;
};

} // namespace

bool RgbaImage::opaque() const {
    for (std::size_t i = 3; i < rgba.size(); i += 4)
        if (rgba[i] != 255)
            return false;
    return true;
}

RgbaImage decode_png(std::string_view data, const std::string& name) {
    static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (data.size() < 8 || std::memcmp(data.data(), kSignature, 8) != 0)
        throw input_error("not a PNG image").file(name).hint("save the signature image as PNG");
    PngImage png;
    if (!png_image_begin_read_from_memory(png.get(), data.data(), data.size()))
        throw input_error(std::string("damaged PNG: ") + png->message).file(name);
    std::uint64_t pixels = static_cast<std::uint64_t>(png->width) * png->height;
    if (png->width == 0 || png->height == 0 || pixels > limits::kImagePixels)
        throw input_error("the PNG is " + std::to_string(png->width) + "x" +
                          std::to_string(png->height) + " pixels; at most " +
                          std::to_string(limits::kImagePixels / 1'000'000) +
                          " megapixels are accepted")
            .file(name)
            .hint("scale the signature image down (a few hundred pixels wide is plenty)");
    png->format = PNG_FORMAT_RGBA;
    RgbaImage out;
    out.width = static_cast<int>(png->width);
    out.height = static_cast<int>(png->height);
    out.rgba.resize(PNG_IMAGE_SIZE(*png.get()));
    if (!png_image_finish_read(png.get(), nullptr, out.rgba.data(), 0, nullptr))
        throw input_error(std::string("damaged PNG: ") + png->message).file(name);
    return out;
}

RgbaImage read_png_file(const std::filesystem::path& path) {
    return decode_png(read_small_file(path, limits::kImageFileBytes), path.string());
}

std::string encode_png(const RgbaImage& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgba.size() != static_cast<std::size_t>(image.width) * image.height * 4)
        throw Error(ErrorKind::Internal, "encode_png: inconsistent image size");
    const bool opaque = image.opaque();
    std::vector<std::uint8_t> rgb;
    const void* pixels = image.rgba.data();
    if (opaque) {
        rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
        for (std::size_t i = 0, j = 0; i < image.rgba.size(); i += 4, j += 3)
            std::memcpy(&rgb[j], &image.rgba[i], 3);
        pixels = rgb.data();
    }
    PngImage png;
    png->width = static_cast<png_uint_32>(image.width);
    png->height = static_cast<png_uint_32>(image.height);
    png->format = opaque ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(png.get(), nullptr, &size, 0, pixels, 0, nullptr))
        throw Error(ErrorKind::Internal, std::string("PNG encoding failed: ") + png->message);
    std::string out(size, '\0');
    if (!png_image_write_to_memory(png.get(), out.data(), &size, 0, pixels, 0, nullptr))
        throw Error(ErrorKind::Internal, std::string("PNG encoding failed: ") + png->message);
    out.resize(size);
    return out;
}

} // namespace neac::pdf
