// preprocessing.cpp: face crops and FER-2013 rows to the model's float input, through one
// resize-and-scale path.

#include "shim_internal.hpp"

#include <cmath>

namespace cvs {

// The single resize-and-scale path shared by live faces and FER-2013 rows. The resize runs on
// float pixels (no rounding back to bytes); shrinking uses INTER_AREA, which averages the source
// pixels each output pixel covers, and enlarging (a 48x48 FER-2013 face for a 64x64 model, a
// face smaller than the model's input) uses INTER_LINEAR, as Keras pipelines do with
// cv2.resize: reproducing mini-Xception's published 0.6551 on FER-2013 depends on it. Then
// value * scale + offset is copied into every channel, HWC.
cvs_status resize_to_floats(const cv::Mat &grey, int32_t out_width, int32_t out_height,
                            int32_t out_channels, float scale, float offset, float *out,
                            size_t capacity, cvs_error *error) {
    if (out_width <= 0 || out_height <= 0 || out_channels <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "output size must be positive");
    }
    const size_t needed = size_t(out_width) * size_t(out_height) * size_t(out_channels);
    if (out == nullptr || capacity < needed) {
        return fail(error, CVS_INVALID_ARGUMENT,
                    "float buffer holds " + std::to_string(capacity) + " values, " +
                        std::to_string(needed) + " needed");
    }
    cv::Mat pixels;
    grey.convertTo(pixels, CV_32F);
    cv::Mat resized;
    if (pixels.cols == out_width && pixels.rows == out_height) {
        resized = pixels;
    } else {
        const bool shrinking = out_width <= pixels.cols && out_height <= pixels.rows;
        cv::resize(pixels, resized, cv::Size(out_width, out_height), 0, 0,
                   shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    float *p = out;
    for (int y = 0; y < out_height; ++y) {
        const float *row = resized.ptr<float>(y);
        for (int x = 0; x < out_width; ++x) {
            const float v = row[x] * scale + offset;
            for (int c = 0; c < out_channels; ++c) *p++ = v;
        }
    }
    return CVS_OK;
}

}  // namespace cvs

using namespace cvs;

extern "C" {

cvs_status cvs_crop_resize_to_floats(const cvs_image *image, cvs_rect rect, int32_t out_width,
                                     int32_t out_height, int32_t out_channels, float scale,
                                     float offset, float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    const cv::Rect bounds(0, 0, image->mat.cols, image->mat.rows);
    const cv::Rect crop = cv::Rect(rect.x, rect.y, rect.width, rect.height) & bounds;
    if (crop.width <= 0 || crop.height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "crop rect is empty inside the image");
    }
    const cv::Mat region = image->mat(crop);
    return resize_to_floats(grey_of(region), out_width, out_height, out_channels, scale, offset,
                            out, capacity, error);
    CVS_GUARD_END
}

cvs_status cvs_crop_aligned_to_floats(const cvs_image *image, double cx, double cy, double side,
                                      double angle_degrees, int32_t out_width, int32_t out_height,
                                      int32_t out_channels, float scale, float offset, float *out,
                                      size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (image == nullptr || image->mat.empty()) {
        return fail(error, CVS_INVALID_ARGUMENT, "no image or empty image");
    }
    if (!std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(angle_degrees) || !(side >= 1) ||
        side > 1e6 || out_width <= 0 || out_height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "invalid aligned crop");
    }
    // The turned square stays inside the circle of radius side / sqrt(2) around its centre.
    const double radius = side * 0.7072 + 2;
    const cv::Rect bounds(0, 0, image->mat.cols, image->mat.rows);
    const cv::Rect region = cv::Rect(int(std::floor(cx - radius)), int(std::floor(cy - radius)),
                                     int(std::ceil(2 * radius)), int(std::ceil(2 * radius))) & bounds;
    if (region.width <= 0 || region.height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "aligned crop lies outside the image");
    }
    cv::Mat pixels;
    grey_of(image->mat(region)).convertTo(pixels, CV_32F);
    // Shrink first, so the bilinear turn samples a picture at the output's own scale.
    const double k = std::min(double(out_width), double(out_height)) / side;
    cv::Mat small = pixels;
    if (k < 1) {
        cv::resize(pixels, small,
                   cv::Size(std::max(1, int(std::lround(pixels.cols * k))), std::max(1, int(std::lround(pixels.rows * k)))),
                   0, 0, cv::INTER_AREA);
    }
    const double sx = double(small.cols) / pixels.cols, sy = double(small.rows) / pixels.rows;
    // Centre and remaining scale in the shrunk picture (pixel centres at +0.5).
    const double ccx = (cx - region.x) * sx - 0.5, ccy = (cy - region.y) * sy - 0.5;
    const double kx = out_width / (side * sx), ky = out_height / (side * sy);
    const double theta = angle_degrees * CV_PI / 180, a = std::cos(theta), b = std::sin(theta);
    const double ox = (out_width - 1) / 2.0, oy = (out_height - 1) / 2.0;
    cv::Mat m = (cv::Mat_<double>(2, 3) << kx * a, kx * b, ox - kx * (a * ccx + b * ccy),
                 -ky * b, ky * a, oy - ky * (-b * ccx + a * ccy));
    cv::Mat turned;
    cv::warpAffine(small, turned, m, cv::Size(out_width, out_height), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    return resize_to_floats(turned, out_width, out_height, out_channels, scale, offset, out,
                            capacity, error);
    CVS_GUARD_END
}

cvs_status cvs_grey_bytes_resize_to_floats(const uint8_t *pixels, int32_t width, int32_t height,
                                           int32_t out_width, int32_t out_height,
                                           int32_t out_channels, float scale, float offset,
                                           float *out, size_t capacity, cvs_error *error) {
    CVS_GUARD_BEGIN
    if (pixels == nullptr || width <= 0 || height <= 0) {
        return fail(error, CVS_INVALID_ARGUMENT, "no pixels");
    }
    const cv::Mat grey(height, width, CV_8UC1, const_cast<uint8_t *>(pixels));
    return resize_to_floats(grey, out_width, out_height, out_channels, scale, offset, out,
                            capacity, error);
    CVS_GUARD_END
}

}  // extern "C"
