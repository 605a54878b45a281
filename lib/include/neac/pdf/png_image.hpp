// PNG in and out, with libpng's "simplified" API (png_image). libpng reports errors by
// longjmp, which would skip C++ destructors; png_image keeps that longjmp inside libpng and
// returns a status instead, and the png_struct it holds is released by an RAII guard here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace neac::pdf {

// 8-bit RGBA, not premultiplied, sRGB, rows top to bottom without padding.
struct RgbaImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;

    bool opaque() const; // every alpha is 255
};

// Decodes any PNG (palette, grey, 16-bit, interlaced, with or without alpha or tRNS) to RGBA.
// Throws Error(BadInput) naming `name` for data that is not a PNG, is damaged, or is larger
// than limits::kImagePixels.
RgbaImage decode_png(std::string_view data, const std::string& name);
RgbaImage read_png_file(const std::filesystem::path& path);

// Encodes as an RGB PNG (RGBA when some pixel is not opaque).
std::string encode_png(const RgbaImage& image);

} // namespace neac::pdf
